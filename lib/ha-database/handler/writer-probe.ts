import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { confirmedLoss, ControlPlaneResult, DataPlaneResult } from '../../failover/data-plane';
import { ProbeSample, withTimeout } from '../../failover/sampling';
import { describeGlobalCluster, promotionState, PromotionTarget } from './promotion';

/**
 * Cluster statuses in which the primary cannot serve and Aurora does not
 * repair it by itself (its own in-region failover shows as `failing-over`,
 * which counts as serving: the in-region path handles it).
 */
export const UNSERVING_CLUSTER_STATUSES = ['inaccessible-encryption-credentials', 'inaccessible-encryption-credentials-recoverable', 'stopped'];

/** What the probe watches, from the secondary region. */
export interface WriterProbeConfig extends PromotionTarget {
  /** Identifier of the primary cluster, in `primaryRegion`. */
  readonly primaryClusterIdentifier: string;
  /** A call without an answer in this time is a failed sample. */
  readonly timeoutMs: number;
}

/**
 * Where the probe keeps the primary writer's endpoint (`host:port`) between samples and invocations,
 * so that the data-plane check still knows where to connect once the primary region's API is gone.
 */
export interface EndpointCache {
  get(): Promise<string | undefined>;
  set(endpoint: string): Promise<void>;
}

/** RDS clients (one for the primary region's endpoint, one for this region's), the endpoint cache and the data-plane check. */
export interface WriterProbeClients {
  readonly primary: RDSClient;
  readonly local: RDSClient;
  readonly endpoints: EndpointCache;
  /** Opens a TCP connection to the writer (through the network link between the regions). */
  readonly connect: (host: string, port: number, timeoutMs: number) => Promise<DataPlaneResult>;
}

/**
 * One sample of the primary writer, seen from the secondary region:
 * - when this region's cluster is already the global writer there is nothing to fail over (serving);
 * - otherwise two checks run side by side within the timeout: the data plane (a TCP connection to
 *   the writer endpoint, through the network link) and the control plane (the primary region's RDS
 *   API: a writer in a status it serves in). The sample fails only when the data plane fails and the
 *   control plane does not say the writer serves (`confirmedLoss`): API errors alone never fail it.
 */
export async function checkPrimaryWriter(clients: WriterProbeClients, config: WriterProbeConfig): Promise<ProbeSample> {
  try {
    const global = await withTimeout(config.timeoutMs, signal => describeGlobalCluster(clients.local, config.globalClusterIdentifier, signal));
    if (promotionState(global, config.targetClusterArn).promoted) {
      return { unreachable: 0, detail: `${config.targetClusterArn} is already the writer: nothing to fail over` };
    }
  } catch {
    // Not known here: the primary's answer decides.
  }
  const cached = await clients.endpoints.get().catch(() => undefined);
  const [control, cachedData] = await Promise.all([
    controlPlane(clients.primary, config),
    cached ? dataPlane(clients, cached, config.timeoutMs) : Promise.resolve(undefined),
  ]);
  let data = cachedData;
  if (control.endpoint && control.endpoint !== cached) {
    await clients.endpoints.set(control.endpoint).catch(() => undefined);
    // A moved endpoint (or none known yet): the data plane is checked where the API says the writer is.
    data = await dataPlane(clients, control.endpoint, config.timeoutMs);
  }
  return confirmedLoss(data, control);
}

async function dataPlane(clients: WriterProbeClients, endpoint: string, timeoutMs: number): Promise<DataPlaneResult> {
  const at = endpoint.lastIndexOf(':');
  return clients.connect(endpoint.slice(0, at), Number(endpoint.slice(at + 1)), timeoutMs);
}

/** The primary region's RDS API on the primary cluster, and the writer endpoint it names (`host:port`). */
async function controlPlane(primary: RDSClient, config: WriterProbeConfig): Promise<ControlPlaneResult & { endpoint?: string }> {
  try {
    const out = await withTimeout(config.timeoutMs, signal =>
      primary.send(new DescribeDBClustersCommand({ DBClusterIdentifier: config.primaryClusterIdentifier }), { abortSignal: signal }));
    const cluster = out.DBClusters?.[0];
    if (!cluster) return { state: 'down', detail: `${config.primaryClusterIdentifier} not found` };
    const endpoint = cluster.Endpoint && cluster.Port ? `${cluster.Endpoint}:${cluster.Port}` : undefined;
    const writer = (cluster.DBClusterMembers ?? []).find(m => m.IsClusterWriter)?.DBInstanceIdentifier;
    if (!writer) return { state: 'down', endpoint, detail: `${config.primaryClusterIdentifier} has no writer (status ${cluster.Status})` };
    if (UNSERVING_CLUSTER_STATUSES.includes(cluster.Status ?? '')) {
      return { state: 'down', endpoint, detail: `${config.primaryClusterIdentifier} is ${cluster.Status}` };
    }
    return { state: 'serving', endpoint, detail: `${config.primaryClusterIdentifier} ${cluster.Status}, writer ${writer}` };
  } catch (e) {
    return { state: 'error', detail: e instanceof Error ? e.message : String(e) };
  }
}
