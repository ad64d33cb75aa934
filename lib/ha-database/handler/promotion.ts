import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, GlobalCluster, RDSClient, SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { PROMOTED_EVENT } from '../promoted-event';

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
 * Polls the global cluster every `pollSeconds` until `target` is its writer with no operation in
 * progress, or `timeoutSeconds` have passed: the promoter's, the turn-on's and the failback's wait.
 */
export async function waitForWriter(
  rds: RDSClient, target: PromotionTarget, timing: { readonly timeoutSeconds: number; readonly pollSeconds: number },
  now: () => number, sleep: (ms: number) => Promise<void>,
): Promise<{ promoted: boolean; waitedSeconds: number; seen: string }> {
  const start = now();
  for (;;) {
    const state = promotionState(await describeGlobalCluster(rds, target.globalClusterIdentifier), target.targetClusterArn);
    const waitedSeconds = Math.round((now() - start) / 1000);
    if (state.promoted || waitedSeconds >= timing.timeoutSeconds) return { promoted: state.promoted, waitedSeconds, seen: state.seen };
    await sleep(timing.pollSeconds * 1000);
  }
}

/**
 * Starts the promotion of `target` (`FailoverGlobalCluster`), idempotently: nothing is called when
 * it is already the writer or its promotion is under way. Returns whether it called, and what it saw.
 */
export async function startPromotion(rds: RDSClient, target: PromotionTarget, allowDataLoss: boolean): Promise<{ changed: boolean; detail: string }> {
  return startUnlessUnderWay(rds, target, async () => {
    await rds.send(new FailoverGlobalClusterCommand({
      GlobalClusterIdentifier: target.globalClusterIdentifier, TargetDbClusterIdentifier: target.targetClusterArn, AllowDataLoss: allowDataLoss,
    }));
    return `FailoverGlobalCluster ${target.globalClusterIdentifier} -> ${target.targetClusterArn}${allowDataLoss ? ' (AllowDataLoss)' : ''}`;
  });
}

/** Starts a planned switchover to `target` (`SwitchoverGlobalCluster`: waits for the secondary to catch up, no data loss). */
export async function startSwitchover(rds: RDSClient, target: PromotionTarget): Promise<{ changed: boolean; detail: string }> {
  return startUnlessUnderWay(rds, target, async () => {
    await rds.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: target.globalClusterIdentifier, TargetDbClusterIdentifier: target.targetClusterArn }));
    return `SwitchoverGlobalCluster ${target.globalClusterIdentifier} -> ${target.targetClusterArn} (no data loss)`;
  });
}

/** Runs `call` (it returns what it called) unless `target` is already the writer or its promotion is under way. */
async function startUnlessUnderWay(rds: RDSClient, target: PromotionTarget, call: () => Promise<string>): Promise<{ changed: boolean; detail: string }> {
  const state = promotionState(await describeGlobalCluster(rds, target.globalClusterIdentifier), target.targetClusterArn);
  if (state.promoted) {
    return { changed: false, detail: `${target.targetClusterArn} is already the writer of ${target.globalClusterIdentifier}` };
  }
  if (state.towardsTarget) {
    return { changed: false, detail: `promotion of ${target.targetClusterArn} already ${state.operation}` };
  }
  return { changed: true, detail: `${await call()}; was: ${state.seen}` };
}

export { PROMOTED_EVENT };

/**
 * Why the promoter runs: its own probe alarm (a confirmed loss of the writer), a consumer's request, or a
 * consumer's request for a switchover only (a graceful Region switch execution: never a failover with data loss).
 */
export type PromotionReason = 'alarm' | 'request' | 'switchover-request';

/** The promoter's settings (from its function's environment). */
export interface PromoterConfig extends PromotionTarget {
  /** The probe alarm whose ALARM state is the confirmed, data-plane loss of the primary writer. */
  readonly probeAlarmName: string;
  /** How long to wait for the promotion to complete. */
  readonly timeoutSeconds: number;
  /** Seconds between two `DescribeGlobalClusters` calls while waiting. */
  readonly pollSeconds: number;
}

/** The promoter's clients: RDS and CloudWatch of its own region, its region's default event bus, and one probe sample. */
export interface PromoterClients {
  readonly rds: RDSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly events: EventBridgeClient;
  /** One sample of the primary writer (the probe's): whether it is lost right now, not yet confirmed by the alarm. */
  readonly sample: () => Promise<{ readonly unreachable: 0 | 1; readonly detail: string }>;
}

