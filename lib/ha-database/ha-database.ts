import * as path from 'path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { HaValidationError } from '../core/errors';
import { AutomationCall, FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern, HaPatternProps } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { RegionFailoverRunner } from '../core/region-failover';
import { regionalScope } from '../core/regional-scope';
import { ServiceTime } from '../core/service-time';
import { RegionSwitchPlan } from '../drills/region-switch-plan';
import { GlobalDatabaseBehavior, RegionSwitchStep } from '../drills/region-switch-step';
import {
  addProbeSchedule, PROBE_FUNCTION_TIMEOUT, PROBE_SAMPLING, probeEnvironment, probeMetric, probeSamplesMetric, ProbeSamplingStep,
} from '../failover/cross-region-probe';
import { RegionFailoverStart } from '../failover/region-failover';
import { HandlerFunction } from '../private/handler-function';
import { acknowledge } from '../private/network';
import { acknowledgeMonitoringRole, addRotation, clusterEngine, rotationNetwork } from './database-parts';
import { HaDatabaseEngine, tlsParameters } from './engine';
import { HaDatabaseSecondary, HaDatabaseSecondaryOptions } from './secondary';
import { AURORA_GLOBAL_TYPICAL_LAG, validate } from './validation';
import { WRITER_PROBE_METRIC } from './writer-probe-metric';

export { AURORA_GLOBAL_TYPICAL_LAG };

/** Props of `HaDatabase`. */
export interface HaDatabaseProps extends HaPatternProps {
  /** The VPC of the primary region; the database goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;

  /**
   * The engine.
   * @default HaDatabaseEngine.AURORA_POSTGRESQL
   */
  readonly engine?: HaDatabaseEngine;

  /**
   * Full engine version, e.g. `16.6` (Aurora PostgreSQL), `8.0.mysql_aurora.3.08.2` (Aurora MySQL).
   * Ignored for SQL Server.
   * @default '16.6' for Aurora PostgreSQL, '8.0.mysql_aurora.3.08.2' for Aurora MySQL
   */
  readonly engineVersion?: string;

  /**
   * Instance class of every instance.
   * @default r6g.large for Aurora (supports Global Database), m5.xlarge for SQL Server
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Aurora readers in the primary region, placed in zones other than the writer's. Ignored for SQL Server
   * (its standby is part of the Multi-AZ instance).
   * @default 1
   */
  readonly readers?: number;

  /**
   * Name of the database created at launch (Aurora only).
   * @default 'app'
   */
  readonly databaseName?: string;

  /**
   * Name of the master user whose credentials are generated in Secrets Manager.
   * @default 'dbadmin'
   */
  readonly masterUsername?: string;

  /**
   * How long automated backups are kept.
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;

  /**
   * Whether deletion protection is on.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the database (and its global cluster) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How often the master user's password is rotated: 4 hours to 1000 days (Secrets Manager's limits).
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;

  /**
   * An interface VPC endpoint for Secrets Manager in `vpc` that the rotation function calls
   * (for a VPC that already has one: a VPC can hold only one Secrets Manager endpoint with
   * private DNS). The rotation function then runs in the isolated subnets, beside the database.
   * @default the rotation function runs in the VPC's private subnets with egress when it has
   * some (Secrets Manager's regional endpoint through the NAT gateways); in a VPC with no such
   * subnets, a new interface endpoint for Secrets Manager with private DNS in the isolated
   * subnets, shared by every HaDatabase in the VPC
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * A secondary region: an Aurora Global Database secondary cluster in another region's stack.
   * Not supported with SQL Server.
   * @default no secondary region
   */
  readonly secondary?: HaDatabaseSecondaryOptions;

  /**
   * Identifier of the Aurora global cluster (a fixed string, so the secondary stack needs no
   * cross-region reference). Only used with `secondary`.
   * @default 'ha-' + a hash of the construct path
   */
  readonly globalClusterIdentifier?: string;

  /**
   * Alarm threshold of the global replication lag (`AuroraGlobalDBRPOLag`); it is also the
   * declared cross-region data-loss bound. Must be at least 1 s (the lag Aurora Global Database
   * typically delivers).
   * @default the `recoveryTargets.rpo`, or 1 minute without one
   */
  readonly globalLagThreshold?: Duration;

