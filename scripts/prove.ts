/**
 * npm run prove -- <example> [--json]
 *
 * The measured-versus-computed ledger of one reference architecture: builds
 * the example with its drills (no synthesis, no bundling), then reads, with
 * the caller's AWS credentials, the last run of each drill (Region switch
 * executions and their actual recovery time, FIS experiments and their
 * timelines with the stop alarms' history, zonal autoshift practice-run
 * outcomes) and prints, per pattern path, the computed worst case, the
 * measured figure and a verdict. Exits 1 when a measured figure is over the
 * computed one or a run failed, 2 when a drill could not be read. Without
 * credentials it prints what it would read and exits 0.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { EXAMPLES } from '../examples';
import { addDrills } from '../examples/drills';
import { projectContext } from '../examples/project-context';
import { prove, proveDrills } from '../lib/prove';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const zonalAutoshift = args.includes('--zonal-autoshift');
  const name = args.find(a => !a.startsWith('--'));
  const example = EXAMPLES.find(e => e.name === name);
  if (!example) {
    process.stderr.write(`usage: npm run prove -- <example> [--json] [--zonal-autoshift]\nexamples: ${EXAMPLES.map(e => e.name).join(', ')}\n`);
    return 64;
  }
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ha-prove-')),
    builtinCloudFormationValidation: false,
    context: { ...projectContext(), 'aws:cdk:bundling-stacks': [], 'drills': 'true', ...(zonalAutoshift ? { drillsZonalAutoshift: 'true' } : {}) },
  });
  addDrills(example.build(app));
  const result = await prove({ drills: proveDrills(app), json, title: example.name, out: text => process.stdout.write(`${text}\n`) });
  return result.exitCode;
}

main().then(code => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
