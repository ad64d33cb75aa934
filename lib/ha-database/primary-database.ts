import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { regionalScope } from '../core/regional-scope';
import { acknowledge } from '../private/network';
import { acknowledgeMonitoringRole, addRotation, clusterEngine, RotationNetwork, rotationNetwork } from './database-parts';
import { HaDatabaseEngine, tlsParameters } from './engine';
import { HaDatabaseProps } from './ha-database-props';
import { HaDatabaseSecondary } from './secondary';

/** The settings every part of the primary shares: the props with their defaults. */
export interface PrimarySettings {
  readonly removalPolicy: RemovalPolicy;
  readonly backupRetention: Duration;
  readonly deletionProtection: boolean;
  readonly credentials: rds.Credentials;
  readonly subnets: ec2.SubnetSelection;
  /** Where the secret's rotation runs and how it reaches Secrets Manager. */
  readonly rotation: RotationNetwork;
}

/** The Aurora Global Database around the primary cluster (with a secondary region). */
export interface GlobalDatabaseParts {
  readonly identifier: string;
  readonly cluster: rds.CfnGlobalCluster;
  readonly secondary: HaDatabaseSecondary;
}

/** What the primary region's database is built of: an Aurora cluster or a SQL Server instance. */
export interface PrimaryParts {
  readonly cluster?: rds.DatabaseCluster;
  readonly instance?: rds.DatabaseInstance;
  readonly connections: ec2.Connections;
  readonly secret: secretsmanager.ISecret;
  readonly endpoint: rds.Endpoint;
  /** The global database, if a secondary region is configured. */
  readonly global?: GlobalDatabaseParts;
}

/** The shared settings, defaults applied; adds the Secrets Manager endpoint the rotation needs, if any. */
export function primarySettings(props: HaDatabaseProps): PrimarySettings {
  return {
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    backupRetention: props.backupRetention ?? Duration.days(7),
    deletionProtection: props.deletionProtection ?? true,
    credentials: rds.Credentials.fromGeneratedSecret(props.masterUsername ?? 'dbadmin'),
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    rotation: rotationNetwork(props.vpc, props.secretsManagerEndpoint),
  };
}

/** The Aurora engine and instances of the primary cluster, and the global identifier (with a secondary). */
interface AuroraShape {
  readonly kind: HaDatabaseEngine;
  readonly engine: rds.IClusterEngine;
  readonly instanceType: ec2.InstanceType;
  readonly globalId?: string;
}

/** The Aurora Multi-AZ cluster, its rotation and, with a secondary region, the global database. */
export function buildAuroraDatabase(database: Construct, props: HaDatabaseProps, kind: HaDatabaseEngine, settings: PrimarySettings): PrimaryParts {
  const shape: AuroraShape = {
    kind,
    engine: clusterEngine(kind, props.engineVersion),
    instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
    globalId: props.secondary ? props.globalClusterIdentifier ?? `ha-${database.node.addr.slice(0, 16)}` : undefined,
  };
  const cluster = createAuroraCluster(database, props, shape, settings);
  addRotation(cluster, settings.rotation, props.rotationInterval);
  acknowledgeMonitoringRole(cluster);
  acknowledge(cluster, {
    'AwsSolutions-RDS11': 'The engine default port is kept: clients and proxies expect it, and access is limited by the security group to the clients the user allows.',
  });
  if (kind === HaDatabaseEngine.AURORA_MYSQL) {
    acknowledge(cluster, {
      'AwsSolutions-RDS14': 'Backtrack is not supported on a cluster in an Aurora Global Database; point-in-time restore from the retained backups is the recovery path.',
    });
  }
  const parts: PrimaryParts = { cluster, connections: cluster.connections, secret: cluster.secret!, endpoint: cluster.clusterEndpoint };
  return props.secondary ? { ...parts, global: addGlobalDatabase(database, cluster, props, shape, settings) } : parts;
}

