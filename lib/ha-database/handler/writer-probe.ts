import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
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

/** RDS clients: one for the primary region's endpoint, one for this (the secondary) region's. */
export interface WriterProbeClients {
  readonly primary: RDSClient;
  readonly local: RDSClient;
}

/**
 * One sample of the primary writer, seen from the secondary region:
 * - when this region's cluster is already the global writer there is nothing to fail over (serving);
 * - otherwise the primary region's RDS endpoint must answer in time that the primary cluster has a
 *   writer and a status it serves in. No answer (the region is lost, or cut off from this one), no
 *   writer or a status Aurora does not repair is a failed sample.
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
  try {
    const out = await withTimeout(config.timeoutMs, signal =>
      clients.primary.send(new DescribeDBClustersCommand({ DBClusterIdentifier: config.primaryClusterIdentifier }), { abortSignal: signal }));
    const cluster = out.DBClusters?.[0];
    if (!cluster) return { unreachable: 1, detail: `${config.primaryClusterIdentifier} not found` };
    const writer = (cluster.DBClusterMembers ?? []).find(m => m.IsClusterWriter)?.DBInstanceIdentifier;
    if (!writer) return { unreachable: 1, detail: `${config.primaryClusterIdentifier} has no writer (status ${cluster.Status})` };
    if (UNSERVING_CLUSTER_STATUSES.includes(cluster.Status ?? '')) {
      return { unreachable: 1, detail: `${config.primaryClusterIdentifier} is ${cluster.Status}` };
    }
    return { unreachable: 0, detail: `${config.primaryClusterIdentifier} ${cluster.Status}, writer ${writer}` };
  } catch (e) {
    return { unreachable: 1, detail: e instanceof Error ? e.message : String(e) };
  }
}
