import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmRole, buildResilienceReport, FailoverNotifications, HaPattern, HaPatternProps, renderResilienceReportMarkdown, RecoveryStep, ReportedComponent } from '../../lib';
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

/** The Probe pattern's report, built inside the test that reads it (so mutation testing attributes it). */
function probeReport() {
  const app = testApp();
  const stack = new Stack(app, 'Report', { env: testEnv() });
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'], smsNumbers: ['+12025550123'] });
  new Probe(stack, 'Probe', { notifications, recoveryTargets: { rto: Duration.minutes(5) } });
  app.synth();
  return buildResilienceReport(app, 'test app');
}

describe('resilience report', () => {
  test('lists each pattern with its computed figures, targets, alarms and notifications', () => {
    const report = probeReport();
    expect(report.title).toBe('test app');
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
      { path: 'Report/Probe/Down', condition: 'Probe Up (Minimum) < 1 over 3 x 60 s', role: AlarmRole.FAILOVER_TRIGGER, region: 'eu-west-1' },
      { path: 'Report/Probe/FailoverAlarm', condition: 'composite: ALARM when any of the 1 triggers is in ALARM, OK when all are OK', role: AlarmRole.NOTIFYING, region: 'eu-west-1' },
    ]);
    expect(report.components[0]).toMatchObject({ region: 'eu-west-1', notifications: { topic: 'Report/Notifications', subscribers: '1 email, 1 SMS' } });
    expect(report.components[0].notifications?.through).toBeUndefined();
  });

  test('renders Markdown with the table and the derivation of each path', () => {
    const md = renderResilienceReportMarkdown([probeReport()]);
    expect(md).toContain('## test app');
    expect(md).toContain('| `Report/Probe` | Probe | probe metric below 1 for 3 minutes | **4 min**<br>restart: 4 min (target 5 min) | **0 s** | RTO 5 min |');
    expect(md).toContain('- recovery path **restart** (a crashed task is replaced): detection 3 min [3 x 1 min] + task start 60 s [Fargate task start] = **4 min**');
  });

  test("a pattern without notifications says so; the title defaults to the scope's path, or 'app' for the app", () => {
    const app = testApp();
    const stack = new Stack(app, 'Quiet', { env: testEnv() });
    new Probe(stack, 'Probe', {});
    expect(buildResilienceReport(stack).title).toBe('Quiet');
    const report = buildResilienceReport(app);
    expect(report.title).toBe('app');
    expect(report.components[0].notified).toBe('no notifications configured');
  });

  test('describes each kind of alarm: thresholds, "m of n" windows, metric math, composites, imports', () => {
    const app = testApp();
    const stack = new Stack(app, 'Alarms', { env: testEnv() });
    const other = new Stack(app, 'Other', { env: testEnv() });
    const metric = new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Errors', period: Duration.minutes(5), statistic: 'Sum' });
    const math = new cloudwatch.MathExpression({ expression: 'errors / 2', usingMetrics: { errors: metric }, period: Duration.minutes(1) });
    const unlabelled = new cloudwatch.MathExpression({ expression: 'errors * 2', usingMetrics: { errors: metric }, period: Duration.minutes(1) });
    class Alarms extends HaPattern {
      constructor(scope: Construct, id: string) {
        super(scope, id, {}, { patternName: 'Alarms', detection: 'all kinds' });
        const down = metric.createAlarm(this, 'MOfN', { threshold: 10, evaluationPeriods: 3, datapointsToAlarm: 2, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD });
        this.addAlarm(down, AlarmRole.FAILOVER_TRIGGER);
        this.addAlarm(metric.createAlarm(this, 'AllOfN', { threshold: 1, evaluationPeriods: 2, datapointsToAlarm: 2, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD }), AlarmRole.INFORMATIONAL);
        this.addAlarm(new cloudwatch.MathExpression({ expression: 'errors / 2', label: 'half the errors', usingMetrics: { errors: metric } })
          .createAlarm(this, 'Labelled', { threshold: 3, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD }), AlarmRole.INFORMATIONAL);
        this.addAlarm(math.createAlarm(this, 'Math', { threshold: 3, evaluationPeriods: 1 }), AlarmRole.INFORMATIONAL);
        this.addAlarm(unlabelled.createAlarm(this, 'Band', { threshold: 3, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD }), AlarmRole.INFORMATIONAL);
        this.addAlarm(new cloudwatch.CompositeAlarm(this, 'Composite', { alarmRule: cloudwatch.AlarmRule.fromAlarm(down, cloudwatch.AlarmState.ALARM) }), AlarmRole.INFORMATIONAL);
        this.addAlarm(cloudwatch.Alarm.fromAlarmArn(other, 'Imported', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:imported'), AlarmRole.INFORMATIONAL);
        this.createFailoverAlarm();
      }
    }
    new Alarms(stack, 'Alarms');
    const [component] = buildResilienceReport(app).components;
    expect(component.alarms.map(a => [a.path, a.condition])).toEqual([
      ['Alarms/Alarms/MOfN', 'Probe Errors (Sum) >= 10 over 2 of 3 x 300 s'],
      ['Alarms/Alarms/AllOfN', 'Probe Errors (Sum) > 1 over 2 x 300 s'],
      ['Alarms/Alarms/Labelled', 'half the errors <= 3 over 1 periods'],
      ['Alarms/Alarms/Math', 'errors / 2 >= 3 over 1 periods'],
      ['Alarms/Alarms/Band', 'errors * 2 < 3 over 1 periods'],
      ['Alarms/Alarms/Composite', 'composite alarm'],
      ['Other/Imported', 'Other/Imported'],
      ['Alarms/Alarms/FailoverAlarm', 'composite: ALARM when any of the 1 triggers is in ALARM, OK when all are OK'],
    ]);
    expect(component.stacks).toEqual(['Alarms', 'Other']);
  });
});

