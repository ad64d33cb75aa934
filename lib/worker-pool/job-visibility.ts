import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RecoveryStep, ResolvedRecoveryStep, StepTuning } from '../core/recovery-step';
import { JobEnvironment } from '../runtime/job-protocol';

/** The default heartbeat interval: a third of the visibility timeout in whole seconds (at least 1 s). */
export function defaultHeartbeatInterval(visibilityTimeout: Duration): Duration {
  return Duration.seconds(Math.max(1, Math.floor(visibilityTimeout.toSeconds() / 3)));
}

/**
 * The environment of a container as synthesized (property overrides
 * included), by variable name.
 */
function synthesizedEnvironment(taskDefinition: ecs.TaskDefinition, containerName: string): Record<string, string> {
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const rendered = Stack.of(cfn).resolve((cfn as unknown as { _toCloudFormation(): object })._toCloudFormation()) as {
    Resources: Record<string, { Properties?: { ContainerDefinitions?: Array<{ Name?: string; Environment?: Array<{ Name?: string; Value?: unknown }> }> } }>;
  };
  const defs = Object.values(rendered.Resources)[0]?.Properties?.ContainerDefinitions;
  const env: Record<string, string> = {};
  for (const e of defs?.find(d => d.Name === containerName)?.Environment ?? []) {
    if (e.Name && typeof e.Value === 'string') env[e.Name] = e.Value;
  }
  return env;
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
    const value = synthesizedEnvironment(this.taskDefinition, this.containerName)[JobEnvironment.VISIBILITY_TIMEOUT_MS];
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
