/**
 * Every reference architecture with its drills turned on (`-c drills=true`)
 * passes the built-in CloudFormation validation (its schemas cover FIS
 * experiment templates, Region switch plans, zonal autoshift configurations
 * and Resilience Hub policies) and cdk-nag AwsSolutions; without the context
 * value the examples have no drill.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES } from '../../examples';
import { addDrills, DRILLS_CONTEXT } from '../../examples/drills';
import { Drills } from '../../lib';
import { proveItSection } from '../../scripts/prove-it';
import { formatFindings, gateReport, testApp } from '../harness';
import { DRILL_TYPES, validateLiterally } from './literal-validation';


/** Every violation of the built-in CloudFormation validation, warnings included (the gates count errors only). */
function validationWarnings(outdir: string): string[] {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; description: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
  };
  return report.pluginReports.filter(p => p.pluginName !== 'AwsSolutions')
    .flatMap(p => p.violations.flatMap(v => v.violatingConstructs.map(c => `${v.ruleName} at ${c.constructPath}: ${v.description}`)));
}

function countDrillResources(stacks: Stack[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const stack of stacks) {
    const template = Template.fromStack(stack);
    for (const type of DRILL_TYPES) counts[type] = (counts[type] ?? 0) + Object.keys(template.findResources(type)).length;
  }
  return counts;
}

describe.each(EXAMPLES.map(e => [e.name, e] as const))('%s with -c drills=true', (_name, example) => {
  const app = testApp({ validation: true, context: { [DRILLS_CONTEXT]: 'true', drillsZonalAutoshift: 'true' } });
  const drills = addDrills(example.build(app))!;
  const report = gateReport(app);

  test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    expect(formatFindings(report.findings)).toEqual([]);
  });

  test('draws not even a warning from the CloudFormation validation (a value outside a schema\'s enum is only a warning)', () => {
    expect(validationWarnings(app.outdir)).toEqual([]);
  });

  test('its drill resources pass the schemas with literals in place of tokens (the validation skips a check that meets a token)', () => {
    expect(validateLiterally(app.node.findAll().filter(Stack.isStack))).toEqual([]);
  });

  test('has a drill for each scenario its patterns handle, each listed with what it proves and a start command', () => {
    expect(drills.experiments.length).toBeGreaterThan(0);
    const described = Drills.describe(app);
    expect(described.length).toBe(drills.experiments.length + drills.plans.length + drills.autoshifts.length);
    for (const d of described) {
      expect(d.paths.length + (d.kind === 'zonal-autoshift-practice-run' ? 1 : 0)).toBeGreaterThan(0);
      expect(d.startCommand).toMatch(/^aws (fis start-experiment|arc-region-switch start-plan-execution|arc-zonal-shift start-practice-run) --region [a-z0-9-]+ /);
      expect(d.startCommand).not.toMatch(/\$\{Token/);
    }
  });
});

test.each(EXAMPLES.map(e => [e.name, e] as const))('the "Prove it" section of %s\'s README lists its drills as the report does (npm run report -- --update-readme regenerates it)', (name, example) => {
  const app = testApp({ context: { [DRILLS_CONTEXT]: 'true' } });
  addDrills(example.build(app));
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', name, 'README.md'), 'utf8');
  const section = proveItSection(name, Drills.describe(app));
  expect(section).toContain(`npx cdk deploy --all -c example=${name} -c drills=true`);
  expect(readme).toContain(section);
});

test('the examples have no drill unless the context value turns them on', () => {
  for (const example of EXAMPLES) {
    const app = testApp();
    expect(addDrills(example.build(app))).toBeUndefined();
    const counts = countDrillResources(app.node.findAll().filter(Stack.isStack));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  }
});