test('describes hand-written metric math and anomaly bands: the returned entry, a band without threshold', () => {
  const app = testApp();
  const stack = new Stack(app, 'Raw', { env: testEnv() });
  const metric = new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Errors', period: Duration.minutes(1) });
  const stat = { metric: { namespace: 'Probe', metricName: 'Errors' }, period: 60, stat: 'Sum' };
  class Raw extends HaPattern {
    constructor(scope: Construct, id: string) {
      super(scope, id, {}, { patternName: 'Raw', detection: 'raw' });
      const rewrite = (alarmId: string, set: (cfn: cloudwatch.CfnAlarm) => void) => {
        const alarm = metric.createAlarm(this, alarmId, { threshold: 1, evaluationPeriods: 1 });
        const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
        cfn.metricName = undefined;
        cfn.namespace = undefined;
        cfn.period = undefined;
        cfn.statistic = undefined;
        set(cfn);
        return alarm;
      };
      // The returned entry after an input that is not returned: its label, else its expression.
      this.addAlarm(rewrite('Labelled', cfn => { cfn.metrics = [{ id: 'm1', returnData: false, metricStat: stat }, { id: 'e1', expression: 'm1 * 2', label: 'doubled' }]; }), AlarmRole.FAILOVER_TRIGGER);
      this.addAlarm(rewrite('Expression', cfn => { cfn.metrics = [{ id: 'm1', returnData: false, metricStat: stat }, { id: 'e1', expression: 'm1 * 2' }]; }), AlarmRole.INFORMATIONAL);
      // Neither label nor expression: "metric math".
      this.addAlarm(rewrite('Plain', cfn => { cfn.metrics = [{ id: 'm1', metricStat: stat }]; }), AlarmRole.INFORMATIONAL);
      // An anomaly band has no threshold.
      this.addAlarm(rewrite('Band', cfn => {
        cfn.threshold = undefined;
        cfn.thresholdMetricId = 'ad1';
        cfn.comparisonOperator = 'LessThanLowerOrGreaterThanUpperThreshold';
        cfn.metrics = [{ id: 'm1', label: 'errors', metricStat: stat }, { id: 'ad1', expression: 'ANOMALY_DETECTION_BAND(m1, 2)' }];
      }), AlarmRole.INFORMATIONAL);
      this.createFailoverAlarm();
    }
  }
  new Raw(stack, 'Raw');
  expect(buildResilienceReport(app).components[0].alarms.slice(0, 4).map(a => a.condition)).toEqual([
    'doubled >= 1 over 1 periods',
    'm1 * 2 >= 1 over 1 periods',
    'metric math >= 1 over 1 periods',
    'errors outside band over 1 periods',
  ]);
});