  /**
   * Whether the secondary region promotes itself when its probe finds the primary writer
   * unreachable (`failoverDetectionPeriods` alarm periods in a row): an EventBridge rule in the
   * secondary region invokes a function there that calls `FailoverGlobalCluster` with
   * `AllowDataLoss` (losing at most the global replication lag). Everything it needs lives in
   * the secondary region, so it works when the primary region is gone. With false the probe
   * alarm pages and on-call runs the Failover runbook (the cross-region RTO then counts an
   * assumed 5-minute response). Only used with `secondary`.
   * @default true
   */
  readonly autoFailover?: boolean;

  /**
   * What promotes the secondary when the writer probe alarm fires: the library's rule and failover
   * function in the secondary region, or an ARC Region switch plan (created in the secondary's stack)
   * whose trigger is the probe alarm and whose one step is Region switch's Aurora Global Database block
   * (`FailoverGlobalCluster` with data loss, as the function does). With `autoFailover: false` on-call
   * runs the Failover runbook, or starts the plan. Only used with `secondary`.
   * @default RegionFailoverRunner.LIBRARY_AUTOMATION
   */
  readonly failoverRunner?: RegionFailoverRunner;

  /**
   * Consecutive 10-second periods in which every sample of the secondary region's probe of the
   * primary writer (one every 5 s) must fail before the probe alarm fires: 1 to 6. Fewer detect
   * sooner but fail over on a shorter interruption (1: 10 s without an answer from the primary
   * region's RDS endpoint). Only used with `secondary`.
   * @default 3 (30 s)
   */
  readonly failoverDetectionPeriods?: number;

  /**
   * CPU utilization (percent) above which the CPU alarm fires.
   * @default 80
   */
  readonly cpuThresholdPercent?: number;

  /**
   * Freeable memory (bytes) below which the memory alarm fires.
   * @default 256 MiB
   */
  readonly freeMemoryThresholdBytes?: number;

  /**
   * Connection count above which the connections alarm fires.
   * @default 500
   */
  readonly maxConnections?: number;
}

/** Ids of the recovery paths of `HaDatabase`. */
export enum HaDatabasePath {
  /** The writer instance or its zone is lost: Multi-AZ failover in the region. */
  IN_REGION = 'in-region-failover',
  /** The primary region is lost: the secondary region's probe detects it and promotes the secondary. */
  CROSS_REGION = 'cross-region-failover',
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
export class HaDatabase extends HaPattern {
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
  /** The secondary region's probe of the primary writer (function), if there is a secondary. */
  public readonly writerProbeFunction?: lambda.IFunction;
  /** The alarm on the secondary region's probe of the primary writer (in the secondary region), if any. */
  public readonly writerProbeAlarm?: cloudwatch.Alarm;
  /** The Region switch plan that promotes the secondary (`failoverRunner: REGION_SWITCH_PLAN`), if any. */
  public readonly regionSwitchPlan?: RegionSwitchPlan;
  /** The rule that promotes the secondary when the probe alarm fires (`autoFailover` with the library's automation), if any. */
  public readonly failoverRule?: events.Rule;

  private writerProbe?: { handler: HandlerFunction; schedule: events.Rule; calls: AutomationCall[]; silentAlarm: cloudwatch.Alarm; start: RegionFailoverStart };

