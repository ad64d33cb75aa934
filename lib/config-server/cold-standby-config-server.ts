import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { HaBackup, HaBackupResource } from '../backup/ha-backup';
import { addPatternBackup } from '../backup/pattern-backup';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning } from '../core/errors';
import { FailureScenario } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RegionFailoverRunner } from '../core/region-failover';
import {
  addProbeSchedule, PROBE_SAMPLING, probeMetric, probeSamplesMetric, ProbeSamplingStep,
} from '../failover/cross-region-probe';
import { RegionFailoverStart } from '../failover/region-failover';
import { RegionSwitchPlan } from '../failover/region-switch-plan';
import { RegionSwitchStep } from '../failover/region-switch-step';
import type { HaDatabase } from '../ha-database/ha-database';
import { WriterFollowing } from '../ha-database/promoters';
import { ColdStandbyConfigServerPath, ColdStandbyConfigServerProps } from './cold-standby-config-server-props';
import { ConfigSite } from './config-site';
import { createFailBackAutomation } from './fail-back-automation';
import { ConfigServerPathParts, declareRecoveryPaths } from './recovery-paths';
import { SERVER_PROBE_METRIC } from './server-probe-metric';
import { ConfigServerSettings, validatedSettings } from './settings';
import { createSites, grantStoreAccess } from './sites';
import { createTurnOnAutomation, TurnOnAutomation } from './turn-on-automation';

/**
 * The configuration service of a multi-site deployment.
 *
 * - A store replicated between regions (a DynamoDB global table with
 *   point-in-time recovery, or an `HaDatabase`).
 * - One live server in the primary region, the only running writer,
 *   reachable on a stable name (`config-writer.<zone>`).
 * - A proxy in every region, reading the local replica: reads continue when
 *   the primary region is gone.
 * - A cold standby server in the standby region at zero tasks, and a
 *   turn-on automation (Lambda) that scales it to `serverCount`, promotes
 *   the `HaDatabase` store (if any) and waits for it, sets the writer flag to
 *   its region and moves the writer's name to it.
 *
 * Degraded mode: while the primary server is down and the standby is off,
 * writes are refused (servers and proxies call `assertWriter`, which throws
 * `WritesRefusedError`), reads keep working.
 */
export class ColdStandbyConfigServer extends HaPattern {
  /** The global table (the store, or only the writer flag when `database` is given). */
  public readonly table: dynamodb.TableV2;
  /** The global table's name (a literal). */
  public readonly tableName: string;
  /** The primary region's site. */
  public readonly primarySite: ConfigSite;
  /** The standby region's site. */
  public readonly standbySite: ConfigSite;
  /** Further proxy sites. */
  public readonly proxySites: ConfigSite[];
  /** The writer's stable name. */
  public readonly writerRecord: route53.CnameRecord;
  /** The `HaDatabase` store (its turn-on promotes it), if the server uses one. */
  public readonly database?: HaDatabase;
  /** The writer's fully qualified name. */
  public readonly writerHost: string;
  /** The turn-on automation (and the probe of the live server), in the standby region. */
  public readonly turnOnFunction: lambda.IFunction;
  /**
   * The failback automation, in the primary region: moves the writer back from the standby gracefully
   * (both regions up; writes are refused, never lost, while it runs); the standby then scales itself to 0.
   */
  public readonly failBackFunction: lambda.IFunction;
  /** The failback function's ARN, a literal (the standby region's plan names it without a cross-region reference). */
  private readonly failBackFunctionArn: string;
  /** The role the turn-on automation runs as. */
  public readonly turnOnRole: iam.IRole;
  /** The alarm on the standby region's probe of the live server (in the standby region). */
  public readonly serverProbeAlarm: cloudwatch.Alarm;
  /** The rule that turns the standby on when the probe alarm fires (`autoTurnOn` with the library's automation), if any. */
  public readonly turnOnRule?: events.Rule;
  /** The Region switch plan that turns the standby on (`failoverRunner: REGION_SWITCH_PLAN`), if any. */
  public readonly regionSwitchPlan?: RegionSwitchPlan;
  /** The backup tier over the global table, when `backup` is set. */
  public readonly backup?: HaBackup;

