import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledge } from '../private/network';
import { createServiceTargetGroup } from '../private/service-target-group';

/** Where a cell keeps its files (job logs, working data). */
export enum CellFileShare {
  /** An encrypted EFS file system mounted at `/mnt/share` (IAM-authorized, TLS). */
  EFS = 'EFS',
  /** An encrypted S3 bucket, named in the `FILE_SHARE_BUCKET` environment variable. */
  S3_BUCKET = 'S3_BUCKET',
}

/** Resources a user brings for one cell; each must belong to this cell alone. */
export interface CellOptions {
  /**
   * The cell's name (DNS-label characters), used in construct ids, alarms and the status table.
   * @default `cell-<n>` (1-based)
   */
  readonly name?: string;
  /**
   * The cell's own database. Passing one database to two cells is an error.
   * @default a new Aurora PostgreSQL Serverless v2 cluster (writer + reader) for the cell
   */
  readonly database?: rds.IDatabaseCluster;
  /**
   * Credentials of `database`, injected into the cell's containers as `DB_SECRET`.
   * @default no credentials injected for a user-provided database
   */
  readonly databaseSecret?: secretsmanager.ISecret;
  /**
   * The cell's own EFS file system. Passing one file system to two cells is an error.
   * @default a new file system when the file share is EFS
   */
  readonly fileSystem?: efs.IFileSystem;
  /**
   * The cell's own bucket as its file share. Passing one bucket to two cells is an error.
   * @default a new bucket when the file share is S3_BUCKET
   */
  readonly bucket?: s3.IBucket;
}

/** Props of `ActiveActiveCell` (built by `ActiveActiveCells`). */
export interface ActiveActiveCellProps {
  /** The cell's name, e.g. `cell-1`. */
  readonly name: string;
  /** The VPC (public, private-with-egress and isolated subnets). */
  readonly vpc: ec2.IVpc;
  /** The application image. */
  readonly image: ecs.ContainerImage;
  /** The port the container listens on. */
  readonly containerPort: number;
  /** The load balancer's health-check path. */
  readonly healthCheckPath: string;
  /** Tasks of the cell. */
  readonly desiredCount: number;
  /** Task CPU units. */
  readonly cpu: number;
  /** Task memory. */
  readonly memoryLimitMiB: number;
  /** The kind of file share created when the user brings none. */
  readonly fileShare: CellFileShare;
  /** Removal policy of the database and file share the cell creates. */
  readonly removalPolicy: RemovalPolicy;
  /** The user's resources for this cell. */
  readonly options: CellOptions;
  /** The bucket updates are published to (the cell may read under `updatesPrefix`). */
  readonly updatesBucket: s3.IBucket;
  /** The prefix of published updates. */
  readonly updatesPrefix: string;
}

/** A cell's database and the credentials its containers get. */
interface CellDatabase {
  readonly cluster: rds.IDatabaseCluster;
  readonly secret?: secretsmanager.ISecret;
}

/** A cell's file share (a bucket or a file system) and the container environment naming it. */
interface CellShare {
  readonly bucket?: s3.IBucket;
  readonly fileSystem?: efs.IFileSystem;
  readonly environment: Record<string, string>;
}

/**
 * One complete installation: its own Fargate service, database and file
 * share, and the parameter its update arrives in. Created by `ActiveActiveCells`.
 */
