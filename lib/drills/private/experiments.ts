/**
 * The FIS experiments of each pattern: which fault proves each path, and
 * what alarm means customers are hurt beyond the path's promise.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { ActiveActiveCells, ActiveActiveCellsPath } from '../../cells/active-active-cells';
import { ColdStandbyConfigServer } from '../../config-server/cold-standby-config-server';
import { ColdStandbyConfigServerPath } from '../../config-server/cold-standby-config-server-props';
import { FailureKind } from '../../core/failure-scenario';
import { HaPattern } from '../../core/ha-pattern';
import { human } from '../../failover/drill-support/figures';
import { HaDatabase } from '../../ha-database/ha-database';
import { HaDatabasePath } from '../../ha-database/ha-database-props';
import { HotStandbyConsumer, HotStandbyConsumerPath } from '../../hot-standby/hot-standby-consumer';
import { MultiSiteActiveActive, MultiSiteActiveActivePath } from '../../multi-site/multi-site-active-active';
import { SingletonDaemon, SingletonDaemonPath } from '../../singleton/singleton-daemon';
import { StandbyServerRole } from '../../warm-standby/standby-server-role';
import { WarmStandbyPair } from '../../warm-standby/warm-standby-pair';
import { WarmStandbyPairPath } from '../../warm-standby/warm-standby-pair-props';
import { ActiveSpareWebTier } from '../../web-tier/active-spare-web-tier';
import { ActiveSpareWebTierPath } from '../../web-tier/active-spare-web-tier-props';
import { WebTierSite, WebTierSitePath } from '../../web-tier/web-tier-site';
import { WorkerPool, WorkerPoolPath } from '../../worker-pool/worker-pool';
import { FaultAction, TargetSelection } from '../fault-action';
import { FaultExperiment } from '../fault-experiment';
import { DrillsContext, scenariosOf, handled, purpose, gap, regionId } from './drill-context';

// ---- FIS experiments, pattern by pattern

export function singleton(ctx: DrillsContext, p: SingletonDaemon): void {
  const path = SingletonDaemonPath.TASK_FAILURE;
  const s = handled(p, path, FailureKind.TASK_LOSS);
  if (!s) return;
  const total = p.recoveryObjectives.path(path).total;
  // Which task holds the lease is decided at run time (after any takeover, the standby service's): the runbook reads it.
  experiment(ctx, p, Stack.of(p.service), 'TaskLoss', {
    actions: [FaultAction.stopLeaseHolder({ table: p.leaseTable.table, leaseName: p.leaseName, cluster: p.cluster, description: p.node.path })],
    stopAlarms: [p.failoverAlarm],
    purpose: purpose(p, [path], s, total,
      `the '${path}' path: when the lease holder's task stops (whichever contender holds the lease when the drill runs), ` +
      `${p.standbyService ? 'the standby' : 'a replacement'} takes the lease and acts within ${human(total)}`,
      `the task named by the lease item stops; the lease metrics show a new acquisition by another task within ${human(total)} of the stop; ECS replaces the stopped task; the failover alarm stays OK.`),
  });
}

export function hotStandby(ctx: DrillsContext, p: HotStandbyConsumer): void {
  const path = HotStandbyConsumerPath.LEADER_FAILURE;
  const total = p.recoveryObjectives.path(path).total;
  const [a] = p.services;
  const task = handled(p, path, FailureKind.TASK_LOSS);
  if (task && a) {
    // Which consumer leads is decided at run time: the runbook reads the lease item and stops the leader's task only.
    experiment(ctx, p, Stack.of(a), 'TaskLoss', {
      actions: [FaultAction.stopLeaseHolder({ table: p.leaseTable.table, leaseName: p.leaseName, cluster: p.cluster, description: p.node.path })],
      stopAlarms: [p.failoverAlarm],
      purpose: purpose(p, [path], task, total,
        `the '${path}' path: stopping the leader's task (whichever consumer holds the lease when the drill runs) hands the lease to the standby within ${human(total)}`,
        `the task named by the lease item stops; the other consumer holds the lease within ${human(total)} (LeaseHeld back to 1, a takeover counted) and resumes after the last checkpoint; NoLeader stays OK.`),
    });
  }
  const zone = handled(p, path, FailureKind.ZONE_LOSS);
  if (zone && p.availabilityZones.length >= 2) {
    const d = faultDuration(ctx, total);
    const [za, zb] = p.availabilityZones;
    experiment(ctx, p, Stack.of(a), 'ZoneLoss', {
      actions: [FaultAction.disruptZone(p.cluster.vpc, za, d), FaultAction.wait(Duration.minutes(1)), FaultAction.disruptZone(p.cluster.vpc, zb, d)],
      stopAlarms: [p.failoverAlarm],
      purpose: purpose(p, [path], zone, total,
        `the '${path}' path survives the loss of either zone: the consumer in the other zone leads within ${human(total)} (${za} cut off for ${human(d)}, then ${zb})`,
        `while each zone is cut off, the consumer in the other zone holds the lease within ${human(total)}; NoLeader stays OK; everything else in the cut-off subnets loses the network too.`),
    });
  }
}

export function workerPool(ctx: DrillsContext, p: WorkerPool): void {
  const path = WorkerPoolPath.DEAD_WORKER;
  const s = handled(p, path, FailureKind.TASK_LOSS);
  if (!s) return;
  const total = p.recoveryObjectives.path(path).total;
  experiment(ctx, p, Stack.of(p.service), 'TaskLoss', {
    actions: [FaultAction.stopTasks(p.service, TargetSelection.count(1))],
    stopAlarms: [p.failoverAlarm],
    purpose: purpose(p, [path], s, total,
      `the '${path}' path: a job held by a stopped worker runs again on another worker within ${human(total)}`,
      `the stopped worker's job is visible in the queue again within ${human(total)} and completes; nothing reaches the dead-letter queue; the failover alarm stays OK.`),
  });
}

export function webTierSite(ctx: DrillsContext, p: WebTierSite): void {
  const spare = p.runningTasks <= p.activeCapacity;
  const task = handled(p, WebTierSitePath.TASK, FailureKind.TASK_LOSS);
  const zone = handled(p, WebTierSitePath.ZONE, FailureKind.ZONE_LOSS);
  if (spare) {
    const reason = `the site runs ${p.runningTasks} task(s) for a load of ${p.activeCapacity} (a spare): the fault would hurt nothing a customer sees; drill the primary site.`;
    if (task) gap(ctx, p, WebTierSitePath.TASK, task, reason);
    if (zone) gap(ctx, p, WebTierSitePath.ZONE, zone, reason);
    return;
  }
  if (task) {
    const path = WebTierSitePath.TASK;
    const total = p.recoveryObjectives.path(path).total;
    experiment(ctx, p, Stack.of(p.service), 'TaskLoss', {
      actions: [FaultAction.stopTasks(p.service, TargetSelection.count(1))],
      stopAlarms: [p.failoverAlarm],
      purpose: purpose(p, [path], task, total,
        `the '${path}' path: the site keeps serving while one of its ${p.runningTasks} tasks is replaced (${human(total)})`,
        `no more 5xx than usual; the target group drains one target and registers a healthy replacement within ${human(total)}; the site's failover alarm stays OK.`),
    });
  }
  const [az] = p.vpc.availabilityZones;
  if (zone && az) {
    const path = WebTierSitePath.ZONE;
    const total = p.recoveryObjectives.path(path).total;
    const d = faultDuration(ctx, total);
    experiment(ctx, p, Stack.of(p.service), 'ZoneLoss', {
      actions: [FaultAction.disruptZone(p.vpc, az, d)],
      stopAlarms: [p.failoverAlarm],
      purpose: purpose(p, [path], zone, total,
        `the '${path}' path: with ${az} cut off for ${human(d)}, the tasks of the other zone(s) serve and ECS replaces the lost ones within ${human(total)}`,
        `the load balancer stops routing to ${az} and healthy replacements register in the other zone(s) within ${human(total)}; the site's failover alarm stays OK; ` +
        'everything else in the cut-off subnets loses the network too.'),
    });
  }
}

export function webTierRegionLoss(ctx: DrillsContext, p: ActiveSpareWebTier): void {
  const paths = [ActiveSpareWebTierPath.DNS, ActiveSpareWebTierPath.BROWSER];
  const s = handled(p, ActiveSpareWebTierPath.DNS, FailureKind.REGION_LOSS);
  if (!s) return;
  const dns = p.recoveryObjectives.path(ActiveSpareWebTierPath.DNS).total;
  const browser = p.recoveryObjectives.path(ActiveSpareWebTierPath.BROWSER).total;
  const worst = Duration.millis(Math.max(dns.toMilliseconds(), browser.toMilliseconds()));
  const stack = Stack.of(p.primary.service);
  const guard = errorsBeyondPromise(ctx.scope(p, stack), 'RegionLossGuardAlarm', p.primary.loadBalancer, worst,
    `${p.node.path}: the primary site still answers with load balancer 5xx after the worst case of its region-loss paths (${human(worst)}): clients are not being moved to the spare.`);
  experiment(ctx, p, stack, 'RegionLoss', {
    actions: [FaultAction.stopTasks(p.primary.service, TargetSelection.all())],
    stopAlarms: [guard],
    purpose: purpose(p, paths, s, worst,
      `the '${paths[0]}' and '${paths[1]}' paths: with every task of the primary site stopped, ${p.dns.domainName} answers with the spare within ${human(dns)} and open pages move within ${human(browser)}`,
      `${p.dns.domainName} resolves to the spare's site name within ${human(dns)}; an open page shows the spare within ${human(browser)}; the spares' failover alarms stay OK; ` +
      'once ECS has replaced the primary\'s tasks the name returns to the primary.'),
  });
}

export function databaseWriterLoss(ctx: DrillsContext, p: HaDatabase): void {
  const path = HaDatabasePath.IN_REGION;
  const s = handled(p, path, FailureKind.DATABASE_WRITER_LOSS);
  if (!s) return;
  const total = p.recoveryObjectives.path(path).total;
  const action = p.cluster ? FaultAction.failoverAuroraCluster(p.cluster) : FaultAction.rebootInstanceWithFailover(p.instance!);
  experiment(ctx, p, Stack.of(p), 'WriterLoss', {
    actions: [action],
    stopAlarms: [p.failoverAlarm],
    purpose: purpose(p, [path], s, total,
      `the '${path}' path: ${p.cluster ? 'Aurora promotes a reader' : 'RDS fails over to the standby'} and the writer endpoint follows within ${human(total)}`,
      `RDS reports a failover event (notified); writes through ${p.cluster ? 'the cluster endpoint' : 'the instance endpoint'} succeed again within ${human(total)}; the failover alarm stays OK.`),
  });
}

export function configServerReads(ctx: DrillsContext, p: ColdStandbyConfigServer): void {
  const writes = ColdStandbyConfigServerPath.WRITES;
  const reads = ColdStandbyConfigServerPath.READS;
  const standbyStack = Stack.of(p.standbySite);
  const standbyRegion = standbyStack.region;
  for (const s of scenariosOf(p, writes).filter(x => x.kind !== FailureKind.REGION_LOSS || !(ctx.props.regionSwitchPlans ?? true))) {
    gap(ctx, p, writes, s, 'stopping the live server\'s tasks would not prove it: ECS replaces them before the 3-minute server-down alarm fires; ' +
      'the Region switch plan (a practice run of the turn-on) exercises the turn-on.');
  }
  const s = handled(p, reads, FailureKind.REGION_LOSS);
  if (!s) return;
  const proxyDown = p.alarms.find(a => a.node.scope === p.standbySite && a.node.id === 'ProxyDownAlarm');
  if (!proxyDown) {
    gap(ctx, p, reads, s, `no alarm of the standby proxies in ${standbyRegion} to stop the drill on.`);
    return;
  }
  const scope = ctx.scope(p, standbyStack);
  const replica = dynamodb.TableV2.fromTableName(scope, 'StandbyReplica', p.tableName);
  const d = ctx.props.faultDuration ?? Duration.minutes(5);
  experiment(ctx, p, standbyStack, 'ReplicationPause', {
    actions: [FaultAction.pauseGlobalTableReplication(replica, d)],
    stopAlarms: [proxyDown],
    purpose: purpose(p, [reads], s, p.recoveryObjectives.path(reads).total,
      `the '${reads}' path: the proxies in ${standbyRegion} keep answering from their own replica while it is cut off from the primary for ${human(d)}`,
      `reads through the ${standbyRegion} proxies keep succeeding; replication latency to ${standbyRegion} rises and its alarm pages (the data-loss bound at work), ` +
      'and returns to OK once replication resumes.'),
  });
}

export function cells(ctx: DrillsContext, p: ActiveActiveCells): void {
  const cell = p.cells[0];
  if (!cell) return;
  const taskPath = ActiveActiveCellsPath.CELL_TASK;
  const task = handled(p, taskPath, FailureKind.TASK_LOSS);
  if (task) {
    const total = p.recoveryObjectives.path(taskPath).total;
    experiment(ctx, p, Stack.of(cell.service), 'TaskLoss', {
      actions: [FaultAction.stopTasks(cell.service, TargetSelection.count(1))],
      stopAlarms: [p.failoverAlarm],
      purpose: purpose(p, [taskPath], task, total,
        `the '${taskPath}' path: cell ${cell.cellName} keeps serving while one of its tasks is replaced (${human(total)})`,
        `the cell's other task serves; a healthy replacement registers within ${human(total)}; the cell-down alarm stays OK.`),
    });
  }
  const writerPath = ActiveActiveCellsPath.CELL_DATABASE_WRITER;
  if (!p.recoveryObjectives.pathIds.includes(writerPath) || !(cell.database instanceof rds.DatabaseCluster)) return;
  const writer = handled(p, writerPath, FailureKind.DATABASE_WRITER_LOSS);
  if (!writer) return;
  const total = p.recoveryObjectives.path(writerPath).total;
  experiment(ctx, p, Stack.of(cell.database), 'WriterLoss', {
    actions: [FaultAction.failoverAuroraCluster(cell.database)],
    stopAlarms: [p.failoverAlarm],
    purpose: purpose(p, [writerPath], writer, total,
      `the '${writerPath}' path: cell ${cell.cellName}'s Aurora reader becomes the writer within ${human(total)}`,
      `RDS reports a failover of the cell's cluster; the cell's writes succeed again within ${human(total)}; the cell-down alarm stays OK.`),
  });
}

export function warmStandby(ctx: DrillsContext, p: WarmStandbyPair): void {
  const path = WarmStandbyPairPath.TAKEOVER;
  const total = p.recoveryObjectives.path(path).total;
  const primary = p.service(StandbyServerRole.PRIMARY);
  const stack = Stack.of(primary);
  const server = handled(p, path, FailureKind.PRIMARY_SERVER_LOSS);
  if (server) {
    experiment(ctx, p, stack, 'PrimaryServerLoss', {
      actions: [FaultAction.stopTasks(primary, TargetSelection.all())],
      stopAlarms: [p.secondaryOfflineAlarm],
      purpose: purpose(p, [path], server, total,
        `the '${path}' path: with the primary server's task stopped, the listeners point at the warm secondary within ${human(total)}`,
        `the task's stop event (or, if it is missed, the ${p.primaryProbeAlarm ? 'primary probe\'s' : 'PrimaryOffline'} alarm) starts the takeover runbook and the listeners ` +
        `forward to the secondary within ${human(total)}; once ECS has replaced the primary and its alarms are OK, the failback runbook points them back.`),
    });
  }
  // A zone cut off leaves the primary's task running but unreachable: the 'unresponsive' path (health checks) handles it.
  const unresponsive = WarmStandbyPairPath.UNRESPONSIVE;
  const zone = handled(p, unresponsive, FailureKind.ZONE_LOSS);
  if (zone) {
    const zoneTotal = p.recoveryObjectives.path(unresponsive).total;
    const az = p.availabilityZone(StandbyServerRole.PRIMARY);
    const d = faultDuration(ctx, zoneTotal);
    experiment(ctx, p, stack, 'ZoneLoss', {
      actions: [FaultAction.disruptZone(p.cluster.vpc, az, d)],
      stopAlarms: [p.secondaryOfflineAlarm],
      purpose: purpose(p, [unresponsive], zone, zoneTotal,
        `the '${unresponsive}' path survives the loss of the primary's zone: with ${az} cut off for ${human(d)}, the secondary in ${p.availabilityZone(StandbyServerRole.SECONDARY)} serves within ${human(zoneTotal)}`,
        `the secondary takes over within ${human(zoneTotal)} and serves while ${az} is cut off; the primary serves again (failback) once the zone is back; ` +
        'everything else in the cut-off subnets loses the network too.'),
    });
  }
}

export function multiSite(ctx: DrillsContext, p: MultiSiteActiveActive): void {
  const outage = MultiSiteActiveActivePath.SITE_OUTAGE;
  const total = p.recoveryObjectives.path(outage).total;
  for (const s of scenariosOf(p, outage)) {
    if (s.kind !== FailureKind.REGION_LOSS || !p.activeRegions.includes(s.region)) continue;
    const site = p.site(s.region);
    const stack = Stack.of(site.service);
    const id = `RegionLoss${regionId(s.region)}`;
    const guard = errorsBeyondPromise(ctx.scope(p, stack), `${id}GuardAlarm`, site.loadBalancer, total,
      `${p.node.path}: the ${s.region} site still answers with load balancer 5xx after the worst case of the site-outage path (${human(total)}): clients are not being moved.`);
    experiment(ctx, p, stack, id, {
      actions: [FaultAction.stopTasks(site.service, TargetSelection.all())],
      stopAlarms: [guard],
      purpose: purpose(p, [outage], s, total,
        `the '${outage}' path: with every node of the ${s.region} site stopped, ${p.domainName} answers with the other sites within ${human(total)}`,
        `${p.domainName} stops resolving to the ${s.region} site within ${human(total)} and the other sites serve; once ECS has replaced the nodes the site is served again.`),
    });
  }
  if (p.recoveryObjectives.pathIds.includes(MultiSiteActiveActivePath.STANDBY_TAKEOVER)) {
    for (const s of scenariosOf(p, MultiSiteActiveActivePath.STANDBY_TAKEOVER)) {
      gap(ctx, p, MultiSiteActiveActivePath.STANDBY_TAKEOVER, s, 'it needs every active region down at once; an FIS experiment acts in one region.');
    }
  }
  const node = MultiSiteActiveActivePath.NODE;
  const first = p.activeRegions[0];
  const s = handled(p, node, FailureKind.TASK_LOSS);
  if (!s) return;
  const site = p.site(first);
  const nodeTotal = p.recoveryObjectives.path(node).total;
  experiment(ctx, p, Stack.of(site.service), `TaskLoss${regionId(first)}`, {
    actions: [FaultAction.stopTasks(site.service, TargetSelection.count(1))],
    stopAlarms: [site.deploymentAlarm],
    purpose: purpose(p, [node], s, nodeTotal,
      `the '${node}' path: the ${first} site keeps serving while one node is replaced (${human(nodeTotal)})`,
      `the site's other nodes serve without 5xx; a healthy replacement registers within ${human(nodeTotal)}; the site's 5xx alarm stays OK.`),
  });
}

// ---- helpers

function experiment(ctx: DrillsContext, p: HaPattern, stack: Stack, id: string, props: ConstructorParameters<typeof FaultExperiment>[2]): void {
  ctx.addExperiment(new FaultExperiment(ctx.scope(p, stack), id, { ...props, logRetention: ctx.props.logRetention }));
}

/** Twice the worst case of the drilled path, at least 2 minutes, unless `faultDuration` says otherwise. */
function faultDuration(ctx: DrillsContext, worst: Duration): Duration {
  return ctx.props.faultDuration ?? Duration.minutes(Math.max(2, Math.ceil((2 * worst.toSeconds()) / 60)));
}

/**
 * An alarm that means customers are hurt beyond a path's promise: the
 * load balancer still answers with its own 5xx (no healthy target) in every
 * minute for longer than the path's worst case, so clients are not being
 * moved elsewhere. In the load balancer's region.
 */
function errorsBeyondPromise(scope: Construct, id: string, lb: elbv2.ApplicationLoadBalancer, promise: Duration, description: string): cloudwatch.Alarm {
  const minutes = Math.ceil(promise.toSeconds() / 60) + 1;
  return new cloudwatch.Alarm(scope, id, {
    metric: lb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: Duration.minutes(1), statistic: 'Sum' }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: minutes,
    datapointsToAlarm: minutes,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
}
