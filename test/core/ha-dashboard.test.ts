import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  ActiveSpareWebTier, AlarmRole, FailoverNotifications, HaDashboard, HaPattern, HaPatternProps, RecoveryStep, SignalKind,
} from '../../lib';
import { TEST_ACCOUNT, testApp, testEnv } from '../harness';

/** A small pattern: a trigger, an informational alarm, and whatever `extra` adds after the failover alarm. */
class Probe extends HaPattern {
  public readonly down: cloudwatch.Alarm;
  public readonly info: cloudwatch.Alarm;
  constructor(scope: Construct, id: string, props: HaPatternProps, extra?: (p: Probe) => void) {
    super(scope, id, props, { patternName: 'Probe', detection: 'a probe metric below 1' });
    const metric = new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Up', period: Duration.minutes(1) });
    const common = { metric, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 2, threshold: 1, description: 'probe' };
    this.down = this.createAlarm(this, 'DownAlarm', { ...common, signal: SignalKind.STATUS, role: AlarmRole.FAILOVER_TRIGGER });
    this.info = this.createAlarm(this, 'InfoAlarm', { ...common, signal: SignalKind.LEVEL, role: AlarmRole.INFORMATIONAL });
    this.recoveryObjectives.addRecoveryPath('restart', [RecoveryStep.constant('detection', Duration.minutes(2), '2 x 1 min')]);
    this.createFailoverAlarm();
    extra?.(this);
  }

  /** Creates an alarm after the failover alarm (as the web tier does for its spares' probes). */
  public lateAlarm(scope: Construct, id: string, alarmName?: string): cloudwatch.Alarm {
    const metric = new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Late', period: Duration.minutes(1) });
    return this.createAlarm(scope, id, {
      metric, threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1, signal: SignalKind.EVENT_COUNT, role: AlarmRole.NOTIFYING, description: 'late', alarmName,
    });
  }
}

interface Widget {
  readonly type: string;
  readonly height: number;
  readonly width: number;
  readonly y: number;
  readonly properties: { markdown?: string; title?: string; alarms?: string[] };
}

/**
 * The dashboard's widgets: the body (an Fn::Join) rendered from the stack's
 * template, `AWS::Partition` read as `aws` and any other reference as `<Ref:...>`.
 */
function widgets(stack: Stack): Widget[] {
  const [dash] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  const body: unknown = dash.Properties.DashboardBody;
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const ref = (part as { Ref?: string }).Ref;
    return ref === 'AWS::Partition' ? 'aws' : `<Ref:${JSON.stringify(part).replace(/"/g, '\'')}>`;
  };
  const text = typeof body === 'string' ? body : (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map(render).join('');
  return JSON.parse(text).widgets;
}

/** The literal name of an alarm (metric or composite) of the app. */
function nameOf(alarm: cloudwatch.IAlarm): string {
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm | cloudwatch.CfnCompositeAlarm;
  const name = Stack.of(cfn).resolve(cfn.alarmName);
  expect(typeof name).toBe('string');
  return name as string;
}

const arn = (region: string, name: string) => `arn:aws:cloudwatch:${region}:${TEST_ACCOUNT}:alarm:${name}`;

describe('HaDashboard across regions: an active-spare web tier (eu-west-1, spare in us-east-1)', () => {
  // No crossRegionReferences: any reference between the regions' stacks fails synthesis.
  const app = testApp();
  const shared = new Stack(app, 'Shared', { env: testEnv('eu-west-1') });
  const notifications = new FailoverNotifications(shared, 'Notifications', { emails: ['ops@example.com'] });
  const dashboard = new HaDashboard(shared, 'Dashboard');
  const primaryStack = new Stack(app, 'Web-Primary', { env: testEnv('eu-west-1') });
  const spareStack = new Stack(app, 'Web-Spare', { env: testEnv('us-east-1') });
  const zone = route53.PublicHostedZone.fromHostedZoneAttributes(primaryStack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const tier = new ActiveSpareWebTier(primaryStack, 'Web', {
    spares: [{ stack: spareStack }],
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    activeCapacity: 2, zone, recordName: 'agents', notifications, dashboard,
  });
  const all = widgets(shared);
  const alarmWidgets = all.filter(w => w.type === 'alarm');
  const inRegion = (region: string) => alarmWidgets.find(w => w.properties.title === `ActiveSpareWebTier alarms in ${region}`)!;

  test('one text widget, then one alarm status widget per region, the dashboard\'s region first, stacked', () => {
    expect(all.map(w => [w.type, w.properties.title])).toEqual([
      ['text', undefined],
      ['alarm', 'ActiveSpareWebTier alarms in eu-west-1'],
      ['alarm', 'ActiveSpareWebTier alarms in us-east-1'],
    ]);
    expect(all[2].y).toBe(all[1].y + all[1].height);
  });

  test('the us-east-1 widget names each alarm by a us-east-1 ARN: the spare site\'s, its probe of the primary, the DNS alarms', () => {
    const arns = inRegion('us-east-1').properties.alarms!;
    for (const a of arns) expect(a).toMatch(new RegExp(`^arn:aws:cloudwatch:us-east-1:${TEST_ACCOUNT}:alarm:[A-Za-z0-9-]+$`));
    expect(arns).toEqual(expect.arrayContaining([
      arn('us-east-1', nameOf(tier.spares[0].failoverAlarm)),
      // Created after the tier's failover alarm: still on the dashboard.
      arn('us-east-1', nameOf(tier.primaryProbeAlarms[0])),
      arn('us-east-1', nameOf(tier.dns.healthCheckAlarm('us-east-1'))),
    ]));
  });

  test('the informational DNS alarms are on it', () => {
    const info = tier.alarmsWithRole(AlarmRole.INFORMATIONAL);
    expect(info).toEqual([tier.dns.healthCheckAlarm('eu-west-1'), tier.dns.failoverAlarm]);
    for (const alarm of info) expect(inRegion('us-east-1').properties.alarms).toContain(arn('us-east-1', nameOf(alarm)));
  });

  test('every alarm of the tier and of the patterns it is built of is on it once, in its own region\'s widget', () => {
    const expected = [...new Set([tier, tier.primary, ...tier.spares, tier.dns].flatMap(p => p.alarms))]
      .map(a => arn(Stack.of(a).region, nameOf(a)));
    const shown = alarmWidgets.flatMap(w => w.properties.alarms!);
    expect(new Set(shown).size).toBe(shown.length);
    expect([...shown].sort()).toEqual([...expected].sort());
    expect(inRegion('eu-west-1').properties.alarms).toContain(arn('eu-west-1', nameOf(tier.failoverAlarm)));
  });

  test('the names it gave are in the alarms\' own templates, and the same at every synthesis', () => {
    const probe = tier.primaryProbeAlarms[0];
    Template.fromStack(spareStack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: nameOf(probe) });
    expect(nameOf(probe)).toMatch(/^WebSpare-WebPrimaryWeb[0-9A-F]{8}-Site-PrimaryProbeAlarm-[0-9A-F]{8}$/);
    const again = widgets(shared);
    expect(again).toEqual(all);
  });

  test('no reference between the stacks: no import, no export reader, no dependency of the dashboard\'s stack', () => {
    const template = JSON.stringify(Template.fromStack(shared).toJSON());
    expect(template).not.toContain('Fn::ImportValue');
    expect(template).not.toContain('ExportsReader');
    expect(template).not.toContain('/cdk/exports/');
    expect(shared.dependencies).toEqual([]);
    expect(JSON.stringify(all)).not.toContain('<Ref:');
    // The spare (another region) refers to nothing of the other stacks either.
    expect(JSON.stringify(Template.fromStack(spareStack).toJSON())).not.toContain('Fn::ImportValue');
  });
});

