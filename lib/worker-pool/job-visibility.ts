import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RecoveryStep, ResolvedRecoveryStep, StepTuning } from '../core/recovery-step';
import { renderedContainerEnvironment } from '../private/rendered';
import { JobEnvironment } from '../runtime/job-protocol';

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
