import * as path from 'path';
import { ArnFormat, CustomResource, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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
import { AutomationCall, FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { RegionFailoverRunner } from '../core/region-failover';
import { regionalScope } from '../core/regional-scope';
import { ServiceTime } from '../core/service-time';
import {
  addProbeSchedule, PROBE_FUNCTION_TIMEOUT, PROBE_SAMPLING, probeEnvironment, probeMetric, probeSamplesMetric, ProbeSamplingStep,
} from '../failover/cross-region-probe';
import { RegionFailoverStart } from '../failover/region-failover';
import { RegionSwitchPlan } from '../failover/region-switch-plan';
import { RegionSwitchStep } from '../failover/region-switch-step';
import type { HaDatabase } from '../ha-database/ha-database';
import { WriterFollowing } from '../ha-database/promoters';
import { HandlerFunction } from '../private/handler-function';
import { ColdStandbyConfigServerPath, ColdStandbyConfigServerProps } from './cold-standby-config-server-props';
import { ConfigSite } from './config-site';
import { FunctionEnvironmentStep, PromoterConfirmationStep } from './recovery-steps';
import { SERVER_PROBE_METRIC } from './server-probe-metric';
import { knownCidr } from './site-network';
import { requirePlacements, validate } from './validation';
import { WRITER_FLAG_KEY } from './writer-flag';

/** What proxies may do on their local replica. */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
/** What only the servers may do. */
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** How long the turn-on waits for the database's promotion (Aurora: under a minute) before it fails. */
const PROMOTION_TIMEOUT = Duration.minutes(12);
/** How often the turn-on asks whether the database is promoted. */
const PROMOTION_POLL = Duration.seconds(5);
/** The turn-on function's timeout with a database: the promotion's wait plus the other steps, within Lambda's 15 minutes. */
const TURN_ON_TIMEOUT_WITH_DATABASE = Duration.minutes(14);

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

  private readonly replicationAlarms: cloudwatch.Alarm[] = [];
  /** Whether the global table is multi-Region strongly consistent (no data loss). */
  private readonly strongConsistency: boolean;
  private readonly probeSchedule: events.Rule;
  /** The tasks the turn-on scales the standby server to. */
  private readonly standbyServerCount: number;
  private readonly turnOnCalls: AutomationCall[];

  constructor(scope: Construct, id: string, props: ColdStandbyConfigServerProps) {
    super(scope, id, props, {
      patternName: 'ColdStandbyConfigServer',
      detection: 'a probe in the standby region checks the live server\'s health through the writer name every 5 s (the data plane, confirmed by the ' +
        'primary region\'s ECS API); its alarm turns the standby on (autoTurnOn) or pages',
    });
    const stack = Stack.of(this);
    const primaryRegion = stack.region;
    requirePlacements(this, props);
    const standbyRegion = props.standby.stack.region;
    const extraSites = props.proxySites ?? [];
    validate(this, props, primaryRegion, standbyRegion, extraSites);
    this.database = props.database;

    const port = props.containerPort ?? 8080;
    const serverCount = props.serverCount ?? 2;
    this.standbyServerCount = serverCount;
    const proxyCount = props.proxyCount ?? 2;
    const ttl = props.writerRecordTtl ?? Duration.seconds(30);
    const recordName = props.writerRecordName ?? 'config-writer';
    this.writerHost = `${recordName}.${props.zone.zoneName}`;
    const replicaRegions = [standbyRegion, ...extraSites.map(s => s.stack.region)];

    // A literal name: the other regions' stacks reference their replica by name, not by token.
    const tableName = props.tableName ?? Names.uniqueResourceName(this, { maxLength: 200, separator: '-' }).toLowerCase();
    this.tableName = tableName;
    this.table = new dynamodb.TableV2(this, 'Store', {
      tableName,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      replicas: replicaRegions.map(region => ({ region })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      multiRegionConsistency: props.multiRegionConsistency,
      witnessRegion: props.witnessRegion,
    });
    this.strongConsistency = props.multiRegionConsistency === dynamodb.MultiRegionConsistency.STRONG;

    const environment = (region: string): Record<string, string> => ({
      CONFIG_TABLE: tableName,
      PRIMARY_REGION: primaryRegion,
      WRITER_FLAG_KEY,
      WRITER_URL: `http://${this.writerHost}`,
      ...(props.database ? { DB_ENDPOINT: region === primaryRegion ? props.database.endpoint.hostname : props.database.secondary!.cluster.attrReadEndpointAddress } : {}),
    });
    // A server writes through its region's cluster endpoint: in the standby region it turns
    // writable once the turn-on has promoted the secondary (the reader endpoint never does).
    const serverEnvironment = (region: string): Record<string, string> => (props.database
      ? { DB_ENDPOINT: region === primaryRegion ? props.database.endpoint.hostname : props.database.secondary!.cluster.attrEndpointAddress }
      : {});
    const sites: Array<{ prop: string; vpc: ec2.IVpc }> = [
      { prop: 'vpc', vpc: props.vpc }, { prop: 'standby.vpc', vpc: props.standby.vpc },
      ...extraSites.map((s, i) => ({ prop: `proxySites[${i}].vpc`, vpc: s.vpc })),
    ];
    const peers = (vpc: ec2.IVpc) => sites.filter(x => x.vpc !== vpc).map(x => knownCidr(x.vpc)).filter((c): c is string => c !== undefined);
    const site = (s: Construct, siteId: string, vpc: ec2.IVpc, region: string, server: boolean, count: number, names: { clusterName?: string; serverServiceName?: string } = {}) =>
      new ConfigSite(s, siteId, {
        vpc, port, healthCheckPath: props.healthCheckPath ?? '/health', writerHost: this.writerHost,
        proxyImage: props.proxyImage ?? props.image, proxyCount,
        serverImage: server ? props.image : undefined, serverCount: count,
        environment: environment(region),
        serverEnvironment: server ? serverEnvironment(region) : undefined,
        peerCidrs: peers(vpc),
        deletionProtection: props.deletionProtection ?? true,
        ...names,
      });
    // Literal names: the standby region's probe finds the live server by name, without a cross-region token.
    const primaryNames = primaryServerNames(this);
    this.primarySite = site(this, 'Primary', props.vpc, primaryRegion, true, serverCount, primaryNames);
    // Cold: no task, unless the standby is turned on (then the template keeps what the turn-on set).
    this.standbySite = site(regionalScope(this, props.standby.stack), 'Standby', props.standby.vpc, standbyRegion, true, 0);
    // The standby's task count is the turn-on's: a deploy must not reset it (CloudFormation re-applies a template's
    // DesiredCount on every update of the service). The custom resource below sets 0 once, at creation.
    (this.standbySite.server!.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
    if (this.node.tryGetContext(STANDBY_ACTIVE_CONTEXT) !== undefined) {
      addHaWarning(this, 'standby-active-context-obsolete',
        `the context value ${STANDBY_ACTIVE_CONTEXT} is no longer read: the standby server's task count is left out of the template, so a deploy keeps what the turn-on set.`);
    }
    this.proxySites = extraSites.map((s, i) => site(regionalScope(this, s.stack), `Proxy${i + 1}`, s.vpc, s.stack.region, false, 0));

    // ---- IAM: only the servers may write; proxies read their local replica
    const roleOf = (svc: ecs.FargateService) => svc.taskDefinition.taskRole;
    const grant = (svc: ecs.FargateService, write: boolean) => {
      const arn = Stack.of(svc).formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      roleOf(svc).addToPrincipalPolicy(new iam.PolicyStatement({ actions: write ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS, resources: [arn] }));
    };
    grant(this.primarySite.server!, true);
    grant(this.standbySite.server!, true);
    for (const s of [this.primarySite, this.standbySite, ...this.proxySites]) grant(s.proxy, false);
    if (props.database) {
      props.database.grantConnect(roleOf(this.primarySite.server!), 'config_writer');
      props.database.grantConnect(roleOf(this.primarySite.proxy), 'config_reader');
      props.database.secondary!.grantConnect(roleOf(this.standbySite.server!), 'config_writer');
      props.database.secondary!.grantConnect(roleOf(this.standbySite.proxy), 'config_reader');
      props.database.connections.allowDefaultPortFrom(this.primarySite.server!);
      props.database.connections.allowDefaultPortFrom(this.primarySite.proxy);
      props.database.secondary!.connections.allowDefaultPortFrom(this.standbySite.server!);
      props.database.secondary!.connections.allowDefaultPortFrom(this.standbySite.proxy);
    }
    // ---- the writer's stable name
    this.writerRecord = new route53.CnameRecord(this, 'WriterName', {
      zone: props.zone, recordName, domainName: this.primarySite.loadBalancer.loadBalancerDnsName, ttl,
      comment: `Configuration writer of ${this.node.path}; moved to the standby by its turn-on automation`,
    });

    // ---- the turn-on automation, in the standby region
    const standby = this.standbySite;
    const db = props.database?.secondary;
    const turnOn = new HandlerFunction(standby, 'TurnOn', {
      entry: path.join(__dirname, 'handler', 'index'),
      description: `Probes the live configuration server of ${this.node.path} in ${primaryRegion}; turns on the cold standby in ${standbyRegion}`,
      // With a database, the turn-on waits for its promotion (at most PROMOTION_TIMEOUT); the probe samples for a minute.
      timeout: db ? TURN_ON_TIMEOUT_WITH_DATABASE : PROBE_FUNCTION_TIMEOUT,
      // The probe checks the live server's health through the writer name from this VPC (the route between the VPCs).
      vpc: props.standby.vpc,
      environment: {
        PRIMARY_REGION: primaryRegion,
        PRIMARY_CLUSTER: primaryNames.clusterName,
        PRIMARY_SERVICE: primaryNames.serverServiceName,
        WRITER_HEALTH_URL: `http://${this.writerHost}${props.healthCheckPath ?? '/health'}`,
        ...probeEnvironment(),
        CLUSTER: standby.cluster.clusterName,
        SERVICE: standby.server!.serviceName,
        DESIRED_COUNT: String(serverCount),
        HOSTED_ZONE_ID: props.zone.hostedZoneId,
        RECORD_NAME: this.writerHost,
        TARGET_DNS_NAME: standby.loadBalancer.loadBalancerDnsName,
        TTL: String(ttl.toSeconds()),
        TABLE_NAME: tableName,
        WRITER_KEY: WRITER_FLAG_KEY,
        ...(db ? {
          GLOBAL_CLUSTER_ID: db.globalClusterIdentifier,
          TARGET_CLUSTER_ARN: db.clusterArn,
          // The database's one promoter decides between a switchover and a failover with data loss.
          PROMOTER_FUNCTION: props.database!.writerProbeFunction!.functionArn,
          PROMOTION_TIMEOUT_SECONDS: String(PROMOTION_TIMEOUT.toSeconds()),
          PROMOTION_POLL_SECONDS: String(PROMOTION_POLL.toSeconds()),
        } : {}),
      },
    });
    this.turnOnFunction = turnOn.function;
    this.turnOnRole = turnOn.role;
    const role = turnOn.role;
    const zoneArn = Stack.of(standby).formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: props.zone.hostedZoneId });
    const standbyTableArn = Stack.of(standby).formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const primaryServiceArn = Stack.of(standby).formatArn({
      service: 'ecs', region: primaryRegion, resource: 'service', resourceName: `${primaryNames.clusterName}/${primaryNames.serverServiceName}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // Ask the database's promoter for the promotion and watch it (never FailoverGlobalCluster itself).
    if (db) props.database!.grantRequestPromotion(role);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [standby.server!.serviceArn] }));
    // The probe: the live server's service in the primary region, by its literal ARN.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: [primaryServiceArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [zoneArn] }));
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['route53:ChangeResourceRecordSets'],
      resources: [zoneArn],
      conditions: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': [this.writerHost.toLowerCase()],
          'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
        },
      },
    }));
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [standbyTableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [WRITER_FLAG_KEY] } },
    }));
    this.turnOnCalls = [
      { actions: ['ecs:DescribeServices'], resource: primaryServiceArn },
      { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resource: standby.server!.serviceArn },
      ...(db ? props.database!.requestPromotionCalls() : []),
      { actions: ['route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'], resource: zoneArn },
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resource: standbyTableArn },
    ];
    // The standby's count, once: 0 at creation (ECS starts a service without a count at 1 task), never lowered later.
    const initialCount = new CustomResource(standby, 'InitialDesiredCount', {
      serviceToken: this.turnOnFunction.functionArn,
      resourceType: 'Custom::StandbyDesiredCount',
      properties: { Cluster: standby.cluster.clusterName, Service: standby.server!.serviceName, DesiredCount: '0' },
    });
    initialCount.node.addDependency(standby.server!);

    // ---- the probe of the live server, in the standby region
    this.probeSchedule = addProbeSchedule(standby, 'ServerProbeSchedule', this.turnOnFunction,
      `Samples the live configuration server ${primaryNames.serverServiceName} in ${primaryRegion} every ${PROBE_SAMPLING.interval.toSeconds()} s`);
    const periods = props.turnOnDetectionPeriods ?? 3;
    const autoTurnOn = props.autoTurnOn ?? true;
    this.serverProbeAlarm = this.createAlarm(standby, 'ServerProbeAlarm', {
      metric: probeMetric(SERVER_PROBE_METRIC, primaryNames.serverServiceName),
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: periods,
      // A period without samples is not a failure: the probe-silent alarm pages for a probe that stopped.
      signal: SignalKind.LEVEL, role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: the live configuration server in ${primaryRegion} has had no running task, or its region no answer, ` +
        `for ${periods * PROBE_SAMPLING.alarmPeriod.toSeconds()} s as seen from ${standbyRegion}: ` +
        (autoTurnOn ? 'the cold standby is being turned on.' : 'writes are refused; invoke the TurnOn function if the primary region is lost.'),
    });
    this.createAlarm(standby, 'ServerProbeSilentAlarm', {
      metric: probeSamplesMetric(SERVER_PROBE_METRIC, primaryNames.serverServiceName),
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3,
      signal: SignalKind.HEARTBEAT, role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: the probe of the live server in ${standbyRegion} published no sample for 3 minutes: ` +
        'a loss of the primary region would not be detected (check the TurnOn function).',
    });
    const turnOnLink = { construct: this.turnOnFunction, description: 'turn-on function', role: this.turnOnRole, calls: this.turnOnCalls };
    const start = new RegionFailoverStart(standby, {
      runner: props.failoverRunner ?? RegionFailoverRunner.LIBRARY_AUTOMATION,
      automatic: autoTurnOn, automaticProp: 'autoTurnOn',
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
    this.turnOnRule = start.rule;
    const sampling = new ProbeSamplingStep('server probe sampling', this.turnOnFunction, this.serverProbeAlarm);
    this.node.addValidation({ validate: () => sampling.validate(this, 'turnOnFunction environment') });

    // ---- alarms
    // Pages a live server without a healthy task (ECS replaces tasks); the standby region's probe starts the turn-on.
    this.createAlarm(this, 'ServerDownAlarm', {
      metric: this.primarySite.metricHealthyHosts(this.primarySite.serverTargetGroup!),
      description: `${this.node.path}: the live configuration server has no healthy task for 3 minutes; writes are refused until it recovers or the standby is turned on.`,
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3,
      signal: SignalKind.STATUS, role: AlarmRole.FAILOVER_TRIGGER,
    });
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
    const lagThreshold = props.replicationLatencyThreshold ?? Duration.seconds(30);
    for (const region of replicaRegions) {
      this.replicationAlarms.push(this.createAlarm(this, `ReplicationLatencyAlarm${region.replace(/-/g, '')}`, {
        metric: this.metricReplicationLatency(region),
        description: `${this.node.path}: replication to ${region} slower than ${lagThreshold.toHumanString()} for 3 minutes (data-loss bound exceeded).`,
        threshold: lagThreshold.toMilliseconds(), comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 3,
        signal: SignalKind.LEVEL, role: AlarmRole.NOTIFYING,
      }));
    }
    if (props.database) this.followPromotions(props.database, autoTurnOn);

    this.declareRecoveryObjectives(standby, sampling, start, props.database);
    if (props.backup) {
      this.backup = addPatternBackup(this, props.backup, [HaBackupResource.dynamoDbTable(this.table)], alarm => this.addAlarm(alarm, AlarmRole.NOTIFYING));
    }
    this.regionSwitchPlan = start.plan;
    this.createFailoverAlarm();
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

  /**
   * The routes the write path needs between the sites' VPCs (the writer name points to an internal load balancer):
   * the standby's probe and every other site's proxy reach the live writer in the primary region, and once the
   * standby is on, the other sites reach it in the standby region.
   */
  private networkLinks(): PathLink[] {
    const vpcOf = (site: ConfigSite) => (site.loadBalancer.vpc ?? site.cluster.vpc);
    const primaryVpc = vpcOf(this.primarySite);
    const standbyVpc = vpcOf(this.standbySite);
    const standbyRegion = Stack.of(this.standbySite).region;
    return [
      PathLink.network(standbyVpc, primaryVpc, `the standby region's probe checks the live server through ${this.writerHost}, and its proxy forwards writes there`, { port: 80 }),
      PathLink.network(primaryVpc, standbyVpc, `once the standby is on, the primary region's proxy and clients write through ${this.writerHost} to ${standbyRegion}`, { port: 80 }),
      ...this.proxySites.flatMap(site => [
        PathLink.network(vpcOf(site), primaryVpc, `the proxy in ${Stack.of(site).region} forwards writes to the live server`, { port: 80 }),
        PathLink.network(vpcOf(site), standbyVpc, `the proxy in ${Stack.of(site).region} forwards writes to the standby once it is on`, { port: 80 }),
      ]),
    ];
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
   * The Region switch step that runs the turn-on in the standby region (database promotion, server tasks,
   * writer flag, writer name, in that order), allowed as long as the function may run: what this server's
   * own plan (`failoverRunner`) or a drill's plan runs.
   */
  public turnOnSwitchStep(): RegionSwitchStep {
    const timeout = (this.turnOnFunction as lambda.Function).timeout ?? Duration.minutes(1);
    return RegionSwitchStep.invokeFunction(this.turnOnFunction, {
      description: `Turns the standby in ${Stack.of(this.standbySite).region} on (the server's own turn-on: database switchover, never a failover with data loss; ` +
        'server tasks, writer name, writer flag)',
      // Region switch's event does not tell a graceful execution from an ungraceful one: the plan's turn-on asks the promoter for a switchover only.
      payload: JSON.stringify({ action: 'turn-on', promotion: 'switchover-only' }),
      timeout: Duration.minutes(Math.max(1, Math.ceil(timeout.toMinutes({ integral: false })))),
    });
  }

  /** Lets `grantee` invoke the turn-on automation (for example an on-call role). */
  public grantTurnOn(grantee: iam.IGrantable): iam.Grant {
    return this.turnOnFunction.grantInvoke(grantee);
  }

  private declareRecoveryObjectives(standby: ConfigSite, sampling: ProbeSamplingStep, start: RegionFailoverStart, database?: HaDatabase): void {
    const fn = this.turnOnFunction;
    const primaryRegion = Stack.of(this).region;
    const standbyRegion = Stack.of(standby).region;
    const secondary = database?.secondary;
    const detection = [
      sampling,
      RecoveryStep.alarmEvaluation('server probe alarm', this.serverProbeAlarm, {
        prop: 'turnOnDetectionPeriods (1 to 6)', floor: PROBE_SAMPLING.alarmPeriod,
        samples: { prop: 'turnOnDetectionPeriods', values: [1, 2, 3, 4, 5, 6] },
        // Without automation (autoTurnOn: false) the alarm pages on-call: nothing acts on one sample.
        singleSample: start.automatic ? { slug: 'config-server-single-sample-turn-on', action: 'turns the cold standby on and moves the writer name to it' } : undefined,
      }),
      start.step(),
    ];
    const steps = [
      ...detection,
      // The turn-on scales the standby, starts the promotion and moves the name at once; the three then run side by side.
      RecoveryStep.slowest('the standby takes writes (whichever of its parts is last)', [
        RecoveryStep.sequence('standby server tasks', [
          RecoveryStep.fargateTaskStart('standby task start'),
          RecoveryStep.targetGroupHealthy('standby target healthy', standby.serverTargetGroup!),
        ]),
        RecoveryStep.sequence('writer name', [
          RecoveryStep.serviceTime(ServiceTime.ROUTE53_CHANGE_PROPAGATION, 'writer name UPSERT on the Route 53 name servers'),
          RecoveryStep.dnsTtl('writer name TTL', this.writerRecord, { prop: 'writerRecordTtl (1 to 60 s)', floor: Duration.seconds(1) }),
        ]),
        ...(secondary && database ? [RecoveryStep.sequence('database promotion by its promoter, then the writer flag', [
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
          new FunctionEnvironmentStep('promotion noticed', fn, 'PROMOTION_POLL_SECONDS', PROMOTION_POLL, 'the turn-on polls DescribeGlobalClusters every'),
        ])] : []),
      ]),
    ];
    this.recoveryObjectives.addRecoveryPath(ColdStandbyConfigServerPath.WRITES, steps, {
      description: 'the live server or its region is lost: the standby region\'s probe sees it and the standby is turned on and takes the writer name',
      scenarios: [FailureScenario.regionLoss(primaryRegion), FailureScenario.primaryServerLoss(primaryRegion)],
      links: [
        PathLink.signal(this.probeSchedule, `probe of the live server through the ECS endpoint of ${primaryRegion}`),
        PathLink.alarm(this.serverProbeAlarm, 'server probe alarm'),
        ...start.links(steps),
        PathLink.dns(this.writerRecord, `writer name ${this.writerHost}`),
        PathLink.capacity(standby.server!, `standby server in ${standbyRegion} once turned on`, { serving: this.standbyServerCount, required: 1 }),
        ...this.networkLinks(),
        ...(secondary ? [PathLink.capacity(secondary.cluster, `instances of the database's secondary cluster in ${standbyRegion}`, { serving: secondary.instanceCount, required: 1 })] : []),
      ],
    });
    this.recoveryObjectives.addRecoveryPath(ColdStandbyConfigServerPath.READS, [
      RecoveryStep.constant('proxies on the local replica', Duration.seconds(0), 'every other region\'s proxy reads its own replica: reads are not interrupted'),
    ], {
      description: 'read availability outside the lost region is 100 % by design',
      scenarios: [FailureScenario.regionLoss(primaryRegion)],
      links: [
        ...[this.standbySite, ...this.proxySites].map(site => PathLink.capacity(site.proxy, `proxy in ${Stack.of(site).region}`, { required: 1 })),
        ...(secondary ? [PathLink.capacity(secondary.cluster, `instances of the database's secondary cluster in ${standbyRegion} (the standby proxy reads them)`,
          { serving: secondary.instanceCount, required: 1 })] : []),
      ],
    });
    this.recoveryObjectives.addDataLossBound(this.strongConsistency
      ? RecoveryStep.constant('DynamoDB global table, multi-Region strong consistency', Duration.seconds(0),
        'every write is durable in a second region before it succeeds (multiRegionConsistency STRONG): nothing is lost')
      : RecoveryStep.alarmThreshold('DynamoDB global table replication (ReplicationLatency alarm threshold; typically under 1 s)',
        this.replicationAlarms[0], Duration.millis(1), { prop: 'replicationLatencyThreshold, or multiRegionConsistency STRONG', floor: Duration.seconds(0) }));
    if (database) {
      this.recoveryObjectives.addDataLossBound(RecoveryStep.alarmThreshold(`HA database global replication (AuroraGlobalDBRPOLag alarm threshold of ${database.node.path})`,
        database.globalLagAlarm!, Duration.millis(1), { prop: 'the database\'s globalLagThreshold', floor: Duration.seconds(1) }));
    }
  }
}

/** The literal names of the primary ECS cluster and live server service (a probe in the standby region names them). */
function primaryServerNames(scope: ColdStandbyConfigServer): { clusterName: string; serverServiceName: string } {
  const base = Names.uniqueResourceName(scope, { maxLength: 60, separator: '-' });
  return { clusterName: `${base}-primary`, serverServiceName: `${base}-server` };
}

/**
 * Context key that once declared the standby turned on. No longer read: the standby's task count is
 * left out of the template (a deploy keeps what the turn-on set); a synthesis that still sets it warns.
 */
export const STANDBY_ACTIVE_CONTEXT = 'cdk-ha-patterns:standbyActive';
