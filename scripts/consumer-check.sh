#!/usr/bin/env bash
# Consumer check: the packed library, installed from its tarball into a fresh
# CDK app as a user would, type-checks and synthesizes there.
#
#   scripts/consumer-check.sh [aws-cdk-lib version ...]
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

(cd "$root" && npm pack --pack-destination "$work" --loglevel=error >/dev/null)
tarball="$(ls "$work"/cdk-ha-patterns-*.tgz)"
step "packed $(basename "$tarball"): $(tar -tzf "$tarball" | wc -l) files, $(du -k "$tarball" | cut -f1) kB"

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
done

# The runtime clients, with the optional peer installed (once: they do not use aws-cdk-lib).
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$sdk" >/dev/null
cp "$root/test/consumer/runtime.ts" runtime.ts
npx tsc -p . --strict --skipLibCheck false --noEmit
npx tsc -p . --strict --skipLibCheck false --noEmit --module commonjs --moduleResolution node10 --ignoreDeprecations 6.0
npx tsx runtime.ts
step "lib/runtime with $sdk: type-checked (node16, node10 resolution) and run"
step "passed for aws-cdk-lib ${versions[*]}"