  constructor(scope: Construct, id: string, props: ColdStandbyConfigServerProps) {
    super(scope, id, props, {
      patternName: 'ColdStandbyConfigServer',
      detection: 'a probe in the standby region checks the live server\'s health through the writer name every 5 s (the data plane, confirmed by the ' +
        'primary region\'s ECS API); its alarm turns the standby on (autoTurnOn) or pages',
    });
    const settings = validatedSettings(this, props);
    this.database = props.database;
    this.writerHost = settings.writerHost;
    this.tableName = settings.tableName;
    this.table = this.createStore(props, settings);

    // ---- the sites, their access to the store, the writer's stable name
    const sites = createSites(this, props, settings);
    this.primarySite = sites.primary;
    this.standbySite = sites.standby;
    this.proxySites = sites.proxies;
    this.leaveStandbyCountToTurnOn();
    grantStoreAccess(sites, settings.tableName, props.database);
    this.writerRecord = this.createWriterName(props, settings);

    // ---- the turn-on automation and the probe of the live server, in the standby region
    const turnOn = this.createTurnOn(props, settings);
    this.turnOnFunction = turnOn.function;
    this.turnOnRole = turnOn.role;
    const failBack = createFailBackAutomation(this.primarySite, this.node.path, props, settings);
    this.failBackFunction = failBack.function;
    this.failBackFunctionArn = failBack.functionArn;
    const probeSchedule = this.addProbeSchedule(settings);
    this.serverProbeAlarm = this.addServerProbeAlarms(settings);
    const start = this.startTurnOnOnProbeAlarm(props, settings, turnOn);
    this.turnOnRule = start.rule;
    const sampling = this.checkProbeSampling();

    // ---- alarms
    this.addServerDownAlarm();
    this.addProxyAlarms();
    const replicationAlarms = this.addReplicationAlarms(settings);
    if (props.database) this.followPromotions(props.database, settings.autoTurnOn);

    // ---- recovery paths, backup, failover alarm
    this.declareRecoveryObjectives(settings, { probeSchedule, sampling, start, replicationAlarms });
    if (props.backup) {
      this.backup = addPatternBackup(this, props.backup, [HaBackupResource.dynamoDbTable(this.table)], alarm => this.addAlarm(alarm, AlarmRole.NOTIFYING));
    }
    this.regionSwitchPlan = start.plan;
    this.createFailoverAlarm();
  }