  constructor(scope: Construct, id: string, props: HaDatabaseProps) {
    super(scope, id, props, {
      patternName: 'HaDatabase',
      detection: props.secondary
        ? 'RDS detects the writer failure and fails over in-region; a probe in the secondary region samples the primary writer through the primary region\'s ' +
          'RDS endpoint every 5 s and its alarm starts the cross-region failover'
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
      const probe = this.addWriterProbe(this.secondary, props);
      this.writerProbeFunction = probe.handler.function;
      this.writerProbeAlarm = probe.alarm;
      this.failoverRule = probe.start.rule;
    }

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
    const handler = new HandlerFunction(secondary, 'WriterProbe', {
      entry: path.join(__dirname, 'handler', 'index'),
      description: `Probes the primary writer of ${this.node.path} in ${primaryRegion} from ${Stack.of(secondary).region}; promotes this region when its alarm fires`,
      timeout: PROBE_FUNCTION_TIMEOUT,
      environment: {
        PRIMARY_REGION: primaryRegion,
        PRIMARY_CLUSTER_ID: primaryId,
        GLOBAL_CLUSTER_ID: secondary.globalClusterIdentifier,
        TARGET_CLUSTER_ARN: secondary.clusterArn,
        ...probeEnvironment(),
      },
    });
    const primaryClusterArn = Stack.of(secondary).formatArn({
      service: 'rds', region: primaryRegion, resource: 'cluster', resourceName: primaryId, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const calls: AutomationCall[] = [
      { actions: ['rds:DescribeDBClusters'], resource: primaryClusterArn },
      ...secondary.failoverCalls(),
    ];
    handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [primaryClusterArn] }));
    secondary.grantFailover(handler.role);
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
      description: `${this.node.path}: the primary writer ${primaryId} in ${primaryRegion} has not answered the probe from ${Stack.of(secondary).region} for ${seconds} s ` +
        (autoFailover ? `(primary region lost or cut off): the secondary ${secondary.clusterIdentifier} is being promoted (FailoverGlobalCluster, AllowDataLoss).`
          : '(primary region lost or cut off): run the Failover runbook in this region if the primary region is lost.'),
    });
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
      planSteps: [RegionSwitchStep.auroraGlobalDatabase(this, GlobalDatabaseBehavior.FAILOVER)],
      planCalls: secondary.failoverCalls(),
      planAutomations: [],
      planPurpose: rto => ({
        patternPath: this.node.path, patternName: this.patternName, paths: [HaDatabasePath.CROSS_REGION],
        scenario: FailureScenario.regionLoss(primaryRegion).description, expectedRecovery: rto,
        proves: `the '${HaDatabasePath.CROSS_REGION}' path: the ${Stack.of(secondary).region} cluster of ${secondary.globalClusterIdentifier} becomes the writer`,
        passes: `the practice execution completes; in a recovery execution the global cluster names the ${Stack.of(secondary).region} cluster its writer within the plan's RTO.`,
      }),
    });
    const step = new ProbeSamplingStep('writer probe sampling', handler.function, alarm);
    this.node.addValidation({ validate: () => step.validate(this, 'writerProbeFunction environment') });
    this.writerProbe = { handler, schedule, calls, silentAlarm, start };
    return { handler, alarm, start, step };
  }

  private declareRecoveryObjectives(isAurora: boolean): void {
    const ro = this.recoveryObjectives;
    const region = Stack.of(this).region;
    const inRegion = { scenarios: [FailureScenario.databaseWriterLoss(region), FailureScenario.zoneLoss(region)] };
    if (isAurora) {
      const readers = this.cluster!.node.findAll().filter(c => c instanceof rds.CfnDBInstance).length - 1;
      ro.addRecoveryPath(HaDatabasePath.IN_REGION, [
        RecoveryStep.serviceTime(ServiceTime.AURORA_FAILOVER, 'Aurora Multi-AZ failover to a reader'),
        RecoveryStep.serviceTime(ServiceTime.AURORA_ENDPOINT_DNS, 'cluster endpoint DNS'),
      ], {
        description: 'writer instance or its zone lost',
        ...inRegion,
        links: [PathLink.capacity(this.cluster!, 'readers in other zones (promotion tier 1)', { serving: readers, required: 1 })],
      });
      ro.addDataLossBound(RecoveryStep.constant('Aurora in-region storage', Duration.seconds(0), 'six copies across three zones, shared by writer and readers: no loss'));
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
        ],
      });
      ro.addDataLossBound(RecoveryStep.alarmThreshold('Aurora Global Database replication (AuroraGlobalDBRPOLag alarm threshold; typical lag ~1 s)',
        this.globalLagAlarm!, Duration.millis(1), { prop: 'globalLagThreshold (at least 1 s)', floor: AURORA_GLOBAL_TYPICAL_LAG }));
    }
  }
}
