import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Drills, LatencyDns, MultiSiteActiveActive, RecoveryApproach, RegionSwitchPlan, RegionSwitchStep } from '../../lib';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function engine(regions: string[]) {
  const app = testApp();
  const dnsStack = new Stack(app, 'Dns', { env: testEnv('us-east-1'), crossRegionReferences: true });
  const zone = route53.PublicHostedZone.fromHostedZoneAttributes(dnsStack, 'Zone', { hostedZoneId: 'Z2', zoneName: 'example.com' });
  const sites = regions.map((r, i) => ({ stack: new Stack(app, `Site${i}`, { env: testEnv(r), crossRegionReferences: true }) }));
  const pattern = new MultiSiteActiveActive(dnsStack, 'Engine', { zone, recordName: 'engine', image, sites });
  return { app, dnsStack, pattern };
}

describe('the Route 53 step of a Region switch plan moves traffic', () => {
  const { dnsStack, pattern } = engine(['eu-west-1', 'us-west-2']);
  const drills = new Drills(dnsStack, 'Drills', { patterns: [pattern] });
  const template = Template.fromStack(dnsStack);
  const dns = pattern.node.findChild('Active') as LatencyDns;
  const planId = dnsStack.resolve(drills.plans[0].plan.logicalId) as string;

  test.each([['eu-west-1', 0], ['us-west-2', 1]])('the %s record is healthy only while its own health check and the plan\'s (PlanHealthChecks, by region) are', (region, index) => {
    const own = dnsStack.resolve((dns.healthCheck(region).node.defaultChild as route53.CfnHealthCheck).logicalId) as string;
    const calculated = Object.entries(template.findResources('AWS::Route53::HealthCheck', {
      Properties: { HealthCheckConfig: { Type: 'CALCULATED', ChildHealthChecks: [{ Ref: own }, Match.anyValue()] } },
    }));
    expect(calculated).toHaveLength(1);
    const [id, resource] = calculated[0];
    expect((resource as { Properties: { HealthCheckConfig: unknown } }).Properties.HealthCheckConfig).toEqual({
      Type: 'CALCULATED', HealthThreshold: 2,
      ChildHealthChecks: [{ Ref: own }, { 'Fn::Select': [3, { 'Fn::Split': [':', { 'Fn::Select': [index, { 'Fn::GetAtt': [planId, 'PlanHealthChecks'] }] }] }] }],
    });
    // The plan lists its regions in this order: PlanHealthChecks has one entry per region, in the same order, each
    // <hostedZoneId>:<recordName>:<region>:<healthCheckId> (observed on deployed plans): the id is the fourth field.
    template.hasResourceProperties('AWS::ARCRegionSwitch::Plan', { Regions: Match.arrayWith([region]) });
    expect(template.toJSON().Resources[planId].Properties.Regions[index]).toBe(region);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: region, Type: 'CNAME', HealthCheckId: { 'Fn::GetAtt': [id, 'HealthCheckId'] },
    });
  });

  test('no warning says the plan\'s health checks are unattached', () => {
    expect(Annotations.fromStack(dnsStack).findWarning('*', Match.stringLikeRegexp('health-checks-unattached|moves nothing'))).toEqual([]);
  });

  test('an active/active plan: deactivate and activate workflows (the failback activates the region again)', () => {
    template.hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      RecoveryApproach: 'activeActive',
      Workflows: [
        Match.objectLike({ WorkflowTargetAction: 'deactivate', Steps: [Match.objectLike({ ExecutionBlockType: 'Route53HealthCheck' })] }),
        Match.objectLike({ WorkflowTargetAction: 'activate', Steps: [Match.objectLike({ ExecutionBlockType: 'Route53HealthCheck' })] }),
      ],
    });
    expect(drills.plans[0].failbackCommand).toMatch(/--target-region eu-west-1 --action activate --mode graceful /);
  });
});

describe('a plan spans two regions', () => {
  test('fails when Drills would plan over more than two regions (a third site), naming the prop to change', () => {
    const { dnsStack, pattern } = engine(['eu-west-1', 'us-west-2', 'eu-central-1']);
    expect(() => new Drills(dnsStack, 'Drills', { patterns: [pattern] })).toThrow(
      /invalid prop 'sites': received "3 sites \(eu-west-1, us-west-2, eu-central-1\)"; expected at most two sites while Drills creates Region switch plans.*regionSwitchPlans: false/);
  });

  test('a third site is fine without Region switch plans', () => {
    const { dnsStack, pattern } = engine(['eu-west-1', 'us-west-2', 'eu-central-1']);
    const drills = new Drills(dnsStack, 'Drills', { patterns: [pattern], regionSwitchPlans: false });
    expect(drills.plans).toEqual([]);
  });

  test('fails when the plan that moves the name is not in the records\' stack (a cross-region reference)', () => {
    const { app, pattern } = engine(['eu-west-1', 'us-west-2']);
    const dns = pattern.node.findChild('Active') as LatencyDns;
    const elsewhere = new Stack(app, 'Elsewhere', { env: testEnv('eu-west-1') });
    expect(() => new RegionSwitchPlan(elsewhere, 'Plan', {
      recoveryApproach: RecoveryApproach.ACTIVE_ACTIVE, regions: ['eu-west-1', 'us-west-2'], recoveryTime: Duration.minutes(2),
      steps: [RegionSwitchStep.route53HealthCheck(dns)], purpose: { paths: ['dns'], scenario: 'region-loss of eu-west-1', proves: 'x', passes: 'y' },
    })).toThrow(/invalid prop 'plan': received "Elsewhere\/Plan\/Resource in the stack Elsewhere"; expected a Region switch plan in the stack of Dns\/Engine\/Active/);
  });
});
