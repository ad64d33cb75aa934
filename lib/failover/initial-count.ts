import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';

/** The part of a CloudFormation custom resource request the initial-count resource reads. */
export interface InitialCountRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly Cluster: string; readonly Service: string; readonly DesiredCount: string };
}

/** What the resource did. */
export interface InitialCountResult {
  readonly previous: number;
  readonly desired: number;
  readonly changed: boolean;
}

/**
 * The desired count of a standby service (a web tier's spare, a cold configuration
 * server) is left out of its template, so a
 * deploy during an incident keeps what the scale-up automation set. This
 * sets it instead: on Create, to the floor exactly (ECS starts a service
 * without a count at 1 task); on Update (the floor changed), raised to the
 * new floor but never lowered (the automation or an operator may have
 * scaled the spare up); on Delete, nothing.
 */
export async function applyInitialCount(ecs: ECSClient, request: InitialCountRequest): Promise<InitialCountResult | undefined> {
  if (request.RequestType === 'Delete') return undefined;
  const { Cluster: cluster, Service: service } = request.ResourceProperties;
  const desiredCount = Number(request.ResourceProperties.DesiredCount);
  if (!Number.isInteger(desiredCount) || desiredCount < 0) throw new Error(`DesiredCount must be an integer >= 0, got ${request.ResourceProperties.DesiredCount}`);
  const described = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const current = described.services?.[0];
  if (!current || current.status !== 'ACTIVE') throw new Error(`service ${service} in cluster ${cluster} is not active`);
  const previous = current.desiredCount ?? 0;
  const desired = request.RequestType === 'Create' ? desiredCount : Math.max(previous, desiredCount);
  if (desired === previous) return { previous, desired, changed: false };
  await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: desired }));
  return { previous, desired, changed: true };
}

/** The response CloudFormation expects at `ResponseURL`. */
export function customResourceResponse(request: InitialCountRequest, error?: unknown): Record<string, unknown> {
  return {
    Status: error === undefined ? 'SUCCESS' : 'FAILED',
    Reason: error === undefined ? 'OK' : String(error).slice(0, 1000),
    PhysicalResourceId: request.PhysicalResourceId ?? `${request.ResourceProperties.Cluster}/${request.ResourceProperties.Service}/initial-count`,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
  };
}

/**
 * Handles the custom resource: applies the count and PUTs the response to CloudFormation's
 * `ResponseURL` (a failure is reported as FAILED, never thrown, so the stack does not wait an hour).
 */
/** What the custom resource did, for the handler's log. */
export interface InitialCountOutcome {
  readonly request: InitialCountRequest['RequestType'];
  readonly result?: InitialCountResult;
  readonly error?: string;
}

export async function handleInitialCount(ecs: ECSClient, request: InitialCountRequest, fetcher: typeof fetch = fetch): Promise<InitialCountOutcome> {
  let result: InitialCountResult | undefined;
  let error: unknown;
  try {
    result = await applyInitialCount(ecs, request);
  } catch (e) {
    error = e;
  }
  const body = JSON.stringify(customResourceResponse(request, error));
  await fetcher(request.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) } });
  return { request: request.RequestType, result, error: error === undefined ? undefined : String(error) };
}
