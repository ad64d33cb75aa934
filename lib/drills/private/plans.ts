/**
 * How each pattern's recovery paths turn into drills: which failure
 * scenarios a path handles (as it declares them, or as its documentation
 * says where it declares none yet), which fault proves each, what alarm
 * means customers are hurt beyond the path's promise, and the Region switch
 * plan and Resilience Hub policy of each multi-region pattern.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { ActiveActiveCells, ActiveActiveCellsPath } from '../../cells/active-active-cells';
import { ColdStandbyConfigServer, ColdStandbyConfigServerPath } from '../../config-server/cold-standby-config-server';
import { FailureKind } from '../../core/failure-scenario';
import { HaPattern } from '../../core/ha-pattern';
import { ServiceTime } from '../../core/service-time';
import { HaDatabase, HaDatabasePath } from '../../ha-database/ha-database';
import { HotStandbyConsumer, HotStandbyConsumerPath } from '../../hot-standby/hot-standby-consumer';
import { LatencyDns } from '../../latency-dns/latency-dns';
import { MultiSiteActiveActive, MultiSiteActiveActivePath } from '../../multi-site/multi-site-active-active';
import { SingletonDaemon, SingletonDaemonPath } from '../../singleton/singleton-daemon';
import { StandbyServerRole } from '../../warm-standby/standby-server-role';
import { WarmStandbyPair, WarmStandbyPairPath } from '../../warm-standby/warm-standby-pair';
import { ActiveSpareWebTier, ActiveSpareWebTierPath } from '../../web-tier/active-spare-web-tier';
import { SpareMode } from '../../web-tier/spare-mode';
import { WebTierSite, WebTierSitePath } from '../../web-tier/web-tier-site';
import { WorkerPool, WorkerPoolPath } from '../../worker-pool/worker-pool';
import { DrillPurpose } from '../drill-description';
import type { DrillGap, DrillsProps } from '../drills';
import { FaultAction, TargetSelection } from '../fault-action';
import { FaultExperiment } from '../fault-experiment';
import { RecoveryApproach, RegionSwitchPlan } from '../region-switch-plan';
import { RegionSwitchStep } from '../region-switch-step';
import { DisasterRecoveryApproach, ResiliencePolicy } from '../resilience-policy';
import { ZonalAutoshift } from '../zonal-autoshift';
import { human } from './figures';

/** What `Drills` lends the planners. */
export interface DrillsContext {
  readonly props: DrillsProps;
  /** The scope of `pattern`'s drills in `stack`. */
  scope(pattern: HaPattern, stack: Stack): Construct;
  addExperiment(e: FaultExperiment): void;
  addPlan(p: RegionSwitchPlan): void;
  addAutoshift(a: ZonalAutoshift): void;
  addPolicy(p: ResiliencePolicy): void;
  addGap(g: DrillGap): void;
  /** Whether `pattern` is a part of another drilled pattern (its parent's policy covers it). */
  isNested(pattern: HaPattern): boolean;
  /** Whether a drill exercises, or a gap explains, `path` of `pattern` under `scenario`. */
  isCovered(pattern: HaPattern, path: string, scenario: string): boolean;
}

/** A failure scenario: its kind and region. */
interface Scenario {
  readonly kind: FailureKind;
  readonly region: string;
}

/** The patterns a pattern is built of (in other stacks too): drilled with it. */
export function subPatterns(pattern: HaPattern): HaPattern[] {
  if (pattern instanceof ActiveSpareWebTier) return [pattern.primary, ...pattern.spares, pattern.dns];
  if (pattern instanceof MultiSiteActiveActive) return ['Active', 'Standby'].map(id => pattern.node.tryFindChild(id)).filter((c): c is LatencyDns => c instanceof LatencyDns);
  return [];
}

