import * as path from 'path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { HaValidationError } from '../core/errors';
import { AutomationCall, FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { RegionFailoverRunner } from '../core/region-failover';
import { regionalScope } from '../core/regional-scope';
import { ServiceTime } from '../core/service-time';
import {
  addProbeSchedule, PROBE_SAMPLING, probeEnvironment, probeMetric, probeSamplesMetric, ProbeSamplingStep,
} from '../failover/cross-region-probe';
import { RegionFailoverStart } from '../failover/region-failover';
import { RegionSwitchPlan } from '../failover/region-switch-plan';
import { GlobalClusterMember, GlobalDatabaseBehavior, IRegionSwitchGlobalDatabase, RegionSwitchStep } from '../failover/region-switch-step';
import { knownCidr } from '../private/cidr';
import { HandlerFunction } from '../private/handler-function';
import { acknowledge } from '../private/network';
import { addDatabaseBackup } from './backup';
import { acknowledgeMonitoringRole, addRotation, clusterEngine, rotationNetwork } from './database-parts';
import { HaDatabaseEngine, tlsParameters } from './engine';
import { HaDatabasePath, HaDatabaseProps } from './ha-database-props';
import { PROMOTED_EVENT } from './promoted-event';
import { PromotionRegistry, WriterFollowing } from './promoters';
import { HaDatabaseSecondary } from './secondary';
import { AURORA_GLOBAL_TYPICAL_LAG, validate } from './validation';
import { WRITER_PROBE_METRIC } from './writer-probe-metric';

export { AURORA_GLOBAL_TYPICAL_LAG };

/** How long the promoter waits for a promotion (Aurora: about a minute) before it fails. */
const PROMOTION_TIMEOUT = Duration.minutes(12);
/** How often the promoter asks whether the promotion is complete. */
const PROMOTION_POLL = Duration.seconds(5);
/** The promoter's timeout: the promotion's wait plus its calls, within Lambda's 15 minutes. */
const PROMOTER_TIMEOUT = Duration.minutes(14);

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

  private writerProbe?: { handler: HandlerFunction; schedule: events.Rule; calls: AutomationCall[]; silentAlarm: cloudwatch.Alarm; start: RegionFailoverStart };
  /** The promoters of the global cluster and the consumers of its writer (with a secondary). */
  private promotions?: PromotionRegistry;
  /** The primary and the secondary VPC (with a secondary): the probe connects from one to the writer in the other. */
  private network?: { primary: ec2.IVpc; secondary: ec2.IVpc };

  constructor(scope: Construct, id: string, props: HaDatabaseProps) {
    super(scope, id, props, {
      patternName: 'HaDatabase',
      detection: props.secondary
        ? 'RDS detects the writer failure and fails over in-region; a probe in the secondary region connects to the primary writer every 5 s ' +
          '(the data plane, confirmed by the primary region\'s RDS API) and its alarm starts the cross-region failover by the one promoter'
        : 'RDS detects the writer failure and fails over in-region; the writer-down alarm pages',
    });
    this.engine = props.engine ?? HaDatabaseEngine.AURORA_POSTGRESQL;
    const isAurora = this.engine !== HaDatabaseEngine.SQL_SERVER;
    validate(this, props, isAurora);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const backupRetention = props.backupRetention ?? Duration.days(7);
    const deletionProtection = props.deletionProtection ?? true;
    const credentials = rds.Credentials.fromGeneratedSecret(props.masterUsername ?? 'dbadmin');
    const subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    const rotationPath = rotationNetwork(props.vpc, props.secretsManagerEndpoint);
    this.rotationSubnets = rotationPath.subnets;
    this.secretsManagerEndpoint = rotationPath.endpoint;

    if (isAurora) {
      const engine = clusterEngine(this.engine, props.engineVersion);
      const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
      const readers = props.readers ?? 1;
      const globalId = props.secondary ? props.globalClusterIdentifier ?? `ha-${this.node.addr.slice(0, 16)}` : undefined;
      const cluster = new rds.DatabaseCluster(this, 'Resource', {
        engine,
        // With a secondary, a literal identifier lets the runbook role name the primary cluster exactly.
        clusterIdentifier: globalId ? `${globalId}-${Stack.of(this).region}` : undefined,
        credentials,
        defaultDatabaseName: props.databaseName ?? 'app',
        vpc: props.vpc,
        vpcSubnets: subnets,
        writer: rds.ClusterInstance.provisioned('Writer', { instanceType, publiclyAccessible: false, enablePerformanceInsights: true }),
        readers: Array.from({ length: readers }, (_, i) => rds.ClusterInstance.provisioned(`Reader${i + 1}`, {
          instanceType, publiclyAccessible: false, enablePerformanceInsights: true, promotionTier: 1,
        })),
        parameterGroup: new rds.ParameterGroup(this, 'Parameters', { engine, parameters: tlsParameters(this.engine) }),
        storageEncrypted: true,
        iamAuthentication: true,
        deletionProtection,
        removalPolicy,
        backup: { retention: backupRetention },
        cloudwatchLogsExports: this.engine === HaDatabaseEngine.AURORA_MYSQL ? ['audit', 'error', 'general', 'slowquery'] : ['postgresql'],
        monitoringInterval: Duration.minutes(1),
        copyTagsToSnapshot: true,
      });
      this.cluster = cluster;
      this.connections = cluster.connections;
      this.secret = cluster.secret!;
      this.endpoint = cluster.clusterEndpoint;
      addRotation(cluster, rotationPath, props.rotationInterval);
      acknowledgeMonitoringRole(cluster);
      acknowledge(cluster, {
        'AwsSolutions-RDS11': 'The engine default port is kept: clients and proxies expect it, and access is limited by the security group to the clients the user allows.',
      });
      if (this.engine === HaDatabaseEngine.AURORA_MYSQL) {
        acknowledge(cluster, {
          'AwsSolutions-RDS14': 'Backtrack is not supported on a cluster in an Aurora Global Database; point-in-time restore from the retained backups is the recovery path.',
        });
      }

      if (props.secondary) {
        this.globalClusterIdentifier = globalId!;
        // Upstream aws-cdk issue 22212: DatabaseCluster cannot join a global cluster. The primary
        // stays an L2 cluster and the global cluster is created FROM it (sourceDbClusterIdentifier);
        // the secondary is built from L1 resources (see HaDatabaseSecondary).
        this.globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
          globalClusterIdentifier: this.globalClusterIdentifier,
          sourceDbClusterIdentifier: cluster.clusterIdentifier,
          deletionProtection,
        });
        this.globalCluster.applyRemovalPolicy(removalPolicy);
        const cfn = cluster.node.defaultChild as rds.CfnDBCluster;
        this.secondary = new HaDatabaseSecondary(regionalScope(this, props.secondary.stack), 'Secondary', {
          ...props.secondary,
          primary: this,
          engine: this.engine,
          clusterEngine: engine,
          engineVersion: Stack.of(this).resolve(cfn.engineVersion) as string,
          primaryClusterIdentifier: `${globalId}-${Stack.of(this).region}`,
          instanceType,
          globalClusterIdentifier: this.globalClusterIdentifier,
          backupRetention,
          deletionProtection,
          removalPolicy,
        });
      }
    } else {
      const engine = rds.DatabaseInstanceEngine.sqlServerSe({ version: rds.SqlServerEngineVersion.VER_16_00_4236_2_V1 });
      const instance = new rds.DatabaseInstance(this, 'Resource', {
        engine,
        licenseModel: rds.LicenseModel.LICENSE_INCLUDED,
        instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.XLARGE),
        credentials,
        vpc: props.vpc,
        vpcSubnets: subnets,
        multiAz: true,
        publiclyAccessible: false,
        storageEncrypted: true,
        allocatedStorage: 100,
        storageType: rds.StorageType.GP3,
        parameterGroup: new rds.ParameterGroup(this, 'Parameters', { engine, parameters: { 'rds.force_ssl': '1' } }),
        deletionProtection,
        removalPolicy,
        backupRetention,
        cloudwatchLogsExports: ['error', 'agent'],
        monitoringInterval: Duration.minutes(1),
        enablePerformanceInsights: true,
        copyTagsToSnapshot: true,
      });
      this.instance = instance;
      this.connections = instance.connections;
      this.secret = instance.secret!;
      this.endpoint = instance.instanceEndpoint;
      addRotation(instance, rotationPath, props.rotationInterval);
      acknowledgeMonitoringRole(instance);
      acknowledge(instance, {
        'AwsSolutions-RDS11': 'The engine default port is kept: clients expect it, and access is limited by the security group to the clients the user allows.',
        'AwsSolutions-RDS6': 'RDS for SQL Server does not support IAM database authentication; credentials come from the rotated Secrets Manager secret.',
      });
    }

    // ---- alarms (primary region)
    // Pages a lost writer (Aurora fails over in the region by itself); it cannot see the region go (see the probe).
    this.createAlarm(this, 'WriterDownAlarm', {
      metric: this.metricWriterAvailable(),
      signal: SignalKind.STATUS,
      role: AlarmRole.FAILOVER_TRIGGER,
      description: `${this.node.path}: no metrics from the database writer for 2 minutes (writer unavailable).`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
    if (isAurora) {
      this.createAlarm(this, 'ReaderDownAlarm', {
        metric: this.metricReaderAvailable(),
        signal: SignalKind.STATUS,
        role: AlarmRole.NOTIFYING,
        description: `${this.node.path}: no metrics from any reader for 5 minutes (no failover target).`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 5,
      });
      this.createAlarm(this, 'ReplicaLagAlarm', {
        metric: this.metricReplicaLag(),
        signal: SignalKind.LEVEL,
        role: AlarmRole.NOTIFYING,
        description: `${this.node.path}: Aurora replica lag above 1 s for 5 minutes.`,
        threshold: 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      });
    }
    this.createAlarm(this, 'CpuAlarm', {
      metric: this.metricCpuUtilization(),
      signal: SignalKind.LEVEL,
      role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: writer CPU above ${props.cpuThresholdPercent ?? 80} % for 15 minutes.`,
      threshold: props.cpuThresholdPercent ?? 80,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
    });
    this.createAlarm(this, 'FreeMemoryAlarm', {
      metric: this.metricFreeableMemory(),
      signal: SignalKind.LEVEL,
      role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: writer freeable memory low for 15 minutes.`,
      threshold: props.freeMemoryThresholdBytes ?? 256 * 1024 * 1024,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });
    this.createAlarm(this, 'ConnectionsAlarm', {
      metric: this.metricDatabaseConnections(),
      signal: SignalKind.LEVEL,
      role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: more than ${props.maxConnections ?? 500} connections for 15 minutes.`,
      threshold: props.maxConnections ?? 500,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
    });

    // ---- RDS events (failover, failure, availability) into the failover notifications
    if (props.notifications) {
      const target = props.notifications.inRegionOf(this);
      target.allowServiceToPublish('events.rds.amazonaws.com');
      new rds.CfnEventSubscription(this, 'Events', {
        snsTopicArn: target.topic.topicArn,
        sourceType: isAurora ? 'db-cluster' : 'db-instance',
        sourceIds: [isAurora ? this.cluster!.clusterIdentifier : this.instance!.instanceIdentifier],
        // maintenance: patching restarts or fails over the writer; configuration change: Multi-AZ turned off.
        eventCategories: isAurora
          ? ['failover', 'failure', 'global-failover', 'maintenance', 'notification']
          : ['availability', 'configuration change', 'failover', 'failure', 'maintenance', 'recovery'],
        enabled: true,
      });
    }

    // ---- global replication lag (secondary region)
    if (this.secondary) {
      const threshold = props.globalLagThreshold ?? props.recoveryTargets?.rpo ?? Duration.minutes(1);
      // Replication falling behind is not a failover, but it breaks the RPO promise: it pages.
      this.globalLagAlarm = this.createAlarm(this.secondary, 'GlobalLagAlarm', {
        metric: this.secondary.metricGlobalReplicationLag(),
        description: `${this.node.path}: Aurora Global Database RPO lag above ${threshold.toHumanString()} (the declared cross-region data-loss bound).`,
        threshold: threshold.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        signal: SignalKind.LEVEL,
        role: AlarmRole.NOTIFYING,
      });
      if (props.notifications) {
        // Global failover and switchover events are also reported in the secondary region.
        const regional = props.notifications.inRegionOf(this.secondary);
        regional.allowServiceToPublish('events.rds.amazonaws.com');
        new rds.CfnEventSubscription(this.secondary, 'Events', {
          snsTopicArn: regional.topic.topicArn,
          sourceType: 'db-cluster',
          sourceIds: [this.secondary.cluster.ref],
          eventCategories: ['failover', 'failure', 'global-failover', 'maintenance', 'notification'],
          enabled: true,
        });
      }
    }

    if (this.secondary) {
      this.promotions = new PromotionRegistry(this, this.cluster!.node.defaultChild as rds.CfnDBCluster);
      this.network = { primary: props.vpc, secondary: props.secondary!.vpc };
      this.node.addValidation({ validate: () => this.promotions!.validate() });
      const probe = this.addWriterProbe(this.secondary, props);
      this.writerProbeFunction = probe.handler.function;
      this.writerProbeAlarm = probe.alarm;
      this.failoverRule = probe.start.rule;
    }

    addDatabaseBackup(this, { cluster: this.cluster, instance: this.instance, secondary: this.secondary }, props.backup, alarm => this.addAlarm(alarm, AlarmRole.NOTIFYING));
    this.declareRecoveryObjectives(isAurora);
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

  /**
   * The secondary region's probe of the primary writer, its alarms and (with `autoFailover`) the
   * rule that promotes the secondary: all in the secondary region, so they outlive the primary's.
   */
  private addWriterProbe(secondary: HaDatabaseSecondary, props: HaDatabaseProps) {
    const primaryRegion = Stack.of(this).region;
    const primaryId = secondary.primaryClusterIdentifier;
    const secondaryVpc = props.secondary!.vpc;
    // The last writer endpoint the primary region's API named: the data-plane check connects there when that API is gone.
    const endpointParameter = new ssm.StringParameter(secondary, 'WriterEndpoint', {
      description: `The primary writer endpoint (host:port) of ${this.node.path}, kept by its probe in ${Stack.of(secondary).region}`,
      stringValue: 'unknown',
    });
    const handler = new HandlerFunction(secondary, 'WriterProbe', {
      entry: path.join(__dirname, 'handler', 'index'),
      description: `Probes the primary writer of ${this.node.path} in ${primaryRegion} from ${Stack.of(secondary).region}; the global cluster's promoter`,
      // The probe samples for a minute; a promotion is waited for (at most PROMOTION_TIMEOUT) and announced.
      timeout: PROMOTER_TIMEOUT,
      // The data-plane check connects to the writer from this VPC, through the route between the VPCs.
      vpc: secondaryVpc,
      environment: {
        PRIMARY_REGION: primaryRegion,
        PRIMARY_CLUSTER_ID: primaryId,
        GLOBAL_CLUSTER_ID: secondary.globalClusterIdentifier,
        TARGET_CLUSTER_ARN: secondary.clusterArn,
        ENDPOINT_PARAMETER: endpointParameter.parameterName,
        PROMOTION_TIMEOUT_SECONDS: String(PROMOTION_TIMEOUT.toSeconds()),
        PROMOTION_POLL_SECONDS: String(PROMOTION_POLL.toSeconds()),
        ...probeEnvironment(),
      },
    });
    endpointParameter.grantRead(handler.role);
    endpointParameter.grantWrite(handler.role);
    // The writer accepts the probe's connections from the secondary VPC (a CIDR: the security groups live in two regions).
    const secondaryCidr = knownCidr(secondaryVpc);
    if (!secondaryCidr) {
      // Without the rule every connection would fail: a control-plane brownout alone would then promote.
      throw new HaValidationError(this, {
        prop: 'secondary.vpc', received: secondaryVpc.node.path,
        expected: 'a VPC whose IPv4 CIDR is known at synthesis (created in the app, or imported with vpcCidrBlock): the writer admits the probe\'s connections from it',
      });
    }
    this.connections.allowFrom(ec2.Peer.ipv4(secondaryCidr), this.connections.defaultPort!,
      `probe of the writer from ${Stack.of(secondary).region} (data plane, through the route between the VPCs)`);
    const primaryClusterArn = Stack.of(secondary).formatArn({
      service: 'rds', region: primaryRegion, resource: 'cluster', resourceName: primaryId, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const eventBusArn = Stack.of(secondary).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    const calls: AutomationCall[] = [
      { actions: ['rds:DescribeDBClusters'], resource: primaryClusterArn },
      ...secondary.promotionCalls(),
      { actions: ['events:PutEvents'], resource: eventBusArn },
    ];
    handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [primaryClusterArn] }));
    handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [eventBusArn] }));
    secondary.grantPromotion(handler.role);
    const schedule = addProbeSchedule(secondary, 'WriterProbeSchedule', handler.function,
      `Samples the primary writer ${primaryId} in ${primaryRegion} every ${PROBE_SAMPLING.interval.toSeconds()} s`);

    const periods = props.failoverDetectionPeriods ?? 3;
    const seconds = periods * PROBE_SAMPLING.alarmPeriod.toSeconds();
    const autoFailover = props.autoFailover ?? true;
    const alarm = this.createAlarm(secondary, 'WriterProbeAlarm', {
      metric: probeMetric(WRITER_PROBE_METRIC, primaryId),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: periods,
      // A period without samples is not a failure: the probe-silent alarm pages for a probe that stopped.
      signal: SignalKind.LEVEL,
      role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: for ${seconds} s the primary writer ${primaryId} in ${primaryRegion} has refused connections from ${Stack.of(secondary).region} ` +
        'and its region\'s RDS API has failed or said it is down ' +
        (autoFailover ? `(primary region lost): the secondary ${secondary.clusterIdentifier} is being promoted (FailoverGlobalCluster, AllowDataLoss).`
          : '(primary region lost): run the Failover runbook in this region if the primary region is lost.'),
    });
    // The promoter fails over with data loss only while this alarm is in ALARM; otherwise it switches over.
    handler.function.addEnvironment('PROBE_ALARM_NAME', alarm.alarmName);
    handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [alarm.alarmArn] }));
    calls.push({ actions: ['cloudwatch:DescribeAlarms'], resource: alarm.alarmArn });
    const silentAlarm = this.createAlarm(secondary, 'WriterProbeSilentAlarm', {
      metric: probeSamplesMetric(WRITER_PROBE_METRIC, primaryId),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      signal: SignalKind.HEARTBEAT,
      role: AlarmRole.NOTIFYING,
      description: `${this.node.path}: the probe of the primary writer in ${Stack.of(secondary).region} published no sample for 3 minutes: ` +
        'a loss of the primary region would not be detected (check the WriterProbe function).',
    });
    const start = new RegionFailoverStart(secondary, {
      runner: props.failoverRunner ?? RegionFailoverRunner.LIBRARY_AUTOMATION,
      automatic: autoFailover, automaticProp: 'autoFailover',
      alarm, primaryRegion,
      fn: handler.function, ruleId: 'FailoverOnProbeAlarm',
      ruleDescription: `Promotes ${secondary.clusterIdentifier} when the probe of the primary writer (${primaryRegion}) enters ALARM`,
      automation: { construct: handler, description: 'failover function', role: handler.role, calls },
      manual: { construct: secondary.failoverDocument, description: 'Failover runbook', role: secondary.runbookRole, calls: secondary.failoverCalls() },
      // Graceful executions switch over (no data loss); only an ungraceful one fails over with data loss.
      planSteps: [RegionSwitchStep.auroraGlobalDatabase(this, GlobalDatabaseBehavior.SWITCHOVER_ONLY)],
      planCalls: secondary.failoverCalls(),
      planAutomations: [],
      planPurpose: rto => ({
        patternPath: this.node.path, patternName: this.patternName, paths: [HaDatabasePath.CROSS_REGION],
        scenario: FailureScenario.regionLoss(primaryRegion).description, expectedRecovery: rto,
        proves: `the '${HaDatabasePath.CROSS_REGION}' path: the ${Stack.of(secondary).region} cluster of ${secondary.globalClusterIdentifier} becomes the writer`,
        passes: `the graceful execution (a real switchover, no data loss) completes and the global cluster names the ${Stack.of(secondary).region} cluster its writer within the plan's RTO.`,
      }),
    });
    const step = new ProbeSamplingStep('writer probe sampling', handler.function, alarm);
    this.node.addValidation({ validate: () => step.validate(this, 'writerProbeFunction environment') });
    this.writerProbe = { handler, schedule, calls, silentAlarm, start };
    const plan = (props.failoverRunner ?? RegionFailoverRunner.LIBRARY_AUTOMATION) === RegionFailoverRunner.REGION_SWITCH_PLAN;
    this.promotions!.addPromoter(plan
      ? { construct: secondary, description: 'the database\'s Region switch plan (failoverRunner REGION_SWITCH_PLAN, triggered by the writer probe alarm)', automatic: autoFailover }
      : { construct: handler.function, description: 'the database\'s promoter (the writer probe alarm\'s rule)', automatic: autoFailover });
    return { handler, alarm, start, step };
  }

  private declareRecoveryObjectives(isAurora: boolean): void {
    const ro = this.recoveryObjectives;
    const region = Stack.of(this).region;
    const inRegion = { scenarios: [FailureScenario.databaseWriterLoss(region), FailureScenario.zoneLoss(region)] };
    if (isAurora) {
      const readers = this.cluster!.node.findAll().filter(c => c instanceof rds.CfnDBInstance).length - 1;
      const storage = RecoveryStep.constant('Aurora in-region storage', Duration.seconds(0), 'six copies across three zones, shared by writer and readers: no loss');
      ro.addRecoveryPath(HaDatabasePath.IN_REGION, [
        RecoveryStep.serviceTime(ServiceTime.AURORA_FAILOVER, 'Aurora Multi-AZ failover to a reader'),
        RecoveryStep.serviceTime(ServiceTime.AURORA_ENDPOINT_DNS, 'cluster endpoint DNS'),
      ], {
        description: 'writer instance or its zone lost',
        ...inRegion,
        links: [PathLink.capacity(this.cluster!, 'readers in other zones (promotion tier 1)', { serving: readers, required: 1 })],
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
        links: [PathLink.capacity(this.instance!, 'Multi-AZ standby in another zone', { serving: 1, required: 1 })],
      });
      ro.addDataLossBound(RecoveryStep.constant('SQL Server Multi-AZ', Duration.seconds(0), 'synchronous replication to the standby: no loss'));
    }
    if (this.secondary && this.writerProbe && this.writerProbeAlarm) {
      const secondary = this.secondary;
      const probe = this.writerProbe;
      const there = Stack.of(secondary).region;
      const steps = [
        new ProbeSamplingStep('writer probe sampling', probe.handler.function, this.writerProbeAlarm),
        RecoveryStep.alarmEvaluation('writer probe alarm', this.writerProbeAlarm, {
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
        RecoveryStep.serviceTime(ServiceTime.AURORA_ENDPOINT_DNS, `cluster endpoint DNS of the promoted cluster in ${there}`),
      ];
      ro.addRecoveryPath(HaDatabasePath.CROSS_REGION, steps, {
        description: `primary region lost: the probe in ${there} detects it and the secondary is promoted` +
          (probe.start.automatic ? ' (automatically)' : ' (by on-call)'),
        scenarios: [FailureScenario.regionLoss(Stack.of(this).region)],
        links: [
          PathLink.signal(probe.schedule, `probe of the primary writer through the RDS endpoint of ${Stack.of(this).region}`),
          PathLink.alarm(this.writerProbeAlarm, 'writer probe alarm'),
          ...probe.start.links(steps),
          PathLink.capacity(secondary.cluster, `instances of the secondary cluster in ${there}`, { serving: secondary.instanceCount, required: 1 }),
          PathLink.network(this.network!.secondary, this.network!.primary, `the writer probe in ${there} connects to the primary writer (its data-plane signal)`,
            { port: secondary.port }),
        ],
      });
      ro.addDataLossBound(RecoveryStep.alarmThreshold('Aurora Global Database replication (AuroraGlobalDBRPOLag alarm threshold; typical lag ~1 s)',
        this.globalLagAlarm!, Duration.millis(1), { prop: 'globalLagThreshold (at least 1 s)', floor: AURORA_GLOBAL_TYPICAL_LAG }));
    }
  }
}
