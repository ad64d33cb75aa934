import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { AlarmRole } from '../core/alarm-role';
import { HaValidationError } from '../core/errors';
import { AutomationCall } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RegionSwitchPlan } from '../failover/region-switch-plan';
import { GlobalClusterMember, IRegionSwitchGlobalDatabase } from '../failover/region-switch-step';
import { addDatabaseBackup } from './backup';
import {
  addAvailabilityAlarms, addCapacityAlarms, addGlobalLagAlarm, AlarmFactory, subscribeToSecondaryEvents, subscribeToWriterEvents,
} from './database-alarms';
import { declareCrossRegionPath, declareInRegionPath } from './database-paths';
import { HaDatabaseEngine } from './engine';
import { HaDatabasePath, HaDatabaseProps } from './ha-database-props';
import { buildAuroraDatabase, buildSqlServerDatabase, primarySettings } from './primary-database';
import { PROMOTED_EVENT } from './promoted-event';
import { PromotionRegistry, WriterFollowing } from './promoters';
import { HaDatabaseSecondary } from './secondary';
import { AURORA_GLOBAL_TYPICAL_LAG, validate } from './validation';
import { addWriterProbe, WriterProbe } from './writer-probe';

export { AURORA_GLOBAL_TYPICAL_LAG };

/** How the database detects a failure, in one sentence (the recovery objectives' `detection`). */
function detectionOf(props: HaDatabaseProps): string {
  return props.secondary
    ? 'RDS detects the writer failure and fails over in-region; a probe in the secondary region connects to the primary writer every 5 s ' +
      '(the data plane, confirmed by the primary region\'s RDS API) and its alarm starts the cross-region failover by the one promoter'
    : 'RDS detects the writer failure and fails over in-region; the writer-down alarm pages';
}

/**
 * A database an HA deployment shares: an Aurora PostgreSQL or MySQL Multi-AZ
 * cluster (optionally the primary of an Aurora Global Database with a
 * secondary cluster in another region), or a SQL Server Multi-AZ instance.
 *
 * Secure by default: encrypted storage, generated credentials in Secrets
 * Manager with rotation, IAM authentication (Aurora), TLS required, no public
 * access, backups kept, deletion protection and `RemovalPolicy.RETAIN`.
 *
 * Alarms: writer and reader availability, CPU, free memory, connections,
 * replica lag and, with a secondary, the global replication lag; an RDS event
 * subscription sends failover, failure and availability events to the
 * failover notifications.
 */
export class HaDatabase extends HaPattern implements IRegionSwitchGlobalDatabase {
  /** The engine. */
  public readonly engine: HaDatabaseEngine;
  /** The Aurora cluster (undefined for SQL Server). */
  public readonly cluster?: rds.DatabaseCluster;
  /** The SQL Server instance (undefined for Aurora). */
  public readonly instance?: rds.DatabaseInstance;
  /** The secondary region's cluster, if any. */
  public readonly secondary?: HaDatabaseSecondary;
  /** The global cluster, if a secondary region is configured. */
  public readonly globalCluster?: rds.CfnGlobalCluster;
  /** The global cluster's identifier, if a secondary region is configured. */
  public readonly globalClusterIdentifier?: string;
  /** Security group of the database: allow your clients with `connections.allowDefaultPortFrom()`. */
  public readonly connections: ec2.Connections;
  /** The generated master credentials. */
  public readonly secret: secretsmanager.ISecret;
  /** The writer's endpoint in the primary region. */
  public readonly endpoint: rds.Endpoint;
  /** The interface endpoint for Secrets Manager the rotation function calls, if it runs in the isolated subnets. */
  public readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;
  /** The subnets the rotation function runs in. */
  public readonly rotationSubnets: ec2.SubnetSelection;
  /** The global replication lag alarm (in the secondary region), if any. */
  public readonly globalLagAlarm?: cloudwatch.Alarm;
  /**
   * The secondary region's probe of the primary writer and the global cluster's one promoter (function),
   * if there is a secondary: consumers ask it for a promotion (`grantRequestPromotion`) and never call
   * `FailoverGlobalCluster` themselves.
   */
  public readonly writerProbeFunction?: lambda.IFunction;
  /** The alarm on the secondary region's probe of the primary writer (in the secondary region), if any. */
  public readonly writerProbeAlarm?: cloudwatch.Alarm;
  /** The Region switch plan that promotes the secondary (`failoverRunner: REGION_SWITCH_PLAN`), if any. */
  public readonly regionSwitchPlan?: RegionSwitchPlan;
  /** The rule that promotes the secondary when the probe alarm fires (`autoFailover` with the library's automation), if any. */
  public readonly failoverRule?: events.Rule;

