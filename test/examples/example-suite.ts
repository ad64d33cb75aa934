/**
 * The gates every reference architecture passes: one snapshot per stack
 * (asset hashes masked) of its default synthesis; and, over one synthesis
 * with its drills on, CloudFormation limits with 20 % headroom and zero
 * unacknowledged findings of cdk-nag AwsSolutions, the built-in
 * CloudFormation validation with default rules (not even a warning) and the
 * AWS Guard rules (with the reviewed acknowledgements), the drills' schema
 * checks with literals, and the README's "Prove it" section.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES, ExampleDefinition } from '../../examples';
import { addDrills, DRILLS_CONTEXT } from '../../examples/drills';
import { acknowledgeGuardRules, GUARD_ACKNOWLEDGEMENTS } from '../../examples/guard-acknowledgements';
import { buildResilienceReport, DrillKind, Drills } from '../../lib';
import { proveItSection } from '../../scripts/prove-it';
import { readmeRows } from '../../scripts/readme-table';
import { DRILL_TYPES, validateLiterally } from '../drills/literal-validation';
import { Finding, formatFindings, gateReport, GateReport, GUARD_PLUGIN, testApp } from '../harness';

/** CloudFormation's limits: 500 resources and a 1 MB template; we allow 80 %. */
export const MAX_RESOURCES = 400;
export const MAX_TEMPLATE_BYTES = Math.floor(0.8 * 1024 * 1024);

export function example(name: string): ExampleDefinition {
  const found = EXAMPLES.find(e => e.name === name);
  if (!found) throw new Error(`no example ${name}`);
  return found;
}

/** The default synthesis of each example, built once per test file (the tests only read it). */
const plainSyntheses = new Map<string, { app: App; templates: Record<string, Template> }>();

/**
 * An example as `cdk synth` builds it by default (no drills), in a test app
 * without validation or bundling; its stacks' templates by stack name. Built
 * once per test file: every caller gets the same app, to read, not to change.
 */
export function synthExample(name: string): { app: App; templates: Record<string, Template> } {
  let found = plainSyntheses.get(name);
  if (!found) {
    const app = testApp();
    example(name).build(app);
    const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
    found = { app, templates: Object.fromEntries(stacks.map(s => [s.stackName, Template.fromStack(s)])) };
    plainSyntheses.set(name, found);
  }
  return found;
}

/** Replaces content hashes (assets, bundles) so snapshots change only with the template. */
export function maskHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template)
    .replace(/[0-9a-f]{64}/g, '<hash>')
    .replace(/"cdk-hnb659fds-assets-[^"]*"/g, '"<assets-bucket>"'));
}

/** An example synthesized once with its drills and every gate on, and what the gates reported. */
export interface GatedExample {
  readonly app: App;
  /** Templates by stack name, read from the cloud assembly (there even when a gate fails). */
  readonly templates: Record<string, Template>;
  /** Findings of cdk-nag AwsSolutions, the CloudFormation validation with default rules and the Guard rules. */
  readonly report: GateReport;
  /** The example's drills. */
  readonly drills: Drills;
}

/**
 * Builds an example once with its drills (`-c drills=true`, zonal autoshift
 * practice runs too) in an app with every gate: the built-in CloudFormation
 * validation with default rules, cdk-nag AwsSolutions, and the AWS Guard
 * rules with the acknowledgements of examples/guard-acknowledgements.ts. The
 * drills only add resources (a test below holds every default resource to
 * its default template), so the gates over this one synthesis cover the
 * default deployment and the drills alike.
 */
export function synthGatedExample(name: string): GatedExample {
  const app = testApp({ validation: true, context: { [DRILLS_CONTEXT]: 'true', drillsZonalAutoshift: 'true' } });
  const drills = addDrills(example(name).build(app));
  if (!drills) throw new Error(`${name}: no drills with -c ${DRILLS_CONTEXT}=true`);
  acknowledgeGuardRules(app);
  const report = gateReport(app, { guard: true });
  const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
  const template = (s: Stack) => Template.fromJSON(JSON.parse(fs.readFileSync(path.join(app.outdir, s.templateFile), 'utf8')));
  return { app, report, drills, templates: Object.fromEntries(stacks.map(s => [s.stackName, template(s)])) };
}

