/**
 * Issue 13's escape classes for the web tier, asserted on the template:
 * a user's stickinessDuration reaches every site's target group, each
 * site's composite ORs exactly its triggers, and each alarm's evaluation
 * periods and thresholds are the documented ones.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ActiveSpareWebTier, ActiveSpareWebTierProps, SpareMode } from '../../lib';
import { testApp, testEnv } from '../harness';

function build(props: Partial<ActiveSpareWebTierProps> = {}) {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const spares = ['us-east-1', 'eu-central-1'].map(r => ({ stack: new Stack(app, `Spare${r}`, { env: testEnv(r) }) }));
  const zone = route53.HostedZone.fromHostedZoneAttributes(primary, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const tier = new ActiveSpareWebTier(primary, 'Web', {
    spares, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), activeCapacity: 3, zone, recordName: 'agents',
    spareMode: SpareMode.HOT, routingPolicy: undefined, ...props,
  });
  return { app, tier, stacks: [primary, ...spares.map(s => s.stack)] };
}

test('a user\'s stickinessDuration reaches the target group of every site, primary and spares', () => {
  const { stacks } = build({ stickinessDuration: Duration.hours(3), routingPolicy: 'LATENCY' as never });
  for (const stack of stacks) {
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: [
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.type', Value: 'lb_cookie' },
        { Key: 'stickiness.lb_cookie.duration_seconds', Value: '10800' },
      ],
    });
  }
});

test('each site\'s composite is exactly ALARM(5xx) OR ALARM(unhealthy targets) OR ALARM(running tasks), and the tier\'s composite exactly ALARM(primary site)', () => {
  const { tier } = build({ routingPolicy: 'LATENCY' as never });
  for (const site of [tier.primary, ...tier.spares]) {
    const stack = Stack.of(site);
    const rule = stack.resolve((site.failoverAlarm.node.defaultChild as cloudwatch.CfnCompositeAlarm).alarmRule);
    const ids = site.failoverTriggers.map(a => stack.getLogicalId(a.node.defaultChild as cloudwatch.CfnAlarm));
    expect(site.failoverTriggers.map(a => a.node.id)).toEqual(['ServerErrorsAlarm', 'UnhealthyHostsAlarm', 'RunningTasksAlarm']);
    // (ALARM("a") OR ALARM("b") OR ALARM("c")), as CloudFormation receives it
    const parts: unknown[] = [];
    ids.forEach((id, i) => parts.push(i === 0 ? '(ALARM("' : '") OR ALARM("', { 'Fn::GetAtt': [id, 'Arn'] }));
    parts.push('"))');
    expect(rule).toEqual({ 'Fn::Join': ['', parts] });
  }
  const stack = Stack.of(tier);
  const rule = stack.resolve((tier.failoverAlarm.node.defaultChild as cloudwatch.CfnCompositeAlarm).alarmRule);
  expect(JSON.stringify(rule)).toBe(JSON.stringify({ 'Fn::Join': ['', ['(ALARM("', { 'Fn::GetAtt': [stack.getLogicalId(tier.primary.failoverAlarm.node.defaultChild as cloudwatch.CfnCompositeAlarm), 'Arn'] }, '"))']] }));
});

test.each([
  ['ServerErrorsAlarm', 2, 10, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
  ['UnhealthyHostsAlarm', 3, 1, 'GreaterThanOrEqualToThreshold', 'notBreaching'],
  ['RunningTasksAlarm', 2, 3, 'LessThanThreshold', 'breaching'],
])('the primary\'s %s: %i evaluation periods of 60 s, threshold %i, %s, missing data %s', (id, periods, threshold, operator, missing) => {
  const { tier } = build({ routingPolicy: 'LATENCY' as never });
  const alarm = tier.primary.failoverTriggers.find(a => a.node.id === id)!;
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  const r = Stack.of(alarm).resolve({ e: cfn.evaluationPeriods, t: cfn.threshold, o: cfn.comparisonOperator, m: cfn.treatMissingData, p: cfn.period, d: cfn.datapointsToAlarm });
  expect(r.e).toBe(periods);
  expect(r.t).toBe(threshold);
  expect(r.o).toBe(operator);
  expect(r.m).toBe(missing);
  expect(r.d ?? periods).toBe(periods);
  // Metric-math alarms carry the period on their metrics.
  expect(r.p ?? 60).toBe(60);
});
