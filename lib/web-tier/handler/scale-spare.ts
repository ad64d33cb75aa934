import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';

/** Which service to scale, and to how many tasks. */
export interface ScaleSpareInput {
  /** Cluster name or ARN of the spare service. */
  readonly cluster: string;
  /** Service name or ARN. */
  readonly service: string;
  /** Tasks the spare must run once failover starts (N+1). */
  readonly desiredCount: number;
}

/** What `scaleSpare` did. */
export interface ScaleSpareResult {
  /** Desired count before. */
  readonly previous: number;
  /** Desired count after. */
  readonly desired: number;
  /** Whether the service was updated. */
  readonly changed: boolean;
}

/** The part of an EventBridge `CloudWatch Alarm State Change` event the automation reads. */
export interface AlarmStateChangeEvent {
  readonly 'detail-type'?: string;
  readonly resources?: string[];
  readonly detail?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
}

/** Whether an event asks for the spare to be scaled up: an alarm that entered ALARM. */
export function isFailoverStart(event: AlarmStateChangeEvent): boolean {
  return event['detail-type'] === 'CloudWatch Alarm State Change' && event.detail?.state?.value === 'ALARM';
}

/**
 * Scales the spare service up to `desiredCount`. Idempotent, and never
 * scales down: a service already at or above the count is left alone (an
 * operator or auto scaling may have raised it further).
 */
export async function scaleSpare(ecs: ECSClient, input: ScaleSpareInput): Promise<ScaleSpareResult> {
  if (!Number.isInteger(input.desiredCount) || input.desiredCount < 1) {
    throw new Error(`desiredCount must be an integer >= 1, got ${input.desiredCount}`);
  }
  const described = await ecs.send(new DescribeServicesCommand({ cluster: input.cluster, services: [input.service] }));
  const service = described.services?.[0];
  if (!service || service.status !== 'ACTIVE') {
    const reason = described.failures?.[0]?.reason ?? service?.status ?? 'not found';
    throw new Error(`spare service ${input.service} in cluster ${input.cluster} is not active: ${reason}`);
  }
  const previous = service.desiredCount ?? 0;
  if (previous >= input.desiredCount) {
    return { previous, desired: previous, changed: false };
  }
  await ecs.send(new UpdateServiceCommand({ cluster: input.cluster, service: input.service, desiredCount: input.desiredCount }));
  return { previous, desired: input.desiredCount, changed: true };
}

/** What the failback's scale-back reads: the spare service, its spare count, and a check of the primary site. */
export interface ScaleBackInput {
  /** Cluster name or ARN of the spare service. */
  readonly cluster: string;
  /** Service name or ARN. */
  readonly service: string;
  /** The tasks the spare runs while it is a spare (its mode's count). */
  readonly spareCount: number;
  /** Checks of the primary site in a row that must all be healthy before the spare gives up capacity. */
  readonly checks: number;
}

/** What `scaleBack` did. */
export interface ScaleBackResult extends ScaleSpareResult {
  /** The primary site's checks, as seen from the spare's region. */
  readonly primary: string[];
}

/**
 * The failback's last step, in the spare's region: once the primary site answers its health path
 * `checks` times in a row (the data plane, seen from here), scales the spare back down to its spare
 * count. Idempotent; a spare at or below the count is left alone. When a check fails it throws and
 * changes nothing: the spare keeps serving while the primary is not back.
 */
export async function scaleBack(ecs: ECSClient, check: () => Promise<{ healthy: 0 | 1; detail: string }>, input: ScaleBackInput): Promise<ScaleBackResult> {
  if (!Number.isInteger(input.spareCount) || input.spareCount < 0) {
    throw new Error(`spareCount must be an integer >= 0, got ${input.spareCount}`);
  }
  const primary: string[] = [];
  for (let i = 0; i < Math.max(1, input.checks); i++) {
    const seen = await check();
    primary.push(seen.detail);
    if (!seen.healthy) {
      throw new Error(`the primary site is not healthy (${primary.join(', ')}): the spare ${input.service} keeps its tasks; fail back once the primary serves`);
    }
  }
  const described = await ecs.send(new DescribeServicesCommand({ cluster: input.cluster, services: [input.service] }));
  const previous = described.services?.[0]?.desiredCount ?? 0;
  if (previous <= input.spareCount) return { previous, desired: previous, changed: false, primary };
  await ecs.send(new UpdateServiceCommand({ cluster: input.cluster, service: input.service, desiredCount: input.spareCount }));
  return { previous, desired: input.spareCount, changed: true, primary };
}