  /** The store: a global table with a replica in every other site's region, point-in-time recovery and deletion protection. */
  private createStore(props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): dynamodb.TableV2 {
    return new dynamodb.TableV2(this, 'Store', {
      tableName: settings.tableName,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      replicas: settings.replicaRegions.map(region => ({ region })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      multiRegionConsistency: props.multiRegionConsistency,
      witnessRegion: props.witnessRegion,
    });
  }

  /**
   * The standby's task count is the turn-on's: a deploy must not reset it (CloudFormation re-applies a template's
   * DesiredCount on every update of the service). The turn-on's custom resource sets 0 once, at creation.
   */
  private leaveStandbyCountToTurnOn(): void {
    (this.standbySite.server!.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
    if (this.node.tryGetContext(STANDBY_ACTIVE_CONTEXT) !== undefined) {
      addHaWarning(this, 'standby-active-context-obsolete',
        `the context value ${STANDBY_ACTIVE_CONTEXT} is no longer read: the standby server's task count is left out of the template, so a deploy keeps what the turn-on set.`);
    }
  }

  /** The writer's stable name, pointing at the live server's load balancer (the turn-on moves it). */
  private createWriterName(props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): route53.CnameRecord {
    return new route53.CnameRecord(this, 'WriterName', {
      zone: props.zone, recordName: settings.writerRecordName, domainName: this.primarySite.loadBalancer.loadBalancerDnsName, ttl: settings.writerRecordTtl,
      comment: `Configuration writer of ${this.node.path}; moved to the standby by its turn-on automation`,
    });
  }

  /** The turn-on automation in the standby site: its function (the probe of the live server as well), its role and its calls. */
  private createTurnOn(props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): TurnOnAutomation {
    return createTurnOnAutomation(this.standbySite, this.node.path, props, settings);
  }

  /** The schedule that starts the probe of the live server, in the standby region. */
  private addProbeSchedule(settings: ConfigServerSettings): events.Rule {
    return addProbeSchedule(this.standbySite, 'ServerProbeSchedule', this.turnOnFunction,
      `Samples the live configuration server ${settings.primaryNames.serverServiceName} in ${settings.primaryRegion} every ${PROBE_SAMPLING.interval.toSeconds()} s`);
  }

  /** The probe's alarm (it starts the turn-on), and the alarm that pages when the probe stops sampling; returns the first. */
  private addServerProbeAlarms(settings: ConfigServerSettings): cloudwatch.Alarm {
    const { primaryRegion, standbyRegion, turnOnDetectionPeriods: periods, primaryNames } = settings;
    const probeAlarm = this.createAlarm(this.standbySite, 'ServerProbeAlarm', {
      metric: probeMetric(SERVER_PROBE_METRIC, primaryNames.serverServiceName),
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: periods,
      // A period without samples is not a failure: the probe-silent alarm pages for a probe that stopped.
      signal: SignalKind.LEVEL, role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: the live configuration server in ${primaryRegion} has had no running task, or its region no answer, ` +
        `for ${periods * PROBE_SAMPLING.alarmPeriod.toSeconds()} s as seen from ${standbyRegion}: ` +
        (settings.autoTurnOn ? 'the cold standby is being turned on.' : 'writes are refused; invoke the TurnOn function if the primary region is lost.'),
    });
    this.createAlarm(this.standbySite, 'ServerProbeSilentAlarm', {
      metric: probeSamplesMetric(SERVER_PROBE_METRIC, primaryNames.serverServiceName),
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3,
      signal: SignalKind.HEARTBEAT, role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: the probe of the live server in ${standbyRegion} published no sample for 3 minutes: ` +
        'a loss of the primary region would not be detected (check the TurnOn function).',
    });
    return probeAlarm;
  }

  /** What starts the turn-on when the probe alarm fires: the library's rule, a Region switch plan, or on-call. */
  private startTurnOnOnProbeAlarm(props: ColdStandbyConfigServerProps, settings: ConfigServerSettings, turnOn: TurnOnAutomation): RegionFailoverStart {
    const { primaryRegion, standbyRegion } = settings;
    const turnOnLink = { construct: this.turnOnFunction, description: 'turn-on function', role: this.turnOnRole, calls: turnOn.calls };
    return new RegionFailoverStart(this.standbySite, {
      runner: props.failoverRunner ?? RegionFailoverRunner.LIBRARY_AUTOMATION,
      automatic: settings.autoTurnOn, automaticProp: 'autoTurnOn',
      alarm: this.serverProbeAlarm, primaryRegion,
      fn: this.turnOnFunction, ruleId: 'TurnOnOnProbeAlarm',
      ruleDescription: `Turns the cold standby on when the probe of the live server (${primaryRegion}) enters ALARM`,
      automation: turnOnLink, manual: turnOnLink,
      planSteps: [this.turnOnSwitchStep()],
      planCalls: [{ actions: ['lambda:InvokeFunction'], resource: this.turnOnFunction.functionArn }],
      planAutomations: [turnOnLink],
      planPurpose: rto => ({
        patternPath: this.node.path, patternName: this.patternName, paths: [ColdStandbyConfigServerPath.WRITES],
        scenario: FailureScenario.regionLoss(primaryRegion).description, expectedRecovery: rto,
        proves: `the '${ColdStandbyConfigServerPath.WRITES}' path: the standby in ${standbyRegion} is turned on and takes the writer name ${this.writerHost}`,
        passes: `the graceful execution (a real switch; the database switches over, never fails over with data loss) completes: ${this.writerHost} resolves to the standby and writes succeed within the plan's RTO.`,
      }),
    });
  }

  /** The probe's sampling as the path counts it, checked against the function's environment at synthesis. */
  private checkProbeSampling(): ProbeSamplingStep {
    const sampling = new ProbeSamplingStep('server probe sampling', this.turnOnFunction, this.serverProbeAlarm);
    this.node.addValidation({ validate: () => sampling.validate(this, 'turnOnFunction environment') });
    return sampling;
  }

  /** Pages a live server without a healthy task (ECS replaces tasks); the standby region's probe starts the turn-on. */
  private addServerDownAlarm(): void {
    this.createAlarm(this, 'ServerDownAlarm', {
      metric: this.primarySite.metricHealthyHosts(this.primarySite.serverTargetGroup!),
      description: `${this.node.path}: the live configuration server has no healthy task for 3 minutes; writes are refused until it recovers or the standby is turned on.`,
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3,
      signal: SignalKind.STATUS, role: AlarmRole.FAILOVER_TRIGGER,
    });
  }

  /** Each site's proxy without a healthy task, or returning errors. */
  private addProxyAlarms(): void {
    for (const s of [this.primarySite, this.standbySite, ...this.proxySites]) {
      const inPrimary = s === this.primarySite;
      const alarmScope = inPrimary ? this : s;
      // The primary region's proxy is part of the failover; a proxy elsewhere pages on its own.
      this.createAlarm(alarmScope, 'ProxyDownAlarm', {
        metric: s.metricHealthyHosts(s.proxyTargetGroup),
        description: `${s.node.path}: the configuration proxy has no healthy task for 3 minutes (reads fail in this region).`,
        threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3,
        signal: SignalKind.STATUS, role: inPrimary ? AlarmRole.FAILOVER_TRIGGER : AlarmRole.NOTIFYING,
      });
      this.createAlarm(alarmScope, 'ProxyErrorsAlarm', {
        metric: s.proxyTargetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period: Duration.minutes(1) }),
        description: `${s.node.path}: the configuration proxy returned more than 5 errors a minute for 3 minutes.`,
        threshold: 5, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 3,
        signal: SignalKind.EVENT_COUNT, role: AlarmRole.NOTIFYING,
      });
    }
  }

