#!/usr/bin/env bash
# Consumer check: the packed library, installed from its tarball into a fresh
# CDK app as a user would, type-checks and synthesizes there.
#
#   scripts/consumer-check.sh [aws-cdk-lib version ...]
#
# The tarball (npm pack; prepack builds it with jsii, or CONSUMER_CHECK_PREBUILT=1
# packs the dist/ and .jsii that `npm run jsii` just built) must hold the jsii
# assembly .jsii (valid, with types), every pattern README the package README
# links to, and no TypeScript source or build info.
#
# Versions: by default the oldest the peer range allows (its floor) and the
# newest 2.x published (`npm view`), once when they are the same. For each:
#   - a fresh app in a mktemp directory with the tarball of `npm pack`
#     (prepack builds dist/), aws-cdk-lib, constructs, typescript, tsx, ts-node
#     and @types/node installed from the registry, npm's cache first; the
#     versions are this repository's, but ts-node (not a dependency here);
#   - test/consumer/app.ts type-checked with tsc --strict --skipLibCheck false;
#   - the app synthesized with node (compiled by tsc), ts-node and tsx, with
#     no credentials and no Docker (CDK_DOCKER=false), availability zones from
#     this repository's cdk.context.json (what the CDK CLI would pass); the
#     three cloud assemblies must be identical, carry no error annotation, and
#     deploy the handler bundle shipped in the package, and the launcher's
#     container runs the launcher bundle shipped in the package.
# Then once: the runtime clients (cdk-ha-patterns/lib/runtime) with the
# optional peer @aws-sdk/client-dynamodb, type-checked with node16 and node10
# module resolution and run (test/consumer/runtime.ts).
# Then, with TypeScript 7 in that app (what `cdk init app --language typescript`
# installs; skipped when `npm view typescript@7` finds none): the app
# type-checked by tsc 7 and synthesized by tsx to the same cloud assembly;
# ts-node must fail (TypeScript 7 has no JavaScript compiler API for it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

step() { echo "consumer-check: $* ($((SECONDS - start)) s)"; }
version_of() { node -p "require('$root/node_modules/$1/package.json').version"; }

if [ "$#" -gt 0 ]; then
  versions=("$@")
else
  oldest="$(node -p "require('$root/package.json').peerDependencies['aws-cdk-lib'].replace(/^[\\^~]/, '')")"
  newest="$(npm view aws-cdk-lib@2 version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).pop())')"
  versions=("$oldest")
  [ "$newest" != "$oldest" ] && versions+=("$newest")
fi
tools=("constructs@$(version_of constructs)" "typescript@$(version_of typescript)" "tsx@$(version_of tsx)"
  "@types/node@$(version_of @types/node)" "ts-node@10.9.2")
sdk="@aws-sdk/client-dynamodb@$(version_of @aws-sdk/client-dynamodb)"

if [ "${CONSUMER_CHECK_PREBUILT:-}" = 1 ]; then
  [ -f "$root/.jsii" ] && [ -f "$root/dist/index.js" ] || { echo "consumer-check: CONSUMER_CHECK_PREBUILT=1 but no .jsii or dist/ (run npm run build)" >&2; exit 1; }
  (cd "$root" && npm pack --ignore-scripts --pack-destination "$work" --loglevel=error >/dev/null)
else
  (cd "$root" && npm pack --pack-destination "$work" --loglevel=error >/dev/null)
