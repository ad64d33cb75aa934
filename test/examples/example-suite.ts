/**
 * The gates every reference architecture passes: one snapshot per stack
 * (asset hashes masked), CloudFormation limits with 20 % headroom, and zero
 * unacknowledged findings of cdk-nag AwsSolutions, the built-in
 * CloudFormation validation with default rules and the AWS Guard rules
 * (with the reviewed acknowledgements), all from one synthesis per example.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES, ExampleDefinition } from '../../examples';
import { acknowledgeGuardRules, GUARD_ACKNOWLEDGEMENTS } from '../../examples/guard-acknowledgements';
import { buildResilienceReport } from '../../lib';
import { readmeRows } from '../../scripts/readme-table';
import { formatFindings, gateReport, GateReport, GUARD_PLUGIN, testApp } from '../harness';

/** CloudFormation's limits: 500 resources and a 1 MB template; we allow 80 %. */
export const MAX_RESOURCES = 400;
export const MAX_TEMPLATE_BYTES = Math.floor(0.8 * 1024 * 1024);

export function example(name: string): ExampleDefinition {
  const found = EXAMPLES.find(e => e.name === name);
  if (!found) throw new Error(`no example ${name}`);
  return found;
}

/** Builds an example in a fresh test app; returns its stacks' templates by stack name. */
export function synthExample(name: string): { app: App; templates: Record<string, Template> } {
  const app = testApp();
  example(name).build(app);
  const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
  return { app, templates: Object.fromEntries(stacks.map(s => [s.stackName, Template.fromStack(s)])) };
}

/** Replaces content hashes (assets, bundles) so snapshots change only with the template. */
export function maskHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template)
    .replace(/[0-9a-f]{64}/g, '<hash>')
    .replace(/"cdk-hnb659fds-assets-[^"]*"/g, '"<assets-bucket>"'));
}

/** An example synthesized once with every gate on, and what the gates reported. */
export interface GatedExample {
  readonly app: App;
  /** Templates by stack name, read from the cloud assembly (there even when a gate fails). */
  readonly templates: Record<string, Template>;
  /** Findings of cdk-nag AwsSolutions, the CloudFormation validation with default rules and the Guard rules. */
  readonly report: GateReport;
}

/**
 * Builds an example once in an app with every gate: the built-in CloudFormation
 * validation with default rules, cdk-nag AwsSolutions, and the AWS Guard rules
 * with the acknowledgements of examples/guard-acknowledgements.ts. One synthesis
 * answers the snapshots, the limits and all gates (validation plugins only read
 * the templates, and an acknowledgement is construct metadata, not template content).
 */
export function synthGatedExample(name: string): GatedExample {
  const app = testApp({ validation: true });
  example(name).build(app);
  acknowledgeGuardRules(app);
  const report = gateReport(app, { guard: true });
  const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
  const template = (s: Stack) => Template.fromJSON(JSON.parse(fs.readFileSync(path.join(app.outdir, s.templateFile), 'utf8')));
  return { app, report, templates: Object.fromEntries(stacks.map(s => [s.stackName, template(s)])) };
}

/** Registers the snapshot, limit and gate tests of one example, all over one synthesis. */
export function describeExampleGates(name: string): void {
  describe(`${name} example`, () => {
    const { app, templates, report } = synthGatedExample(name);

    test('has stacks', () => {
      expect(Object.keys(templates).length).toBeGreaterThan(0);
    });

    test('the README\'s table states what the report computes for it (npm run report -- --update-readme regenerates it)', () => {
      const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
      const rows = readmeRows(buildResilienceReport(app, `${name}: ${example(name).description}`));
      expect(rows.filter(r => !readme.includes(r))).toEqual([]);
    });

    test.each(Object.keys(templates))('stack %s matches its snapshot', stackName => {
      expect(maskHashes(templates[stackName].toJSON())).toMatchSnapshot();
    });

    test.each(Object.keys(templates))('stack %s stays under 80 %% of the CloudFormation limits', stackName => {
      const json = templates[stackName].toJSON() as { Resources?: Record<string, unknown> };
      expect(Object.keys(json.Resources ?? {}).length).toBeLessThanOrEqual(MAX_RESOURCES);
      expect(Buffer.byteLength(JSON.stringify(json))).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
    });

    test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
      expect(formatFindings(report.findings.filter(f => f.plugin !== GUARD_PLUGIN))).toEqual([]);
    });

    test('passes the AWS Guard rules, with the reviewed acknowledgements only', () => {
      const after = report.findings.filter(f => f.plugin === GUARD_PLUGIN);
      // acknowledgeGuardRules acknowledges on each stack; the library's own
      // acknowledgements sit on the resources they concern and win over it
      const stackPaths = new Set(app.node.findAll().filter(Stack.isStack).map(s => s.node.path));
      const byPolicy = report.acknowledged.filter(f => f.plugin === GUARD_PLUGIN && stackPaths.has(f.acknowledgedAt));
      const before = [...after, ...byPolicy];
      const rules = new Set(before.map(f => f.rule));
      process.stdout.write(`Guard rules over ${name}: ${before.length} findings in ${rules.size} rules before the acknowledgements ` +
        `of examples/guard-acknowledgements.ts, ${after.length} after\n`);
      expect(formatFindings(after)).toEqual([]);
      // every rule that fired has a reviewed reason in the policy file, and
      // what the stack-level acknowledgements suppressed is exactly that policy
      expect([...rules].filter(r => !(r in GUARD_ACKNOWLEDGEMENTS))).toEqual([]);
      expect(byPolicy.filter(f => f.acknowledgedId !== `${GUARD_PLUGIN}::${f.rule}` || f.reason !== GUARD_ACKNOWLEDGEMENTS[f.rule])).toEqual([]);
    });
  });
}