describe('HaDashboard with a pattern in another region', () => {
  function build(extra?: (p: Probe) => void, stackId = 'Elsewhere') {
    const app = testApp();
    const home = new Stack(app, 'Home', { env: testEnv('eu-west-1') });
    const dashboard = new HaDashboard(home, 'Dashboard');
    const elsewhere = new Stack(app, stackId, { env: testEnv('us-west-2') });
    const probe = new Probe(elsewhere, 'Probe', { dashboard }, extra);
    return { app, home, elsewhere, probe };
  }

  test('shows its trigger, informational and failover alarms by us-west-2 ARNs, and warns about nothing', () => {
    const { home, probe } = build();
    const [text, alarms, ...rest] = widgets(home);
    expect(rest).toEqual([]);
    expect(text.properties.markdown).toMatch(/^### Probe `Elsewhere\/Probe`/);
    expect(alarms).toMatchObject({ type: 'alarm', width: 24, height: 3, properties: { title: 'Probe alarms in us-west-2' } });
    expect(alarms.properties.alarms).toEqual([probe.down, probe.info, probe.failoverAlarm].map(a => arn('us-west-2', nameOf(a))));
    expect(nameOf(probe.info)).toMatch(/^Elsewhere-Probe-InfoAlarm-[A-Za-z0-9]+$/);
    Annotations.fromStack(home).hasNoWarning('*', Match.stringLikeRegexp('cdk-ha-patterns:dashboard'));
  });

  test('a name the alarm has is kept', () => {
    const { home, elsewhere } = build(p => p.lateAlarm(p, 'NamedAlarm', 'probe-named'));
    expect(widgets(home)[1].properties.alarms).toContain(arn('us-west-2', 'probe-named'));
    Template.fromStack(elsewhere).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'probe-named', AlarmDescription: 'late' });
  });

  test('an alarm registered after the failover alarm, in a third region\'s stack, gets its own widget', () => {
    const { home, app } = build(p => {
      const third = new Stack(app_(p), 'Third', { env: testEnv('ap-southeast-2') });
      p.lateAlarm(third, 'LateAlarm');
    });
    const titles = widgets(home).map(w => w.properties.title);
    expect(titles).toEqual([undefined, 'Probe alarms in us-west-2', 'Probe alarms in ap-southeast-2']);
    Template.fromStack(app.node.findChild('Third') as Stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('^Third-LateAlarm-'),
    });
  });

  test('an alarm named by a token in another region is left off, with a warning naming it', () => {
    const { home, probe } = build(p => p.lateAlarm(p, 'LateAlarm', new CfnParameter(p, 'LateName').valueAsString));
    const shown = widgets(home)[1].properties.alarms!;
    expect(shown).toEqual([probe.down, probe.info, probe.failoverAlarm].map(a => arn('us-west-2', nameOf(a))));
    Annotations.fromStack(home).hasWarning('/Home/Dashboard',
      Match.stringLikeRegexp('^Elsewhere/Probe/LateAlarm is not on the dashboard: its name is known only at deployment .*Give it a literal alarm name.*cdk-ha-patterns:dashboard-alarm-unreachable'));
  });
});

/** The app a construct belongs to. */
function app_(scope: Construct): App {
  return scope.node.root as App;
}
