import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ProbeSample, withTimeout } from '../../failover/sampling';

/** The live server the probe watches, from the standby region. */
export interface ServerProbeConfig {
  /** The primary region's ECS cluster (name). */
  readonly cluster: string;
  /** The live server's ECS service (name). */
  readonly service: string;
  /** A call without an answer in this time is a failed sample. */
  readonly timeoutMs: number;
}

/**
 * One sample of the live server, seen from the standby region through the primary
 * region's ECS endpoint: serving while the service answers with at least one running
 * task. No answer (the region is lost, or cut off from this one), no service or no
 * running task is a failed sample.
 */
export async function checkPrimaryServer(ecs: ECSClient, config: ServerProbeConfig): Promise<ProbeSample> {
  try {
    const out = await withTimeout(config.timeoutMs, signal =>
      ecs.send(new DescribeServicesCommand({ cluster: config.cluster, services: [config.service] }), { abortSignal: signal }));
    const service = out.services?.[0];
    if (!service) return { unreachable: 1, detail: `${config.service} not found in ${config.cluster}` };
    const running = service.runningCount ?? 0;
    return running >= 1
      ? { unreachable: 0, detail: `${config.service}: ${running} running task(s)` }
      : { unreachable: 1, detail: `${config.service}: no running task (desired ${service.desiredCount ?? 0})` };
  } catch (e) {
    return { unreachable: 1, detail: e instanceof Error ? e.message : String(e) };
  }
}
