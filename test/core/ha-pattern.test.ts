import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FailoverNotifications, HaDashboard, HaPattern, HaPatternProps, HaValidationError, RecoveryStep } from '../../lib';
import { testApp, testEnv } from '../harness';

/** The smallest pattern: one metric, two alarms, a recovery path. */
class ProbePattern extends HaPattern {
  constructor(scope: Construct, id: string, props: HaPatternProps) {
    super(scope, id, props, { patternName: 'Probe', detection: 'a probe metric below 1' });
    const metric = new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Up', period: Duration.minutes(1) });
    this.addAlarm(metric.createAlarm(this, 'DownAlarm', { threshold: 1, evaluationPeriods: 2, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD }));
    this.addAlarm(metric.createAlarm(this, 'InfoAlarm', { threshold: 5, evaluationPeriods: 1 }), { trigger: false });
    this.recoveryObjectives.addRecoveryPath('restart', [RecoveryStep.fixed('detection', Duration.minutes(2), '2 x 1 min')]);
    this.createFailoverAlarm();
  }
}

describe('HaPattern alarm conventions', () => {
  const app = testApp();
  const stack = new Stack(app, 'P', { env: testEnv() });
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
  const extraTopic = new sns.Topic(stack, 'Extra');
  const dashboard = new HaDashboard(stack, 'Dashboard');
  const pattern = new ProbePattern(stack, 'Probe', { notifications, alarmActions: [new cloudwatchActions.SnsAction(extraTopic)], dashboard });
  const template = Template.fromStack(stack);

  test('the failover alarm is a composite over the triggers only', () => {
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    const [composite] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    expect(rule).toContain('ProbeDownAlarm');
    expect(rule).not.toContain('ProbeInfoAlarm');
  });

  test('the failover alarm notifies on ALARM and on OK, through the notifications and the extra actions', () => {
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Notifications[0-9A-F]{8}$') }, { Ref: Match.stringLikeRegexp('^Extra') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Notifications[0-9A-F]{8}$') }, { Ref: Match.stringLikeRegexp('^Extra') }],
    });
  });

  test('exposes every alarm, the triggers and the failover alarm', () => {
    expect(pattern.alarms).toHaveLength(3);
    expect(pattern.failoverTriggers).toHaveLength(1);
    expect(pattern.alarms).toContain(pattern.failoverAlarm);
    expect(HaPattern.isHaPattern(pattern)).toBe(true);
    expect(HaPattern.isHaPattern(stack)).toBe(false);
  });

  test('adds its recovery figures and alarm states to the dashboard', () => {
    const [dash] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dash.Properties.DashboardBody);
    expect(body).toContain('Worst-case RTO: **120 s**');
    expect(body).toContain('\\"type\\":\\"alarm\\"');
  });
});

describe('HaValidationError', () => {
  test('names the construct path, the prop, the value and what is expected', () => {
    const stack = new Stack(testApp(), 'S');
    const err = new HaValidationError(new Construct(stack, 'Tier'), { prop: 'activeCapacity', received: 0, expected: 'an integer >= 1' });
    expect(err.message).toBe("S/Tier: invalid prop 'activeCapacity': received 0; expected an integer >= 1");
    expect(err).toBeInstanceOf(HaValidationError);
    expect(err.prop).toBe('activeCapacity');
  });
});

describe('HaDashboard across stacks', () => {
  test('a pattern in another stack that uses the dashboard stack\'s topic adds its alarms without a dependency cycle', () => {
    const app = testApp();
    const shared = new Stack(app, 'Shared', { env: testEnv() });
    const notifications = new FailoverNotifications(shared, 'Notifications', { emails: ['ops@example.com'] });
    const dashboard = new HaDashboard(shared, 'Dashboard');
    const workload = new Stack(app, 'Workload', { env: testEnv() });
    const pattern = new ProbePattern(workload, 'Probe', { notifications, dashboard });

    expect(() => app.synth()).not.toThrow();
    expect(shared.dependencies).toEqual([]);
    expect(workload.dependencies).toEqual([shared]);

    const body = JSON.stringify(Template.fromStack(shared).findResources('AWS::CloudWatch::Dashboard'));
    const alarmName = (pattern.node.findChild('DownAlarm').node.defaultChild as cloudwatch.CfnAlarm).alarmName;
    expect(alarmName).toMatch(/^Workload-Probe-DownAlarm-/);
    expect(body).toContain(`:cloudwatch:eu-west-1:123456789012:alarm:${alarmName}`);
    Template.fromStack(workload).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: alarmName });
  });
});