/** Creates the drills of one pattern. */
export function drillPattern(ctx: DrillsContext, pattern: HaPattern): void {
  const fis = ctx.props.faultInjection ?? true;
  const plans = ctx.props.regionSwitchPlans ?? true;
  if (pattern instanceof SingletonDaemon) {
    if (fis) singleton(ctx, pattern);
  } else if (pattern instanceof HotStandbyConsumer) {
    if (fis) hotStandby(ctx, pattern);
  } else if (pattern instanceof WorkerPool) {
    if (fis) workerPool(ctx, pattern);
  } else if (pattern instanceof WebTierSite) {
    if (fis) webTierSite(ctx, pattern);
  } else if (pattern instanceof ActiveSpareWebTier) {
    if (fis) webTierRegionLoss(ctx, pattern);
    if (plans) webTierPlans(ctx, pattern);
  } else if (pattern instanceof HaDatabase) {
    if (fis) databaseWriterLoss(ctx, pattern);
    if (plans) databasePlan(ctx, pattern);
  } else if (pattern instanceof ColdStandbyConfigServer) {
    if (fis) configServerReads(ctx, pattern);
    if (plans) configServerPlan(ctx, pattern);
  } else if (pattern instanceof ActiveActiveCells) {
    if (fis) cells(ctx, pattern);
  } else if (pattern instanceof WarmStandbyPair) {
    if (fis) warmStandby(ctx, pattern);
  } else if (pattern instanceof MultiSiteActiveActive) {
    if (fis) multiSite(ctx, pattern);
    if (plans) multiSitePlan(ctx, pattern);
  } else if (pattern instanceof LatencyDns) {
    if (!ctx.isNested(pattern)) {
      for (const s of scenariosOf(pattern, 'dns')) {
        gap(ctx, pattern, 'dns', s, 'LatencyDns owns no compute to disrupt: the pattern whose sites it names drills it (stop a site\'s tasks).');
      }
    }
  }
  if (ctx.props.zonalAutoshift ?? false) zonalAutoshift(ctx, pattern);
  if ((ctx.props.resiliencePolicies ?? true) && !ctx.isNested(pattern)) resiliencePolicy(ctx, pattern);
  if (!(pattern instanceof LatencyDns && ctx.isNested(pattern))) uncovered(ctx, pattern);
}

/** A gap for each path and scenario of `p` that no drill exercises and no gap explains yet. */
function uncovered(ctx: DrillsContext, p: HaPattern): void {
  for (const path of p.recoveryObjectives.pathIds) {
    for (const s of scenariosOf(p, path)) {
      if (!ctx.isCovered(p, path, describeScenario(s))) {
        gap(ctx, p, path, s, 'no drill is generated for this path under this scenario (a kind of drill turned off, or none exists for it yet).');
      }
    }
  }
}

// ---- FIS experiments, pattern by pattern

function singleton(ctx: DrillsContext, p: SingletonDaemon): void {
  const path = SingletonDaemonPath.TASK_FAILURE;
  const s = handled(p, path, FailureKind.TASK_LOSS);
  if (!s) return;
  const total = p.recoveryObjectives.path(path).total;
  experiment(ctx, p, Stack.of(p.service), 'TaskLoss', {
    actions: [FaultAction.stopTasks(p.service, TargetSelection.all())],
    stopAlarms: [p.failoverAlarm],
    purpose: purpose(p, [path], s, total,
      `the '${path}' path: when the daemon's task stops, a replacement takes the lease and acts within ${human(total)}`,
      `ECS starts a replacement task; the lease metrics show a new acquisition within ${human(total)} of the stop; the failover alarm stays OK.`),
  });
}

