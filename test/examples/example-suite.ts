/**
 * The gates every reference architecture passes: one snapshot per stack
 * (asset hashes masked), CloudFormation limits with 20 % headroom, and zero
 * unacknowledged findings of cdk-nag AwsSolutions and the built-in
 * CloudFormation validation with default rules.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES, ExampleDefinition } from '../../examples';
import { acknowledgeGuardRules, GUARD_ACKNOWLEDGEMENTS } from '../../examples/guard-acknowledgements';
import { formatFindings, gateFindings, testApp } from '../harness';

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

/** Registers the snapshot, limit and gate tests of one example. */
export function describeExampleGates(name: string): void {
  describe(`${name} example`, () => {
    const { templates } = synthExample(name);

    test('has stacks', () => {
      expect(Object.keys(templates).length).toBeGreaterThan(0);
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
      const app = testApp({ validation: true });
      example(name).build(app);
      expect(formatFindings(gateFindings(app))).toEqual([]);
    });

    test('passes the AWS Guard rules, with the reviewed acknowledgements only', () => {
      const raw = testApp();
      example(name).build(raw);
      const before = gateFindings(raw, { guard: true }).filter(f => f.plugin !== 'AwsSolutions');
      const app = testApp();
      example(name).build(app);
      acknowledgeGuardRules(app);
      const after = gateFindings(app, { guard: true });
      const rules = new Set(before.map(f => f.rule));
      process.stdout.write(`Guard rules over ${name}: ${before.length} findings in ${rules.size} rules before the acknowledgements ` +
        `of examples/guard-acknowledgements.ts, ${after.length} after\n`);
      expect(formatFindings(after)).toEqual([]);
      // every rule that fired has a reviewed reason in the policy file
      expect([...rules].every(r => r in GUARD_ACKNOWLEDGEMENTS)).toBe(true);
    });
  });
}
