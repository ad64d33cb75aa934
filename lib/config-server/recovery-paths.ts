import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { RecoveryObjectives } from '../core/recovery-objectives';
import { RecoveryStep } from '../core/recovery-step';
import { ServiceTime } from '../core/service-time';
import { PROBE_SAMPLING, ProbeSamplingStep } from '../failover/cross-region-probe';
import { RegionFailoverStart } from '../failover/region-failover';
import type { HaDatabase } from '../ha-database/ha-database';
import { ColdStandbyConfigServerPath } from './cold-standby-config-server-props';
import { ConfigSite } from './config-site';
import { FunctionEnvironmentStep, PromoterConfirmationStep } from './recovery-steps';
import { PROMOTION_POLL } from './turn-on-automation';

/** What the recovery paths of a `ColdStandbyConfigServer` are computed from. */
export interface ConfigServerPathParts {
  readonly objectives: RecoveryObjectives;
  readonly primaryRegion: string;
  readonly primarySite: ConfigSite;
  readonly standbySite: ConfigSite;
  readonly proxySites: ConfigSite[];
  readonly writerHost: string;
  readonly writerRecord: route53.CnameRecord;
  readonly turnOnFunction: lambda.IFunction;
  /** The schedule that starts the probe of the live server. */
  readonly probeSchedule: events.Rule;
  readonly serverProbeAlarm: cloudwatch.Alarm;
  /** The probe's sampling, read from the function and the alarm. */
  readonly sampling: ProbeSamplingStep;
  /** How the turn-on starts once the probe alarm fires. */
  readonly start: RegionFailoverStart;
  /** The tasks the turn-on scales the standby server to. */
  readonly standbyServerCount: number;
  readonly replicationAlarms: cloudwatch.Alarm[];
  /** Whether the global table is multi-Region strongly consistent (no data loss). */
  readonly strongConsistency: boolean;
  readonly database?: HaDatabase;
}

/** The `writes` and `reads` paths and the data-loss bounds. */
export function declareRecoveryPaths(parts: ConfigServerPathParts): void {
  addWritePath(parts);
  addReadPath(parts);
  addDataLossBounds(parts);
}

/** The time until the turn-on starts: the probe's sampling, its alarm, then the rule, the plan or on-call. */
function turnOnDetection(parts: ConfigServerPathParts): RecoveryStep[] {
  const { sampling, start } = parts;
  return [
    sampling,
    RecoveryStep.alarmEvaluation('server probe alarm', parts.serverProbeAlarm, {
      prop: 'turnOnDetectionPeriods (1 to 6)', floor: PROBE_SAMPLING.alarmPeriod,
      samples: { prop: 'turnOnDetectionPeriods', values: [1, 2, 3, 4, 5, 6] },
      // Without automation (autoTurnOn: false) the alarm pages on-call: nothing acts on one sample.
      singleSample: start.automatic ? { slug: 'config-server-single-sample-turn-on', action: 'turns the cold standby on and moves the writer name to it' } : undefined,
    }),
    start.step(),
  ];
}

/** The turn-on scales the standby, starts the promotion and moves the name at once; the three then run side by side. */
function standbyTakesWrites(parts: ConfigServerPathParts, detection: RecoveryStep[]): RecoveryStep {
  const database = parts.database;
  return RecoveryStep.slowest('the standby takes writes (whichever of its parts is last)', [
    RecoveryStep.sequence('standby server tasks', [
      RecoveryStep.fargateTaskStart('standby task start'),
      RecoveryStep.targetGroupHealthy('standby target healthy', parts.standbySite.serverTargetGroup!),
    ]),
    RecoveryStep.sequence('writer name', [
      RecoveryStep.serviceTime(ServiceTime.ROUTE53_CHANGE_PROPAGATION, 'writer name UPSERT on the Route 53 name servers'),
      RecoveryStep.dnsTtl('writer name TTL', parts.writerRecord, { prop: 'writerRecordTtl (1 to 60 s)', floor: Duration.seconds(1) }),
    ]),
    ...(database?.secondary ? [databasePromotion(database, parts.turnOnFunction, detection)] : []),
  ]);
}