/** What the promoter did. */
export interface PromotionResult {
  /**
   * `failover` (AllowDataLoss), `switchover` (no data loss), or `deferred`: asked while the writer
   * looks lost but the probe alarm has not confirmed it, the promoter leaves the promotion to that
   * alarm (a switchover would fail without the primary, and a failover is not yet confirmed).
   */
  readonly mode: 'failover' | 'switchover' | 'deferred';
  readonly changed: boolean;
  readonly detail: string;
  /** Seconds waited until the global cluster named the target its writer. */
  readonly waitedSeconds: number;
}

/**
 * The one automatic promoter of a global database, in the secondary region:
 * - the mode: a failover with data loss (`FailoverGlobalCluster`, `AllowDataLoss`) only when its
 *   probe alarm is in ALARM (a data-plane loss of the writer confirmed from this region: invoked by
 *   that alarm, or the alarm's state read when a consumer asks); when a consumer asks and one probe
 *   sample says the writer serves (or gives no signal), a switchover (`SwitchoverGlobalCluster`),
 *   which loses nothing; when the sample says the writer is lost but the alarm has not confirmed it
 *   yet, nothing (`deferred`): the alarm, once it fires, promotes;
 * - then it waits until the global cluster names the target its writer with no operation in
 *   progress, and announces it (`PROMOTED_EVENT` on this region's default bus) so that every
 *   consumer of the writer follows in the same workflow. Idempotent: an already promoted target is
 *   announced again, a promotion under way is waited for.
 */
export async function promote(
  clients: PromoterClients, config: PromoterConfig, reason: PromotionReason, requestedBy: string,
  now: () => number = () => Date.now(),
  sleep: (ms: number) => Promise<void> = ms => new Promise(resolve => setTimeout(resolve, ms)),
): Promise<PromotionResult> {
  // A switchover-only request (a graceful execution) never fails over, whatever the alarm says.
  const switchoverOnly = reason === 'switchover-request';
  const confirmedLoss = !switchoverOnly && (reason === 'alarm' || await alarmIsFiring(clients.cloudwatch, config.probeAlarmName));
  if (!confirmedLoss) {
    const already = promotionState(await describeGlobalCluster(clients.rds, config.globalClusterIdentifier), config.targetClusterArn);
    const sample = already.promoted || already.towardsTarget ? undefined : await clients.sample();
    if (sample?.unreachable) {
      const detail = switchoverOnly
        ? `the primary writer looks lost (${sample.detail}): a switchover needs it, and a switchover-only request never fails over with data loss; ` +
          'the probe alarm\'s own failover (autoFailover) or the Failover runbook promotes'
        : `the primary writer looks lost (${sample.detail}) but the probe alarm has not confirmed it: it promotes once it does`;
      return { mode: 'deferred', changed: false, detail, waitedSeconds: 0 };
    }
  }
  const mode = confirmedLoss ? 'failover' : 'switchover';
  // Read again (in startPromotion / startSwitchover): the alarm's own run may have started a failover while the sample ran.
  const started = confirmedLoss ? await startPromotion(clients.rds, config, true) : await startSwitchover(clients.rds, config);
  const { promoted, waitedSeconds, seen } = await waitForWriter(clients.rds, config, config, now, sleep);
  if (!promoted) {
    throw new Error(`${config.targetClusterArn} is not the writer of ${config.globalClusterIdentifier} after ${waitedSeconds} s (${seen}); ` +
      (mode === 'switchover' ? 'a switchover needs the primary region: if it is lost, its probe alarm starts a failover' : 're-run the promoter'));
  }
  await clients.events.send(new PutEventsCommand({
    Entries: [{
      Source: PROMOTED_EVENT.source, DetailType: PROMOTED_EVENT.detailType, Resources: [config.targetClusterArn],
      Detail: JSON.stringify({ globalClusterIdentifier: config.globalClusterIdentifier, targetClusterArn: config.targetClusterArn, mode, requestedBy }),
    }],
  }));
  return { mode, changed: started.changed, detail: started.detail, waitedSeconds };
}

/** Whether the alarm named `alarmName` (in this region) is in ALARM. */
async function alarmIsFiring(cloudwatch: CloudWatchClient, alarmName: string): Promise<boolean> {
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm'] }));
  return out.MetricAlarms?.[0]?.StateValue === 'ALARM';
}
