/**
 * Who a part of a pattern notifies: a pattern built of others (a web tier
 * and its sites) adopts their failover alarms with a role of its own, and
 * its notifications then cover them.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmRole, buildResilienceReport, FailoverNotifications, HaPattern, HaPatternProps, readResilienceReport, RecoveryStep, ReportedComponent } from '../../lib';
import { testApp, testEnv } from '../harness';

const metric = new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Up', period: Duration.minutes(1), statistic: 'Minimum' });

class Part extends HaPattern {
  constructor(scope: Construct, id: string, props: HaPatternProps = {}, createFailoverAlarm = true) {
    super(scope, id, props, { patternName: 'Part', detection: 'probe' });
    this.addAlarm(metric.createAlarm(this, 'Down', { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD }), AlarmRole.FAILOVER_TRIGGER);
    this.recoveryObjectives.addRecoveryPath('restart', [RecoveryStep.constant('restart', Duration.seconds(60), 'fixed')]);
    if (createFailoverAlarm) this.createFailoverAlarm();
  }
}

/** A pattern that adopts the failover alarm of one part per role given. */
class Whole extends HaPattern {
  public readonly parts: Part[];
  constructor(scope: Construct, id: string, props: HaPatternProps, roles: AlarmRole[]) {
    super(scope, id, props, { patternName: 'Whole', detection: 'its parts' });
    this.parts = roles.map((role, i) => {
      const part = new Part(this, `Part${i}`);
      this.addAlarm(part.failoverAlarm, role);
      return part;
    });
    this.addAlarm(metric.createAlarm(this, 'Down', { threshold: 1, evaluationPeriods: 1 }), AlarmRole.FAILOVER_TRIGGER);
    this.createFailoverAlarm();
  }
}

/** Adopts a Whole's failover alarm as a trigger. */
class Outer extends HaPattern {
  public readonly whole: Whole;
  constructor(scope: Construct, id: string, props: HaPatternProps) {
    super(scope, id, props, { patternName: 'Outer', detection: 'its whole' });
    this.whole = new Whole(this, 'Whole', {}, [AlarmRole.FAILOVER_TRIGGER]);
    this.addAlarm(this.whole.failoverAlarm, AlarmRole.FAILOVER_TRIGGER);
    this.createFailoverAlarm();
  }
}

function synthesized(build: (stack: Stack, notifications: FailoverNotifications) => void): { app: App; byPath: (p: string) => ReportedComponent } {
  const app = testApp();
  const stack = new Stack(app, 'App', { env: testEnv() });
  build(stack, new FailoverNotifications(stack, 'Topic', { emails: ['ops@example.com'] }));
  app.synth();
  const report = readResilienceReport(app.outdir);
  return { app, byPath: p => report.components.find(c => c.constructPath === p)! };
}

test('a part whose failover alarm triggers, or notifies through, a notifying pattern is covered by its topic; an informational one is not', () => {
  const { byPath } = synthesized((stack, notifications) => new Whole(stack, 'Whole', { notifications },
    [AlarmRole.FAILOVER_TRIGGER, AlarmRole.NOTIFYING, AlarmRole.INFORMATIONAL]));
  expect(byPath('App/Whole').notified).toBe('SNS App/Topic (1 email) on ALARM and OK');
  expect(byPath('App/Whole/Part0')).toMatchObject({
    notified: 'SNS App/Topic (1 email) on ALARM and OK, through the failover alarm of App/Whole (which its failover alarm triggers)',
    notifications: { topic: 'App/Topic', subscribers: '1 email', through: 'App/Whole', role: AlarmRole.FAILOVER_TRIGGER },
  });
  expect(byPath('App/Whole/Part1')).toMatchObject({
    notified: 'SNS App/Topic (1 email) on ALARM and OK, through App/Whole (which notifies on its failover alarm)',
    notifications: { topic: 'App/Topic', through: 'App/Whole', role: AlarmRole.NOTIFYING },
  });
  expect(byPath('App/Whole/Part2')).toMatchObject({
    notified: 'none: its failover alarm is informational in App/Whole (dashboard only)',
    notifications: { through: 'App/Whole', role: AlarmRole.INFORMATIONAL },
  });
  expect(byPath('App/Whole/Part2').notifications?.topic).toBeUndefined();
});

test('a part of a pattern without notifications says that neither notifies', () => {
  const { byPath } = synthesized(stack => new Whole(stack, 'Whole', {}, [AlarmRole.FAILOVER_TRIGGER, AlarmRole.NOTIFYING]));
  expect(byPath('App/Whole').notified).toBe('no notifications configured');
  expect(byPath('App/Whole/Part0').notified).toBe('no notifications configured (nor on App/Whole, which adopts its failover alarm)');
  expect(byPath('App/Whole/Part1').notified).toBe('no notifications configured (nor on App/Whole, which adopts its failover alarm)');
});

test('a trigger of a trigger notifies through the outermost notifying pattern', () => {
  const { byPath } = synthesized((stack, notifications) => new Outer(stack, 'Outer', { notifications }));
  expect(byPath('App/Outer/Whole')).toMatchObject({ notifications: { topic: 'App/Topic', through: 'App/Outer', role: AlarmRole.FAILOVER_TRIGGER } });
  expect(byPath('App/Outer/Whole/Part0')).toMatchObject({
    notified: 'SNS App/Topic (1 email) on ALARM and OK, through the failover alarm of App/Outer/Whole (which its failover alarm triggers)',
    notifications: { topic: 'App/Topic', through: 'App/Outer/Whole', role: AlarmRole.FAILOVER_TRIGGER },
  });
});

test('a part adopted by a pattern that only wires its own notifications to notifying alarms is not covered by an outer one', () => {
  // Whole adopts Part1 as notifying but has no notifications; Outer's topic reaches Whole's failover alarm, not Part1's.
  const { byPath } = synthesized((stack, notifications) => {
    class NotifyingOuter extends HaPattern {
      constructor(scope: Construct, id: string) {
        super(scope, id, { notifications }, { patternName: 'NotifyingOuter', detection: 'its whole' });
        const whole = new Whole(this, 'Whole', {}, [AlarmRole.FAILOVER_TRIGGER, AlarmRole.NOTIFYING]);
        this.addAlarm(whole.failoverAlarm, AlarmRole.FAILOVER_TRIGGER);
        this.createFailoverAlarm();
      }
    }
    new NotifyingOuter(stack, 'Outer');
  });
  expect(byPath('App/Outer/Whole/Part0').notifications?.topic).toBe('App/Topic');
  expect(byPath('App/Outer/Whole/Part1').notified).toBe('no notifications configured (nor on App/Outer/Whole, which adopts its failover alarm)');
});

test('an environment-agnostic stack has no region in the report; a pattern without a failover alarm still synthesizes', () => {
  const app = testApp();
  const stack = new Stack(app, 'Agnostic');
  new Part(stack, 'Part', {}, false);
  app.synth();
  const [part] = readResilienceReport(app.outdir).components;
  expect(part.region).toBeUndefined();
  expect(part.alarms).toEqual([{ path: 'Agnostic/Part/Down', condition: 'Probe Up (Minimum) < 1 over 1 x 60 s', role: AlarmRole.FAILOVER_TRIGGER }]);
  expect(part.notified).toBe('no notifications configured');
  expect(buildResilienceReport(app).components).toEqual([expect.objectContaining({ constructPath: 'Agnostic/Part', region: undefined })]);
});
