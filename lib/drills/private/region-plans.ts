/**
 * The Region switch plan of each multi-region pattern.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { ColdStandbyConfigServer } from '../../config-server/cold-standby-config-server';
import { ColdStandbyConfigServerPath } from '../../config-server/cold-standby-config-server-props';
import { HaValidationError } from '../../core/errors';
import { FailureKind } from '../../core/failure-scenario';
import { HaPattern } from '../../core/ha-pattern';
import { human } from '../../failover/drill-support/figures';
import { RecoveryApproach, RegionSwitchPlan } from '../../failover/region-switch-plan';
import { RegionSwitchStep } from '../../failover/region-switch-step';
import { HaDatabase } from '../../ha-database/ha-database';
import { HaDatabasePath } from '../../ha-database/ha-database-props';
import { LatencyDns } from '../../latency-dns/latency-dns';
import { MultiSiteActiveActive, MultiSiteActiveActivePath } from '../../multi-site/multi-site-active-active';
import { ActiveSpareWebTier } from '../../web-tier/active-spare-web-tier';
import { ActiveSpareWebTierPath } from '../../web-tier/active-spare-web-tier-props';
import { scaleBackStep } from '../../web-tier/spare-scale-up';
import { DrillsContext, handled, purpose, gap, literalAlarmName, regionId } from './drill-context';

// ---- Region switch plans

export function webTierPlans(ctx: DrillsContext, p: ActiveSpareWebTier): void {
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
    // The plan's Route 53 health checks join the records only from the records' own stack (no cross-region reference):
    // a plan in the spare's region scales the spare, and the records' own health checks move the name (failover routing).
    const movesDns = Stack.of(p.dns) === stack;
    const dnsStep = movesDns ? RegionSwitchStep.route53HealthCheck(p.dns) : undefined;
    const steps = [
      ...(scaleUp ? [RegionSwitchStep.invokeFunction(scaleUp, {
        description: `Scales the spare in ${spareRegion} to N+1 (the tier's own scale-up function, invoked as by the primary's failover alarm)`,
        payload: JSON.stringify({ 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: alarmName ?? 'region-switch', state: { value: 'ALARM' } } }),
      })] : []),
      ...(dnsStep ? [dnsStep] : []),
    ];
    if (steps.length === 0) continue;
    plan(ctx, p, stack, `RegionSwitch${regionId(spareRegion)}`, {
      regions: [primaryRegion, spareRegion],
      primaryRegion,
      targetRegion: spareRegion,
      steps,
      // The failback: the name moves back (when the plan moves it), then the spare scales back once the primary answers.
      failbackSteps: [...(dnsStep ? [dnsStep] : []), ...(scaleUp ? [scaleBackStep(scaleUp, spare)] : [])],
      recoveryTime: rto,
      triggerAlarms: alarmName ? [p.failoverAlarm] : [],
      healthAlarms: [spare.failoverAlarm],
      purpose: purpose(p, paths, s, rto,
        `the '${paths[0]}' and '${paths[1]}' paths as a plan: ${scaleUp ? `the spare in ${spareRegion} is scaled to N+1, then ` : ''}${p.dns.domainName} moves to ${spareRegion}` +
        `${movesDns ? '' : ' (by its records\' own health checks)'}, within ${human(rto)}`,
        `the graceful execution (a real switch) completes every step; its report (S3) shows the steps' times, within the plan's RTO of ${human(rto)}.`),
    });
  }
}

export function databasePlan(ctx: DrillsContext, p: HaDatabase): void {
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
      `the '${path}' path as a plan: the ${stack.region} cluster of ${p.globalClusterIdentifier} becomes the writer within ${human(rto)} (switchover when run gracefully, no data loss; failover with data loss only ungracefully)`,
      `the graceful execution (a real switchover) completes and the global cluster names the ${stack.region} cluster its writer within ${human(rto)}; the failback switches back.`),
  });
}

export function configServerPlan(ctx: DrillsContext, p: ColdStandbyConfigServer): void {
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
      `the graceful execution (a real switch; the database switches over, never fails over with data loss) completes: ${p.writerHost} resolves to the standby and writes succeed within ${human(rto)}.`),
  });
}

export function multiSitePlan(ctx: DrillsContext, p: MultiSiteActiveActive): void {
  const path = MultiSiteActiveActivePath.SITE_OUTAGE;
  const dns = p.node.tryFindChild('Active');
  if (!(dns instanceof LatencyDns)) return;
  const regions = [...p.activeRegions, ...p.standbyRegions];
  const [first] = p.activeRegions;
  const s = handled(p, path, FailureKind.REGION_LOSS);
  if (!s) return;
  if (regions.length > 2) {
    throw new HaValidationError(p, {
      prop: 'sites', received: `${regions.length} sites (${regions.join(', ')})`,
      expected: 'at most two sites while Drills creates Region switch plans: a plan spans exactly two regions. Give the service two sites, ' +
        'or set regionSwitchPlans: false on Drills (the FIS experiments still drill each site)',
    });
  }
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
      `the '${path}' path as a plan: ${p.domainName} stops answering with ${first} within ${human(rto)}; the failback activates ${first} again`,
      `the graceful execution (a real shift) completes and ${p.domainName} resolves only to the other site within ${human(rto)}.`),
  });
}

function plan(ctx: DrillsContext, p: HaPattern, stack: Stack, id: string, props: ConstructorParameters<typeof RegionSwitchPlan>[2]): void {
  ctx.addPlan(new RegionSwitchPlan(ctx.scope(p, stack), id, { allowUngraceful: ctx.props.allowUngracefulRegionSwitch, ...props }));
}
