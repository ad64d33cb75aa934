/**
 * The built-in CloudFormation validation skips a schema check (a `oneOf`
 * branch, a pattern) whenever the value holds an intrinsic function, so a
 * drill whose properties hold tokens (ARNs, names) would pass whatever
 * their shape. `validateLiterally` validates the drills' resources again
 * with every intrinsic replaced by a literal of the right shape, so the
 * schemas see enums, required properties and branches.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { testApp, testEnv } from '../harness';

/** The drill resource types. */
export const DRILL_TYPES = ['AWS::FIS::ExperimentTemplate', 'AWS::ARCRegionSwitch::Plan', 'AWS::ARCZonalShift::ZonalAutoshiftConfiguration', 'AWS::ResilienceHubV2::Policy'];

/** Violations (any severity) of the drill resources of `stacks`, validated with literals in place of intrinsics. */
export function validateLiterally(stacks: Stack[]): string[] {
  const app = testApp({ validation: true });
  let count = 0;
  for (const source of stacks) {
    const resources = Object.entries(Template.fromStack(source).toJSON().Resources ?? {}) as Array<[string, { Type: string; Properties: unknown }]>;
    const drills = resources.filter(([, r]) => DRILL_TYPES.includes(r.Type));
    if (drills.length === 0) continue;
    const types = new Map(resources.map(([id, r]) => [id, r.Type]));
    const stack = new Stack(app, source.stackName, { env: testEnv(source.region) });
    for (const [id, r] of drills) {
      new CfnResource(stack, id, { type: r.Type, properties: literal(r.Properties, source.region, types) as Record<string, unknown> });
      count++;
    }
  }
  if (count === 0) throw new Error('no drill resource to validate');
  return violations(app);
}

function violations(app: App): string[] {
  try {
    app.synth();
  } catch (e) {
    if (!fs.existsSync(path.join(app.outdir, 'validation-report.json'))) throw e;
  }
  const file = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    pluginReports: Array<{ violations: Array<{ ruleName: string; description: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
  };
  return report.pluginReports.flatMap(p => p.violations.flatMap(v => v.violatingConstructs.map(c => `${v.ruleName} at ${c.constructPath}: ${v.description}`)));
}

/** `value` with every intrinsic function replaced by a literal of its shape (the ARN or name of the resource type it names). */
function literal(value: unknown, region: string, types: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map(v => literal(v, region, types));
  if (!value || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) {
    const ref = String(v.Ref);
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return region;
    if (ref === 'AWS::AccountId') return '123456789012';
    // Load balancers return their ARN from Ref; the other drilled resources their name.
    return types.get(ref) === 'AWS::ElasticLoadBalancingV2::LoadBalancer' ? `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/r${hash(ref)}/0123456789abcdef` : `r${hash(ref)}`;
  }
  if ('Fn::GetAtt' in v) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return attr === 'Arn' ? arnOf(types.get(id), id, region) : `r${hash(id)}`;
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(p => String(literal(p, region, types))).join(sep);
  }
  if ('Fn::ImportValue' in v) return `r${hash(JSON.stringify(v))}`;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literal(x, region, types)]));
}

/** An ARN of the shape a resource of `type` has. */
function arnOf(type: string | undefined, id: string, region: string): string {
  const name = `r${hash(id)}`;
  switch (type) {
    case 'AWS::IAM::Role': return `arn:aws:iam::123456789012:role/${name}`;
    case 'AWS::Lambda::Function': return `arn:aws:lambda:${region}:123456789012:function:${name}`;
    case 'AWS::Logs::LogGroup': return `arn:aws:logs:${region}:123456789012:log-group:${name}:*`;
    case 'AWS::CloudWatch::Alarm':
    case 'AWS::CloudWatch::CompositeAlarm': return `arn:aws:cloudwatch:${region}:123456789012:alarm:${name}`;
    case 'AWS::ARCRegionSwitch::Plan': return `arn:aws:arc-region-switch::123456789012:plan/${name}`;
    default: throw new Error(`no ARN shape for ${type ?? 'an unknown type'} (${id})`);
  }
}

function hash(s: string): string {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16);
}
