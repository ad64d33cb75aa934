import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { synthesizedLeaseTimings } from '../private/lease-settings';
import { renderedProperties } from '../private/rendered';
import { ServiceTime } from './service-time';

/**
 * The prop that shortens a step, and the step's figure with that prop at
 * its limit. A recovery target error names it.
 */
export interface StepTuning {
  /** The prop, as the user writes it, with its limit: `failureThreshold (1 to 10)`. */
  readonly prop: string;
  /** The step's figure with the prop at its limit. */
  readonly floor: Duration;
  /**
   * The prop that sets how many samples in a row the step waits for (alarm
   * periods, health-check failures or checks), and the values it accepts.
   * With it, a missed target names the value that meets it.
   * @default the number of samples is not a prop: a missed target names `prop` down to `floor`
   */
  readonly samples?: TuningKnob;
  /**
   * The prop that sets the seconds the step waits per sample (an interval)
   * or in all (a TTL), and the values it accepts, in seconds.
   * @default the seconds are not a prop: a missed target names `prop` down to `floor`
   */
  readonly seconds?: TuningKnob;
  /**
   * What an automation does when this step decides on a single sample (it
   * loses data or moves traffic): synthesis then warns
   * `cdk-ha-patterns:<slug>` with the flapping risk, and a missed target's
   * advice prefers settings that keep two samples or more.
   * @default the step sets off nothing that loses data or moves traffic
   */
  readonly singleSample?: SingleSampleRisk;
}

/** A prop of a step's figure and the values a missed target's advice may propose for it. */
export interface TuningKnob {
  /** The prop, as the user writes it: `turnOnDetectionPeriods`, `healthCheckInterval`. */
  readonly prop: string;
  /** The values it accepts, in the step's unit (samples, or seconds), e.g. `[1, 2, 3, 4, 5, 6]`. */
  readonly values: number[];
}

/** An automation that acts on a step's decision, and what it does. */
export interface SingleSampleRisk {
  /** The warning's slug: `cdk-ha-patterns:<slug>`. */
  readonly slug: string;
  /** What the automation does on the decision, e.g. `turns the cold standby on`. */
  readonly action: string;
}

/**
 * How a step's figure follows from its settings: seconds x samples, each
 * possibly set by a prop. A missed target's advice combines these.
 */
export interface StepModel {
  /** Seconds per sample (an interval, an alarm period), or in all when `samples` is 1 and not a decision (a TTL). */
  readonly seconds: number;
  /** Samples in a row the step waits for (1 for a TTL). */
  readonly samples: number;
  /** Whether the step decides on samples (a detection), so that 1 is a single-sample decision. */
  readonly sampled: boolean;
  /**
   * The prop that sets `seconds`.
   * @default none
   */
  readonly secondsKnob?: TuningKnob;
  /**
   * The prop that sets `samples`.
   * @default none
   */
  readonly samplesKnob?: TuningKnob;
  /**
   * The automation that acts on the decision.
   * @default none
   */
  readonly singleSample?: SingleSampleRisk;
  /** The path of the construct the settings are read from (an alarm, a health check, a target group, a record). */
  readonly source: string;
}

/** A step of a recovery path, resolved to a figure. */
export interface ResolvedRecoveryStep {
  /** The component that spends this time, e.g. `Route 53 health check (eu-west-1)`. */
  readonly component: string;
  /** How the figure follows from the settings, e.g. `10 s interval x 3 failures`. */
  readonly derivation: string;
  /** Worst-case time (for a recovery path) or data lost (for a data-loss bound). */
  readonly duration: Duration;
  /** The fastest this step can be configured to: `tuning.floor`, or `duration` when nothing shortens it. */
  readonly fastest: Duration;
  /**
   * The prop that shortens the step.
   * @default nothing shortens it (an AWS service time)
   */
  readonly tuning?: string;
  /**
   * How the figure follows from the settings, for a missed target's advice
   * and the single-sample warning.
   * @default not modelled: the advice names `tuning` down to `fastest`
   */
  readonly model?: StepModel;
}

/** Lease timings a lease-lapse step falls back to when the task definition does not show them. */
export interface LeaseStepSettings {
  /** How long an acquisition or renewal holds the lease. */
  readonly leaseDuration: Duration;
  /** How often the holder renews and contenders retry. */
  readonly renewInterval: Duration;
  /** Largest difference between two participants' clocks. */
  readonly maxClockSkew: Duration;
}

/**
 * One step of a recovery path (or one data-loss bound). The catalogue's
 * steps read the synthesized settings when they are resolved, so
 * escape-hatch overrides count and no pattern recomputes a figure.
 * Extend this class for a step the catalogue does not have.
 */
