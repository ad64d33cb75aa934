import type { ProveResult } from '../prove/model';
import type { ProveOptions } from '../prove/prove';
import { readResilienceReport } from '../report/assembly';
import { assemblyCommandArgs } from './assembly-args';
import { CliOutput, EXIT_FAILED } from './output';

/** The packages `prove` reads AWS with: not dependencies of the library (a synthesis never needs them). */
export const PROVE_PACKAGES = ['@aws-sdk/client-cloudformation', '@aws-sdk/client-cloudwatch', '@aws-sdk/credential-provider-node', '@smithy/signature-v4'];

/** How the command reaches the ledger (injected by tests). */
export type ProveRunner = (options: ProveOptions) => Promise<ProveResult>;

/**
 * `cdk-ha-patterns prove [<cdk.out>] [--json] [--title <name>]`: reads the
 * drills the app recorded in its cloud assembly (synthesized with its drills),
 * then, with the caller's AWS credentials, what each drill measured (Region
 * switch executions, FIS experiments, practice runs, alarm histories), and
 * prints per path the computed worst case, the measured figure and a verdict.
 * Without credentials it prints what it would read. Returns the exit code of
 * the ledger (1 when a figure is over or a run failed, 2 when a drill could
 * not be read), 1 when there is no assembly or no drill, 2 for a wrong command line.
 */
export async function runProve(args: string[], out: CliOutput, cwd: string, runner?: ProveRunner): Promise<number> {
  const parsed = assemblyCommandArgs('prove', args, out, cwd);
  if (typeof parsed === 'number') return parsed;
  const { directory, json } = parsed;
  let title = parsed.title;
  let drills;
  try {
    const report = readResilienceReport(directory, { title });
    drills = report.proveDrills;
    title = report.title;
  } catch (e) {
    out.stderr(`cdk-ha-patterns prove: ${(e as Error).message}\n`);
    return EXIT_FAILED;
  }
  if (drills.length === 0) {
    out.stderr(`cdk-ha-patterns prove: the cloud assembly in ${directory} records no drill: synthesize the app with its drills ` +
      '(a `Drills` construct; the examples take -c drills=true)\n');
    return EXIT_FAILED;
  }
  const prove = runner ?? loadProve(out);
  if (!prove) return EXIT_FAILED;
  const result = await prove({ drills, json, title, out: text => out.stdout(text.endsWith('\n') ? text : text + '\n') });
  return result.exitCode;
}

/** The ledger, loaded only when it runs: it needs the AWS SDK packages a synthesis never does. */
function loadProve(out: CliOutput): ProveRunner | undefined {
  try {
    return (require('../prove/prove') as typeof import('../prove/prove')).prove;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    out.stderr(`cdk-ha-patterns prove: reading AWS needs packages your app does not have (${(e as Error).message.split('\n')[0]}). ` +
      `Install them beside cdk-ha-patterns: npm install --save-dev ${PROVE_PACKAGES.join(' ')}\n`);
    return undefined;
  }
}
