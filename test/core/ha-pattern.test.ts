import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmRole, FailoverNotifications, HaDashboard, HaPattern, HaPatternProps, HaValidationError, RecoveryStep, SignalKind } from '../../lib';
import { testApp, testEnv } from '../harness';

/** The smallest pattern: one metric, an alarm of each role (two triggers), a recovery path. */
class ProbePattern extends HaPattern {
  public readonly down: cloudwatch.Alarm;
  public readonly stale: cloudwatch.Alarm;
  public readonly errors: cloudwatch.Alarm;
  public readonly info: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: HaPatternProps, extra?: (p: ProbePattern) => void) {
    super(scope, id, props, { patternName: 'Probe', detection: 'a probe metric below 1' });
    const metric = new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Up', period: Duration.minutes(1) });
    const common = { metric, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 2, description: 'probe' };
    this.down = this.createAlarm(this, 'DownAlarm', { ...common, threshold: 1, signal: SignalKind.STATUS, role: AlarmRole.FAILOVER_TRIGGER });
    this.stale = this.createAlarm(this, 'StaleAlarm', { ...common, threshold: 1, signal: SignalKind.HEARTBEAT, role: AlarmRole.FAILOVER_TRIGGER });
    this.errors = this.createAlarm(this, 'ErrorsAlarm', { ...common, threshold: 5, signal: SignalKind.EVENT_COUNT, role: AlarmRole.NOTIFYING });
    this.info = this.createAlarm(this, 'InfoAlarm', { ...common, threshold: 5, signal: SignalKind.LEVEL, role: AlarmRole.INFORMATIONAL });
    extra?.(this);
    this.recoveryObjectives.addRecoveryPath('restart', [RecoveryStep.constant('detection', Duration.minutes(2), '2 x 1 min')]);
    this.createFailoverAlarm();
  }

  public register(alarm: cloudwatch.IAlarm, role: AlarmRole): void {
    this.addAlarm(alarm, role);
  }
}

/** An alarm action by a literal ARN: it references no stack, so an alarm of any stack may take it. */
const PAGER_ARN = 'arn:aws:sns:eu-west-1:123456789012:pager';
const PAGER: cloudwatch.IAlarmAction = { bind: () => ({ alarmActionArn: PAGER_ARN }) };

const TOPIC = { Ref: Match.stringLikeRegexp('^Notifications[0-9A-F]{8}$') };
const EXTRA = { Ref: Match.stringLikeRegexp('^Extra') };

