/**
 * Each catalogue step's figure, derivation and tuning at the edges the
 * catalogue tests do not reach: Route 53 and DNS defaults, imported and
 * composite resources, ties in the slowest of several steps, and the
 * service-time catalogue's figures (every recovery time is built on them).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RecoveryStep } from '../../lib/core/recovery-step';
import { ServiceTime } from '../../lib/core/service-time';
import { synthesizedLeaseTimings } from '../../lib/private/lease-settings';
import { testApp, testEnv } from '../harness';

const stack = () => new Stack(testApp(), 'S', { env: testEnv() });
const TUNING = { prop: 'p (1 to 10)', floor: Duration.seconds(10) };

describe('fixed, tunable and service-time steps', () => {
  test('fixed: the figure is also the fastest; nothing tunes it', () => {
    expect(RecoveryStep.constant('estimate', Duration.seconds(42), 'user estimate').resolve()).toEqual({
      component: 'estimate', derivation: 'user estimate', duration: Duration.seconds(42), fastest: Duration.seconds(42), tuning: undefined,
    });
  });

  test('tunable: the floor is the fastest, named by its prop', () => {
    const r = RecoveryStep.tunable('check', Duration.seconds(30), '10 s x 3', TUNING).resolve();
    expect([r.component, r.derivation, r.duration.toSeconds(), r.fastest.toSeconds(), r.tuning]).toEqual(['check', '10 s x 3', 30, 10, 'p (1 to 10)']);
  });

  test('serviceTime: the service\'s name unless a component is given, its source as the derivation', () => {
    const t = ServiceTime.of('Amazon MQ broker reboot', Duration.minutes(3), 'estimate: 3 minutes');
    expect(RecoveryStep.serviceTime(t).resolve()).toMatchObject({ component: 'Amazon MQ broker reboot', derivation: 'estimate: 3 minutes' });
    expect(RecoveryStep.serviceTime(t, 'broker').resolve().component).toBe('broker');
    expect(RecoveryStep.serviceTime(t).resolve().duration.toSeconds()).toBe(180);
    expect(RecoveryStep.fargateTaskStart().resolve().component).toBe('Fargate task start');
    expect(RecoveryStep.fargateTaskStart('spare task').resolve().component).toBe('spare task');
  });
});

describe('ServiceTime catalogue', () => {
  test.each([
    ['FARGATE_TASK_START', 'Fargate task start', 60, 'AWS Fargate documentation'],
    ['AURORA_FAILOVER', 'Aurora Multi-AZ failover', 30, 'High availability for Amazon Aurora'],
    ['AURORA_ENDPOINT_DNS', 'Aurora cluster endpoint DNS', 5, 'Amazon Aurora connection management'],
    ['SQLSERVER_MULTI_AZ_FAILOVER', 'RDS Multi-AZ failover (SQL Server)', 120, 'Multi-AZ deployments for Amazon RDS for Microsoft SQL Server'],
    ['AURORA_GLOBAL_FAILOVER', 'Aurora Global Database failover', 120, 'Using switchover or failover in an Amazon Aurora global database'],
    ['AURORA_INSTANCE_START', 'Aurora instance creation', 600, 'AWS publishes no bound'],
    ['AURORA_GLOBAL_ENDPOINT_DNS', 'global writer endpoint DNS', 60, 'AWS documents no TTL'],
    ['ALIAS_RECORD_CACHE', 'alias record cache', 60, 'Choosing between alias and non-alias records'],
    ['EVENTBRIDGE_SSM_AUTOMATION', 'EventBridge + SSM Automation', 15, 'AWS publishes no bound'],
    ['EVENTBRIDGE_LAMBDA_AUTOMATION', 'EventBridge + Lambda automation', 10, 'AWS publishes no bound'],
  ] as Array<[keyof typeof ServiceTime, string, number, string]>)('%s: %s, %i s (%s)', (key, name, secs, source) => {
    const t = ServiceTime[key] as ServiceTime;
    expect(t.name).toBe(name);
    expect(t.duration.toSeconds()).toBe(secs);
    expect(t.source).toContain(source);
  });
});

describe('alarmEvaluation', () => {
  const metric = new cloudwatch.Metric({ namespace: 'N', metricName: 'M', period: Duration.minutes(1) });

  test('a metric math alarm without periods on its metrics counts 60 s', () => {
    const s = stack();
    const alarm = new cloudwatch.CfnAlarm(s, 'Raw', {
      comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 2, threshold: 1,
      metrics: [{ id: 'e', expression: 'SUM(METRICS())' }],
    });
    const wrapped = cloudwatch.Alarm.fromAlarmArn(s, 'W', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x');
    Object.defineProperty(wrapped.node, 'defaultChild', { value: alarm });
    expect(RecoveryStep.alarmEvaluation('e', wrapped).resolve()).toMatchObject({ derivation: '2 x 60 s evaluation periods' });
  });

  test('a 10 s period counts 10 s, not the 60 s minimum of metric math', () => {
    const alarm = metric.with({ period: Duration.seconds(10) }).createAlarm(stack(), 'A', { threshold: 1, evaluationPeriods: 3 });
    expect(RecoveryStep.alarmEvaluation('a', alarm).resolve().duration.toSeconds()).toBe(30);
  });

  test('reads the alarm as synthesized: an escape hatch on its periods or threshold changes the figure', () => {
    const alarm = metric.createAlarm(stack(), 'A', { threshold: 1, evaluationPeriods: 3 });
    const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
    cfn.addPropertyOverride('EvaluationPeriods', 5);
    expect(RecoveryStep.alarmEvaluation('a', alarm).resolve()).toMatchObject({ derivation: '5 x 60 s evaluation periods' });
    cfn.addPropertyOverride('DatapointsToAlarm', 4);
    cfn.addPropertyOverride('Period', 10);
    expect(RecoveryStep.alarmEvaluation('a', alarm).resolve().duration.toSeconds()).toBe(40);
    cfn.addPropertyOverride('Threshold', 250);
    expect(RecoveryStep.alarmThreshold('lag', alarm, Duration.millis(1)).resolve().duration.toMilliseconds()).toBe(250);
  });

  test('refuses an imported alarm, naming the step', () => {
    const imported = cloudwatch.Alarm.fromAlarmArn(stack(), 'I', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x');
    expect(() => RecoveryStep.alarmEvaluation('detection', imported).resolve()).toThrow('detection: S/I is not a metric alarm defined in this app; its settings cannot be read');
  });

  test('carries its tuning', () => {
    const alarm = metric.createAlarm(stack(), 'A', { threshold: 1, evaluationPeriods: 3 });
    const r = RecoveryStep.alarmEvaluation('a', alarm, { prop: 'evaluationPeriods', floor: Duration.seconds(60) }).resolve();
    expect([r.tuning, r.fastest.toSeconds()]).toEqual(['evaluationPeriods', 60]);
  });
});

describe('route53HealthCheck', () => {
  test('interval x failure threshold, with its tuning', () => {
    const check = new route53.HealthCheck(stack(), 'C', { type: route53.HealthCheckType.HTTPS, fqdn: 'a.example.com', requestInterval: Duration.seconds(10), failureThreshold: 2 });
    const r = RecoveryStep.route53HealthCheck('hc', check, TUNING).resolve();
    expect([r.component, r.derivation, r.duration.toSeconds(), r.fastest.toSeconds(), r.tuning]).toEqual(['hc', '10 s interval x 2 failures', 20, 10, 'p (1 to 10)']);
  });

  test('Route 53\'s defaults when the check sets neither: 30 s x 3', () => {
    const check = new route53.HealthCheck(stack(), 'C', { type: route53.HealthCheckType.HTTPS, fqdn: 'a.example.com' });
    const cfn = check.node.defaultChild as route53.CfnHealthCheck;
    cfn.healthCheckConfig = { type: 'HTTPS', fullyQualifiedDomainName: 'a.example.com' };
    expect(RecoveryStep.route53HealthCheck('hc', check).resolve()).toMatchObject({ derivation: '30 s interval x 3 failures' });
    expect(RecoveryStep.route53HealthCheck('hc', check).resolve().duration.toSeconds()).toBe(90);
  });

  test('refuses an imported health check', () => {
    const imported = route53.HealthCheck.fromHealthCheckId(stack(), 'I', 'abc');
    expect(() => RecoveryStep.route53HealthCheck('hc', imported).resolve()).toThrow('hc: an imported health check has no settings to compute from');
  });
});

describe('dnsTtl', () => {
  test('a record without a TTL counts CDK\'s default of 30 minutes', () => {
    const s = stack();
    const zone = new route53.PublicHostedZone(s, 'Zone', { zoneName: 'example.com' });
    const record = new route53.CnameRecord(s, 'C', { zone, recordName: 'a', domainName: 'b.example.com' });
    (record.node.defaultChild as route53.CfnRecordSet).ttl = undefined;
    const r = RecoveryStep.dnsTtl('dns', record, TUNING).resolve();
    expect([r.duration.toSeconds(), r.derivation, r.tuning]).toEqual([1800, 'record TTL 1800 s', 'p (1 to 10)']);
  });

  test('an alias record: the alias cache, with its source', () => {
    const s = stack();
    const zone = new route53.PublicHostedZone(s, 'Zone', { zoneName: 'example.com' });
    const record = new route53.ARecord(s, 'A', { zone, recordName: 'a', target: route53.RecordTarget.fromAlias({ bind: () => ({ dnsName: 'x.example.com', hostedZoneId: 'Z1' }) }) });
    expect(RecoveryStep.dnsTtl('dns', record).resolve().derivation).toBe(`alias record: ${ServiceTime.ALIAS_RECORD_CACHE.source}`);
  });
});

describe('alarmThreshold and queueVisibilityTimeout', () => {
  test('the threshold as a time, with its derivation', () => {
    const alarm = new cloudwatch.Metric({ namespace: 'N', metricName: 'Lag' }).createAlarm(stack(), 'A', { threshold: 1500, evaluationPeriods: 1 });
    expect(RecoveryStep.alarmThreshold('lag', alarm, Duration.millis(1)).resolve()).toMatchObject({ derivation: 'alarm threshold 1500 x 1 ms = 1.5 s', tuning: undefined });
    expect(RecoveryStep.alarmThreshold('lag', alarm, Duration.seconds(1)).resolve().duration.toSeconds()).toBe(1500);
  });

  test('the visibility timeout, with its derivation and tuning', () => {
    const r = RecoveryStep.queueVisibilityTimeout('q', new sqs.Queue(stack(), 'Q', { visibilityTimeout: Duration.seconds(45) }), TUNING).resolve();
    expect([r.derivation, r.tuning, r.fastest.toSeconds()]).toEqual(['visibility timeout of the queue 45 s: the dead consumer\'s message reappears', 'p (1 to 10)', 10]);
  });
});

describe('lease steps', () => {
  function taskDefinition(environment: Record<string, string>) {
    const td = new ecs.FargateTaskDefinition(stack(), 'Td');
    td.addContainer('Daemon', { image: ecs.ContainerImage.fromRegistry('x'), environment });
    return td;
  }
  const fallback = { leaseDuration: Duration.seconds(30), renewInterval: Duration.seconds(10), maxClockSkew: Duration.seconds(1) };

  test('derivations name the figures they add', () => {
    const td = taskDefinition({ HA_LEASE_DURATION_MS: '20000', HA_LEASE_RENEW_INTERVAL_MS: '5000', HA_LEASE_MAX_CLOCK_SKEW_MS: '500' });
    expect(RecoveryStep.leaseLapse('l', td, 'Daemon', fallback, TUNING).resolve()).toMatchObject({
      derivation: 'lease 20000 ms after the last renewal + 2 x clock skew 500 ms (a contender waits the skew past the expiry, by a clock up to the skew behind the holder\'s)',
      tuning: 'p (1 to 10)',
    });
    expect(RecoveryStep.leasePoll('p', td, 'Daemon', fallback, TUNING).resolve()).toMatchObject({
      derivation: 'a contender retries the lease every renew interval (5000 ms)', tuning: 'p (1 to 10)',
    });
  });

  test('synthesizedLeaseTimings: the lease name and whole-millisecond figures from the environment; anything else falls back', () => {
    const td = taskDefinition({ HA_LEASE_NAME: 'leader', HA_LEASE_DURATION_MS: '20000', HA_LEASE_RENEW_INTERVAL_MS: '5s', HA_LEASE_MAX_CLOCK_SKEW_MS: '' });
    const t = synthesizedLeaseTimings(td, 'Daemon', { leaseName: 'fallback', ...fallback });
    expect([t.leaseName, t.leaseDuration.toMilliseconds(), t.renewInterval.toMilliseconds(), t.maxClockSkew.toMilliseconds()]).toEqual(['leader', 20000, 10000, 1000]);
    const partial = taskDefinition({ HA_LEASE_DURATION_MS: '1.5', HA_LEASE_RENEW_INTERVAL_MS: '-1', HA_LEASE_MAX_CLOCK_SKEW_MS: '1000 ' });
    const p = synthesizedLeaseTimings(partial, 'Daemon', { leaseName: 'fallback', ...fallback });
    expect([p.leaseName, p.leaseDuration.toSeconds(), p.renewInterval.toSeconds(), p.maxClockSkew.toSeconds()]).toEqual(['fallback', 30, 10, 1]);
  });

  test('a container without an environment falls back', () => {
    const td = new ecs.FargateTaskDefinition(stack(), 'Td');
    td.addContainer('Daemon', { image: ecs.ContainerImage.fromRegistry('x') });
    const t = synthesizedLeaseTimings(td, 'Daemon', { leaseName: 'f', ...fallback });
    expect([t.leaseName, t.leaseDuration.toSeconds()]).toEqual(['f', 30]);
  });
});

describe('slowest', () => {
  test('on a tie the first step is the slowest; the fastest is the largest floor', () => {
    const r = RecoveryStep.slowest('either', [
      RecoveryStep.constant('first', Duration.seconds(30), 'one'),
      RecoveryStep.tunable('second', Duration.seconds(30), 'two', { prop: 'p2', floor: Duration.seconds(5) }),
      RecoveryStep.tunable('third', Duration.seconds(10), 'three', { prop: 'p2', floor: Duration.seconds(1) }),
    ]).resolve();
    expect([r.component, r.duration.toSeconds(), r.derivation, r.fastest.toSeconds(), r.tuning]).toEqual(['either', 30, 'slowest of 3: first, one', 30, 'p2']);
  });

  test('the slowest of several comes last: its derivation; no tuning when none is tunable', () => {
    const r = RecoveryStep.slowest('either', [RecoveryStep.constant('a', Duration.seconds(1), 'x'), RecoveryStep.constant('b', Duration.seconds(2), 'y')]).resolve();
    expect([r.derivation, r.tuning, r.fastest.toSeconds()]).toEqual(['slowest of 2: b, y', undefined, 2]);
  });
});

describe('sequence', () => {
  test('adds its steps up, worst case and fastest, naming each step; tunings once each', () => {
    const r = RecoveryStep.sequence('standby tasks', [
      RecoveryStep.constant('start', Duration.seconds(60), 'Fargate'),
      RecoveryStep.tunable('healthy', Duration.millis(20_500), '2 checks', { prop: 'p2', floor: Duration.seconds(10) }),
      RecoveryStep.tunable('again', Duration.seconds(5), 'x', { prop: 'p2', floor: Duration.seconds(1) }),
    ]).resolve();
    expect([r.component, r.duration.toMilliseconds(), r.fastest.toMilliseconds(), r.tuning]).toEqual(['standby tasks', 85_500, 71_000, 'p2']);
    expect(r.derivation).toBe('start 60 s (Fargate) + healthy 20.5 s (2 checks) + again 5 s (x)');
    expect(RecoveryStep.sequence('s', [RecoveryStep.constant('a', Duration.seconds(1), 'x')]).resolve().tuning).toBeUndefined();
  });

  test('names every prop that shortens one of its steps, in order, each once', () => {
    const tunable = (prop: string) => RecoveryStep.tunable(prop, Duration.seconds(5), 'x', { prop, floor: Duration.seconds(1) });
    expect(RecoveryStep.sequence('s', [tunable('p1'), tunable('p2'), tunable('p1')]).resolve().tuning).toBe('p1, p2');
  });

  test('needs at least one step', () => {
    expect(() => RecoveryStep.sequence('nothing', [])).toThrow('nothing: RecoveryStep.sequence() needs at least one step');
  });
});
