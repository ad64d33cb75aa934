import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FailoverNotifications, WebTierSite, WebTierSitePath, WebTierSiteProps } from '../../lib';
import { testApp, testEnv } from '../harness';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function build(props: Partial<WebTierSiteProps> = {}) {
  const stack = new Stack(testApp(), 'App', { env: testEnv() });
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
  const site = new WebTierSite(stack, 'Web', { image: IMAGE, activeCapacity: 3, notifications, ...props });
  return { stack, site };
}

describe('WebTierSite on its own (single region, no certificate)', () => {
  const { stack, site } = build({ containerPort: 8080, stickinessDuration: Duration.hours(8) });
  const template = Template.fromStack(stack);

  test('runs N+1 tasks, never fewer than N healthy during deployments', () => {
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 4, DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 75, MaximumPercent: 200 }) });
    expect(site.runningTasks).toBe(4);
  });

  test('serves plain HTTP on port 80 and warns about it', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'forward' })] });
    Annotations.fromStack(stack).hasWarning('/App/Web', Match.stringLikeRegexp('cdk-ha-patterns:web-tier-http-only'));
  });

  test('the target group uses the container port and the chosen stickiness', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'stickiness.lb_cookie.duration_seconds', Value: '28800' }]),
    });
  });

  test('three trigger alarms and a failover alarm that notifies on ALARM and OK', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    expect(site.failoverTriggers).toHaveLength(3);
    const topic = { Ref: Match.stringLikeRegexp('^Notifications[0-9A-F]{8}$') };
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: [topic], OKActions: [topic] });
  });

  test('recovery objectives: a failed task leaves the target group after 10 s x 2 checks, replaced in ~60 s', () => {
    expect(site.recoveryObjectives.path(WebTierSitePath.TASK).total.toSeconds()).toBe(80);
  });

  test('a lost zone: its tasks leave the target group (20 s), are replaced in the other zone (60 s) and pass 2 checks (20 s); the site is back to N+1', () => {
    const zone = site.recoveryObjectives.path(WebTierSitePath.ZONE);
    expect(zone.steps.map(s => [s.component, s.duration.toSeconds()])).toEqual([
      ['load balancer target health check', 20],
      ['replacement of the 2 task(s) of the lost zone, in the surviving zone(s)', 60],
      ['new task passes the load balancer health check', 20],
    ]);
    expect(site.recoveryObjectives.scenarioOutcomes(WebTierSitePath.ZONE)).toEqual([
      { scenario: 'zone-loss of eu-west-1', path: 'zone', survives: true, brokenLinks: [], acknowledged: undefined },
    ]);
    expect(site.recoveryObjectives.rto.toSeconds()).toBe(100);
  });
});

describe('WebTierSite settings', () => {
  test('stickiness can be turned off, with a warning', () => {
    const { stack } = build({ stickinessDuration: Duration.seconds(0) });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.not(Match.arrayWith([{ Key: 'stickiness.enabled', Value: 'true' }])),
    });
    Annotations.fromStack(stack).hasWarning('/App/Web', Match.stringLikeRegexp('web-tier-no-stickiness'));
  });

  test('a pilot-light site (0 tasks) counts only target 5xx and has no running-task alarm', () => {
    const { stack } = build({ runningTasks: 0 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_Target_5XX_Count' });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'RunningTaskCount' }, 0);
  });

  test('takes a given VPC', () => {
    const stack = new Stack(testApp(), 'App', { env: testEnv() });
    const vpc = new ec2.Vpc(stack, 'MyVpc', { maxAzs: 3 });
    new WebTierSite(stack, 'Web', { image: IMAGE, activeCapacity: 1, vpc });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 1);
  });

  test.each<[string, Partial<WebTierSiteProps>, string]>([
    ['fails when N < 1', { activeCapacity: 0 }, "invalid prop 'activeCapacity': received 0; expected an integer from 1 to 98"],
    ['fails when more tasks than N+1 are asked', { runningTasks: 5 }, "invalid prop 'runningTasks': received 5; expected an integer from 0 to 4"],
    ['fails when the health-check path has no leading slash', { healthCheckPath: 'ping' }, "invalid prop 'healthCheckPath': received \"ping\"; expected a path starting with \"/\", e.g. \"/ping\""],
    ['fails when the target health-check interval is out of range', { targetHealthCheckInterval: Duration.seconds(2) }, "invalid prop 'targetHealthCheckInterval': received 2 seconds; expected a duration from 5 seconds to 5 minutes"],
  ])('%s', (_name, props, message) => {
    expect(() => build(props)).toThrow(`App/Web: ${message}`);
  });

  test('fails when the VPC spans a single zone', () => {
    const stack = new Stack(testApp(), 'App', { env: testEnv() });
    const vpc = new ec2.Vpc(stack, 'MyVpc', { maxAzs: 1 });
    expect(() => new WebTierSite(stack, 'Web', { image: IMAGE, activeCapacity: 1, vpc }))
      .toThrow("App/Web: invalid prop 'vpc': received \"1 availability zone(s)\"; expected a VPC across at least two availability zones");
  });
});

describe('WebTierSite failure analysis', () => {
  test('a service whose synthesized count drops to N (escape hatch) no longer survives a task loss: the analysis names the path, the capacity and the scenario', () => {
    const stack = new Stack(testApp(), 'App', { env: testEnv() });
    const site = new WebTierSite(stack, 'Web', { image: IMAGE, activeCapacity: 3 });
    (site.service.node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 3);
    expect(() => Template.fromStack(stack)).toThrow(
      /\[App\/Web\] recovery path 'task' does not survive task-loss of eu-west-1: its capacity the site's other tasks \(App\/Web\/Service\) serves 2 after failover; the load needs 3/);
  });
});
