import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { RecoveryStep, ResolvedRecoveryStep, StepTuning } from '../core/recovery-step';
import { isDuration } from '../core/validation';
import { renderedContainerEnvironment } from '../private/rendered';
import { JobEnvironment } from '../runtime/job-protocol';

/**
 * The shortest visibility timeout the pool accepts: the library's choice, not
 * an SQS limit (SQS takes 0 s), so that a heartbeat of a few seconds leaves
 * room for a slow or retried `ChangeMessageVisibility` call.
 */
export const MIN_VISIBILITY_TIMEOUT = Duration.seconds(10);

/** The default heartbeat interval: a third of the visibility timeout in whole seconds (at least 1 s). */
export function defaultHeartbeatInterval(visibilityTimeout: Duration): Duration {
  return Duration.seconds(Math.max(1, Math.floor(visibilityTimeout.toSeconds() / 3)));
}

/**
 * Time for the job of a dead worker to reappear: at most one visibility
 * timeout after the worker's last receipt or heartbeat. Read from the
 * synthesized queue (`VisibilityTimeout`, the first receipt) and the worker
 * container's `HA_JOB_VISIBILITY_TIMEOUT_MS` (what each heartbeat extends
 * by), whichever is longer, so escape-hatch overrides of either count.
 */
export class JobVisibilityStep extends RecoveryStep {
  constructor(public readonly component: string, private readonly queue: sqs.IQueue, private readonly taskDefinition: ecs.TaskDefinition,
    private readonly containerName: string, private readonly tuning?: StepTuning) {
    super();
  }

  public resolve(): ResolvedRecoveryStep {
    const fromQueue = RecoveryStep.queueVisibilityTimeout(this.component, this.queue, this.tuning).resolve();
    const value = renderedContainerEnvironment(this.taskDefinition, this.containerName)[JobEnvironment.VISIBILITY_TIMEOUT_MS];
    const extension = value !== undefined && /^\d+$/.test(value) ? Duration.millis(Number(value)) : undefined;
    if (extension === undefined) return fromQueue;
    const queueMs = fromQueue.duration.toMilliseconds();
    const duration = extension.toMilliseconds() > queueMs ? extension : fromQueue.duration;
    return {
      ...fromQueue,
      duration,
      derivation: `visibility timeout of the queue ${queueMs / 1000} s, each heartbeat extends it by ${extension.toMilliseconds() / 1000} s ` +
        `(${JobEnvironment.VISIBILITY_TIMEOUT_MS}): a dead worker's job reappears at most ${duration.toMilliseconds() / 1000} s after its last receipt or heartbeat`,
      fastest: this.tuning ? Duration.millis(Math.min(this.tuning.floor.toMilliseconds(), duration.toMilliseconds())) : duration,
    };
  }
}

/** Throws unless a duration is whole seconds (SQS takes the visibility timeout in seconds). */
export function requireWholeSeconds(scope: Construct, prop: string, value: Duration | undefined): void {
  if (value === undefined || !isDuration(value) || value.isUnresolved()) return;
  if (value.toMilliseconds() % 1000 !== 0) {
    throw new HaValidationError(scope, { prop, received: value, expected: 'whole seconds, e.g. Duration.seconds(60): SQS takes the visibility timeout in seconds' });
  }
}

/** The heartbeat must land before the visibility it extends ends; long jobs must not look like a stuck queue. */
export function validateJobTimings(scope: Construct, visibilityTimeout: Duration, heartbeatInterval: Duration, maxJobDuration: Duration, maxJobAge: Duration): void {
  if ([visibilityTimeout, heartbeatInterval, maxJobDuration, maxJobAge].some(d => d.isUnresolved())) return;
  const vt = visibilityTimeout.toMilliseconds();
  const interval = heartbeatInterval.toMilliseconds();
  if (interval >= vt) {
    throw new HaValidationError(scope, {
      prop: 'heartbeatInterval',
      received: heartbeatInterval,
      expected: `less than visibilityTimeout (${visibilityTimeout.toHumanString()}), ideally at most half of it: each heartbeat must extend the job ` +
        'before its visibility ends, or the job reappears while its worker still runs it; shorten heartbeatInterval or lengthen visibilityTimeout',
    });
  }
  if (interval > vt / 2) {
    addHaWarning(scope, 'worker-pool-heartbeat-margin',
      `${scope.node.path}: heartbeatInterval (${heartbeatInterval.toHumanString()}) is more than half of visibilityTimeout ` +
      `(${visibilityTimeout.toHumanString()}): one slow or retried ChangeMessageVisibility call can let a running job reappear and run twice. ` +
      'Use at most half (the default is a third).');
  }
  if (maxJobDuration.toMilliseconds() >= maxJobAge.toMilliseconds()) {
    addHaWarning(scope, 'worker-pool-job-outlives-age-alarm',
      `${scope.node.path}: maxJobDuration (${maxJobDuration.toHumanString()}) is not below maxJobAge (${maxJobAge.toHumanString()}): ` +
      'SQS counts running jobs in the age of the oldest message, so a long job on a live worker raises OldestJobAgeAlarm (a failover trigger). ' +
      'Raise maxJobAge above maxJobDuration plus the longest wait in the queue.');
  }
}
