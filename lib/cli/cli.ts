import { CliOutput, EXIT_OK, EXIT_USAGE } from './output';
import { runProve } from './prove-command';
import { runReport } from './report-command';

/** What `cdk-ha-patterns help` prints. */
export const USAGE = [
  'usage: cdk-ha-patterns <command> [options]',
  '',
  'commands:',
  '  report [<cdk.out>] [--json] [--title <name>]',
  '      the resilience report of a synthesized app (run `npx cdk synth` first): per pattern its',
  '      recovery paths with their worst-case RTO and RPO, the failure-scenario matrix, targets,',
  '      alarms, notifications and drills; Markdown, or JSON with --json. <cdk.out> defaults to ./cdk.out.',
  '  prove [<cdk.out>] [--json] [--title <name>]',
  '      what the drills measured against what the library computed: reads, with your AWS credentials,',
  '      the Region switch executions, FIS experiments, zonal autoshift practice runs and alarm histories',
  '      of the drills the app recorded (synthesize it with its drills), and prints per path the computed',
  '      worst case, the measured figure and a verdict; exits 1 when a figure is over or a run failed.',
  '      Without credentials it prints what it would read.',
  '  help',
  '      this text',
  '',
].join('\n');

/** Runs `cdk-ha-patterns <args>`; returns the exit code (a promise for `prove`, which reads AWS). */
export function runCli(args: string[], out: CliOutput, cwd: string = process.cwd()): number | Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'report':
      return runReport(rest, out, cwd);
    case 'prove':
      return runProve(rest, out, cwd);
    case 'help':
    case '--help':
    case '-h':
      out.stdout(USAGE);
      return EXIT_OK;
    case undefined:
      out.stderr(USAGE);
      return EXIT_USAGE;
    default:
      out.stderr(`cdk-ha-patterns: unknown command '${command}'\n\n${USAGE}`);
      return EXIT_USAGE;
  }
}
