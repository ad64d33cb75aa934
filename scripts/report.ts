/**
 * npm run report [-- --example <name>] [--out <dir>] [--update-readme]
 *
 * Synthesizes the reference architectures (no credentials, no bundling) and
 * prints the resilience report: per example and component, the pattern,
 * how failure is detected, the computed worst-case RTO and RPO, the targets,
 * the alarms and who is notified. Also writes resilience-report.md and
 * resilience-report.json to cdk.out/ (or --out). With --update-readme (all
 * examples), rewrites README.md's table of what the examples achieve.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { EXAMPLES } from '../examples';
import { projectContext } from '../examples/project-context';
import { buildResilienceReport, renderResilienceReportMarkdown, ResilienceReport } from '../lib';
import { readmeTable, replaceReadmeTable } from './readme-table';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = arg('example');
const outDir = arg('out') ?? path.join(__dirname, '..', 'cdk.out');
const examples = only ? EXAMPLES.filter(e => e.name === only) : EXAMPLES;
if (examples.length === 0) throw new Error(`unknown example '${only}': choose one of ${EXAMPLES.map(e => e.name).join(', ')}`);

const reports: ResilienceReport[] = examples.map(example => {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ha-report-')),
    builtinCloudFormationValidation: false,
    context: { ...projectContext(), 'aws:cdk:bundling-stacks': [] },
  });
  example.build(app);
  app.synth(); // runs the recovery-target validations
  return buildResilienceReport(app, `${example.name}: ${example.description}`);
});

const markdown = renderResilienceReportMarkdown(reports);
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'resilience-report.md'), markdown);
fs.writeFileSync(path.join(outDir, 'resilience-report.json'), JSON.stringify(reports, undefined, 2));
process.stdout.write(markdown + '\n');
process.stdout.write(`\nwritten: ${path.join(outDir, 'resilience-report.md')} and resilience-report.json\n`);
if (process.argv.includes('--update-readme')) {
  if (only) throw new Error('--update-readme needs every example: leave out --example');
  const readme = path.join(__dirname, '..', 'README.md');
  fs.writeFileSync(readme, replaceReadmeTable(fs.readFileSync(readme, 'utf8'), readmeTable(reports)));
  process.stdout.write('rewritten: README.md (table of what the reference architectures achieve)\n');
}