/** The L2 cluster: a writer and `readers` readers (promotion tier 1) in the isolated subnets, TLS required. */
function createAuroraCluster(database: Construct, props: HaDatabaseProps, shape: AuroraShape, settings: PrimarySettings): rds.DatabaseCluster {
  const { engine, instanceType, globalId } = shape;
  const readers = props.readers ?? 1;
  return new rds.DatabaseCluster(database, 'Resource', {
    engine,
    // With a secondary, a literal identifier lets the runbook role name the primary cluster exactly.
    clusterIdentifier: globalId ? `${globalId}-${Stack.of(database).region}` : undefined,
    credentials: settings.credentials,
    defaultDatabaseName: props.databaseName ?? 'app',
    vpc: props.vpc,
    vpcSubnets: settings.subnets,
    writer: rds.ClusterInstance.provisioned('Writer', { instanceType, publiclyAccessible: false, enablePerformanceInsights: true }),
    readers: Array.from({ length: readers }, (_, i) => rds.ClusterInstance.provisioned(`Reader${i + 1}`, {
      instanceType, publiclyAccessible: false, enablePerformanceInsights: true, promotionTier: 1,
    })),
    parameterGroup: new rds.ParameterGroup(database, 'Parameters', { engine, parameters: tlsParameters(shape.kind) }),
    storageEncrypted: true,
    iamAuthentication: true,
    deletionProtection: settings.deletionProtection,
    removalPolicy: settings.removalPolicy,
    backup: { retention: settings.backupRetention },
    cloudwatchLogsExports: shape.kind === HaDatabaseEngine.AURORA_MYSQL ? ['audit', 'error', 'general', 'slowquery'] : ['postgresql'],
    monitoringInterval: Duration.minutes(1),
    copyTagsToSnapshot: true,
  });
}

/**
 * The global cluster created FROM the primary cluster and the secondary cluster that joins it.
 * Upstream aws-cdk issue 22212: DatabaseCluster cannot join a global cluster. The primary
 * stays an L2 cluster and the global cluster is created from it (sourceDbClusterIdentifier);
 * the secondary is built from L1 resources (see HaDatabaseSecondary).
 */
function addGlobalDatabase(database: Construct, cluster: rds.DatabaseCluster, props: HaDatabaseProps, shape: AuroraShape,
  settings: PrimarySettings): GlobalDatabaseParts {
  const identifier = shape.globalId!;
  const globalCluster = new rds.CfnGlobalCluster(database, 'GlobalCluster', {
    globalClusterIdentifier: identifier,
    sourceDbClusterIdentifier: cluster.clusterIdentifier,
    deletionProtection: settings.deletionProtection,
  });
  globalCluster.applyRemovalPolicy(settings.removalPolicy);
  const cfn = cluster.node.defaultChild as rds.CfnDBCluster;
  const secondary = new HaDatabaseSecondary(regionalScope(database, props.secondary!.stack), 'Secondary', {
    ...props.secondary!,
    primary: database,
    engine: shape.kind,
    clusterEngine: shape.engine,
    engineVersion: Stack.of(database).resolve(cfn.engineVersion) as string,
    primaryClusterIdentifier: `${identifier}-${Stack.of(database).region}`,
    instanceType: shape.instanceType,
    globalClusterIdentifier: identifier,
    backupRetention: settings.backupRetention,
    deletionProtection: settings.deletionProtection,
    removalPolicy: settings.removalPolicy,
  });
  return { identifier, cluster: globalCluster, secondary };
}

/** The SQL Server Standard Multi-AZ instance (license included) and its rotation. */
export function buildSqlServerDatabase(database: Construct, props: HaDatabaseProps, settings: PrimarySettings): PrimaryParts {
  const engine = rds.DatabaseInstanceEngine.sqlServerSe({ version: rds.SqlServerEngineVersion.VER_16_00_4236_2_V1 });
  const instance = new rds.DatabaseInstance(database, 'Resource', {
    engine,
    licenseModel: rds.LicenseModel.LICENSE_INCLUDED,
    instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.XLARGE),
    credentials: settings.credentials,
    vpc: props.vpc,
    vpcSubnets: settings.subnets,
    multiAz: true,
    publiclyAccessible: false,
    storageEncrypted: true,
    allocatedStorage: 100,
    storageType: rds.StorageType.GP3,
    parameterGroup: new rds.ParameterGroup(database, 'Parameters', { engine, parameters: { 'rds.force_ssl': '1' } }),
    deletionProtection: settings.deletionProtection,
    removalPolicy: settings.removalPolicy,
    backupRetention: settings.backupRetention,
    cloudwatchLogsExports: ['error', 'agent'],
    monitoringInterval: Duration.minutes(1),
    enablePerformanceInsights: true,
    copyTagsToSnapshot: true,
  });
  addRotation(instance, settings.rotation, props.rotationInterval);
  acknowledgeMonitoringRole(instance);
  acknowledge(instance, {
    'AwsSolutions-RDS11': 'The engine default port is kept: clients expect it, and access is limited by the security group to the clients the user allows.',
    'AwsSolutions-RDS6': 'RDS for SQL Server does not support IAM database authentication; credentials come from the rotated Secrets Manager secret.',
  });
  return { instance, connections: instance.connections, secret: instance.secret!, endpoint: instance.instanceEndpoint };
}