function hotStandby(ctx: DrillsContext, p: HotStandbyConsumer): void {
  const path = HotStandbyConsumerPath.LEADER_FAILURE;
  const total = p.recoveryObjectives.path(path).total;
  const [a, b] = p.services;
  const task = handled(p, path, FailureKind.TASK_LOSS);
  if (task && a && b) {
    // Which consumer leads is decided at run time: stop each in turn, so the leader is stopped once in every run.
    const between = Duration.seconds(Math.ceil(total.toSeconds() + ServiceTime.FARGATE_TASK_START.duration.toSeconds() + 60));
    experiment(ctx, p, Stack.of(a), 'TaskLoss', {
      actions: [FaultAction.stopTasks(a, TargetSelection.all()), FaultAction.wait(between), FaultAction.stopTasks(b, TargetSelection.all())],
      stopAlarms: [p.failoverAlarm],
      purpose: purpose(p, [path], task, total,
        `the '${path}' path: whichever consumer leads, stopping it hands the lease to the standby within ${human(total)} (consumer A, then B ${human(between)} later)`,
        `after each stop a consumer holds the lease again within ${human(total)} (LeaseHeld back to 1, a takeover counted) and resumes after the last checkpoint; NoLeader stays OK.`),
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

function workerPool(ctx: DrillsContext, p: WorkerPool): void {
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

function webTierSite(ctx: DrillsContext, p: WebTierSite): void {
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

function webTierRegionLoss(ctx: DrillsContext, p: ActiveSpareWebTier): void {
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

function databaseWriterLoss(ctx: DrillsContext, p: HaDatabase): void {
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

function configServerReads(ctx: DrillsContext, p: ColdStandbyConfigServer): void {
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

function cells(ctx: DrillsContext, p: ActiveActiveCells): void {
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

function warmStandby(ctx: DrillsContext, p: WarmStandbyPair): void {
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
        `PrimaryOffline goes to ALARM, the takeover runbook runs and the listeners forward to the secondary within ${human(total)}; ` +
        'once ECS has replaced the primary, the failback runbook points them back.'),
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

function multiSite(ctx: DrillsContext, p: MultiSiteActiveActive): void {
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

// ---- Region switch plans

function webTierPlans(ctx: DrillsContext, p: ActiveSpareWebTier): void {
  const paths = [ActiveSpareWebTierPath.DNS, ActiveSpareWebTierPath.BROWSER];
  const primaryRegion = Stack.of(p.primary).region;
  const s = handled(p, ActiveSpareWebTierPath.DNS, FailureKind.REGION_LOSS);
  if (!s) return;
  const rto = Duration.millis(Math.max(...paths.map(id => p.recoveryObjectives.path(id).total.toMilliseconds())));
  const alarmName = literalAlarmName(p.failoverAlarm);
  for (const spare of p.spares) {
    const stack = Stack.of(spare);
    // The tier's own plan scales this spare (failoverRunner): it is the drill too.
    const own = p.regionSwitchPlans.find(plan => Stack.of(plan) === stack);
    if (own) {
      ctx.addPlan(own);
      continue;
    }
    const spareRegion = stack.region;
    const scaleUp = p.scaleUpFunctions.find(fn => Stack.of(fn) === stack);
    const steps = [
      ...(scaleUp ? [RegionSwitchStep.invokeFunction(scaleUp, {
        description: `Scales the spare in ${spareRegion} to N+1 (the tier's own scale-up function, invoked as by the primary's failover alarm)`,
        payload: JSON.stringify({ 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: alarmName ?? 'region-switch', state: { value: 'ALARM' } } }),
      })] : []),
      RegionSwitchStep.route53HealthCheck(p.dns),
    ];
    plan(ctx, p, stack, `RegionSwitch${regionId(spareRegion)}`, {
      regions: [primaryRegion, spareRegion],
      primaryRegion,
      targetRegion: spareRegion,
      steps,
      recoveryTime: rto,
      triggerAlarms: alarmName ? [p.failoverAlarm] : [],
      healthAlarms: [spare.failoverAlarm],
      purpose: purpose(p, paths, s, rto,
        `the '${paths[0]}' and '${paths[1]}' paths as a plan: ${scaleUp ? `the spare in ${spareRegion} is scaled to N+1, then ` : ''}${p.dns.domainName} moves to ${spareRegion}, within ${human(rto)}`,
        `the practice execution completes every step; its report (S3) shows the steps' times, within the plan's RTO of ${human(rto)}.`),
    });
  }
}

function databasePlan(ctx: DrillsContext, p: HaDatabase): void {
  if (!p.secondary || !p.cluster) return;
  // The database's own plan runs its failover (failoverRunner): it is the drill too.
  if (p.regionSwitchPlan) return ctx.addPlan(p.regionSwitchPlan);
  const path = HaDatabasePath.CROSS_REGION;
  const primaryRegion = Stack.of(p).region;
  const s = handled(p, path, FailureKind.REGION_LOSS);
  if (!s) return;
  const stack = Stack.of(p.secondary);
  const rto = p.recoveryObjectives.path(path).total;
  plan(ctx, p, stack, 'RegionSwitch', {
    regions: [primaryRegion, stack.region],
    primaryRegion,
    steps: [RegionSwitchStep.auroraGlobalDatabase(p)],
    recoveryTime: rto,
    // The secondary region's probe alarm: it outlives the primary region (the library's rule acts on it; the plan only names it).
    triggerAlarms: p.writerProbeAlarm ? [p.writerProbeAlarm] : [],
    healthAlarms: [],
    purpose: purpose(p, [path], s, rto,
      `the '${path}' path as a plan: the ${stack.region} cluster of ${p.globalClusterIdentifier} becomes the writer within ${human(rto)} (switchover when run gracefully, failover when not)`,
      `the practice execution completes; in a recovery execution the global cluster names the ${stack.region} cluster its writer within ${human(rto)}.`),
  });
}

function configServerPlan(ctx: DrillsContext, p: ColdStandbyConfigServer): void {
  // The server's own plan runs its turn-on (failoverRunner): it is the drill too.
  if (p.regionSwitchPlan) return ctx.addPlan(p.regionSwitchPlan);
  const path = ColdStandbyConfigServerPath.WRITES;
  const primaryRegion = Stack.of(p).region;
  const s = handled(p, path, FailureKind.REGION_LOSS);
  if (!s) return;
  const stack = Stack.of(p.standbySite);
  const rto = p.recoveryObjectives.path(path).total;
  plan(ctx, p, stack, 'RegionSwitch', {
    regions: [primaryRegion, stack.region],
    primaryRegion,
    steps: [p.turnOnSwitchStep()],
    recoveryTime: rto,
    // The standby region's probe alarm: it outlives the primary region (the library's rule acts on it; the plan only names it).
    triggerAlarms: [p.serverProbeAlarm],
    healthAlarms: [],
    purpose: purpose(p, [path], s, rto,
      `the '${path}' path as a plan: the standby in ${stack.region} is turned on and takes the writer name ${p.writerHost} within ${human(rto)}`,
      `the practice execution completes; in a recovery execution ${p.writerHost} resolves to the standby and writes succeed within ${human(rto)}.`),
  });
}

function multiSitePlan(ctx: DrillsContext, p: MultiSiteActiveActive): void {
  const path = MultiSiteActiveActivePath.SITE_OUTAGE;
  const dns = p.node.tryFindChild('Active');
  if (!(dns instanceof LatencyDns)) return;
  const regions = [...p.activeRegions, ...p.standbyRegions];
  const [first] = p.activeRegions;
  const s = handled(p, path, FailureKind.REGION_LOSS);
  if (!s) return;
  if (regions.length !== 2 || p.standbyRegions.length > 0) {
    gap(ctx, p, path, s, `a Region switch plan spans two active regions; this service has ${p.activeRegions.length} active and ${p.standbyRegions.length} standby site(s).`);
    return;
  }
  const rto = p.recoveryObjectives.path(path).total;
  plan(ctx, p, Stack.of(p), 'RegionSwitch', {
    recoveryApproach: RecoveryApproach.ACTIVE_ACTIVE,
    regions,
    targetRegion: first,
    steps: [RegionSwitchStep.route53HealthCheck(dns)],
    recoveryTime: rto,
    triggerAlarms: [p.failoverAlarm],
    healthAlarms: p.activeRegions.map(r => dns.healthCheckAlarm(r)),
    purpose: purpose(p, [path], s, rto,
      `the '${path}' path as a plan: ${p.domainName} stops answering with ${first} within ${human(rto)}`,
      `the practice execution completes; in a recovery execution ${p.domainName} resolves only to the other site within ${human(rto)}.`),
  });
}

// ---- zonal autoshift

function zonalAutoshift(ctx: DrillsContext, p: HaPattern): void {
  const targets: Array<{ id: string; lb: elbv2.ILoadBalancerV2; outcome: cloudwatch.IAlarm; what: string }> = [];
  if (p instanceof WebTierSite && p.runningTasks > p.activeCapacity) {
    targets.push({ id: 'ZonalAutoshift', lb: p.loadBalancer, outcome: p.failoverAlarm, what: `the site's ${p.runningTasks} tasks` });
  } else if (p instanceof ActiveActiveCells) {
    targets.push({ id: 'ZonalAutoshift', lb: p.loadBalancer, outcome: p.failoverAlarm, what: 'the cells' });
  } else if (p instanceof MultiSiteActiveActive) {
    for (const r of p.activeRegions) targets.push({ id: `ZonalAutoshift${regionId(r)}`, lb: p.site(r).loadBalancer, outcome: p.site(r).deploymentAlarm, what: `the ${r} site's nodes` });
  } else if (p instanceof ColdStandbyConfigServer) {
    targets.push({ id: 'ZonalAutoshift', lb: p.primarySite.loadBalancer, outcome: p.failoverAlarm, what: 'the live server and proxies' });
  } else if (p instanceof WarmStandbyPair) {
    gap(ctx, p, WarmStandbyPairPath.TAKEOVER, { kind: FailureKind.ZONE_LOSS, region: Stack.of(p).region },
      'no zonal autoshift: each server\'s target group is in one zone, which ARC zonal shift does not support; the ZoneLoss experiment drills it.');
  }
  for (const t of targets) {
    const stack = Stack.of(t.lb);
    const zone: Scenario = { kind: FailureKind.ZONE_LOSS, region: stack.region };
    const autoshift = new ZonalAutoshift(ctx.scope(p, stack), t.id, {
      loadBalancer: t.lb,
      outcomeAlarms: [t.outcome],
      blockedWindows: ctx.props.practiceRunBlockedWindows,
      blockedDates: ctx.props.practiceRunBlockedDates,
      purpose: purpose(p, p.recoveryObjectives.pathIds.filter(id => handled(p, id, FailureKind.ZONE_LOSS)), zone, undefined,
        `${t.what} serve the load with one zone's traffic shifted away (about 30 minutes a week)`,
        `practice runs end with outcome SUCCEEDED: ${t.outcome.node.path} stays OK while traffic avoids one zone.`),
    });
    ctx.addAutoshift(autoshift);
  }
}

// ---- Resilience Hub policies

function resiliencePolicy(ctx: DrillsContext, p: HaPattern): void {
  const approach = approachesOf(p);
  if (!approach.multiAz && !approach.multiRegion) return;
  const ro = p.recoveryObjectives;
  const regionLoss = (id: string) => scenariosOf(p, id).some(s => s.kind === FailureKind.REGION_LOSS);
  const worst = (ids: string[]) => ids.length === 0 ? undefined
    : Duration.millis(Math.max(...ids.map(id => (ro.targetOf(id) ?? ro.path(id).total).toMilliseconds())));
  const rpo = ro.targets.rpo ?? ro.rpo;
  const regional = worst(ro.pathIds.filter(regionLoss));
  const zonal = worst(ro.pathIds.filter(id => !regionLoss(id)));
  const figures = ro.targets.rto || ro.targets.paths?.length ? 'the stated recovery targets' : 'the computed worst cases';
  const policy = new ResiliencePolicy(ctx.scope(p, Stack.of(p)), 'ResiliencePolicy', {
    description: `${p.patternName} ${p.node.path}: RTO from ${figures}, RPO ${ro.targets.rpo ? 'stated' : 'computed'}.`,
    multiAz: approach.multiAz && zonal ? { approach: approach.multiAz, rto: zonal, rpo } : undefined,
    multiRegion: approach.multiRegion && regional ? { approach: approach.multiRegion, rto: regional, rpo } : undefined,
    availabilityTarget: ctx.props.availabilityTarget,
  });
  ctx.addPolicy(policy);
}

/** How each pattern recovers from a zone's (or a copy's) loss and from a region's. */
function approachesOf(p: HaPattern): { multiAz?: DisasterRecoveryApproach; multiRegion?: DisasterRecoveryApproach } {
  const D = DisasterRecoveryApproach;
  if (p instanceof ActiveSpareWebTier) {
    const spare = p.spareMode === SpareMode.HOT ? D.HOT_STANDBY : p.spareMode === SpareMode.WARM ? D.WARM_STANDBY : D.PILOT_LIGHT;
    return { multiAz: D.ACTIVE_ACTIVE, multiRegion: spare };
  }
  if (p instanceof MultiSiteActiveActive) return { multiAz: D.ACTIVE_ACTIVE, multiRegion: D.ACTIVE_ACTIVE };
  if (p instanceof LatencyDns) return { multiRegion: D.ACTIVE_ACTIVE };
  if (p instanceof HaDatabase) return { multiAz: D.HOT_STANDBY, multiRegion: p.secondary ? (p.secondary.instanceCount > 0 ? D.WARM_STANDBY : D.PILOT_LIGHT) : undefined };
  if (p instanceof ColdStandbyConfigServer) return { multiAz: D.ACTIVE_ACTIVE, multiRegion: D.PILOT_LIGHT };
  if (p instanceof WebTierSite || p instanceof ActiveActiveCells || p instanceof WorkerPool) return { multiAz: D.ACTIVE_ACTIVE };
  if (p instanceof WarmStandbyPair) return { multiAz: D.WARM_STANDBY };
  if (p instanceof HotStandbyConsumer) return { multiAz: D.HOT_STANDBY };
  // Nothing runs in standby: ECS starts the replacement (compute started on failure).
  if (p instanceof SingletonDaemon) return { multiAz: D.PILOT_LIGHT };
  return {};
}

// ---- scenarios

/**
 * The scenarios a path declares (`recoveryObjectives.scenarioOutcomes`), or
 * what the pattern's README says it handles when it declares none yet.
 */
function scenariosOf(p: HaPattern, path: string): Scenario[] {
  if (!p.recoveryObjectives.pathIds.includes(path)) return [];
  const declared = p.recoveryObjectives.scenarioOutcomes(path).map(o => parseScenario(o.scenario)).filter((s): s is Scenario => s !== undefined);
  return declared.length > 0 ? declared : fallbackScenarios(p, path);
}

/** The scenario of `kind` that `path` handles, if it handles one. */
function handled(p: HaPattern, path: string, kind: FailureKind): Scenario | undefined {
  return scenariosOf(p, path).find(s => s.kind === kind);
}

/** What each pattern's paths handle where they declare no scenario yet (from the patterns' READMEs). */
function fallbackScenarios(p: HaPattern, path: string): Scenario[] {
  const region = Stack.of(p).region;
  if (p instanceof HaDatabase) return [{ kind: path === HaDatabasePath.CROSS_REGION ? FailureKind.REGION_LOSS : FailureKind.DATABASE_WRITER_LOSS, region }];
  if (p instanceof ColdStandbyConfigServer) {
    return path === ColdStandbyConfigServerPath.WRITES
      ? [{ kind: FailureKind.REGION_LOSS, region }, { kind: FailureKind.PRIMARY_SERVER_LOSS, region }]
      : [{ kind: FailureKind.REGION_LOSS, region }];
  }
  if (p instanceof MultiSiteActiveActive) {
    return path === MultiSiteActiveActivePath.NODE
      ? [{ kind: FailureKind.TASK_LOSS, region: p.activeRegions[0] }]
      : p.activeRegions.map(r => ({ kind: FailureKind.REGION_LOSS, region: r }));
  }
  if (p instanceof ActiveSpareWebTier || p instanceof LatencyDns) return [{ kind: FailureKind.REGION_LOSS, region }];
  if (p instanceof WarmStandbyPair) return [{ kind: FailureKind.PRIMARY_SERVER_LOSS, region }, zoneLoss(p)];
  if (p instanceof HotStandbyConsumer) return [taskLoss(p), zoneLoss(p)];
  if (p instanceof ActiveActiveCells && path === ActiveActiveCellsPath.CELL_DATABASE_WRITER) return [{ kind: FailureKind.DATABASE_WRITER_LOSS, region }];
  return [taskLoss(p)];
}

function parseScenario(description: string): Scenario | undefined {
  const m = /^([a-z-]+) of (.+)$/.exec(description);
  const kinds = Object.values(FailureKind) as string[];
  return m && kinds.includes(m[1]) ? { kind: m[1] as FailureKind, region: m[2] } : undefined;
}

function taskLoss(p: HaPattern): Scenario {
  return { kind: FailureKind.TASK_LOSS, region: Stack.of(p).region };
}

function zoneLoss(p: HaPattern): Scenario {
  return { kind: FailureKind.ZONE_LOSS, region: Stack.of(p).region };
}

function describeScenario(s: Scenario): string {
  return `${s.kind} of ${s.region}`;
}

// ---- helpers

function purpose(p: HaPattern, paths: string[], s: Scenario, expected: Duration | undefined, proves: string, passes: string): DrillPurpose {
  return { patternPath: p.node.path, patternName: p.patternName, paths, scenario: describeScenario(s), proves, passes, expectedRecovery: expected };
}

function experiment(ctx: DrillsContext, p: HaPattern, stack: Stack, id: string, props: ConstructorParameters<typeof FaultExperiment>[2]): void {
  ctx.addExperiment(new FaultExperiment(ctx.scope(p, stack), id, { ...props, logRetention: ctx.props.logRetention }));
}

function plan(ctx: DrillsContext, p: HaPattern, stack: Stack, id: string, props: ConstructorParameters<typeof RegionSwitchPlan>[2]): void {
  ctx.addPlan(new RegionSwitchPlan(ctx.scope(p, stack), id, props));
}

function gap(ctx: DrillsContext, p: HaPattern, path: string, s: Scenario, reason: string): void {
  ctx.addGap({ patternPath: p.node.path, path, scenario: describeScenario(s), reason });
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

/** The alarm's literal name, if it has one (an ARN another region can name without a token). */
function literalAlarmName(alarm: cloudwatch.IAlarm): string | undefined {
  const cfn = alarm.node.defaultChild;
  const name = cfn instanceof cloudwatch.CfnAlarm || cfn instanceof cloudwatch.CfnCompositeAlarm ? cfn.alarmName : undefined;
  return name !== undefined && !Token.isUnresolved(name) ? name : undefined;
}

/** `eu-west-1` -> `EuWest1`, for construct ids. */
function regionId(region: string): string {
  return region.split('-').map(w => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
