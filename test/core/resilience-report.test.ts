import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmRole, buildResilienceReport, FailoverNotifications, HaPattern, HaPatternProps, renderResilienceReportMarkdown, RecoveryStep } from '../../lib';
import { testApp, testEnv } from '../harness';

class Probe extends HaPattern {
  constructor(scope: Construct, id: string, props: HaPatternProps) {
    super(scope, id, props, { patternName: 'Probe', detection: 'probe metric below 1 for 3 minutes' });
    const metric = new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Up', period: Duration.minutes(1), statistic: 'Minimum' });
    this.addAlarm(metric.createAlarm(this, 'Down', { threshold: 1, evaluationPeriods: 3, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD }), AlarmRole.FAILOVER_TRIGGER);
    this.recoveryObjectives.addRecoveryPath('restart', [
      RecoveryStep.constant('detection', Duration.minutes(3), '3 x 1 min'),
      RecoveryStep.constant('task start', Duration.seconds(60), 'Fargate task start'),
    ], { description: 'a crashed task is replaced' });
    this.recoveryObjectives.addDataLossBound(RecoveryStep.constant('queue', Duration.seconds(0), 'messages stay queued'));
    this.createFailoverAlarm();
  }
}

describe('resilience report', () => {
  const app = testApp();
  const stack = new Stack(app, 'Report', { env: testEnv() });
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'], smsNumbers: ['+12025550123'] });
  new Probe(stack, 'Probe', { notifications, recoveryTargets: { rto: Duration.minutes(5) } });
  app.synth();
  const report = buildResilienceReport(app, 'test app');

  test('lists each pattern with its computed figures, targets, alarms and notifications', () => {
    expect(report.components).toHaveLength(1);
    expect(report.components[0]).toMatchObject({
      pattern: 'Probe',
      constructPath: 'Report/Probe',
      rtoSeconds: 240,
      rpoSeconds: 0,
      rtoTargetSeconds: 300,
      stacks: ['Report'],
      notified: 'SNS Report/Notifications (1 email, 1 SMS) on ALARM and OK',
    });
    expect(report.components[0].alarms).toEqual([
      { path: 'Report/Probe/Down', condition: 'Probe Up (Minimum) < 1 over 3 x 60 s', role: AlarmRole.FAILOVER_TRIGGER },
      { path: 'Report/Probe/FailoverAlarm', condition: 'composite: ALARM when any of the 1 triggers is in ALARM, OK when all are OK', role: AlarmRole.NOTIFYING },
    ]);
  });

  test('renders Markdown with the table and the derivation of each path', () => {
    const md = renderResilienceReportMarkdown([report]);
    expect(md).toContain('## test app');
    expect(md).toContain('| `Report/Probe` | Probe | probe metric below 1 for 3 minutes | **4 min**<br>restart: 4 min (target 5 min) | **0 s** | RTO 5 min |');
    expect(md).toContain('- recovery path **restart** (a crashed task is replaced): detection 3 min [3 x 1 min] + task start 60 s [Fargate task start] = **4 min**');
  });
});