fi
tarball="$(ls "$work"/cdk-ha-patterns-*.tgz)"
step "packed $(basename "$tarball"): $(tar -tzf "$tarball" | wc -l) files, $(du -k "$tarball" | cut -f1) kB"
mkdir "$work/unpacked" && tar -xzf "$tarball" -C "$work/unpacked"
node - "$work/unpacked/package" <<'EOF'
// The jsii assembly, the docs the README links to, and nothing built from source by mistake.
const fs = require('fs');
const path = require('path');
const pkg = process.argv[2];
const files = [];
const walk = d => fs.readdirSync(d, { withFileTypes: true }).forEach(e => {
  const p = path.join(d, e.name);
  if (e.isDirectory()) walk(p); else files.push(path.relative(pkg, p));
});
walk(pkg);
const asm = JSON.parse(fs.readFileSync(path.join(pkg, '.jsii'), 'utf8'));
const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
if (asm.schema !== 'jsii/0.10.0' || asm.name !== manifest.name || asm.version !== manifest.version) {
  throw new Error(`.jsii is not this package's assembly (${asm.schema} ${asm.name}@${asm.version})`);
}
const types = Object.keys(asm.types ?? {}).length;
if (types < 100) throw new Error(`.jsii has ${types} types`);
const stray = files.filter(f => (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) || f.endsWith('.tsbuildinfo'));
if (stray.length) throw new Error(`the tarball holds sources or build info: ${stray.join(', ')}`);
// Relative links of the package README: the pattern docs (lib/**) ship; the rest (examples, tests)
// are the repository's, which npm and Construct Hub resolve against package.json `repository`.
const readme = fs.readFileSync(path.join(pkg, 'README.md'), 'utf8');
const links = [...readme.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map(m => m[1]);
const missing = links.filter(l => l.startsWith('lib/') && !fs.existsSync(path.join(pkg, l)));
if (missing.length) throw new Error(`the README links to docs the tarball does not hold: ${missing.join(', ')}`);
if (!/github\.com\/cdk-ha-patterns\/cdk-ha-patterns/.test(manifest.repository?.url ?? '')) throw new Error('package.json has no repository');
console.log(`consumer-check: .jsii with ${types} types, ${links.filter(l => l.startsWith('lib/')).length} pattern docs linked and shipped, no sources`);
EOF

# What `cdk synth` would give the app: context (availability zones), no credentials, no Docker.
synth() { # <runner label> <command...>
  local out="$PWD/cdk.out.$1"; shift
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
    AWS_EC2_METADATA_DISABLED=true CDK_DOCKER=false CDK_OUTDIR="$out" \
    CDK_CONTEXT_JSON="$(cat "$root/cdk.context.json")" "$@"
}

for version in "${versions[@]}"; do
  app="$work/app-$version"
  mkdir -p "$app" && cd "$app"
  echo '{ "name": "consumer-app", "version": "0.0.0", "private": true }' > package.json
  # cdk init's tsconfig (app/typescript), without jest.
  cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "lib": ["es2022"],
    "declaration": true, "strict": true, "noImplicitAny": true, "strictNullChecks": true,
    "noImplicitThis": true, "alwaysStrict": true, "noImplicitReturns": true,
    "inlineSourceMap": true, "inlineSources": true, "experimentalDecorators": true,
    "strictPropertyInitialization": false, "skipLibCheck": true, "noEmit": true,
    "isolatedModules": true, "typeRoots": ["./node_modules/@types"], "types": ["node"]
  },
  "exclude": ["node_modules", "cdk.out*", "build"]
}
EOF
  cp "$root/test/consumer/app.ts" app.ts
  npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball" "aws-cdk-lib@$version" "${tools[@]}" >/dev/null
  step "aws-cdk-lib $version: installed"
  # The package root must need no AWS SDK: none is installed while the app is checked and synthesized.
  if [ -e node_modules/@aws-sdk/client-dynamodb ]; then echo "consumer-check: @aws-sdk/client-dynamodb was installed with the package" >&2; exit 1; fi
  # Each command of the package's `bin` is linked and executable.
  for bin in $(node -p "Object.keys(require('cdk-ha-patterns/package.json').bin ?? {}).join(' ')"); do
    [ -x "node_modules/.bin/$bin" ] || { echo "consumer-check: bin $bin is not installed as an executable" >&2; exit 1; }
  done

  npx tsc -p . --strict --skipLibCheck false --noEmit
  step "aws-cdk-lib $version: tsc --strict --skipLibCheck false"
  npx tsc -p . --noEmit false --outDir build
  synth node node build/app.js
  step "aws-cdk-lib $version: synthesized with node"
  synth ts-node npx ts-node app.ts
  step "aws-cdk-lib $version: synthesized with ts-node"
  synth tsx npx tsx app.ts
  step "aws-cdk-lib $version: synthesized with tsx"

  # Templates and assets (not the metadata and the validation report: they hold stack traces).
  for runner in ts-node tsx; do
    same=(diff -r -x '*.metadata.json' -x manifest.json -x tree.json -x validation-report.json cdk.out.node "cdk.out.$runner")
    "${same[@]}" >/dev/null \
      || { echo "consumer-check: the $runner cloud assembly differs from node's" >&2; "${same[@]}" | head -20 >&2; exit 1; }
  done
  node - cdk.out.node <<'EOF'
