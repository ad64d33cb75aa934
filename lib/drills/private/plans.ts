/**
 * How each pattern's recovery paths turn into drills: which failure
 * scenarios a path handles (as it declares them, or as its documentation
 * says where it declares none yet), which fault proves each, what alarm
 * means customers are hurt beyond the path's promise, and the Region switch
 * plan and Resilience Hub policy of each multi-region pattern.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ActiveActiveCells } from '../../cells/active-active-cells';
import { ColdStandbyConfigServer } from '../../config-server/cold-standby-config-server';
import { FailureKind } from '../../core/failure-scenario';
import { HaPattern } from '../../core/ha-pattern';
import { HaDatabase } from '../../ha-database/ha-database';
import { HotStandbyConsumer } from '../../hot-standby/hot-standby-consumer';
import { LatencyDns } from '../../latency-dns/latency-dns';
import { MultiSiteActiveActive } from '../../multi-site/multi-site-active-active';
import { SingletonDaemon } from '../../singleton/singleton-daemon';
import { WarmStandbyPair } from '../../warm-standby/warm-standby-pair';
import { WarmStandbyPairPath } from '../../warm-standby/warm-standby-pair-props';
import { ActiveSpareWebTier } from '../../web-tier/active-spare-web-tier';
import { SpareMode } from '../../web-tier/spare-mode';
import { WebTierSite } from '../../web-tier/web-tier-site';
import { WorkerPool } from '../../worker-pool/worker-pool';
import { DisasterRecoveryApproach, ResiliencePolicy } from '../resilience-policy';
import { ZonalAutoshift } from '../zonal-autoshift';
import { DrillsContext, Scenario, scenariosOf, handled, describeScenario, purpose, gap, regionId } from './drill-context';
import { singleton, hotStandby, workerPool, webTierSite, webTierRegionLoss, databaseWriterLoss, configServerReads, cells, warmStandby, multiSite } from './experiments';
import { webTierPlans, databasePlan, configServerPlan, multiSitePlan } from './region-plans';

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