  /** The secondary region's probe of the primary writer and what hangs on it (with a secondary). */
  private readonly writerProbe?: WriterProbe;
  /** The promoters of the global cluster and the consumers of its writer (with a secondary). */
  private readonly promotions?: PromotionRegistry;

  constructor(scope: Construct, id: string, props: HaDatabaseProps) {
    super(scope, id, props, { patternName: 'HaDatabase', detection: detectionOf(props) });
    this.engine = props.engine ?? HaDatabaseEngine.AURORA_POSTGRESQL;
    const isAurora = this.engine !== HaDatabaseEngine.SQL_SERVER;
    validate(this, props, isAurora);

    // ---- the database in the primary region and, with a secondary region, the global database
    const settings = primarySettings(props);
    this.rotationSubnets = settings.rotation.subnets;
    this.secretsManagerEndpoint = settings.rotation.endpoint;
    const parts = isAurora ? buildAuroraDatabase(this, props, this.engine, settings) : buildSqlServerDatabase(this, props, settings);
    this.cluster = parts.cluster;
    this.instance = parts.instance;
    this.connections = parts.connections;
    this.secret = parts.secret;
    this.endpoint = parts.endpoint;
    this.globalClusterIdentifier = parts.global?.identifier;
    this.globalCluster = parts.global?.cluster;
    this.secondary = parts.global?.secondary;

    // ---- alarms and RDS events (primary region)
    const createAlarm: AlarmFactory = (alarmScope, alarmId, alarmProps) => this.createAlarm(alarmScope, alarmId, alarmProps);
    addAvailabilityAlarms(this, isAurora, createAlarm);
    addCapacityAlarms(this, props, createAlarm);
    subscribeToWriterEvents(this, props.notifications, this);

    // ---- the secondary region: replication lag, events, the probe of the primary writer and the one promoter
    if (this.secondary) {
      this.globalLagAlarm = addGlobalLagAlarm(this, this.secondary, props, createAlarm);
      subscribeToSecondaryEvents(this.secondary, props.notifications);
      const promotions = new PromotionRegistry(this, this.cluster!.node.defaultChild as rds.CfnDBCluster);
      this.promotions = promotions;
      this.node.addValidation({ validate: () => promotions.validate() });
      this.writerProbe = addWriterProbe(this, this.secondary, props, createAlarm, promotions);
      this.writerProbeFunction = this.writerProbe.handler.function;
      this.writerProbeAlarm = this.writerProbe.alarm;
      this.failoverRule = this.writerProbe.start.rule;
    }

    // ---- backup tier, recovery paths and the failover alarm
    addDatabaseBackup(this, { cluster: this.cluster, instance: this.instance, secondary: this.secondary }, props.backup, alarm => this.addAlarm(alarm, AlarmRole.NOTIFYING));
    declareInRegionPath(this.recoveryObjectives, Stack.of(this).region, this);
    if (this.secondary && this.writerProbe) {
      declareCrossRegionPath(this.recoveryObjectives, Stack.of(this).region, this.secondary, this.writerProbe, this.globalLagAlarm!);
    }
    this.regionSwitchPlan = this.writerProbe?.start.plan;
    this.createFailoverAlarm();
  }