/** The database's promotion by its promoter, asked by the turn-on, then the turn-on's poll that notices it (it sets the writer flag next). */
function databasePromotion(database: HaDatabase, turnOnFunction: lambda.IFunction, detection: RecoveryStep[]): RecoveryStep {
  const secondary = database.secondary!;
  return RecoveryStep.sequence('database promotion by its promoter, then the writer flag', [
    RecoveryStep.serviceTime(ServiceTime.EVENTBRIDGE_LAMBDA_AUTOMATION, 'the promoter, asked by the turn-on'),
    RecoveryStep.slowest('the promoter starts the promotion', [
      RecoveryStep.constant('live server lost, its region up: a switchover at once', Duration.seconds(0),
        'the primary writer answers, so the promoter switches over (no data loss) without waiting'),
      new PromoterConfirmationStep('primary region lost: the promoter waits for its own probe alarm', RecoveryStep.sequence('promoter detection', [
        new ProbeSamplingStep('writer probe sampling', database.writerProbeFunction!, database.writerProbeAlarm!),
        RecoveryStep.alarmEvaluation('writer probe alarm', database.writerProbeAlarm!),
        RecoveryStep.serviceTime(ServiceTime.EVENTBRIDGE_LAMBDA_AUTOMATION, 'the promoter, started by its alarm'),
      ]), RecoveryStep.sequence('turn-on detection', detection)),
    ]),
    ...(secondary.instanceCount === 0 ? [RecoveryStep.constant('headless secondary: an instance first', ServiceTime.AURORA_INSTANCE_START.duration,
      ServiceTime.AURORA_INSTANCE_START.source)] : []),
    RecoveryStep.slowest('the secondary promoted', [
      RecoveryStep.serviceTime(ServiceTime.AURORA_GLOBAL_PROMOTION, 'FailoverGlobalCluster (primary region lost)'),
      RecoveryStep.sequence('SwitchoverGlobalCluster (live server lost, no data loss)', [
        RecoveryStep.alarmThreshold('the secondary catches up first (at most the global lag alarm threshold)', database.globalLagAlarm!, Duration.millis(1),
          { prop: 'the database\'s globalLagThreshold', floor: Duration.seconds(1) }),
        RecoveryStep.serviceTime(ServiceTime.AURORA_GLOBAL_PROMOTION, 'roles change, as in a failover'),
      ]),
    ]),
    new FunctionEnvironmentStep('promotion noticed', turnOnFunction, 'PROMOTION_POLL_SECONDS', PROMOTION_POLL, 'the turn-on polls DescribeGlobalClusters every'),
  ]);
}

/** `writes`: the live server or its region is lost; the standby region's probe sees it and the standby is turned on. */
function addWritePath(parts: ConfigServerPathParts): void {
  const { primaryRegion, standbySite } = parts;
  const standbyRegion = Stack.of(standbySite).region;
  const secondary = parts.database?.secondary;
  const detection = turnOnDetection(parts);
  const steps = [...detection, standbyTakesWrites(parts, detection)];
  parts.objectives.addRecoveryPath(ColdStandbyConfigServerPath.WRITES, steps, {
    description: 'the live server or its region is lost: the standby region\'s probe sees it and the standby is turned on and takes the writer name',
    scenarios: [FailureScenario.regionLoss(primaryRegion), FailureScenario.primaryServerLoss(primaryRegion)],
    links: [
      PathLink.signal(parts.probeSchedule, `probe of the live server through the ECS endpoint of ${primaryRegion}`),
      PathLink.alarm(parts.serverProbeAlarm, 'server probe alarm'),
      ...parts.start.links(steps),
      PathLink.dns(parts.writerRecord, `writer name ${parts.writerHost}`),
      PathLink.capacity(standbySite.server!, `standby server in ${standbyRegion} once turned on`, { serving: parts.standbyServerCount, required: 1 }),
      ...networkLinks(parts),
      ...(secondary ? [PathLink.capacity(secondary.cluster, `instances of the database's secondary cluster in ${standbyRegion}`, { serving: secondary.instanceCount, required: 1 })] : []),
    ],
  });
}

