import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as rds from 'aws-cdk-lib/aws-rds';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { RecoveryObjectives } from '../core/recovery-objectives';
import { RecoveryStep } from '../core/recovery-step';
import { ServiceTime } from '../core/service-time';
import { PROBE_SAMPLING } from '../failover/cross-region-probe';
import { HaDatabasePath } from './ha-database-props';
import type { HaDatabaseSecondary } from './secondary';
import { AURORA_GLOBAL_TYPICAL_LAG } from './validation';
import type { WriterProbe } from './writer-probe';

/** The writer the in-region path fails over from: an Aurora cluster or a SQL Server instance. */
export interface InRegionDatabase {
  readonly cluster?: rds.DatabaseCluster;
  readonly instance?: rds.DatabaseInstance;
}

/**
 * The in-region path (writer instance or its zone lost): Aurora's Multi-AZ failover to a reader, or
 * SQL Server's to its standby; neither loses data.
 */
export function declareInRegionPath(ro: RecoveryObjectives, region: string, database: InRegionDatabase): void {
  const inRegion = { scenarios: [FailureScenario.databaseWriterLoss(region), FailureScenario.zoneLoss(region)] };
  if (database.cluster) {
    const readers = database.cluster.node.findAll().filter(c => c instanceof rds.CfnDBInstance).length - 1;
    const storage = RecoveryStep.constant('Aurora in-region storage', Duration.seconds(0), 'six copies across three zones, shared by writer and readers: no loss');
    ro.addRecoveryPath(HaDatabasePath.IN_REGION, [
      RecoveryStep.serviceTime(ServiceTime.AURORA_FAILOVER, 'Aurora Multi-AZ failover to a reader'),
      RecoveryStep.serviceTime(ServiceTime.AURORA_ENDPOINT_DNS, 'cluster endpoint DNS'),
    ], {
      description: 'writer instance or its zone lost',
      ...inRegion,
      links: [PathLink.capacity(database.cluster, 'readers in other zones (promotion tier 1)', { serving: readers, required: 1 })],
      // The in-region failover loses nothing, whatever a secondary region's replication lag (the pattern's RPO) is.
      dataLoss: storage,
    });
    ro.addDataLossBound(storage);
  } else {
    ro.addRecoveryPath(HaDatabasePath.IN_REGION, [
      RecoveryStep.serviceTime(ServiceTime.SQLSERVER_MULTI_AZ_FAILOVER),
    ], {
      description: 'primary instance or its zone lost',
      ...inRegion,
      links: [PathLink.capacity(database.instance!, 'Multi-AZ standby in another zone', { serving: 1, required: 1 })],
    });
    ro.addDataLossBound(RecoveryStep.constant('SQL Server Multi-AZ', Duration.seconds(0), 'synchronous replication to the standby: no loss'));
  }
}

/**
 * The cross-region path (primary region lost): the probe in the secondary region detects it and the
 * secondary is promoted; its data loss is bounded by the global lag alarm's threshold. `here` is the primary region.
 */
export function declareCrossRegionPath(ro: RecoveryObjectives, here: string, secondary: HaDatabaseSecondary, probe: WriterProbe,
  globalLagAlarm: cloudwatch.Alarm): void {
  const there = Stack.of(secondary).region;
  const steps = crossRegionSteps(secondary, probe);
  ro.addRecoveryPath(HaDatabasePath.CROSS_REGION, steps, {
    description: `primary region lost: the probe in ${there} detects it and the secondary is promoted` +
      (probe.start.automatic ? ' (automatically)' : ' (by on-call)'),
    scenarios: [FailureScenario.regionLoss(here)],
    links: [
      PathLink.signal(probe.schedule, `probe of the primary writer through the RDS endpoint of ${here}`),
      PathLink.alarm(probe.alarm, 'writer probe alarm'),
      ...probe.start.links(steps),
      PathLink.capacity(secondary.cluster, `instances of the secondary cluster in ${there}`, { serving: secondary.instanceCount, required: 1 }),
      PathLink.network(probe.from, probe.to, `the writer probe in ${there} connects to the primary writer (its data-plane signal)`,
        { port: secondary.port }),
    ],
  });
  ro.addDataLossBound(RecoveryStep.alarmThreshold('Aurora Global Database replication (AuroraGlobalDBRPOLag alarm threshold; typical lag ~1 s)',
    globalLagAlarm, Duration.millis(1), { prop: 'globalLagThreshold (at least 1 s)', floor: AURORA_GLOBAL_TYPICAL_LAG }));
}

/** The cross-region path's steps: probe sampling, probe alarm, failover start, promotion, writer instance, endpoint DNS. */
function crossRegionSteps(secondary: HaDatabaseSecondary, probe: WriterProbe): RecoveryStep[] {
  return [
    probe.step,
    RecoveryStep.alarmEvaluation('writer probe alarm', probe.alarm, {
      prop: 'failoverDetectionPeriods (1 to 6)', floor: PROBE_SAMPLING.alarmPeriod,
      samples: { prop: 'failoverDetectionPeriods', values: [1, 2, 3, 4, 5, 6] },
      // Without automation (autoFailover: false) the alarm pages on-call: nothing acts on one sample.
      singleSample: probe.start.automatic
        ? { slug: 'database-single-sample-promotion', action: 'promotes the secondary with data loss (FailoverGlobalCluster, AllowDataLoss)' } : undefined,
    }),
    probe.start.step(),
    RecoveryStep.serviceTime(ServiceTime.AURORA_GLOBAL_PROMOTION, 'FailoverGlobalCluster: the secondary promoted'),
    secondary.instanceCount > 0
      ? RecoveryStep.constant('secondary writer instance', Duration.seconds(0), `${secondary.instanceCount} instance(s) already running in the secondary`)
      : RecoveryStep.tunable('secondary writer instance', ServiceTime.AURORA_INSTANCE_START.duration,
        `headless secondary, an instance added by hand: ${ServiceTime.AURORA_INSTANCE_START.source}`,
        { prop: 'secondary.instances (1 or more)', floor: Duration.seconds(0) }),
    RecoveryStep.serviceTime(ServiceTime.AURORA_ENDPOINT_DNS, `cluster endpoint DNS of the promoted cluster in ${Stack.of(secondary).region}`),
  ];
}
