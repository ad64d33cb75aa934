#!/usr/bin/env bash
# npm run jsii: builds the package as users install it and generates the
# other languages' bindings from it.
#
# 1. npm run build (scripts/build.ts): jsii compiles lib/ into dist/ and writes
#    the assembly .jsii (a warning fails it: no callbacks, unions, inline
#    types, reserved words, Error subclasses or re-exported symbols in the
#    public API); the TypeScript-only entry points (lib/runtime, the handlers,
#    the browser helper) are built beside it. `npm pack` ships .jsii with dist/.
# 2. jsii-pacmak generates the Python, Java, .NET and Go bindings from .jsii,
#    offline (--code-only: building the packages would download each
#    language's toolchain packages), in a temporary directory.
# 3. Python: every module byte-compiles (a name the language cannot take
#    fails), and every type of the assembly is a class of the generated
#    module. Importing it needs the jsii runtime, aws-cdk-lib and constructs
#    for Python from PyPI: when this machine's pip has them without a network
#    (pip download --no-index: the wheelhouse and local indexes of pip's
#    config), they are installed in a virtualenv with the bindings and
#    `import cdk_ha_patterns` runs; otherwise the step says it is skipped.
#
#   scripts/jsii-check.sh [--no-build]   (--no-build: use the .jsii already built)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"

if [ "${1:-}" != "--no-build" ]; then npm run --silent build; fi
[ -f .jsii ] || { echo "jsii-check: no .jsii (run npm run build)" >&2; exit 1; }
node -e 'const a = JSON.parse(require("fs").readFileSync(".jsii", "utf8")); console.log(`jsii: ${Object.keys(a.types).length} types in the assembly of ${a.name}@${a.version}`)'

# npm pack inside pacmak must not run prepack (the build above made dist/).
npm_config_ignore_scripts=true "$root/node_modules/.bin/jsii-pacmak" --code-only --no-npmignore --no-fingerprint \
  --outdir "$work/bindings" --targets python,java,dotnet,go 2>&1 | grep -v '^!!' || true
[ -d "$work/bindings/python" ] || { echo "jsii-check: jsii-pacmak generated no Python bindings" >&2; exit 1; }
out="$work/bindings"
python_files=$(find "$out/python" -name '*.py' | wc -l)
echo "jsii-pacmak: python ${python_files} modules, java $(find "$out/java" -name '*.java' | wc -l) classes, dotnet $(find "$out/dotnet" -name '*.cs' | wc -l) files, go $(find "$out/go" -name '*.go' | wc -l) files"

if ! command -v python3 >/dev/null; then
  echo "jsii-check: python: skipped (no python3 on this machine)"
  exit 0
fi
python3 -m compileall -q "$out/python/src" >/dev/null
# Every class, interface and enum of the assembly is a class of the Python module.
node - "$out/python/src" <<'EOF'
const fs = require('fs');
const path = require('path');
const asm = JSON.parse(fs.readFileSync('.jsii', 'utf8'));
const sources = [];
const walk = d => fs.readdirSync(d, { withFileTypes: true }).forEach(e => {
  const p = path.join(d, e.name);
  if (e.isDirectory()) walk(p); else if (e.name.endsWith('.py')) sources.push(fs.readFileSync(p, 'utf8'));
});
walk(process.argv[2]);
const text = sources.join('\n');
const missing = Object.values(asm.types).map(t => t.name).filter(n => !new RegExp(`^class ${n}\\b`, 'm').test(text));
if (missing.length) throw new Error(`types of the assembly missing from the Python bindings: ${missing.join(', ')}`);
console.log(`jsii-check: python: ${Object.keys(asm.types).length} types, every one a class of cdk_ha_patterns; modules byte-compiled`);
EOF
deps=(jsii publication typeguard "aws-cdk-lib==$(node -p "require('aws-cdk-lib/package.json').version")" "constructs==$(node -p "require('constructs/package.json').version")")
if python3 -m pip download --no-index --no-deps --quiet -d "$work/wheels" "${deps[@]}" >/dev/null 2>&1; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --no-index --find-links "$work/wheels" --quiet "$out/python"
  (cd "$work" && "$work/venv/bin/python" -c 'import cdk_ha_patterns; print(f"jsii-check: python: import cdk_ha_patterns: {len(dir(cdk_ha_patterns))} names")')
else
  echo "jsii-check: python: import skipped: it needs ${deps[*]} from PyPI, which this machine's pip cannot reach (pip download --no-index could not get them)"
fi
