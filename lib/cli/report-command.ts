import * as path from 'path';
import { readResilienceReport } from '../report/assembly';
import { renderDrillsMarkdown } from '../report/drills-markdown';
import { REPORT_SCHEMA_VERSION } from '../report/record';
import { renderResilienceReportMarkdown } from '../report/resilience-report';
import { CliOutput, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './output';

const USAGE = 'usage: cdk-ha-patterns report [<cdk.out>] [--json] [--title <name>]\n';

/**
 * `cdk-ha-patterns report [<cdk.out>] [--json] [--title <name>]`: reads the
 * records the patterns wrote into the cloud assembly and prints the
 * resilience report, Markdown or JSON. Returns the exit code: 0, 1 when
 * there is no assembly or no pattern in it, 2 for a wrong command line.
 */
export function runReport(args: string[], out: CliOutput, cwd: string): number {
  let json = false;
  let title: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') {
      json = true;
    } else if (arg === '--title') {
      title = args[++i];
      if (title === undefined || title.startsWith('--')) return usage(out, '--title needs a value');
    } else if (arg === '--help' || arg === '-h') {
      out.stdout(USAGE);
      return EXIT_OK;
    } else if (arg.startsWith('-')) {
      return usage(out, `unknown option '${arg}'`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length > 1) return usage(out, `one cloud assembly directory, got ${positional.length}: ${positional.join(' ')}`);
  const directory = path.resolve(cwd, positional[0] ?? 'cdk.out');
  let report;
  try {
    report = readResilienceReport(directory, { title });
  } catch (e) {
    out.stderr(`cdk-ha-patterns report: ${(e as Error).message}\n`);
    return EXIT_FAILED;
  }
  if (json) {
    out.stdout(JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, title: report.title, components: report.components, drills: report.drills }, undefined, 2) + '\n');
    return EXIT_OK;
  }
  const components = renderResilienceReportMarkdown([{ title: report.title, components: report.components }]);
  const drills = report.drills.length > 0
    ? '\n' + renderDrillsMarkdown([{ title: report.title, drills: report.drills }], 'Start each drill with its command once its stack is deployed.')
    : '';
  out.stdout(components + drills + '\n');
  return EXIT_OK;
}

function usage(out: CliOutput, problem: string): number {
  out.stderr(`cdk-ha-patterns report: ${problem}\n${USAGE}`);
  return EXIT_USAGE;
}
