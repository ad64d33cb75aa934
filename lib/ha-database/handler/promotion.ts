import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, GlobalCluster, RDSClient } from '@aws-sdk/client-rds';

/** What to promote. */
export interface PromotionTarget {
  /** The Aurora global cluster. */
  readonly globalClusterIdentifier: string;
  /** ARN of the secondary cluster to promote. */
  readonly targetClusterArn: string;
}

/** How far a promotion of `target` has come, as the global cluster reports it. */
export interface PromotionState {
  /** `target` is a writer and no switchover or failover is in progress. */
  readonly promoted: boolean;
  /** The switchover or failover in progress, if any (`pending`, `failing-over`, ...). */
  readonly operation?: string;
  /** Whether the operation in progress promotes `target`. */
  readonly towardsTarget: boolean;
  /** What was seen, for messages. */
  readonly seen: string;
}

/**
 * Whether `target` is a writer of the global cluster with no switchover or failover in progress, and what
 * was seen. (After a failover with the primary region gone the old primary may still be listed until it returns.)
 */
export function promotionState(cluster: GlobalCluster, target: string): PromotionState {
  const writers = (cluster.GlobalClusterMembers ?? []).filter(m => m.IsWriter).map(m => m.DBClusterArn);
  const operation = cluster.FailoverState?.Status;
  return {
    promoted: writers.includes(target) && !operation,
    operation,
    towardsTarget: operation !== undefined && cluster.FailoverState?.ToDbClusterArn === target,
    seen: `writer ${writers.join(', ') || 'none'}, operation ${operation ?? 'none'}, status ${cluster.Status ?? 'unknown'}`,
  };
}

/** The global cluster, as `rds` describes it. */
export async function describeGlobalCluster(rds: RDSClient, globalClusterIdentifier: string, abortSignal?: AbortSignal): Promise<GlobalCluster> {
  const out = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterIdentifier }), { abortSignal });
  const cluster = out.GlobalClusters?.[0];
  if (!cluster) throw new Error(`global cluster ${globalClusterIdentifier} not found`);
  return cluster;
}

/**
 * Starts the promotion of `target` (`FailoverGlobalCluster`), idempotently: nothing is called when
 * it is already the writer or its promotion is under way. Returns whether it called, and what it saw.
 */
export async function startPromotion(rds: RDSClient, target: PromotionTarget, allowDataLoss: boolean): Promise<{ changed: boolean; detail: string }> {
  const state = promotionState(await describeGlobalCluster(rds, target.globalClusterIdentifier), target.targetClusterArn);
  if (state.promoted) {
    return { changed: false, detail: `${target.targetClusterArn} is already the writer of ${target.globalClusterIdentifier}` };
  }
  if (state.towardsTarget) {
    return { changed: false, detail: `promotion of ${target.targetClusterArn} already ${state.operation}` };
  }
  await rds.send(new FailoverGlobalClusterCommand({
    GlobalClusterIdentifier: target.globalClusterIdentifier, TargetDbClusterIdentifier: target.targetClusterArn, AllowDataLoss: allowDataLoss,
  }));
  return {
    changed: true,
    detail: `FailoverGlobalCluster ${target.globalClusterIdentifier} -> ${target.targetClusterArn}${allowDataLoss ? ' (AllowDataLoss)' : ''}; was: ${state.seen}`,
  };
}
