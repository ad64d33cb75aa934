#!/usr/bin/env bash
# The public API must compile with jsii, warnings included (no callbacks, unions, inline types, reserved words,
# Error subclasses or re-exported symbols in it), and jsii-pacmak must generate
# its Python, Java, .NET and Go bindings. Compiles lib/ with jsii in a
# temporary directory (jsii writes its own tsconfig.json and .jsii), so the
# repository's build (tsc to dist/) is untouched. The runtime clients, the
# Lambda handlers and the browser helper are TypeScript-only entry points
# (package.json "exports"), outside the jsii assembly.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/lib" "$root/README.md" "$root/LICENSE" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
node -e '
const fs = require("fs");
const pkg = require(process.argv[1]);
const peers = pkg.peerDependencies;
fs.writeFileSync(process.argv[2], JSON.stringify({
  name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license,
  author: { name: "cdk-ha-patterns developers", organization: true },
  repository: { type: "git", url: "https://github.com/cdk-ha-patterns/cdk-ha-patterns.git" },
  main: "out/index.js", types: "out/index.d.ts",
  peerDependencies: { "aws-cdk-lib": peers["aws-cdk-lib"], constructs: peers.constructs },
  devDependencies: { "aws-cdk-lib": peers["aws-cdk-lib"].replace("^", ""), constructs: peers.constructs.replace("^", "") },
  jsii: {
    outdir: "dist-jsii",
    tsc: { outDir: "out", rootDir: "lib" },
    excludeTypescript: ["lib/**/handler/**", "lib/runtime/**", "lib/web-tier/browser/**"],
    targets: {
      python: { distName: "cdk-ha-patterns", module: "cdk_ha_patterns" },
      java: { package: "io.github.cdkhapatterns", maven: { groupId: "io.github.cdk-ha-patterns", artifactId: "cdk-ha-patterns" } },
      dotnet: { namespace: "CdkHaPatterns", packageId: "CdkHaPatterns" },
      go: { moduleName: "github.com/cdk-ha-patterns/cdk-ha-patterns-go" },
    },
  },
}, null, 2));
' "$root/package.json" "$work/package.json"
cd "$work"
"$root/node_modules/.bin/jsii" --fail-on-warnings
node -e 'const a = JSON.parse(require("fs").readFileSync(".jsii", "utf8")); console.log(`jsii: ${Object.keys(a.types).length} types in the assembly of ${a.name}@${a.version}`)'
# The bindings of every jsii language, generated offline (--code-only: building them would download
# each language's toolchain packages). Python's are byte-compiled, which catches a name the language
# cannot take; the others are counted.
"$root/node_modules/.bin/jsii-pacmak" --code-only --targets python,java,dotnet,go >/dev/null
python_files=$(find dist-jsii/python -name '*.py' | wc -l)
if command -v python3 >/dev/null; then python3 -m compileall -q dist-jsii/python/src >/dev/null; fi
echo "jsii-pacmak: python ${python_files} modules (byte-compiled), java $(find dist-jsii/java -name '*.java' | wc -l) classes, dotnet $(find dist-jsii/dotnet -name '*.cs' | wc -l) files, go $(find dist-jsii/go -name '*.go' | wc -l) files"