  /** Replication to each replica's region slower than the RPO bound (`replicationLatencyThreshold`). */
  private addReplicationAlarms(settings: ConfigServerSettings): cloudwatch.Alarm[] {
    const lagThreshold = settings.replicationLatencyThreshold;
    return settings.replicaRegions.map(region => this.createAlarm(this, `ReplicationLatencyAlarm${region.replace(/-/g, '')}`, {
      metric: this.metricReplicationLatency(region),
      description: `${this.node.path}: replication to ${region} slower than ${lagThreshold.toHumanString()} for 3 minutes (data-loss bound exceeded).`,
      threshold: lagThreshold.toMilliseconds(), comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 3,
      signal: SignalKind.LEVEL, role: AlarmRole.NOTIFYING,
    }));
  }

  /** The `writes` and `reads` paths and the data-loss bounds, computed from the parts built above. */
  private declareRecoveryObjectives(settings: ConfigServerSettings,
    built: Pick<ConfigServerPathParts, 'probeSchedule' | 'sampling' | 'start' | 'replicationAlarms'>): void {
    declareRecoveryPaths({
      ...built,
      objectives: this.recoveryObjectives, primaryRegion: settings.primaryRegion,
      primarySite: this.primarySite, standbySite: this.standbySite, proxySites: this.proxySites,
      writerHost: this.writerHost, writerRecord: this.writerRecord, turnOnFunction: this.turnOnFunction, serverProbeAlarm: this.serverProbeAlarm,
      standbyServerCount: settings.serverCount, strongConsistency: settings.strongConsistency, database: this.database,
    });
  }