  /** Time for an in-region failover: the managed failover plus the endpoint's DNS TTL. */
  public get inRegionFailoverTime(): Duration {
    return this.recoveryObjectives.path(HaDatabasePath.IN_REGION).total;
  }

  /** Worst-case time to promote the secondary region (undefined without one). */
  public get crossRegionRto(): Duration | undefined {
    return this.secondary ? this.recoveryObjectives.path(HaDatabasePath.CROSS_REGION).total : undefined;
  }

  /** Worst-case data loss of an unplanned cross-region failover (undefined without a secondary). */
  public get crossRegionRpo(): Duration | undefined {
    return this.secondary ? this.recoveryObjectives.rpo : undefined;
  }

  /** A metric of the writer (Aurora: cluster metric with `Role=WRITER`; SQL Server: the instance). */
  public metricWriter(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metricName, 'WRITER', options);
  }

  /** Samples of the writer's CPU metric per minute: 0 (missing) when the writer is unavailable. */
  public metricWriterAvailable(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWriter('CPUUtilization', { statistic: 'SampleCount', period: Duration.minutes(1), ...options });
  }

  /** Samples of the readers' CPU metric per minute (Aurora only): 0 when no reader is up. */
  public metricReaderAvailable(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('CPUUtilization', 'READER', { statistic: 'SampleCount', period: Duration.minutes(1), ...options });
  }

  /** Writer CPU utilization, percent, 5-minute average. */
  public metricCpuUtilization(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWriter('CPUUtilization', { statistic: 'Average', ...options });
  }

  /** Writer freeable memory, bytes, 5-minute minimum. */
  public metricFreeableMemory(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWriter('FreeableMemory', { statistic: 'Minimum', ...options });
  }

  /** Connections to the writer, 5-minute maximum. */
  public metricDatabaseConnections(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricWriter('DatabaseConnections', { statistic: 'Maximum', ...options });
  }

  /** Aurora replica lag (milliseconds, maximum over the readers). */
  public metricReplicaLag(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.cluster) throw new Error(`${this.node.path}: replica lag is an Aurora metric`);
    return this.cluster.metric('AuroraReplicaLagMaximum', { statistic: 'Maximum', period: Duration.minutes(1), ...options });
  }

  /** Lets `grantee` connect as `dbUser` with IAM authentication (Aurora only). */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    if (!this.cluster) throw new HaValidationError(this, { prop: 'engine', received: this.engine, expected: 'an Aurora engine for IAM database authentication (SQL Server does not support it)' });
    return this.cluster.grantConnect(grantee, dbUser);
  }

  /** Lets `grantee` read the master credentials. */
  public grantReadCredentials(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }

  /**
   * The global database's clusters by literal identifier and region, the
   * primary first (what a Region switch plan's Aurora block names); empty
   * for a database without a secondary region.
   */
  public get globalClusterMembers(): GlobalClusterMember[] {
    if (!this.cluster || !this.secondary) return [];
    const primaryId = (this.cluster.node.defaultChild as rds.CfnDBCluster).dbClusterIdentifier ?? this.cluster.clusterIdentifier;
    return [
      { region: Stack.of(this).region, clusterIdentifier: primaryId },
      { region: Stack.of(this.secondary).region, clusterIdentifier: this.secondary.clusterIdentifier },
    ];
  }

  /**
   * The Aurora global writer endpoint (with a secondary): a name that always resolves to the global
   * cluster's current writer, so a consumer that connects through it follows a switchover or failover
   * without being moved (it then needs a network route to every region the writer can be in). Use it in
   * the primary region's stack (a token of that stack); register the consumer with `addWriterConsumer`.
   */
  public get globalWriterEndpoint(): string {
    if (!this.globalCluster) {
      throw new HaValidationError(this, { prop: 'secondary', received: undefined, expected: 'a secondary region: the global writer endpoint belongs to an Aurora Global Database' });
    }
    return this.globalCluster.getAtt('GlobalEndpoint.Address').toString();
  }

  /**
   * Tells the failure analysis that `consumer` (a construct whose tasks or functions hold the writer's
   * endpoint) follows a cross-region promotion: it is moved by the promotion's workflow, or it connects
   * through `globalWriterEndpoint`. A consumer of the primary cluster's writer endpoint that is not
   * registered fails synthesis while the database promotes automatically.
   */
  public addWriterConsumer(consumer: IConstruct, following: WriterFollowing): void {
    this.promotions?.addConsumer({ construct: consumer, following });
  }

  /**
   * Registers `requester` as asking the database's promoter for promotions (after
   * `grantRequestPromotion`): when it asks without a person (`automatic`), the promoter counts as an
   * automatic promoter for the failure analysis even if the database itself does not fail over by
   * itself, so a second automatic promoter (the database's own Region switch plan) fails synthesis.
   */
  public addPromotionRequester(requester: IConstruct, automatic: boolean): void {
    if (!this.writerProbeFunction) return;
    this.promotions?.addPromoter({
      construct: this.writerProbeFunction,
      description: `the database's promoter, asked by ${requester.node.path}${automatic ? ' automatically' : ''}`,
      automatic,
    });
  }

  /**
   * Registers another automatic promoter of this global database (a Region switch plan with an Aurora
   * step and a trigger, say) for the failure analysis, which allows one.
   */
  public addPromoter(promoter: IConstruct, description: string, automatic: boolean): void {
    this.promotions?.addPromoter({ construct: promoter, description, automatic });
  }

  /**
   * Lets `grantee` ask the database's promoter for a promotion (`lambda:InvokeFunction` on it, with
   * `{ "action": "promote", "requestedBy": "..." }`) and watch it (`rds:DescribeGlobalClusters`). The
   * promoter decides: a failover with data loss only when its probe alarm confirms the primary writer
   * lost, a switchover (no data loss) otherwise. Register an automatic requester with `addPromotionRequester`.
   */
  public grantRequestPromotion(grantee: iam.IGrantable): iam.Grant {
    const calls = this.requestPromotionCalls();
    if (calls.length === 0) {
      throw new HaValidationError(this, { prop: 'secondary', received: undefined, expected: 'a secondary region: only a global database has a promoter' });
    }
    return calls.map(call => iam.Grant.addToPrincipal({ grantee, actions: call.actions, resourceArns: [call.resource] })).reduce((a, b) => a.combine(b));
  }

  /**
   * The calls `grantRequestPromotion` allows, for a consumer's automation link: `lambda:InvokeFunction`
   * on the promoter and `rds:DescribeGlobalClusters` on the global cluster.
   */
  public requestPromotionCalls(): AutomationCall[] {
    if (!this.writerProbeFunction || !this.secondary) return [];
    return [
      // The function itself, not its versions: the promoter is invoked unqualified.
      { actions: ['lambda:InvokeFunction'], resource: this.writerProbeFunction.functionArn },
      { actions: ['rds:DescribeGlobalClusters'], resource: this.secondary.globalClusterArn },
    ];
  }

  /**
   * The event the promoter puts on the secondary region's default bus once the secondary is the writer:
   * a consumer's rule there (in the secondary region's stack) moves it in the same workflow.
   */
  public promotedEventPattern(): events.EventPattern {
    if (!this.secondary) {
      throw new HaValidationError(this, { prop: 'secondary', received: undefined, expected: 'a secondary region: only a global database is promoted' });
    }
    return {
      source: [PROMOTED_EVENT.source],
      detailType: [PROMOTED_EVENT.detailType],
      resources: [this.secondary.clusterArn],
      detail: { globalClusterIdentifier: [this.secondary.globalClusterIdentifier] },
    };
  }

  private metric(metricName: string, role: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const dimensionsMap: Record<string, string> = this.cluster
      ? { DBClusterIdentifier: this.cluster.clusterIdentifier, Role: role }
      : { DBInstanceIdentifier: this.instance!.instanceIdentifier };
    return new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap, period: Duration.minutes(5), ...options });
  }
}
