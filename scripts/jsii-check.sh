#!/usr/bin/env bash
# The public API must compile with jsii (no callbacks, unions, inline types,
# Error subclasses or re-exported symbols in it). Compiles lib/ with jsii in a
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
    targets: { python: { distName: "cdk-ha-patterns", module: "cdk_ha_patterns" }, java: { package: "io.github.cdkhapatterns", maven: { groupId: "io.github.cdk-ha-patterns", artifactId: "cdk-ha-patterns" } } },
  },
}, null, 2));
' "$root/package.json" "$work/package.json"
cd "$work"
"$root/node_modules/.bin/jsii" --fail-on-warnings=false
node -e 'const a = JSON.parse(require("fs").readFileSync(".jsii", "utf8")); console.log(`jsii: ${Object.keys(a.types).length} types in the assembly of ${a.name}@${a.version}`)'