describe('HaPattern alarm conventions', () => {
  const app = testApp();
  const stack = new Stack(app, 'P', { env: testEnv() });
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
  const extraTopic = new sns.Topic(stack, 'Extra');
  const dashboard = new HaDashboard(stack, 'Dashboard');
  const pattern = new ProbePattern(stack, 'Probe', { notifications, alarmActions: [new cloudwatchActions.SnsAction(extraTopic)], dashboard });
  const template = Template.fromStack(stack);

  const alarmOf = (id: string) => template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: Match.absent() } })[
    stack.getLogicalId(pattern.node.findChild(id).node.defaultChild as cloudwatch.CfnAlarm)];

  test('the failover alarm is an OR over exactly the triggers', () => {
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    const [composite] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    expect(rule).toMatch(/^\{"Fn::Join":\["",\["\(ALARM\(\\"",\{"Fn::GetAtt":\["ProbeDownAlarm[0-9A-F]+","Arn"\]\},"\\"\) OR ALARM\(\\"",\{"Fn::GetAtt":\["ProbeStaleAlarm[0-9A-F]+","Arn"\]\},"\\"\)\)"\]\]\}$/);
    expect(rule).not.toContain('ProbeErrorsAlarm');
    expect(rule).not.toContain('ProbeInfoAlarm');
  });

  test('the failover alarm notifies on ALARM and on OK, through the notifications and the extra actions', () => {
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: [TOPIC, EXTRA], OKActions: [TOPIC, EXTRA] });
  });

  test('a trigger never notifies on its own', () => {
    for (const id of ['DownAlarm', 'StaleAlarm']) {
      expect(alarmOf(id).Properties.AlarmActions).toBeUndefined();
      expect(alarmOf(id).Properties.OKActions).toBeUndefined();
    }
  });

  test('a notifying alarm notifies on ALARM and on OK; an informational alarm has no actions', () => {
    expect(alarmOf('ErrorsAlarm').Properties).toMatchObject({ AlarmActions: [expect.anything(), expect.anything()], OKActions: [expect.anything(), expect.anything()] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 5, TreatMissingData: 'notBreaching', AlarmActions: [TOPIC, EXTRA], OKActions: [TOPIC, EXTRA] });
    expect(alarmOf('InfoAlarm').Properties.AlarmActions).toBeUndefined();
    expect(alarmOf('InfoAlarm').Properties.OKActions).toBeUndefined();
  });

  test.each([
    ['DownAlarm', 'breaching'],
    ['StaleAlarm', 'breaching'],
    ['ErrorsAlarm', 'notBreaching'],
    ['InfoAlarm', 'notBreaching'],
  ])('%s treats missing data as %s, from its signal kind', (id, treatment) => {
    expect(alarmOf(id).Properties.TreatMissingData).toBe(treatment);
  });

  test('exposes every alarm with its role', () => {
    expect(pattern.alarms).toHaveLength(5);
    expect(pattern.failoverTriggers).toEqual([pattern.down, pattern.stale]);
    expect(pattern.alarmsWithRole(AlarmRole.NOTIFYING)).toEqual([pattern.errors, pattern.failoverAlarm]);
    expect(pattern.alarmsWithRole(AlarmRole.INFORMATIONAL)).toEqual([pattern.info]);
    expect(pattern.roleOf(pattern.stale)).toBe(AlarmRole.FAILOVER_TRIGGER);
    expect(() => pattern.roleOf(new cloudwatch.Alarm(stack, 'Stranger', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 })))
      .toThrow(/P\/Probe: invalid prop 'alarm': received "P\/Stranger"/);
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

describe('HaPattern role checks', () => {
  test('fails synthesis when a failover trigger has actions of its own (it would page twice)', () => {
    const app = testApp();
    const stack = new Stack(app, 'P', { env: testEnv() });
    const topic = new sns.Topic(stack, 'Topic');
    new ProbePattern(stack, 'Probe', {}, p => p.down.addAlarmAction(new cloudwatchActions.SnsAction(topic)));
    expect(() => app.synth()).toThrow('P/Probe/DownAlarm is a failover trigger of P/Probe but has actions of its own: it would page beside the failover alarm. ' +
      'Remove its actions; the failover alarm notifies.');
  });

  test('an OK action alone on a failover trigger fails synthesis too', () => {
    const app = testApp();
    const stack = new Stack(app, 'P', { env: testEnv() });
    new ProbePattern(stack, 'Probe', {}, p => p.stale.addOkAction(PAGER));
    expect(() => app.synth()).toThrow(/P\/Probe\/StaleAlarm is a failover trigger of P\/Probe but has actions of its own/);
  });

  test('an imported alarm cannot be a notifying alarm (no actions can be added to it)', () => {
    const stack = new Stack(testApp(), 'P', { env: testEnv() });
    const imported = cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x');
    expect(() => new ProbePattern(stack, 'Probe', {}, p => p.register(imported, AlarmRole.NOTIFYING))).toThrow(/P\/Imported is imported; a notifying alarm must be defined in this app/);
  });

  test("roleOf an alarm that is not the pattern's names it", () => {
    const stack = new Stack(testApp(), 'P', { env: testEnv() });
    const pattern = new ProbePattern(stack, 'Probe', {});
    const stranger = new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }).createAlarm(stack, 'Stranger', { threshold: 1, evaluationPeriods: 1 });
    expect(() => pattern.roleOf(stranger)).toThrow("P/Probe: invalid prop 'alarm': received \"P/Stranger\"; expected an alarm of this pattern (see `alarms`)");
  });

  test("the failover alarm's description names the pattern and what its states mean", () => {
    const stack = new Stack(testApp(), 'P', { env: testEnv() });
    new ProbePattern(stack, 'Probe', {});
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmDescription: 'Probe P/Probe: failover in progress or needed (any trigger in ALARM); OK when restored.',
    });
  });

  test('a failover alarm needs a trigger', () => {
    class Triggerless extends HaPattern {
      constructor(scope: Construct, id: string) {
        super(scope, id, {}, { patternName: 'Triggerless', detection: 'none' });
        this.createFailoverAlarm();
      }
    }
    expect(() => new Triggerless(new Stack(testApp(), 'P'), 'Triggerless')).toThrow('P/Triggerless: a failover alarm needs at least one trigger alarm');
  });

  test('an imported alarm may be a failover trigger: it has no actions here to check', () => {
    const app = testApp();
    const stack = new Stack(app, 'P', { env: testEnv() });
    const imported = cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:upstream-down');
    new ProbePattern(stack, 'Probe', {}, p => p.register(imported, AlarmRole.FAILOVER_TRIGGER));
    expect(() => app.synth()).not.toThrow();
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::CompositeAlarm'))).toContain('alarm:upstream-down');
  });

  test('failoverAlarm before createFailoverAlarm() says what to call', () => {
    class Unfinished extends HaPattern {
      constructor(scope: Construct, id: string) {
        super(scope, id, {}, { patternName: 'Unfinished', detection: 'none' });
      }
    }
    const pattern = new Unfinished(new Stack(testApp(), 'P'), 'Unfinished');
    expect(() => pattern.failoverAlarm).toThrow('P/Unfinished: the pattern has not created its failover alarm (call createFailoverAlarm() at the end of the constructor)');
  });

  test('an alarm is registered once', () => {
    const stack = new Stack(testApp(), 'P', { env: testEnv() });
    expect(() => new ProbePattern(stack, 'Probe', {}, p => p.register(p.down, AlarmRole.NOTIFYING))).toThrow(/registered twice/);
  });
});

