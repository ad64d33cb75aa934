import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';

/** What the takeover function works on (from its environment). */
export interface TakeoverConfig {
  /** The cluster of both servers. */
  readonly cluster: string;
  /** The primary server's service name. */
  readonly primaryService: string;
  /** Name of the SSM Automation runbook that points the stable listeners at the secondary. */
  readonly runbook: string;
}

/** The AWS clients the function uses (injected, so tests mock them). */
export interface TakeoverClients {
  readonly ecs: ECSClient;
  readonly ssm: SSMClient;
}

/** The fields of an `ECS Task State Change` event the function reads. */
export interface TaskStateChangeEvent {
  readonly detail?: {
    readonly taskArn?: string;
    readonly group?: string;
    readonly desiredStatus?: string;
    readonly lastStatus?: string;
    readonly stopCode?: string;
    readonly stoppedReason?: string;
  };
}

/** What the function decided. */
export interface TakeoverDecision {
  /** Whether it started the takeover runbook. */
  readonly switched: boolean;
  /** Why, in one sentence. */
  readonly reason: string;
  /** The runbook's execution, when started. */
  readonly executionId?: string;
}

/**
 * Takes over when the primary server's only task is stopping: a task of
 * the primary service is going to STOPPED and no other task of that
 * service runs, so nothing serves behind the primary's target group until
 * ECS has started a replacement and the load balancer found it healthy.
 * Then it starts the runbook that points the stable listeners at the warm
 * secondary. When another primary task runs (a deployment stopping the old
 * task once the new one is healthy, a new task failing while the old one
 * serves, ECS replacing an unhealthy task once its replacement is healthy),
 * it does nothing. Idempotent: ECS sends one event per state of the
 * stopping task, and the runbook only sets the listeners' targets.
 */
export async function takeOverIfPrimaryGone(clients: TakeoverClients, config: TakeoverConfig, event: TaskStateChangeEvent): Promise<TakeoverDecision> {
  const detail = event.detail ?? {};
  if (detail.desiredStatus !== 'STOPPED' || detail.group !== `service:${config.primaryService}` || !detail.taskArn) {
    return { switched: false, reason: `not a stopping task of the primary service ${config.primaryService} (group ${detail.group}, desired status ${detail.desiredStatus})` };
  }
  const listed = await clients.ecs.send(new ListTasksCommand({ cluster: config.cluster, serviceName: config.primaryService, desiredStatus: 'RUNNING' }));
  const others = (listed.taskArns ?? []).filter(arn => arn !== detail.taskArn);
  const described = others.length > 0 ? await clients.ecs.send(new DescribeTasksCommand({ cluster: config.cluster, tasks: others })) : { tasks: [] };
  const running = (described.tasks ?? []).filter(t => t.lastStatus === 'RUNNING').map(t => t.taskArn);
  if (running.length > 0) {
    return { switched: false, reason: `the primary still runs ${running.join(', ')} while ${detail.taskArn} stops: no takeover` };
  }
  const started = await clients.ssm.send(new StartAutomationExecutionCommand({ DocumentName: config.runbook, DocumentVersion: '$DEFAULT' }));
  return {
    switched: true,
    reason: `no other task of the primary runs while ${detail.taskArn} stops (${detail.stopCode ?? 'no stop code'}: ${detail.stoppedReason ?? 'no reason yet'}): ` +
      `started ${config.runbook} to point the listeners at the secondary`,
    executionId: started.AutomationExecutionId,
  };
}
