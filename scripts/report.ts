/**
 * npm run report [-- --example <name>] [--out <dir>] [--update-readme]
 *
 * Synthesizes the reference architectures (no credentials, no bundling) and
 * prints the resilience report: per example and component, the pattern,
 * how failure is detected, the computed worst-case RTO and RPO, the targets,
 * the alarms and who is notified. It reads what the patterns recorded in each
 * example's cloud assembly, as `npx cdk-ha-patterns report` does for any
 * app (lib/report, lib/cli). Also writes resilience-report.md and
 * resilience-report.json to cdk.out/ (or --out). With --update-readme (all
 * examples), rewrites README.md's table of what the examples achieve and each
 * example README's "Prove it" section (its drills).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { EXAMPLES } from '../examples';
import { addDrills } from '../examples/drills';
import { projectContext } from '../examples/project-context';
import { DrillSection, readResilienceReport, renderDrillsMarkdown, renderResilienceReportMarkdown, ResilienceReport } from '../lib';
import { proveItSection, replaceProveIt } from './prove-it';
import { readmeTable, replaceReadmeTable } from './readme-table';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = arg('example');
const outDir = arg('out') ?? path.join(__dirname, '..', 'cdk.out');
const examples = only ? EXAMPLES.filter(e => e.name === only) : EXAMPLES;
if (examples.length === 0) throw new Error(`unknown example '${only}': choose one of ${EXAMPLES.map(e => e.name).join(', ')}`);

const drillsByExample: DrillSection[] = [];
const reports: ResilienceReport[] = examples.map(example => {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ha-report-')),
    builtinCloudFormationValidation: false,
    // The drills are listed with what they prove and how to start them (they deploy only with -c drills=true).
    context: { ...projectContext(), 'aws:cdk:bundling-stacks': [], 'drills': 'true' },
  });
  addDrills(example.build(app));
  app.synth(); // runs the recovery-target validations and the failure-scenario analysis, and writes the patterns' records
  const { title, components, drills } = readResilienceReport(app.outdir, { title: `${example.name}: ${example.description}` });
  drillsByExample.push({ title: example.name, drills });
  return { title, components };
});

const markdown = renderResilienceReportMarkdown(reports) + '\n' +
  renderDrillsMarkdown(drillsByExample, 'Deploy an example with `-c drills=true`, then start each drill with its command (after the stack is deployed).');
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
  for (const { title: name, drills } of drillsByExample) {
    const exampleReadme = path.join(__dirname, '..', 'examples', name, 'README.md');
    fs.writeFileSync(exampleReadme, replaceProveIt(fs.readFileSync(exampleReadme, 'utf8'), proveItSection(name, drills)));
    process.stdout.write(`rewritten: examples/${name}/README.md (Prove it)\n`);
  }
}

