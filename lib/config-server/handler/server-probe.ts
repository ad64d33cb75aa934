import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { confirmedLoss, ControlPlaneResult, DataPlaneResult } from '../../failover/data-plane';
import { ProbeSample, withTimeout } from '../../failover/sampling';

/** The live server the probe watches, from the standby region. */
export interface ServerProbeConfig {
  /** The primary region's ECS cluster (name). */
  readonly cluster: string;
  /** The live server's ECS service (name). */
  readonly service: string;
  /** The writer's health check, by its stable name (`http://<writer name><health path>`), reached through the network link. */
  readonly url: string;
  /** A call without an answer in this time is a failed sample. */
  readonly timeoutMs: number;
}

/**
 * One sample of the live server, seen from the standby region: two checks side by side within the
 * timeout, the data plane (the writer's health check through its stable name, over the network
 * link between the VPCs) and the control plane (the primary region's ECS API: a running task). The
 * sample fails only when the health check fails and the ECS API does not say the server runs
 * (`confirmedLoss`): an ECS API brownout alone never turns the standby on.
 */
export async function checkPrimaryServer(ecs: ECSClient, config: ServerProbeConfig,
  http: (url: string, timeoutMs: number) => Promise<DataPlaneResult>): Promise<ProbeSample> {
  const [data, control] = await Promise.all([http(config.url, config.timeoutMs), controlPlane(ecs, config)]);
  return confirmedLoss(data, control);
}

async function controlPlane(ecs: ECSClient, config: ServerProbeConfig): Promise<ControlPlaneResult> {
  try {
    const out = await withTimeout(config.timeoutMs, signal =>
      ecs.send(new DescribeServicesCommand({ cluster: config.cluster, services: [config.service] }), { abortSignal: signal }));
    const service = out.services?.[0];
    if (!service) return { state: 'down', detail: `${config.service} not found in ${config.cluster}` };
    const running = service.runningCount ?? 0;
    return running >= 1
      ? { state: 'serving', detail: `${config.service}: ${running} running task(s)` }
      : { state: 'down', detail: `${config.service}: no running task (desired ${service.desiredCount ?? 0})` };
  } catch (e) {
    return { state: 'error', detail: e instanceof Error ? e.message : String(e) };
  }
}