describe('HaPattern alarmActions and regions', () => {
  /** The pattern in `home`, with the pager as its alarmActions, and a notifying alarm of it in a stack of `there` (undefined: any region). */
  function build(home: string | undefined, there: string | undefined) {
    const app = testApp();
    const stack = new Stack(app, 'P', { env: home ? testEnv(home) : undefined });
    const other = new Stack(app, 'Other', { env: there ? testEnv(there) : undefined });
    let alarm: cloudwatch.Alarm | undefined;
    new ProbePattern(stack, 'Probe', { alarmActions: [PAGER] }, p => {
      alarm = new cloudwatch.Alarm(other, 'Elsewhere', { metric: new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
      p.register(alarm, AlarmRole.NOTIFYING);
    });
    const messages = app.synth().getStackByName('Other').messages.map(m => `${m.level}: ${m.entry.data}`);
    const actions = Template.fromStack(other).toJSON().Resources[other.getLogicalId(alarm!.node.defaultChild as cloudwatch.CfnAlarm)].Properties;
    return { messages, actions: { alarm: actions.AlarmActions, ok: actions.OKActions } };
  }

  test('a notifying alarm in another region gets no alarmActions, and a warning says why', () => {
    const { messages, actions } = build('eu-west-1', 'us-east-1');
    expect(actions).toEqual({ alarm: undefined, ok: undefined });
    expect(messages).toEqual(['warning: Other/Elsewhere is a notifying alarm of P/Probe in us-east-1: alarmActions (for eu-west-1) are not added to it, ' +
      'since CloudWatch rejects an action in another region than its alarm; it notifies through notifications (replicated per region) only. ' +
      '[ack: cdk-ha-patterns:alarm-actions-other-region]']);
  });

  test.each([
    ['the same region', 'eu-west-1', 'eu-west-1'],
    ['any region (the pattern\'s)', undefined, 'us-east-1'],
    ['any region (the alarm\'s)', 'eu-west-1', undefined],
  ])('a notifying alarm gets the alarmActions on ALARM and on OK, without a warning, where the regions are %s', (_, home, there) => {
    const { messages, actions } = build(home, there);
    expect(actions).toEqual({ alarm: [PAGER_ARN], ok: [PAGER_ARN] });
    expect(messages).toEqual([]);
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

describe('HaDashboard', () => {
  /** The dashboard's widgets, each alarm ARN (a token) read as `ARN`. */
  function widgets(stack: Stack): Array<{ type: string; height: number; width: number; properties: { markdown?: string; title?: string; alarms?: string[] } }> {
    const [dash] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    const body = dash.Properties.DashboardBody;
    const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part: unknown) => typeof part === 'string' ? part : 'ARN').join('');
    return JSON.parse(text).widgets;
  }

  test('takes its name, or leaves it to CloudFormation', () => {
    const stack = new Stack(testApp(), 'P', { env: testEnv() });
    new HaDashboard(stack, 'Named', { dashboardName: 'ha-failover' });
    new HaDashboard(stack, 'Unnamed');
    const dashboards = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards.map(d => d.Properties.DashboardName)).toEqual(['ha-failover', undefined]);
  });

  test("per pattern, a text widget with its figures and an alarm widget with its alarms; a pattern added again is not repeated", () => {
    const stack = new Stack(testApp(), 'P', { env: testEnv() });
    const dashboard = new HaDashboard(stack, 'Dashboard');
    const pattern = new ProbePattern(stack, 'Probe', { dashboard });
    dashboard.addPattern(pattern);

    const [text, alarms, ...rest] = widgets(stack);
    expect(rest).toEqual([]);
    expect(text).toMatchObject({ type: 'text', width: 24, height: 3 });
    expect(text.properties.markdown).toBe('### Probe `P/Probe`\nWorst-case RTO: **120 s** (restart 120 s); RPO: **0 s**.\n\nDetection: a probe metric below 1');
    expect(alarms).toMatchObject({ type: 'alarm', width: 24, properties: { title: 'Probe alarms in eu-west-1' } });
    expect(alarms.properties.alarms).toHaveLength(pattern.alarms.length);
    // Two rows of up to four alarms each, plus the title's two.
    expect(pattern.alarms.length).toBe(5);
    expect(alarms.height).toBe(4);
  });

  test('lists every recovery path with its figure', () => {
    const stack = new Stack(testApp(), 'P', { env: testEnv() });
    new ProbePattern(stack, 'Probe', { dashboard: new HaDashboard(stack, 'Dashboard') },
      p => p.recoveryObjectives.addRecoveryPath('failover', [RecoveryStep.constant('switch', Duration.seconds(45), 'measured')]));
    expect(widgets(stack)[0].properties.markdown).toMatch(/^### Probe `P\/Probe`\nWorst-case RTO: \*\*120 s\*\* \(failover 45 s, restart 120 s\);/);
  });

  test("alarms of the dashboard's own stack, or of a stack without a fixed region or account, are used as they are: no name fixed, no import", () => {
    const alarmNames = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties.AlarmName);
    const same = new Stack(testApp(), 'P', { env: testEnv() });
    new ProbePattern(same, 'Probe', { dashboard: new HaDashboard(same, 'Dashboard') });
    expect(alarmNames(same)).toEqual([undefined, undefined, undefined, undefined]);
    expect(JSON.stringify(Template.fromStack(same).findResources('AWS::CloudWatch::Dashboard'))).toContain('"Fn::GetAtt":["ProbeDownAlarm');

    for (const env of [{ region: 'eu-west-1' }, { account: '123456789012' }, undefined]) {
      const app = testApp();
      const home = new Stack(app, 'Home', { env });
      const workload = new Stack(app, 'Workload', { env });
      new ProbePattern(workload, 'Probe', { dashboard: new HaDashboard(home, 'Dashboard') });
      expect(alarmNames(workload)).toEqual([undefined, undefined, undefined, undefined]);
    }
  });

  test("an alarm of another stack keeps the name it has; one named by a token is used as it is", () => {
    const app = testApp();
    const home = new Stack(app, 'Home', { env: testEnv() });
    const workload = new Stack(app, 'Workload', { env: testEnv() });
    const pattern = new ProbePattern(workload, 'Probe', {});
    const named = pattern.down.node.defaultChild as cloudwatch.CfnAlarm;
    named.alarmName = 'probe-down';
    const tokenName = pattern.stale.node.defaultChild as cloudwatch.CfnAlarm;
    tokenName.alarmName = new CfnParameter(workload, 'StaleName').valueAsString;
    new HaDashboard(home, 'Dashboard').addPattern(pattern);
    expect(named.alarmName).toBe('probe-down');
    expect(JSON.stringify(Template.fromStack(home).findResources('AWS::CloudWatch::Dashboard'))).toContain(':alarm:probe-down');
    // The token-named alarm is referred to as it is (a cross-stack reference), not imported under an invented name.
    expect(workload.resolve(tokenName.alarmName)).toEqual({ Ref: 'StaleName' });
    expect(home.node.findAll().filter(c => c.node.id.startsWith('Ref')).map(c => c.node.id)).not.toContainEqual(expect.stringContaining('Stale'));
  });

  test('a pattern without recovery paths says so', () => {
    class Pathless extends HaPattern {
      constructor(scope: Construct, id: string, props: HaPatternProps) {
        super(scope, id, props, { patternName: 'Pathless', detection: 'none' });
      }
    }
    const stack = new Stack(testApp(), 'P', { env: testEnv() });
    new HaDashboard(stack, 'Dashboard').addPattern(new Pathless(stack, 'Pathless', {}));
    expect(widgets(stack)[0].properties.markdown).toBe('### Pathless `P/Pathless`\nWorst-case RTO: **0 s** (none declared); RPO: **0 s**.\n\nDetection: none');
  });

  test("a pattern's alarms in another region are on it, by that region's ARNs (test/core/ha-dashboard.test.ts has more)", () => {
    const app = testApp();
    const stack = new Stack(app, 'P', { env: testEnv() });
    const dashboard = new HaDashboard(stack, 'Dashboard');
    const elsewhere = new Stack(app, 'Elsewhere', { env: { ...testEnv(), region: 'us-west-2' } });
    dashboard.addPattern(new ProbePattern(elsewhere, 'Probe', {}));
    const [text, alarms] = widgets(stack);
    expect([text.type, alarms.type, alarms.properties.title]).toEqual(['text', 'alarm', 'Probe alarms in us-west-2']);
    expect(alarms.properties.alarms).toHaveLength(5);
    for (const a of alarms.properties.alarms!) expect(a).toMatch(/^arn:ARN:cloudwatch:us-west-2:123456789012:alarm:Elsewhere-?Probe/);
  });
});
