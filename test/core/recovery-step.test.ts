import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RecoveryStep, ServiceTime } from '../../lib';
import { testApp, testEnv } from '../harness';

const metric = new cloudwatch.Metric({ namespace: 'N', metricName: 'M', period: Duration.minutes(1) });
const stack = () => new Stack(testApp(), 'S', { env: testEnv() });

describe('RecoveryStep catalogue', () => {
  test.each([
    [{ evaluationPeriods: 3 }, 180, '3 x 60 s evaluation periods'],
    [{ evaluationPeriods: 5, datapointsToAlarm: 2 }, 120, '2 x 60 s evaluation periods'],
    [{ evaluationPeriods: 1 }, 60, '1 x 60 s evaluation period'],
  ])('alarmEvaluation reads period x datapoints to alarm: %o', (opts, seconds, derivation) => {
    const alarm = metric.createAlarm(stack(), 'A', { threshold: 1, ...opts });
    expect(RecoveryStep.alarmEvaluation('a', alarm).resolve()).toMatchObject({ derivation });
    expect(RecoveryStep.alarmEvaluation('a', alarm).resolve().duration.toSeconds()).toBe(seconds);
  });

  test('alarmEvaluation of metric math uses the longest period', () => {
    const expr = new cloudwatch.MathExpression({ expression: 'a + b', usingMetrics: { a: metric, b: metric.with({ period: Duration.minutes(5) }) }, period: Duration.minutes(5) });
    const alarm = expr.createAlarm(stack(), 'A', { threshold: 1, evaluationPeriods: 2 });
    expect(RecoveryStep.alarmEvaluation('a', alarm).resolve().duration.toSeconds()).toBe(600);
  });

  test('alarmEvaluation refuses a composite alarm', () => {
    const s = stack();
    const composite = new cloudwatch.CompositeAlarm(s, 'C', { alarmRule: cloudwatch.AlarmRule.anyOf(metric.createAlarm(s, 'A', { threshold: 1, evaluationPeriods: 1 })) });
    expect(() => RecoveryStep.alarmEvaluation('c', composite).resolve()).toThrow(/S\/C is not a metric alarm/);
  });

  test('alarmThreshold reads the threshold as a time', () => {
    const alarm = metric.createAlarm(stack(), 'A', { threshold: 2500, evaluationPeriods: 1 });
    const r = RecoveryStep.alarmThreshold('lag', alarm, Duration.millis(1), { prop: 'lagThreshold', floor: Duration.seconds(1) }).resolve();
    expect(r.duration.toMilliseconds()).toBe(2500);
    expect(r).toMatchObject({ tuning: 'lagThreshold' });
    expect(r.fastest.toMilliseconds()).toBe(1000);
  });

  function targetGroup(healthCheck?: elbv2.HealthCheck) {
    const s = stack();
    const vpc = new ec2.Vpc(s, 'Vpc');
    return new elbv2.ApplicationTargetGroup(s, 'Tg', { vpc, port: 80, targetType: elbv2.TargetType.IP, healthCheck });
  }

  test('target group steps read interval x healthy and unhealthy thresholds', () => {
    const tg = targetGroup({ interval: Duration.seconds(10), healthyThresholdCount: 3, unhealthyThresholdCount: 4 });
    expect(RecoveryStep.targetGroupHealthy('h', tg).resolve()).toMatchObject({ derivation: '10 s interval x 3 healthy checks' });
    expect(RecoveryStep.targetGroupUnhealthy('u', tg).resolve()).toMatchObject({ derivation: '10 s interval x 4 unhealthy checks' });
  });

  test('target group steps fall back to the Elastic Load Balancing defaults (30 s, 5 healthy, 2 unhealthy)', () => {
    const tg = targetGroup();
    expect(RecoveryStep.targetGroupHealthy('h', tg).resolve().duration.toSeconds()).toBe(150);
    expect(RecoveryStep.targetGroupUnhealthy('u', tg).resolve().duration.toSeconds()).toBe(60);
  });

  test('dnsTtl: a record TTL is tunable; an alias record costs the fixed 60 s alias cache whatever the tuning', () => {
    const s = stack();
    const zone = new route53.PublicHostedZone(s, 'Zone', { zoneName: 'example.com' });
    const cname = new route53.CnameRecord(s, 'C', { zone, recordName: 'a', domainName: 'b.example.com', ttl: Duration.seconds(20) });
    const vpc = new ec2.Vpc(s, 'Vpc');
    const alb = new elbv2.ApplicationLoadBalancer(s, 'Alb', { vpc });
    const alias = new route53.ARecord(s, 'Alias', { zone, recordName: 'c', target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(alb)) });
    const tuning = { prop: 'recordTtl', floor: Duration.seconds(0) };
    expect(RecoveryStep.dnsTtl('c', cname, tuning).resolve()).toMatchObject({ derivation: 'record TTL 20 s', tuning: 'recordTtl' });
    const a = RecoveryStep.dnsTtl('a', alias, tuning).resolve();
    expect(a.duration.toSeconds()).toBe(ServiceTime.ALIAS_RECORD_CACHE.duration.toSeconds());
    expect(a.fastest.toSeconds()).toBe(60);
    expect(a.tuning).toBeUndefined();
  });

  test('lease steps read the container environment, escape-hatch overrides included', () => {
    const s = stack();
    const td = new ecs.FargateTaskDefinition(s, 'Td');
    td.addContainer('Daemon', {
      image: ecs.ContainerImage.fromRegistry('x'),
      environment: { HA_LEASE_DURATION_MS: '20000', HA_LEASE_RENEW_INTERVAL_MS: '5000', HA_LEASE_MAX_CLOCK_SKEW_MS: '500' },
    });
    const fallback = { leaseDuration: Duration.seconds(30), renewInterval: Duration.seconds(10), maxClockSkew: Duration.seconds(1) };
    expect(RecoveryStep.leaseLapse('l', td, 'Daemon', fallback).resolve().duration.toMilliseconds()).toBe(20000 + 2 * 500);
    expect(RecoveryStep.leasePoll('p', td, 'Daemon', fallback).resolve().duration.toMilliseconds()).toBe(5000);
    (td.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride('ContainerDefinitions.0.Environment.0.Value', '9000');
    expect(RecoveryStep.leaseLapse('l', td, 'Daemon', fallback).resolve().duration.toMilliseconds()).toBe(9000 + 2 * 500);
    // Another container: the fallback settings.
    expect(RecoveryStep.leaseLapse('l', td, 'Other', fallback).resolve().duration.toMilliseconds()).toBe(30000 + 2 * 1000);
  });

  test('queueVisibilityTimeout reads the queue (SQS default 30 s)', () => {
    const s = stack();
    expect(RecoveryStep.queueVisibilityTimeout('q', new sqs.Queue(s, 'Q', { visibilityTimeout: Duration.seconds(90) })).resolve().duration.toSeconds()).toBe(90);
    expect(RecoveryStep.queueVisibilityTimeout('q', new sqs.Queue(s, 'D')).resolve().duration.toSeconds()).toBe(30);
  });

  test('slowest takes the worst duration and the largest floor of its steps', () => {
    const r = RecoveryStep.slowest('either', [
      RecoveryStep.tunable('a', Duration.seconds(40), 'a', { prop: 'pa', floor: Duration.seconds(10) }),
      RecoveryStep.tunable('b', Duration.seconds(30), 'b', { prop: 'pb', floor: Duration.seconds(20) }),
    ]).resolve();
    expect([r.duration.toSeconds(), r.fastest.toSeconds()]).toEqual([40, 20]);
    expect(r.tuning).toBe('pa, pb');
    expect(() => RecoveryStep.slowest('none', [])).toThrow(/at least one step/);
  });

  test('service times and fixed figures are not tunable; a floor above the figure is clamped to it', () => {
    const fargate = RecoveryStep.fargateTaskStart().resolve();
    expect([fargate.duration.toSeconds(), fargate.fastest.toSeconds(), fargate.tuning]).toEqual([60, 60, undefined]);
    expect(fargate.derivation).toContain('AWS Fargate documentation');
    const clamped = RecoveryStep.tunable('t', Duration.seconds(5), 'd', { prop: 'p', floor: Duration.seconds(9) }).resolve();
    expect(clamped.fastest.toSeconds()).toBe(5);
  });
});