  /**
   * The configuration server follows its database's writer: a rule in the standby region starts the
   * turn-on when the database's promoter announces a promotion to this region (its own probe found
   * the primary region lost), and the analysis counts the server as a consumer the promotion moves.
   */
  private followPromotions(database: HaDatabase, autoTurnOn: boolean): void {
    new events.Rule(this.standbySite, 'TurnOnOnDatabasePromotion', {
      description: `Turns the cold standby on when ${database.node.path} is promoted to ${Stack.of(this.standbySite).region}: the configuration server follows the writer`,
      eventPattern: database.promotedEventPattern(),
      targets: [new targets.LambdaFunction(this.turnOnFunction, { retryAttempts: 4, maxEventAge: Duration.hours(1) })],
    });
    database.addWriterConsumer(this, WriterFollowing.MOVED_BY_PROMOTION);
    database.addPromotionRequester(this, autoTurnOn);
  }

  /** Worst-case time until writes are accepted again after the primary region is lost. */
  public get writeRto(): Duration {
    return this.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES).total;
  }

  /** Worst-case time until reads work again after the primary region is lost: 0, by design. */
  public get readRto(): Duration {
    return this.recoveryObjectives.path(ColdStandbyConfigServerPath.READS).total;
  }

  /** Worst-case data loss: the replication-latency alarm threshold. */
  public get rpo(): Duration {
    return this.recoveryObjectives.rpo;
  }

  /** DynamoDB replication latency from the primary to `region` (milliseconds, 1-minute average). */
  public metricReplicationLatency(siteRegion: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB', metricName: 'ReplicationLatency',
      dimensionsMap: { TableName: this.tableName, ReceivingRegion: siteRegion },
      statistic: 'Average', period: Duration.minutes(1), ...options,
    });
  }

  /** Healthy tasks of the live server (1-minute minimum). */
  public metricServerHealthyHosts(): cloudwatch.Metric {
    return this.primarySite.metricHealthyHosts(this.primarySite.serverTargetGroup!);
  }

  /**
   * The Region switch step that runs, in the region the plan activates, that region's automation: the
   * turn-on in the standby region (server tasks, database switchover, writer name, writer flag) and, for
   * the failback, the failback function in the primary region (fence, database switchover back, writer
   * name, writer flag). What this server's own plan (`failoverRunner`) or a drill's plan runs.
   */
  public turnOnSwitchStep(): RegionSwitchStep {
    const minutes = [this.turnOnFunction, this.failBackFunction].map(fn => ((fn as lambda.Function).timeout ?? Duration.minutes(1)).toMinutes({ integral: false }));
    return RegionSwitchStep.invokeFunctionInEachRegion([
      // Region switch's event does not tell a graceful execution from an ungraceful one: the plan's turn-on asks the promoter for a switchover only.
      { functionArn: this.turnOnFunction.functionArn, region: Stack.of(this.standbySite).region, payload: JSON.stringify({ action: 'turn-on', promotion: 'switchover-only' }) },
      { functionArn: this.failBackFunctionArn, region: Stack.of(this).region, payload: JSON.stringify({ action: 'fail-back' }) },
    ], {
      description: `Turns the standby in ${Stack.of(this.standbySite).region} on (the server's own turn-on: database switchover, never a failover with data loss; ` +
        `server tasks, writer name, writer flag), or fails back to ${Stack.of(this).region} (writes refused while the writer moves back, never lost)`,
      timeout: Duration.minutes(Math.max(1, Math.ceil(Math.max(...minutes)))),
    });
  }

  /** Lets `grantee` invoke the failback (for example an on-call role): graceful, both regions up. */
  public grantFailBack(grantee: iam.IGrantable): iam.Grant {
    return this.failBackFunction.grantInvoke(grantee);
  }

  /** Lets `grantee` invoke the turn-on automation (for example an on-call role). */
  public grantTurnOn(grantee: iam.IGrantable): iam.Grant {
    return this.turnOnFunction.grantInvoke(grantee);
  }
}

/**
 * Context key that once declared the standby turned on. No longer read: the standby's task count is
 * left out of the template (a deploy keeps what the turn-on set); a synthesis that still sets it warns.
 */
export const STANDBY_ACTIVE_CONTEXT = 'cdk-ha-patterns:standbyActive';