type TemplateJson = { Resources?: Record<string, unknown>; Outputs?: Record<string, unknown> };

/**
 * The one change the drills make to a default resource: zonal autoshift turns
 * zonal shift on for the load balancers it practises on (one attribute). It
 * removes no finding a gate would report on the default deployment.
 */
function withoutZonalShiftAttribute(template: TemplateJson): TemplateJson {
  type Lb = { Type: string; Properties?: { LoadBalancerAttributes?: Array<{ Key: string; Value: string }> } };
  const resources = Object.fromEntries(Object.entries((template.Resources ?? {}) as Record<string, Lb>).map(([id, r]) => {
    if (r.Type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer' || !r.Properties?.LoadBalancerAttributes) return [id, r];
    const attributes = r.Properties.LoadBalancerAttributes.filter(a => !(a.Key === 'zonal_shift.config.enabled' && a.Value === 'true'));
    return [id, { ...r, Properties: { ...r.Properties, LoadBalancerAttributes: attributes } }];
  }));
  return { ...template, Resources: resources };
}

/**
 * The other change the drills make to default resources: a Region switch plan's Route 53 step joins its health
 * checks to the common name's records (`LatencyDns.usePlanHealthChecks`: each record's `HealthCheckId` becomes a
 * calculated check over the record's own health check and the plan's). Restores the default `HealthCheckId` only
 * where the new one is such a calculated check over the default one.
 */
function withoutPlanHealthChecks(template: TemplateJson, before: TemplateJson): TemplateJson {
  type Resource = { Type: string; Properties?: Record<string, unknown> };
  const resources = (template.Resources ?? {}) as Record<string, Resource>;
  const defaults = (before.Resources ?? {}) as Record<string, Resource>;
  const restored = Object.fromEntries(Object.entries(resources).map(([id, r]) => {
    const original = defaults[id]?.Properties?.HealthCheckId;
    const now = r.Properties?.HealthCheckId as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const check = now?.['Fn::GetAtt'] ? resources[now['Fn::GetAtt'][0]] : undefined;
    const config = check?.Properties?.HealthCheckConfig as { Type?: string; ChildHealthChecks?: unknown[] } | undefined;
    if (r.Type !== 'AWS::Route53::RecordSet' || config?.Type !== 'CALCULATED' || JSON.stringify(config.ChildHealthChecks?.[0]) !== JSON.stringify(original)) return [id, r];
    return [id, { ...r, Properties: { ...r.Properties, HealthCheckId: original } }];
  }));
  return { ...template, Resources: restored };
}

/**
 * Registers the tests of one example over two syntheses: the default one
 * (snapshots, the README's table, no drills) and one with its drills and
 * every gate (limits, cdk-nag, the CloudFormation validation, the Guard rules,
 * the drills' own checks and the README's "Prove it" section).
 */
export function describeExampleGates(name: string): void {
  describe(`${name} example`, () => {
    const { app: plainApp, templates: plain } = synthExample(name);
    const { app, templates, report, drills } = synthGatedExample(name);

    test('has stacks', () => {
      expect(Object.keys(plain).length).toBeGreaterThan(0);
      expect(Object.keys(templates).sort()).toEqual(Object.keys(plain).sort());
    });

    test('the README\'s table states what the report computes for it (npm run report -- --update-readme regenerates it)', () => {
      const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
      plainApp.synth();
      const rows = readmeRows(buildResilienceReport(plainApp, `${name}: ${example(name).description}`));
      expect(rows.filter(r => !readme.includes(r))).toEqual([]);
    });

    test.each(Object.keys(plain))('stack %s matches its snapshot', stackName => {
      expect(maskHashes(plain[stackName].toJSON())).toMatchSnapshot();
    });

    test.each(Object.keys(plain))('stack %s with its drills keeps every default resource and output unchanged (the gates read that synthesis)', stackName => {
      const before = maskHashes(plain[stackName].toJSON()) as TemplateJson;
      const after = withoutPlanHealthChecks(withoutZonalShiftAttribute(maskHashes(templates[stackName].toJSON()) as TemplateJson), before);
      for (const section of ['Resources', 'Outputs'] as const) {
        const kept = Object.fromEntries(Object.keys(before[section] ?? {}).map(id => [id, after[section]?.[id]]));
        expect(kept).toStrictEqual(before[section] ?? {});
      }
    });

    test.each(Object.keys(plain))('stack %s stays under 80 %% of the CloudFormation limits, with its drills', stackName => {
      const json = templates[stackName].toJSON() as TemplateJson;
      expect(Object.keys(json.Resources ?? {}).length).toBeLessThanOrEqual(MAX_RESOURCES);
      expect(Buffer.byteLength(JSON.stringify(json))).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
    });

    test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules, drills included', () => {
      expect(formatFindings(report.findings.filter(f => f.plugin !== GUARD_PLUGIN))).toEqual([]);
    });

    test('draws not even a warning from the CloudFormation validation (a value outside a schema\'s enum is only a warning)', () => {
      const validation = (f: Finding) => f.plugin !== 'AwsSolutions' && f.plugin !== GUARD_PLUGIN;
      expect(formatFindings([...report.findings, ...report.warnings].filter(validation))).toEqual([]);
    });

    test('passes the AWS Guard rules, with the reviewed acknowledgements only', () => {
      const after = report.findings.filter(f => f.plugin === GUARD_PLUGIN);
      // acknowledgeGuardRules acknowledges on each stack; the library's own
      // acknowledgements sit on the resources they concern and win over it
      const stackPaths = new Set(app.node.findAll().filter(Stack.isStack).map(s => s.node.path));
      const byPolicy = report.acknowledged.filter(f => f.plugin === GUARD_PLUGIN && stackPaths.has(f.acknowledgedAt));
      const before = [...after, ...byPolicy];
      const rules = new Set(before.map(f => f.rule));
      process.stdout.write(`Guard rules over ${name} with its drills: ${before.length} findings in ${rules.size} rules before the acknowledgements ` +
        `of examples/guard-acknowledgements.ts, ${after.length} after\n`);
      expect(formatFindings(after)).toEqual([]);
      // every rule that fired has a reviewed reason in the policy file, and
      // what the stack-level acknowledgements suppressed is exactly that policy
      expect([...rules].filter(r => !(r in GUARD_ACKNOWLEDGEMENTS))).toEqual([]);
      expect(byPolicy.filter(f => f.acknowledgedId !== `${GUARD_PLUGIN}::${f.rule}` || f.reason !== GUARD_ACKNOWLEDGEMENTS[f.rule])).toEqual([]);
    });

    test('its drill resources pass the schemas with literals in place of tokens (the validation skips a check that meets a token)', () => {
      expect(validateLiterally(app.node.findAll().filter(Stack.isStack))).toEqual([]);
    });

    test('has a drill for each scenario its patterns handle, each listed with what it proves and a start command', () => {
      expect(drills.experiments.length).toBeGreaterThan(0);
      const described = Drills.describe(app);
      expect(described.length).toBe(drills.experiments.length + drills.plans.length + drills.autoshifts.length);
      for (const d of described) {
        expect(d.paths.length + (d.kind === DrillKind.ZONAL_AUTOSHIFT ? 1 : 0)).toBeGreaterThan(0);
        expect(d.startCommand).toMatch(/^aws (fis start-experiment|arc-region-switch start-plan-execution|arc-zonal-shift start-practice-run) --region [a-z0-9-]+ /);
        expect(d.startCommand).not.toMatch(/\$\{Token/);
      }
    });

    test('the "Prove it" section of its README lists its drills as the report does (npm run report -- --update-readme regenerates it)', () => {
      const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', name, 'README.md'), 'utf8');
      // The README lists what `-c drills=true` deploys: zonal autoshift practice runs need -c drillsZonalAutoshift=true too.
      const section = proveItSection(name, Drills.describe(app).filter(d => d.kind !== DrillKind.ZONAL_AUTOSHIFT));
      expect(section).toContain(`npx cdk deploy --all -c example=${name} -c drills=true`);
      expect(readme).toContain(section);
    });

    test('has no drill unless the context value turns them on', () => {
      expect(plainApp.node.findAll().filter(c => c instanceof Drills)).toEqual([]);
      const drillResources = Object.values(plain).flatMap(t => DRILL_TYPES.flatMap(type => Object.keys(t.findResources(type))));
      expect(drillResources).toEqual([]);
    });
  });
}
