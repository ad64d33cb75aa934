import { readResilienceReport } from '../report/assembly';
import { renderDrillsMarkdown } from '../report/drills-markdown';
import { REPORT_SCHEMA_VERSION } from '../report/record';
import { renderResilienceReportMarkdown } from '../report/resilience-report';
import { assemblyCommandArgs } from './assembly-args';
import { CliOutput, EXIT_FAILED, EXIT_OK } from './output';

/**
 * `cdk-ha-patterns report [<cdk.out>] [--json] [--title <name>]`: reads the
 * records the patterns wrote into the cloud assembly and prints the
 * resilience report, Markdown or JSON. Returns the exit code: 0, 1 when
 * there is no assembly or no pattern in it, 2 for a wrong command line.
 */
export function runReport(args: string[], out: CliOutput, cwd: string): number {
  const parsed = assemblyCommandArgs('report', args, out, cwd);
  if (typeof parsed === 'number') return parsed;
  const { directory, json } = parsed;
  const title = parsed.title;
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