// No error annotation; every Lambda function's code is an asset of the assembly, the
// cells fan-out function's asset is the bundle shipped in the package, and the browser
// helper's asset (the package's browser/ directory) answers as Lambda would run it;
// the launcher container (leaseMode LAUNCHER) runs the launcher bundle shipped in the package.
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
const errors = Object.values(manifest.artifacts).flatMap(a => Object.entries(a.metadata ?? {})
  .flatMap(([p, entries]) => entries.filter(e => e.type === 'aws:cdk:error').map(e => `${p}: ${e.data}`)));
if (errors.length) throw new Error(`error annotations:\n${errors.join('\n')}`);
const shipped = fs.readFileSync(require.resolve('cdk-ha-patterns/package.json').replace(/package\.json$/, 'dist/cells/handler/index.js'), 'utf8');
let functions = 0, fanOut = 0;
const helpers = [];
for (const file of fs.readdirSync(out).filter(f => f.endsWith('.template.json'))) {
  const template = JSON.parse(fs.readFileSync(path.join(out, file), 'utf8'));
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function' || !r.Properties.Code.S3Key) continue;
    functions++;
    const asset = path.join(out, `asset.${r.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    if (!fs.existsSync(asset)) throw new Error(`${file} ${id}: no asset ${asset}`);
    const index = path.join(asset, 'index.js');
    if (fs.existsSync(index) && fs.readFileSync(index, 'utf8') === shipped) fanOut++;
    if (r.Properties.Handler === 'serve.handler') helpers.push({ asset, env: r.Properties.Environment.Variables });
  }
}
if (helpers.length !== 1) throw new Error(`expected one browser helper function, found ${helpers.length}`);
Object.assign(process.env, helpers[0].env);
require(path.resolve(helpers[0].asset, 'serve.js')).handler({ httpMethod: 'GET', path: '/ha-failover/failover.js' }).then(r => {
  const helper = fs.readFileSync(require.resolve('cdk-ha-patterns/lib/web-tier/browser/failover.js'), 'utf8');
  if (r.statusCode !== 200 || r.body !== helper) throw new Error(`the browser helper's asset answered ${r.statusCode}, not the packaged helper`);
});
const launcherBundle = fs.readFileSync(require.resolve('cdk-ha-patterns/package.json').replace(/package\.json$/, 'dist/runtime/launcher-container/launcher.bundle.js'), 'utf8');
const launchers = fs.readdirSync(out).filter(f => f.endsWith('.template.json'))
  .flatMap(f => Object.values(JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')).Resources))
  .filter(r => r.Type === 'AWS::ECS::TaskDefinition')
  .flatMap(r => r.Properties.ContainerDefinitions.filter(c => c.Name === 'Launcher'));
if (launchers.length !== 1 || launchers[0].Command[0] !== '-e' || launchers[0].Command[1] !== launcherBundle) {
  throw new Error(`expected one launcher container running the shipped launcher bundle, found ${launchers.length}`);
}
if (fanOut !== 1) throw new Error(`expected the shipped fan-out bundle as one function's asset, found ${fanOut} (of ${functions} functions)`);
console.log(`consumer-check: ${Object.keys(manifest.artifacts).length} artifacts, ${functions} Lambda functions with assets, no errors`);
EOF

  # The report command of the installed package over the cloud assembly synthesized above
  # (what the patterns recorded in it): Markdown and JSON, asserted; a missing assembly
  # exits 1; prove says the app records no drill (it has none) and exits 1.
  npx cdk-ha-patterns report cdk.out.node --title consumer-app > report.md
  npx cdk-ha-patterns report cdk.out.node --json > report.json
  node - report.md report.json <<'EOF'
const fs = require('fs');
const [md, json] = process.argv.slice(2).map(f => fs.readFileSync(f, 'utf8'));
const report = JSON.parse(json);
const fail = m => { console.error(`consumer-check: report: ${m}`); process.exit(1); };
const got = report.components.map(c => `${c.pattern} ${c.constructPath}`);
const want = ['SingletonDaemon Ops/Etl', 'SingletonDaemon Ops/VendorDaemon', 'WorkerPool Ops/Builders', 'ActiveActiveCells Ops/Cells', 'LatencyDns Dns/Web'];
if (report.schemaVersion !== 1) fail(`schemaVersion ${report.schemaVersion}`);
if (JSON.stringify(got) !== JSON.stringify(want)) fail(`components ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
const silent = report.components.filter(c => !String(c.notified).startsWith('SNS '));
if (silent.length > 0) fail(`not notified through SNS: ${silent.map(c => c.constructPath).join(', ')}`);
for (const text of ['| `Ops/Etl` | SingletonDaemon |', '| scenario | `Ops/Etl` |', '| task-loss of eu-west-1 | task-failure: ']) {
  if (!md.includes(text)) fail(`the Markdown report lacks ${JSON.stringify(text)}`);
}
EOF
  if npx cdk-ha-patterns report missing-dir 2> report.err; then echo "consumer-check: report of a missing assembly succeeded" >&2; exit 1; fi
  grep -q '^cdk-ha-patterns report: no cloud assembly in ' report.err
  if npx cdk-ha-patterns prove cdk.out.node 2> prove.err; then echo "consumer-check: prove of an app without drills succeeded" >&2; exit 1; fi
  grep -q 'records no drill' prove.err
  step "aws-cdk-lib $version: cdk-ha-patterns report (Markdown and JSON) and prove from the installed package"
done

# The runtime clients, with the optional peer installed (once: they do not use aws-cdk-lib).
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$sdk" >/dev/null
cp "$root/test/consumer/runtime.ts" runtime.ts
npx tsc -p . --strict --skipLibCheck false --noEmit
npx tsc -p . --strict --skipLibCheck false --noEmit --module commonjs --moduleResolution node10 --ignoreDeprecations 6.0
npx tsx runtime.ts
step "lib/runtime with $sdk: type-checked (node16, node10 resolution) and run"

# TypeScript 7, as `cdk init app --language typescript` installs it, in the last app
# (the newest aws-cdk-lib): tsc type-checks, tsx synthesizes; ts-node cannot run.
ts7="$(npm view 'typescript@>=7 <8' version --json 2>/dev/null | node -e 'const t = require("fs").readFileSync(0, "utf8").trim(); console.log(t ? [].concat(JSON.parse(t)).pop() : "")')"
if [ -z "$ts7" ]; then
  step "TypeScript 7: skipped (npm view typescript@7 finds no version)"
else
  npm install --prefer-offline --no-audit --no-fund --loglevel=error "typescript@$ts7" >/dev/null
  [ "$(npx tsc --version)" = "Version $ts7" ] || { echo "consumer-check: tsc is $(npx tsc --version), not $ts7" >&2; exit 1; }
  rm runtime.ts
  npx tsc -p . --strict --skipLibCheck false --noEmit
  step "TypeScript $ts7: tsc --strict --skipLibCheck false"
  synth tsx7 npx tsx app.ts
  same=(diff -r -x '*.metadata.json' -x manifest.json -x tree.json -x validation-report.json cdk.out.node cdk.out.tsx7)
  "${same[@]}" >/dev/null \
    || { echo "consumer-check: the tsx cloud assembly under TypeScript $ts7 differs from node's" >&2; "${same[@]}" | head -20 >&2; exit 1; }
  step "TypeScript $ts7: synthesized with tsx (same cloud assembly)"
  # ts-node compiles through TypeScript's JavaScript API, which TypeScript 7 (a native compiler) does not have.
  if synth ts-node7 npx ts-node app.ts >ts-node7.log 2>&1; then
    echo "consumer-check: ts-node ran under TypeScript $ts7; update the README's compatibility table" >&2; exit 1
  fi
  # It fails inside ts-node, before the app runs (today: TypeError ... reading 'fileExists').
  if grep -q 'SingletonDaemon takeover' ts-node7.log || ! grep -q 'node_modules/ts-node/' ts-node7.log; then
    echo "consumer-check: ts-node under TypeScript $ts7 did not fail in ts-node before the app ran:" >&2; head -20 ts-node7.log >&2; exit 1
  fi
  step "TypeScript $ts7: ts-node fails as expected: $(grep -m1 'Error' ts-node7.log | head -c 160)"
fi
step "passed for aws-cdk-lib ${versions[*]}"