export abstract class RecoveryStep {
  /** A figure known up front that no setting shortens (a user's estimate, an architectural zero). */
  public static constant(component: string, duration: Duration, derivation: string): RecoveryStep {
    return new FixedStep(component, duration, derivation);
  }

  /** A figure known at construction that a prop shortens. */
  public static tunable(component: string, duration: Duration, derivation: string, tuning: StepTuning): RecoveryStep {
    return new FixedStep(component, duration, derivation, tuning);
  }

  /** A documented AWS service time (see `ServiceTime`). */
  public static serviceTime(time: ServiceTime, component?: string): RecoveryStep {
    return new FixedStep(component ?? time.name, time.duration, time.source);
  }

  /** The time a replacement Fargate task takes to start (`ServiceTime.FARGATE_TASK_START`). */
  public static fargateTaskStart(component = 'Fargate task start'): RecoveryStep {
    return RecoveryStep.serviceTime(ServiceTime.FARGATE_TASK_START, component);
  }

  /**
   * Time for a metric alarm to go into ALARM once its condition holds:
   * period x datapoints to alarm (evaluation periods when not set), read
   * from the synthesized alarm (metric math: the longest period).
   */
  public static alarmEvaluation(component: string, alarm: cloudwatch.IAlarm, tuning?: StepTuning): RecoveryStep {
    return new AlarmEvaluationStep(component, alarm, tuning);
  }

  /**
   * Time for a Route 53 health check to declare an endpoint unhealthy:
   * request interval x failure threshold.
   */
  public static route53HealthCheck(component: string, healthCheck: route53.IHealthCheck, tuning?: StepTuning): RecoveryStep {
    return new Route53HealthCheckStep(component, healthCheck, tuning);
  }

  /**
   * Time for resolvers to drop a cached answer: the record's TTL, or for an
   * alias record the target's TTL (`ServiceTime.ALIAS_RECORD_CACHE`, 60 s),
   * which no setting of the record shortens.
   */
  public static dnsTtl(component: string, record: route53.IRecordSet, tuning?: StepTuning): RecoveryStep {
    return new DnsTtlStep(component, record, tuning);
  }

  /**
   * Time for a load balancer to take an unhealthy target out of service:
   * health-check interval x unhealthy threshold.
   */
  public static targetGroupUnhealthy(component: string, targetGroup: elbv2.ITargetGroup, tuning?: StepTuning): RecoveryStep {
    return new TargetGroupStep(component, targetGroup, 'unhealthy', tuning);
  }

  /**
   * Time for a load balancer to send requests to a new target:
   * health-check interval x healthy threshold.
   */
  public static targetGroupHealthy(component: string, targetGroup: elbv2.ITargetGroup, tuning?: StepTuning): RecoveryStep {
    return new TargetGroupStep(component, targetGroup, 'healthy', tuning);
  }

  /**
   * Time for a dead lease holder's lease to lapse for the others: lease
   * duration + 2 x clock skew (a contender waits out the skew past the
   * expiry, by a clock up to the skew behind the holder's), read from the
   * container's `HA_LEASE_*` environment.
   */
  public static leaseLapse(component: string, taskDefinition: ecs.TaskDefinition, containerName: string,
    settings: LeaseStepSettings, tuning?: StepTuning): RecoveryStep {
    return new LeaseStep(component, taskDefinition, containerName, settings, 'lapse', tuning);
  }

  /** Time for a contender to notice a free lease: one renew interval, read from the container's environment. */
  public static leasePoll(component: string, taskDefinition: ecs.TaskDefinition, containerName: string,
    settings: LeaseStepSettings, tuning?: StepTuning): RecoveryStep {
    return new LeaseStep(component, taskDefinition, containerName, settings, 'poll', tuning);
  }

  /**
   * A data-loss bound (or wait) given by an alarm's threshold read as a
   * time: threshold x `unit` (for example a replication-lag alarm in
   * milliseconds: `Duration.millis(1)`).
   */
  public static alarmThreshold(component: string, alarm: cloudwatch.IAlarm, unit: Duration, tuning?: StepTuning): RecoveryStep {
    return new AlarmThresholdStep(component, alarm, unit, tuning);
  }

  /** Time for a message held by a dead consumer to reappear: the queue's visibility timeout. */
  public static queueVisibilityTimeout(component: string, queue: sqs.IQueue, tuning?: StepTuning): RecoveryStep {
    return new QueueVisibilityStep(component, queue, tuning);
  }

