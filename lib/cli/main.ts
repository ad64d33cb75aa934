#!/usr/bin/env node
// The `cdk-ha-patterns` command (package.json "bin"): `npx cdk-ha-patterns report [cdk.out]`, `npx cdk-ha-patterns prove [cdk.out]`.
import { runCli } from './cli';

void Promise.resolve(runCli(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
})).then(code => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`cdk-ha-patterns: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
