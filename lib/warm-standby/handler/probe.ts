import { DataPlaneResult } from '../../failover/data-plane';
import { ProbeSample } from '../../failover/sampling';

/** What the probe connects to: the primary's direct listener on the pair's load balancer. */
export interface PrimaryProbeConfig {
  readonly host: string;
  readonly port: number;
  /** A connection not accepted in this time is a failed sample. */
  readonly timeoutMs: number;
}

/**
 * One sample of the primary, as its clients see it: a TCP connection through
 * the load balancer's direct listener of the primary (its target group only).
 * Failed when it is refused or not accepted within the timeout: the primary's
 * server does not listen, its task or zone is gone, or (with no healthy
 * target, the load balancer routes to the unhealthy one anyway) it hangs.
 */
export async function checkPrimary(config: PrimaryProbeConfig,
  tcp: (host: string, port: number, timeoutMs: number) => Promise<DataPlaneResult>): Promise<ProbeSample> {
  const result = await tcp(config.host, config.port, config.timeoutMs);
  return { unreachable: result.ok ? 0 : 1, detail: result.detail };
}
