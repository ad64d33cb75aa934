import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { RecoveryStep, ResolvedRecoveryStep } from '../core/recovery-step';
import { renderedProperties } from '../private/rendered';
import { PROBE_ENV } from './probe-env';

/**
 * How a cross-region probe samples the primary region from a standby region.
 *
 * CloudWatch alarms read only their own region's metrics, so an alarm on the
 * primary's metrics cannot see the primary region go, from anywhere that
 * survives it. The probe runs in the standby region instead: a function the
 * schedule starts every minute (EventBridge's finest schedule) samples the
 * primary through its region's API every `interval` for `run`, and publishes
 * each sample at high resolution (embedded metric format, StorageResolution 1),
 * so its alarm may use 10-second periods (an alarm's period can only be
 * shorter than a minute on a high-resolution metric).
 */
export const PROBE_SAMPLING = {
  /** Between two samples: two samples in each 10-second alarm period. */
  interval: Duration.seconds(5),
  /** A call without an answer in this time is a failed sample. */
  timeout: Duration.seconds(2),
  /** How long one scheduled invocation samples (the next starts a minute after it). */
  run: Duration.seconds(55),
  /** The probe alarm's period: the shortest CloudWatch evaluates, on a high-resolution metric. */
  alarmPeriod: Duration.seconds(10),
} as const;

/** The sampling settings as a probe function's environment. */
export function probeEnvironment(): Record<string, string> {
  return {
    [PROBE_ENV.INTERVAL_MS]: String(PROBE_SAMPLING.interval.toMilliseconds()),
    [PROBE_ENV.TIMEOUT_MS]: String(PROBE_SAMPLING.timeout.toMilliseconds()),
    [PROBE_ENV.RUN_MS]: String(PROBE_SAMPLING.run.toMilliseconds()),
  };
}

/** A probe function's timeout: its sampling run, two more sample timeouts and some slack. */
export const PROBE_FUNCTION_TIMEOUT = Duration.seconds(PROBE_SAMPLING.run.toSeconds() + 2 * PROBE_SAMPLING.timeout.toSeconds() + 10);

/** The schedule that starts the probe every minute (no retry: the next minute samples again). */
export function addProbeSchedule(scope: Construct, id: string, fn: lambda.IFunction, description: string): events.Rule {
  return new events.Rule(scope, id, {
    description,
    schedule: events.Schedule.rate(Duration.minutes(1)),
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
  });
}

/** The name of a probe's metric: namespace, metric and dimension. */
export interface ProbeMetricName {
  readonly namespace: string;
  readonly name: string;
  readonly dimension: string;
}

/**
 * The probe's samples (1 = unreachable), minimum over the alarm period: 1 only
 * when every sample of the period failed. High resolution, in the probe's region.
 */
export function probeMetric(metric: ProbeMetricName, dimensionValue: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: metric.namespace, metricName: metric.name, dimensionsMap: { [metric.dimension]: dimensionValue },
    statistic: 'Minimum', period: PROBE_SAMPLING.alarmPeriod, ...options,
  });
}

/** How many samples the probe published per minute: 0 when it stopped (its alarm then sees nothing). */
export function probeSamplesMetric(metric: ProbeMetricName, dimensionValue: string): cloudwatch.Metric {
  return probeMetric(metric, dimensionValue, { statistic: 'SampleCount', period: Duration.minutes(1) });
}

/**
 * The probe's part of detection before its alarm counts: the first alarm
 * period in which every sample fails starts up to one period after the
 * failure, and its last sample is recorded once it times out. Read from the
 * synthesized function (its sampling environment) and alarm, so escape
 * hatches count; validated: a sample interval longer than the alarm period
 * would leave periods without samples, which the alarm reads as serving.
 */
export class ProbeSamplingStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly fn: lambda.IFunction, private readonly alarm: cloudwatch.IAlarm) {
    super();
  }

  /** The sampling as synthesized: interval, timeout (ms) and the alarm's period (s). */
  public settings(): { intervalMs: number; timeoutMs: number; periodSeconds: number } {
    const variables = ((renderedProperties(this.fn.node.defaultChild as lambda.CfnFunction).Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {});
    const ms = (name: string, fallback: Duration) => (/^\d+$/.test(String(variables[name])) ? Number(variables[name]) : fallback.toMilliseconds());
    const period = renderedProperties(this.alarm.node.defaultChild as cloudwatch.CfnAlarm).Period;
    return {
      intervalMs: ms(PROBE_ENV.INTERVAL_MS, PROBE_SAMPLING.interval),
      timeoutMs: ms(PROBE_ENV.TIMEOUT_MS, PROBE_SAMPLING.timeout),
      periodSeconds: typeof period === 'number' ? period : PROBE_SAMPLING.alarmPeriod.toSeconds(),
    };
  }

  public resolve(): ResolvedRecoveryStep {
    const s = this.settings();
    const duration = Duration.millis(s.periodSeconds * 1000 + s.timeoutMs);
    return {
      component: this.component,
      duration,
      fastest: duration,
      derivation: `up to one ${s.periodSeconds} s alarm period before the first period in which every sample (one every ${s.intervalMs} ms) fails, ` +
        `+ the last sample's ${s.timeoutMs} ms timeout`,
    };
  }

  /** Errors when the samples are further apart than the alarm's period. */
  public validate(owner: IConstruct, prop: string): string[] {
    const s = this.settings();
    return s.intervalMs > s.periodSeconds * 1000 || s.timeoutMs >= s.intervalMs
      ? [new HaValidationError(owner, {
        prop, received: `a sample every ${s.intervalMs} ms with a ${s.timeoutMs} ms timeout, alarm period ${s.periodSeconds} s`,
        expected: 'samples at most one alarm period apart, each timing out before the next: a period without a sample reads as serving, so the alarm would not fire',
      }).message]
      : [];
  }
}