export class ActiveActiveCell extends Construct {
  /** The cell's name. */
  public readonly cellName: string;
  /** The cell's ECS cluster. */
  public readonly cluster: ecs.Cluster;
  /** The cell's Fargate service. */
  public readonly service: ecs.FargateService;
  /** The cell's target group behind the shared load balancer. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The cell's database. */
  public readonly database: rds.IDatabaseCluster;
  /** The cell's EFS file system, when its share is EFS. */
  public readonly fileSystem?: efs.IFileSystem;
  /** The cell's bucket, when its share is S3. */
  public readonly bucket?: s3.IBucket;
  /** The parameter the fan-out writes the cell's current update to. */
  public readonly updateParameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: ActiveActiveCellProps) {
    super(scope, id);
    this.cellName = props.name;
    const { vpc } = props;

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const taskSg = new ec2.SecurityGroup(this, 'TaskSecurityGroup', { vpc, description: `${props.name}: tasks`, allowAllOutbound: true });

    // The cell's own data: its database and its file share.
    const database = this.createDatabase(props);
    this.database = database.cluster;
    this.database.connections.allowDefaultPortFrom(taskSg, `${props.name} tasks`);
    const share = useBucketShare(props)
      ? this.addBucketShare(props, taskDefinition)
      : this.addEfsShare(props, taskDefinition, taskSg);
    this.bucket = share.bucket;
    this.fileSystem = share.fileSystem;

    // The update parameter, the application container, and the service behind the cell's target group.
    this.updateParameter = this.addUpdateParameter(props, taskDefinition);
    this.addAppContainer(props, taskDefinition, {
      CELL_NAME: props.name,
      ...share.environment,
      UPDATE_PARAMETER: this.updateParameter.parameterName,
    }, database.secret);
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition,
      desiredCount: props.desiredCount,
      securityGroups: [taskSg],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
    });
    this.targetGroup = createServiceTargetGroup(this, 'TargetGroup', { vpc, port: props.containerPort, healthCheckPath: props.healthCheckPath });
    this.service.attachToApplicationTargetGroup(this.targetGroup);
  }

  /** The user's database, or a small Aurora Serverless v2 cluster of the cell's own with a rotated secret. */
  private createDatabase(props: ActiveActiveCellProps): CellDatabase {
    if (props.options.database) return { cluster: props.options.database, secret: props.options.databaseSecret };
    const { vpc } = props;
    const cluster = new rds.DatabaseCluster(this, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true })],
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 4,
      storageEncrypted: true,
      iamAuthentication: true,
      port: 5433,
      credentials: rds.Credentials.fromGeneratedSecret('cell_admin'),
      backup: { retention: Duration.days(7) },
      cloudwatchLogsExports: ['postgresql'],
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    // The hosted rotation function runs in the subnets with egress (Secrets Manager's regional
    // endpoint through the NAT gateways) and connects to the cell's database on its port.
    const rotation = secretsmanager.HostedRotation.postgreSqlSingleUser({ vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });
    cluster.secret!.addRotationSchedule('Rotation', { hostedRotation: rotation, automaticallyAfter: Duration.days(30) });
    cluster.connections.allowDefaultPortFrom(rotation, `${props.name} secret rotation`);
    return { cluster, secret: cluster.secret };
  }

  /** An S3 file share (the user's bucket or the cell's own), read and written by the task role. */
  private addBucketShare(props: ActiveActiveCellProps, taskDefinition: ecs.FargateTaskDefinition): CellShare {
    const bucket = props.options.bucket ?? new s3.Bucket(this, 'FileShare', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: props.removalPolicy,
    });
    if (!props.options.bucket) {
      acknowledge(bucket, { 'AwsSolutions-S1': 'The cell file share holds job data written by the cell\'s own task role; CloudTrail data events cover access auditing without a second log bucket per cell.' });
    }
    taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects('*')],
    }));
    taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    acknowledgeObjectWildcard(taskDefinition, bucket, '/*', 'The task role reads and writes the objects of the cell\'s own file-share bucket, and no other bucket.');
    return { bucket, environment: { FILE_SHARE_BUCKET: bucket.bucketName } };
  }

  /** An EFS file share (the user's file system or the cell's own), mounted by the tasks over TLS with IAM authorization. */
  private addEfsShare(props: ActiveActiveCellProps, taskDefinition: ecs.FargateTaskDefinition, taskSg: ec2.ISecurityGroup): CellShare {
    const fileSystem = props.options.fileSystem ?? new efs.FileSystem(this, 'FileShare', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      encrypted: true,
      enableAutomaticBackups: true,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.ELASTIC,
      removalPolicy: props.removalPolicy,
    });
    fileSystem.connections.allowDefaultPortFrom(taskSg, `${props.name} tasks`);
    fileSystem.grant(taskDefinition.taskRole, 'elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite');
    taskDefinition.addVolume({
      name: 'share',
      efsVolumeConfiguration: {
        fileSystemId: fileSystem.fileSystemId,
        transitEncryption: 'ENABLED',
        authorizationConfig: { iam: 'ENABLED' },
      },
    });
    return { fileSystem, environment: { FILE_SHARE_PATH: '/mnt/share' } };
  }

  /** The update parameter: written by the fan-out, read by the cell at start with the published updates it names. */
  private addUpdateParameter(props: ActiveActiveCellProps, taskDefinition: ecs.FargateTaskDefinition): ssm.StringParameter {
    const parameter = new ssm.StringParameter(this, 'UpdateParameter', {
      stringValue: 'none',
      description: `${props.name}: the update (bucket, key, version) this cell runs; written by the update fan-out`,
    });
    parameter.grantRead(taskDefinition.taskRole);
    taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [props.updatesBucket.arnForObjects(`${props.updatesPrefix}*`)],
    }));
    acknowledgeObjectWildcard(taskDefinition, props.updatesBucket, `/${props.updatesPrefix}*`,
      'The task role reads the published updates: objects under the updates/ prefix of the construct\'s updates bucket only.');
    return parameter;
  }

  /** The application container: its logs, its environment (names only), the database secret and the EFS mount. */
  private addAppContainer(props: ActiveActiveCellProps, taskDefinition: ecs.FargateTaskDefinition, environment: Record<string, string>,
    dbSecret: secretsmanager.ISecret | undefined): void {
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const container = taskDefinition.addContainer('App', {
      image: props.image,
      portMappings: [{ containerPort: props.containerPort }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: props.name }),
      environment,
      secrets: dbSecret ? { DB_SECRET: ecs.Secret.fromSecretsManager(dbSecret) } : undefined,
    });
    if (this.fileSystem) container.addMountPoints({ containerPath: '/mnt/share', sourceVolume: 'share', readOnly: false });
    acknowledge(taskDefinition, {
      'AwsSolutions-ECS2': 'The environment holds names only (cell name, parameter name, mount path or bucket name); the database credentials come from Secrets Manager.',
    });
  }
}

/** Whether the cell's file share is a bucket: the user's bucket, or S3_BUCKET when the user brings no file system. */
function useBucketShare(props: ActiveActiveCellProps): boolean {
  return props.options.bucket !== undefined || (props.options.fileSystem === undefined && props.fileShare === CellFileShare.S3_BUCKET);
}

/** Acknowledges cdk-nag's IAM5 finding for `<bucket>.Arn` + `suffix` (an object wildcard within one bucket of this app). */
function acknowledgeObjectWildcard(scope: Construct, bucket: s3.IBucket, suffix: string, reason: string): void {
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof s3.CfnBucket)) return;
  const stack = Stack.of(cfn);
  const logicalId = stack.resolve(stack.getLogicalId(cfn)) as string;
  acknowledge(scope, { [`AwsSolutions-IAM5[Resource::<${logicalId}.Arn>${suffix}]`]: reason });
}