describe('resilience report Markdown', () => {
  const step = (component: string, seconds: number, derivation: string, tuning?: string) => ({ component, seconds, fastestSeconds: seconds, derivation, tuning });
  const component: ReportedComponent = {
    pattern: 'Pair',
    constructPath: 'App/Pair',
    detection: 'heartbeat | stale',
    rtoSeconds: 150,
    rpoSeconds: 2.46,
    rtoTargetSeconds: 300,
    rpoTargetSeconds: 60,
    stacks: ['App'],
    notified: 'SNS App/Topic (1 email) on ALARM and OK',
    alarms: [
      { path: 'App/Pair/Stale', condition: 'Pair Beat (Maximum) > 3 | stale\nover 2 x 60 s', role: AlarmRole.FAILOVER_TRIGGER },
      { path: 'App/Pair/Down', condition: 'Pair Up (Minimum) < 1 over 1 x 60 s', role: AlarmRole.FAILOVER_TRIGGER },
      { path: 'App/Pair/Errors', condition: 'Pair Errors (Sum) > 5 over 1 x 60 s', role: AlarmRole.NOTIFYING },
      { path: 'App/Pair/Depth', condition: 'Pair Depth (Maximum) > 100 over 1 x 60 s', role: AlarmRole.INFORMATIONAL },
      { path: 'App/Pair/FailoverAlarm', condition: 'composite: ALARM when any of the 2 triggers is in ALARM, OK when all are OK', role: AlarmRole.NOTIFYING },
    ],
    paths: [
      {
        name: 'takeover', description: 'the standby takes the lease', totalSeconds: 150, fastestSeconds: 90, targetSeconds: 180,
        steps: [step('detection', 120, '2 x 60 s', 'evaluationPeriods (1)'), step('lease', 30, 'lease 30 s', 'leaseDuration (10 s)'), step('poll', 0, 'none', 'evaluationPeriods (1)'), step('settle', 0, 'instant')],
        scenarios: [
          { scenario: 'task-loss of eu-west-1', path: 'takeover', survives: true, brokenLinks: [] },
          { scenario: 'region-loss of eu-west-1', path: 'takeover', survives: false, brokenLinks: ['alarm App/Pair/Stale (eu-west-1)', 'rule | x'] },
        ],
      },
      {
        name: 'restart', totalSeconds: 119.96, fastestSeconds: 119.96,
        steps: [step('task start', 119.96, 'Fargate')],
        scenarios: [{ scenario: 'zone-loss of eu-west-1', path: 'restart', survives: false, brokenLinks: ['capacity'], acknowledged: 'one zone | accepted' }],
      },
    ],
    dataLoss: [step('replication', 2.46, 'lag')],
  };
  const bare: ReportedComponent = {
    pattern: 'Bare', constructPath: 'App/Bare', detection: 'none', rtoSeconds: 240, rpoSeconds: 0, stacks: ['App'], notified: 'no notifications configured',
    alarms: [], paths: [{ name: 'only', totalSeconds: 240, fastestSeconds: 240, steps: [step('wait', 240, 'fixed')], scenarios: [] }], dataLoss: [],
  };

  test('a row per component: RTO per path with target and fastest, targets, escaped triggers only, notified', () => {
    const lines = renderResilienceReportMarkdown([{ title: 'App', components: [component, bare] }]).split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '# Resilience report', '', '## App', '',
      '| component | pattern | detection | worst-case RTO | RPO | targets | alarms (triggers) | notified |',
      '|---|---|---|---|---|---|---|---|',
    ]);
    expect(lines[6]).toBe('| `App/Pair` | Pair | heartbeat \\| stale | **150 s**<br>takeover: 150 s (target 3 min), fastest 90 s<br>restart: 120 s | **2.5 s** | RTO 5 min, RPO 60 s | ' +
      'Pair Beat (Maximum) > 3 \\| stale over 2 x 60 s<br>Pair Up (Minimum) < 1 over 1 x 60 s | SNS App/Topic (1 email) on ALARM and OK |');
    expect(lines[7]).toBe('| `App/Bare` | Bare | none | **4 min**<br>only: 4 min | **0 s** | none |  | no notifications configured |');
  });

  test('only an RPO target is listed alone', () => {
    const md = renderResilienceReportMarkdown([{ title: 'App', components: [{ ...bare, rpoTargetSeconds: 0 }] }]);
    expect(md).toContain('| **0 s** | RPO 0 s |');
  });

  test('the scenario matrix: a row per scenario, sorted; a cell per component with scenarios: survives, acknowledged or broken', () => {
    const lines = renderResilienceReportMarkdown([{ title: 'App', components: [component, bare] }]).split('\n');
    const at = lines.indexOf('**Failure scenarios** (each cell: the path that handles it, worst-case RTO / RPO, and whether every link survives the failure)');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 7)).toEqual([
      '',
      '| scenario | `App/Pair` |',
      '|---|---|',
      '| region-loss of eu-west-1 | takeover: 150 s / 2.5 s, **broken**: alarm App/Pair/Stale (eu-west-1); rule \\| x |',
      '| task-loss of eu-west-1 | takeover: 150 s / 2.5 s, survives |',
      '| zone-loss of eu-west-1 | restart: 120 s / 2.5 s, acknowledged: one zone \\| accepted |',
    ]);
  });

  test('two components in the matrix, a cell left empty where one has no path for the scenario', () => {
    const other = { ...bare, constructPath: 'App/Other', paths: [bare.paths[0], { ...bare.paths[0], scenarios: [{ scenario: 'task-loss of eu-west-1', path: 'only', survives: true, brokenLinks: [] }] }] };
    const lines = renderResilienceReportMarkdown([{ title: 'App', components: [component, other] }]).split('\n');
    expect(lines).toContain('| scenario | `App/Pair` | `App/Other` |');
    expect(lines).toContain('|---|---|---|');
    expect(lines).toContain('| region-loss of eu-west-1 | takeover: 150 s / 2.5 s, **broken**: alarm App/Pair/Stale (eu-west-1); rule \\| x |  |');
    expect(lines).toContain('| task-loss of eu-west-1 | takeover: 150 s / 2.5 s, survives | only: 4 min / 0 s, survives |');
  });

  test("per component: each path's steps and tunings, the other alarms, the data-loss bounds", () => {
    const md = renderResilienceReportMarkdown([{ title: 'App', components: [component, bare] }]);
    const section = md.slice(md.indexOf('### `App/Pair` (Pair)'), md.indexOf('### `App/Bare`'));
    expect(section.split('\n')).toEqual([
      '### `App/Pair` (Pair)', '',
      '- recovery path **takeover** (the standby takes the lease): detection 2 min [2 x 60 s] + lease 30 s [lease 30 s] + poll 0 s [none] + settle 0 s [instant] = **150 s**; ' +
        'fastest configurable 90 s (evaluationPeriods (1); leaseDuration (10 s))',
      '- recovery path **restart**: task start 120 s [Fargate] = **120 s**; fastest configurable 120 s (AWS service times only)',
      '- notifying alarm `App/Pair/Errors`: Pair Errors (Sum) > 5 over 1 x 60 s',
      '- informational alarm `App/Pair/Depth`: Pair Depth (Maximum) > 100 over 1 x 60 s',
      '- data-loss bound: replication 2.5 s [lag]',
      '', '',
    ]);
    expect(md.slice(md.indexOf('### `App/Bare`'))).toContain('- data-loss bound: none (the component holds no data of its own)');
  });

  test('two paths of one component for the same scenario share its cell, one per line', () => {
    const two = { ...bare, paths: ['first', 'second'].map(name => ({ ...bare.paths[0], name, scenarios: [{ scenario: 'task-loss of eu-west-1', path: name, survives: true, brokenLinks: [] }] })) };
    expect(renderResilienceReportMarkdown([{ title: 'App', components: [two] }]).split('\n')).toContain('| task-loss of eu-west-1 | first: 4 min / 0 s, survives<br>second: 4 min / 0 s, survives |');
  });

  test('a report without patterns, and reports without scenarios', () => {
    expect(renderResilienceReportMarkdown([{ title: 'Empty', components: [] }, { title: 'App', components: [bare] }]).split('\n')).toEqual([
      '# Resilience report', '', '## Empty', '', 'No HA patterns.', '', '## App', '',
      '| component | pattern | detection | worst-case RTO | RPO | targets | alarms (triggers) | notified |',
      '|---|---|---|---|---|---|---|---|',
      '| `App/Bare` | Bare | none | **4 min**<br>only: 4 min | **0 s** | none |  | no notifications configured |',
      '', 'No recovery path declares a failure scenario.', '',
      '### `App/Bare` (Bare)', '',
      '- recovery path **only**: wait 4 min [fixed] = **4 min**; fastest configurable 4 min (AWS service times only)',
      '- data-loss bound: none (the component holds no data of its own)',
      '',
    ]);
  });
});
