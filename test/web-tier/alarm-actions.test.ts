/**
 * `alarmActions` go to the notifying alarms in the pattern's own region
 * only: CloudWatch rejects an action in another region than its alarm, so
 * a deploy would fail. Alarms in other regions notify through the
 * notifications' regional replica, and a warning names them.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ActiveSpareWebTier, FailoverNotifications } from '../../lib';
import { testApp, testEnv } from '../harness';

test('the tier\'s alarmActions reach its primary-region alarms only; the spare\'s notifying alarms warn and use the regional notifications', () => {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const spare = new Stack(app, 'Spare', { env: testEnv('us-east-1') });
  const zone = route53.HostedZone.fromHostedZoneAttributes(primary, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const pager = new sns.Topic(primary, 'Pager');
  const notifications = new FailoverNotifications(primary, 'Notifications', { emails: ['ops@example.com'] });
  const tier = new ActiveSpareWebTier(primary, 'Web', {
    spares: [{ stack: spare }], image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), activeCapacity: 2, zone, recordName: 'agents',
    notifications, alarmActions: [new cloudwatchActions.SnsAction(pager)],
  });
  const assembly = app.synth();
  const pagerRef = { Ref: Stack.of(pager).getLogicalId(pager.node.defaultChild as sns.CfnTopic) };
  const failover = Object.values(Template.fromStack(primary).findResources('AWS::CloudWatch::CompositeAlarm', { Properties: { AlarmName: 'Primary-Web-failover' } }))[0];
  expect(failover.Properties.AlarmActions).toContainEqual(pagerRef);
  expect(failover.Properties.OKActions).toContainEqual(pagerRef);
  const spareJson = JSON.stringify(Template.fromStack(spare).toJSON());
  expect(spareJson).not.toContain('Pager');
  const probe = Object.values(Template.fromStack(spare).findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'WatchedSiteHealthy' } }))[0];
  expect(probe.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^FailoverNotifications/) }]);
  const warnings = assembly.getStackByName('Spare').messages.filter(m => m.level === 'warning').map(m => String(m.entry.data));
  for (const alarm of [tier.spares[0].failoverAlarm, tier.primaryProbeAlarms[0]]) {
    expect(warnings).toContainEqual(expect.stringContaining(`${alarm.node.path} is a notifying alarm of Primary/Web in us-east-1: alarmActions (for eu-west-1) are not added to it`));
  }
});

test('without alarmActions the spare\'s notifying alarms draw no warning: there is no action to leave out', () => {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const spare = new Stack(app, 'Spare', { env: testEnv('us-east-1') });
  const zone = route53.HostedZone.fromHostedZoneAttributes(primary, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const notifications = new FailoverNotifications(primary, 'Notifications', { emails: ['ops@example.com'] });
  new ActiveSpareWebTier(primary, 'Web', {
    spares: [{ stack: spare }], image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), activeCapacity: 2, zone, recordName: 'agents', notifications,
  });
  const messages = app.synth().getStackByName('Spare').messages.map(m => String(m.entry.data));
  expect(messages.filter(m => m.includes('alarmActions'))).toEqual([]);
  // the notifications still reach them, through the regional replica
  const probe = Object.values(Template.fromStack(spare).findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'WatchedSiteHealthy' } }))[0];
  expect(probe.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^FailoverNotifications/) }]);
});
