/**
 * The cross-region probes' sampling settings (lib/failover/cross-region-probe.ts):
 * what every probe function is deployed with, its timeout, and the detection
 * step read back from the synthesized function and alarm.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { addProbeSchedule, PROBE_FUNCTION_TIMEOUT, PROBE_SAMPLING, probeEnvironment, probeMetric, probeSamplesMetric, ProbeSamplingStep } from '../../lib/failover/cross-region-probe';
import { testApp, testEnv } from '../harness';

function probe(environment: Record<string, string>, alarmPeriod = Duration.seconds(10)) {
  const stack = new Stack(testApp(), 'Probe', { env: testEnv() });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
    timeout: PROBE_FUNCTION_TIMEOUT, environment,
  });
  const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
    metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M', period: alarmPeriod, statistic: 'Minimum' }), threshold: 1, evaluationPeriods: 3,
  });
  return { stack, step: new ProbeSamplingStep('probe', fn, alarm) };
}

test('every probe function is deployed with the sampling the detection figure is computed from: a sample every 5 s, 2 s timeout, 55 s runs', () => {
  expect(probeEnvironment()).toStrictEqual({ PROBE_INTERVAL_MS: '5000', PROBE_TIMEOUT_MS: '2000', PROBE_RUN_MS: '55000' });
  expect(PROBE_SAMPLING.alarmPeriod.toSeconds()).toBe(10);
  // Two samples in each alarm period, each answered (or timed out) before the next.
  expect(PROBE_SAMPLING.interval.toSeconds() * 2).toBeLessThanOrEqual(PROBE_SAMPLING.alarmPeriod.toSeconds());
  expect(PROBE_SAMPLING.timeout.toMilliseconds()).toBeLessThan(PROBE_SAMPLING.interval.toMilliseconds());
});

test('a probe function may run for its 55 s of sampling, two more sample timeouts and 10 s of slack: 69 s', () => {
  expect(PROBE_FUNCTION_TIMEOUT.toSeconds()).toBe(69);
  const { stack } = probe(probeEnvironment());
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Timeout: 69, Environment: { Variables: probeEnvironment() } });
});

test('the detection step reads the sampling from the synthesized function and alarm: one alarm period plus the last sample\'s timeout', () => {
  const { step } = probe(probeEnvironment());
  expect(step.settings()).toStrictEqual({ intervalMs: 5000, timeoutMs: 2000, periodSeconds: 10 });
  expect(step.resolve()).toMatchObject({
    duration: Duration.millis(12000),
    derivation: 'up to one 10 s alarm period before the first period in which every sample (one every 5000 ms) fails, + the last sample\'s 2000 ms timeout',
  });
});

test('an escape hatch on the function\'s environment or the alarm\'s period counts; a missing or malformed value falls back to the defaults', () => {
  const overridden = probe({ PROBE_INTERVAL_MS: '3000', PROBE_TIMEOUT_MS: '1500' }, Duration.seconds(30));
  expect(overridden.step.settings()).toStrictEqual({ intervalMs: 3000, timeoutMs: 1500, periodSeconds: 30 });
  expect(overridden.step.resolve().duration.toMilliseconds()).toBe(31500);
  for (const [interval, timeout] of [['3 s', ''], ['about 3000', '-1500'], ['3000.5', '1e3']]) {
    const malformed = probe({ PROBE_INTERVAL_MS: interval, PROBE_TIMEOUT_MS: timeout });
    expect(malformed.step.settings()).toStrictEqual({ intervalMs: 5000, timeoutMs: 2000, periodSeconds: 10 });
  }
});

test('the schedule starts the probe function every minute, without retries (the next minute samples again)', () => {
  const { stack } = probe(probeEnvironment());
  const fn = stack.node.findChild('Fn') as lambda.Function;
  addProbeSchedule(stack, 'Schedule', fn, 'probes the primary');
  Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
    Description: 'probes the primary',
    ScheduleExpression: 'rate(1 minute)',
    Targets: [{ Arn: { 'Fn::GetAtt': [stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction), 'Arn'] }, Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 0 } }],
  });
});

test('the probe metric is the one the probe publishes: its namespace, name and dimension, the minimum over the alarm period; the sample count per minute', () => {
  const published = { namespace: 'CdkHaPatterns/Probe', name: 'Unreachable', dimension: 'Service' };
  const failing = probeMetric(published, 'orders-server');
  expect([failing.namespace, failing.metricName, failing.dimensions, failing.statistic, failing.period.toSeconds()])
    .toEqual(['CdkHaPatterns/Probe', 'Unreachable', { Service: 'orders-server' }, 'Minimum', 10]);
  const samples = probeSamplesMetric(published, 'orders-server');
  expect([samples.namespace, samples.metricName, samples.dimensions, samples.statistic, samples.period.toSeconds()])
    .toEqual(['CdkHaPatterns/Probe', 'Unreachable', { Service: 'orders-server' }, 'SampleCount', 60]);
});

test('validate: samples at most one alarm period apart, each timing out before the next; the error names the sampling found', () => {
  const check = (interval: string, timeout: string) => {
    const { stack, step } = probe({ PROBE_INTERVAL_MS: interval, PROBE_TIMEOUT_MS: timeout });
    return step.validate(stack, 'probe');
  };
  expect(check('10000', '9999')).toEqual([]);
  expect(check('5000', '2000')).toEqual([]);
  expect(check('10001', '2000')).toEqual(["Probe: invalid prop 'probe': received \"a sample every 10001 ms with a 2000 ms timeout, alarm period 10 s\"; " +
    'expected samples at most one alarm period apart, each timing out before the next: a period without a sample reads as serving, so the alarm would not fire']);
  expect(check('5000', '5000')).toEqual([expect.stringContaining('a sample every 5000 ms with a 5000 ms timeout, alarm period 10 s')]);
});