  /** `steps` one after the other, as one step (for a branch of `slowest()`, or a part of a path that has its own name). */
  public static sequence(component: string, steps: RecoveryStep[]): RecoveryStep {
    return new SequenceStep(component, steps);
  }

  /** The slowest of `steps` (for a path that waits for whichever of them comes last). */
  public static slowest(component: string, steps: RecoveryStep[]): RecoveryStep {
    return new SlowestStep(component, steps);
  }

  /** The component the step belongs to. */
  public abstract readonly component: string;

  /** Computes the figure from the current settings. */
  public abstract resolve(): ResolvedRecoveryStep;
}

/** A resolved step from its parts. */
function resolved(component: string, duration: Duration, derivation: string, tuning?: StepTuning, model?: StepModel): ResolvedRecoveryStep {
  return {
    component,
    duration,
    derivation,
    fastest: tuning ? Duration.millis(Math.min(tuning.floor.toMilliseconds(), duration.toMilliseconds())) : duration,
    tuning: tuning?.prop,
    model,
  };
}

/** The model of a step read as seconds x samples from `source`, with the tuning's knobs. */
function modelOf(source: IConstruct, seconds: number, samples: number, sampled: boolean, tuning?: StepTuning): StepModel {
  return { source: source.node.path, seconds, samples, sampled, secondsKnob: tuning?.seconds, samplesKnob: tuning?.samples, singleSample: tuning?.singleSample };
}

class FixedStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly duration: Duration, private readonly derivation: string,
    private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    return resolved(this.component, this.duration, this.derivation, this.tuning);
  }
}

class AlarmEvaluationStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly alarm: cloudwatch.IAlarm, private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    // As synthesized: an escape hatch on the alarm (addPropertyOverride) counts.
    const r = renderedProperties(metricAlarmOf(this.component, this.alarm)) as {
      Period?: number; EvaluationPeriods: number; DatapointsToAlarm?: number; Metrics?: Array<{ MetricStat?: { Period?: number }; Period?: number }>;
    };
    const period = r.Period ?? Math.max(60, ...(r.Metrics ?? []).map(x => x.MetricStat?.Period ?? x.Period ?? 60));
    const datapoints = r.DatapointsToAlarm ?? r.EvaluationPeriods;
    return resolved(this.component, Duration.seconds(period * datapoints),
      `${datapoints} x ${period} s evaluation period${datapoints === 1 ? '' : 's'}`, this.tuning,
      modelOf(this.alarm, period, datapoints, true, this.tuning));
  }
}

class Route53HealthCheckStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly healthCheck: route53.IHealthCheck, private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const cfn = this.healthCheck.node.defaultChild as route53.CfnHealthCheck | undefined;
    if (!cfn) throw new Error(`${this.component}: an imported health check has no settings to compute from`);
    const config = Stack.of(cfn).resolve(cfn.healthCheckConfig) as { requestInterval?: number; failureThreshold?: number };
    // Route 53 defaults: 30 s interval, 3 failures.
    const interval = config.requestInterval ?? 30;
    const failures = config.failureThreshold ?? 3;
    return resolved(this.component, Duration.seconds(interval * failures), `${interval} s interval x ${failures} failures`, this.tuning,
      modelOf(this.healthCheck, interval, failures, true, this.tuning));
  }
}

class DnsTtlStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly record: route53.IRecordSet, private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const cfn = this.record.node.defaultChild as route53.CfnRecordSet;
    const r = Stack.of(cfn).resolve({ ttl: cfn.ttl, alias: cfn.aliasTarget }) as { ttl?: string; alias?: unknown };
    if (r.alias !== undefined) {
      const alias = ServiceTime.ALIAS_RECORD_CACHE;
      return resolved(this.component, alias.duration, `alias record: ${alias.source}`);
    }
    // Route 53 requires a TTL on non-alias records; CDK's default is 30 minutes.
    const ttl = Number(r.ttl ?? 1800);
    return resolved(this.component, Duration.seconds(ttl), `record TTL ${ttl} s`, this.tuning, modelOf(this.record, ttl, 1, false, this.tuning));
  }
}

class TargetGroupStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly targetGroup: elbv2.ITargetGroup,
    private readonly kind: 'healthy' | 'unhealthy', private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const cfn = this.targetGroup.node.defaultChild as elbv2.CfnTargetGroup;
    const r = Stack.of(cfn).resolve({
      interval: cfn.healthCheckIntervalSeconds,
      healthy: cfn.healthyThresholdCount,
      unhealthy: cfn.unhealthyThresholdCount,
    }) as { interval?: number; healthy?: number; unhealthy?: number };
    // Elastic Load Balancing defaults: 30 s interval, 5 healthy and 2 unhealthy checks.
    const interval = r.interval ?? 30;
    const threshold = this.kind === 'healthy' ? r.healthy ?? 5 : r.unhealthy ?? 2;
    return resolved(this.component, Duration.seconds(interval * threshold), `${interval} s interval x ${threshold} ${this.kind} checks`, this.tuning,
      modelOf(this.targetGroup, interval, threshold, this.kind === 'unhealthy', this.tuning));
  }
}

class LeaseStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly taskDefinition: ecs.TaskDefinition, private readonly containerName: string,
    private readonly settings: LeaseStepSettings, private readonly kind: 'lapse' | 'poll', private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const s = synthesizedLeaseTimings(this.taskDefinition, this.containerName, { leaseName: '', ...this.settings });
    if (this.kind === 'poll') {
      return resolved(this.component, s.renewInterval, `a contender retries the lease every renew interval (${s.renewInterval.toMilliseconds()} ms)`, this.tuning);
    }
    const skew = s.maxClockSkew.toMilliseconds();
    return resolved(this.component, Duration.millis(s.leaseDuration.toMilliseconds() + 2 * skew),
      `lease ${s.leaseDuration.toMilliseconds()} ms after the last renewal + 2 x clock skew ${skew} ms ` +
      '(a contender waits the skew past the expiry, by a clock up to the skew behind the holder\'s)', this.tuning);
  }
}

function metricAlarmOf(component: string, alarm: cloudwatch.IAlarm): cloudwatch.CfnAlarm {
  const cfn = alarm.node.defaultChild;
  if (!(cfn instanceof cloudwatch.CfnAlarm)) {
    throw new Error(`${component}: ${alarm.node.path} is not a metric alarm defined in this app; its settings cannot be read`);
  }
  return cfn;
}

class AlarmThresholdStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly alarm: cloudwatch.IAlarm, private readonly unit: Duration,
    private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const threshold = Number(renderedProperties(metricAlarmOf(this.component, this.alarm)).Threshold);
    const ms = threshold * this.unit.toMilliseconds();
    return resolved(this.component, Duration.millis(ms), `alarm threshold ${threshold} x ${this.unit.toMilliseconds()} ms = ${ms / 1000} s`, this.tuning);
  }
}

class QueueVisibilityStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly queue: sqs.IQueue, private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const cfn = this.queue.node.defaultChild as sqs.CfnQueue;
    // SQS default: 30 s.
    const secs = (Stack.of(cfn).resolve(cfn.visibilityTimeout) as number | undefined) ?? 30;
    return resolved(this.component, Duration.seconds(secs), `visibility timeout of the queue ${secs} s: the dead consumer's message reappears`, this.tuning);
  }
}

class SequenceStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly steps: RecoveryStep[]) {
    super();
    if (steps.length === 0) throw new Error(`${component}: RecoveryStep.sequence() needs at least one step`);
  }

  public resolve(): ResolvedRecoveryStep {
    const all = this.steps.map(s => s.resolve());
    const sum = (f: (s: ResolvedRecoveryStep) => Duration) => Duration.millis(all.reduce((t, s) => t + f(s).toMilliseconds(), 0));
    return {
      component: this.component,
      duration: sum(s => s.duration),
      fastest: sum(s => s.fastest),
      derivation: all.map(s => `${s.component} ${s.duration.toMilliseconds() / 1000} s (${s.derivation})`).join(' + '),
      tuning: [...new Set(all.filter(s => s.tuning).map(s => s.tuning))].join(', ') || undefined,
    };
  }
}

class SlowestStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly steps: RecoveryStep[]) {
    super();
    if (steps.length === 0) throw new Error(`${component}: RecoveryStep.slowest() needs at least one step`);
  }

  public resolve(): ResolvedRecoveryStep {
    const all = this.steps.map(s => s.resolve());
    const worst = all.reduce((a, b) => (b.duration.toMilliseconds() > a.duration.toMilliseconds() ? b : a));
    const fastest = Math.max(...all.map(s => s.fastest.toMilliseconds()));
    return {
      component: this.component,
      duration: worst.duration,
      derivation: `slowest of ${all.length}: ${worst.component}, ${worst.derivation}`,
      fastest: Duration.millis(fastest),
      tuning: [...new Set(all.filter(s => s.tuning).map(s => s.tuning))].join(', ') || undefined,
    };
  }
}