/**
 * The routes the write path needs between the sites' VPCs (the writer name points to an internal load balancer):
 * the standby's probe and every other site's proxy reach the live writer in the primary region, and once the
 * standby is on, the other sites reach it in the standby region.
 */
function networkLinks(parts: ConfigServerPathParts): PathLink[] {
  const { writerHost } = parts;
  const vpcOf = (site: ConfigSite) => (site.loadBalancer.vpc ?? site.cluster.vpc);
  const primaryVpc = vpcOf(parts.primarySite);
  const standbyVpc = vpcOf(parts.standbySite);
  const standbyRegion = Stack.of(parts.standbySite).region;
  return [
    PathLink.network(standbyVpc, primaryVpc, `the standby region's probe checks the live server through ${writerHost}, and its proxy forwards writes there`, { port: 80 }),
    PathLink.network(primaryVpc, standbyVpc, `once the standby is on, the primary region's proxy and clients write through ${writerHost} to ${standbyRegion}`, { port: 80 }),
    ...parts.proxySites.flatMap(site => [
      PathLink.network(vpcOf(site), primaryVpc, `the proxy in ${Stack.of(site).region} forwards writes to the live server`, { port: 80 }),
      PathLink.network(vpcOf(site), standbyVpc, `the proxy in ${Stack.of(site).region} forwards writes to the standby once it is on`, { port: 80 }),
    ]),
  ];
}

/** `reads`: every other region's proxy reads its own replica, so reads outside the lost region are not interrupted. */
function addReadPath(parts: ConfigServerPathParts): void {
  const standbyRegion = Stack.of(parts.standbySite).region;
  const secondary = parts.database?.secondary;
  parts.objectives.addRecoveryPath(ColdStandbyConfigServerPath.READS, [
    RecoveryStep.constant('proxies on the local replica', Duration.seconds(0), 'every other region\'s proxy reads its own replica: reads are not interrupted'),
  ], {
    description: 'read availability outside the lost region is 100 % by design',
    scenarios: [FailureScenario.regionLoss(parts.primaryRegion)],
    links: [
      ...[parts.standbySite, ...parts.proxySites].map(site => PathLink.capacity(site.proxy, `proxy in ${Stack.of(site).region}`, { required: 1 })),
      ...(secondary ? [PathLink.capacity(secondary.cluster, `instances of the database's secondary cluster in ${standbyRegion} (the standby proxy reads them)`,
        { serving: secondary.instanceCount, required: 1 })] : []),
    ],
  });
}

/** The RPO: the global table's replication (0 with strong consistency) and, with a database, its global replication. */
function addDataLossBounds(parts: ConfigServerPathParts): void {
  parts.objectives.addDataLossBound(parts.strongConsistency
    ? RecoveryStep.constant('DynamoDB global table, multi-Region strong consistency', Duration.seconds(0),
      'every write is durable in a second region before it succeeds (multiRegionConsistency STRONG): nothing is lost')
    : RecoveryStep.alarmThreshold('DynamoDB global table replication (ReplicationLatency alarm threshold; typically under 1 s)',
      parts.replicationAlarms[0], Duration.millis(1), { prop: 'replicationLatencyThreshold, or multiRegionConsistency STRONG', floor: Duration.seconds(0) }));
  const database = parts.database;
  if (database) {
    parts.objectives.addDataLossBound(RecoveryStep.alarmThreshold(`HA database global replication (AuroraGlobalDBRPOLag alarm threshold of ${database.node.path})`,
      database.globalLagAlarm!, Duration.millis(1), { prop: 'the database\'s globalLagThreshold', floor: Duration.seconds(1) }));
  }
}
