import * as path from 'path';
import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { HaBackup, HaBackupOptions, HaBackupResource } from '../backup/ha-backup';
import { addPatternBackup } from '../backup/pattern-backup';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning, HaValidationError } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern, HaPatternProps } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { ServiceTime } from '../core/service-time';
import {
  isContainerImage, isHostedZone, requireDefined, requireDurationBetween, requireEnumValue, requireFargateSize, requireHealthCheckPath,
  requireInteger, requireRecordName, requireSubnets,
} from '../core/validation';
import { HandlerFunction } from '../private/handler-function';
import { acknowledge, createAccessLogsBucket, createHaVpc } from '../private/network';
import { ActiveActiveCell, CellFileShare, CellOptions } from './active-active-cell';

/** A weighted Route 53 record for this region's cells, to spread cells across regions. */
export interface CellsDnsOptions {
  /** The zone of the record. */
  readonly zone: route53.IHostedZone;
  /** The record name (relative to the zone), shared by every region's `ActiveActiveCells`. */
  readonly recordName: string;
  /**
   * Weight of this region's load balancer among the regions (0 to 255).
   * @default the number of serving cells, so traffic follows capacity
   */
  readonly weight?: number;
}

/** Props of `ActiveActiveCells`. */
export interface ActiveActiveCellsProps extends HaPatternProps {
  /** The application image every cell runs (e.g. `ecs.ContainerImage.fromRegistry('public.ecr.aws/...')`). */
  readonly image: ecs.ContainerImage;
  /**
   * Number of identical cells (2 to 5, the target groups one load-balancer action can weigh).
   * Adding a cell is raising this number; see `drainingCells` before lowering it.
   * @default the length of `cells`, else 3
   */
  readonly cellCount?: number;
  /**
   * Per-cell resources the user brings (database, file system, bucket), by position;
   * cells beyond the list get their own new resources.
   * @default every cell gets new resources
   */
  readonly cells?: CellOptions[];
  /**
   * Cells to drain before removal: their weight becomes 0 (no new requests,
   * sticky sessions end), their service and data stay. Remove a cell only
   * after it has been drained and its jobs have finished.
   * @default no cell draining
   */
  readonly drainingCells?: string[];
  /**
   * The VPC of the cells.
   * @default a new VPC over 2 zones with a NAT gateway per zone and flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Each cell's file share.
   * @default CellFileShare.EFS
   */
  readonly fileShare?: CellFileShare;
  /** @default 80 */
  readonly containerPort?: number;
  /** @default '/health' */
  readonly healthCheckPath?: string;
  /**
   * Tasks per cell (2 or more keep a cell up through a task or zone failure).
   * @default 2
   */
  readonly desiredCountPerCell?: number;
  /** @default 512 */
  readonly cpu?: number;
  /** @default 1024 */
  readonly memoryLimitMiB?: number;
  /**
   * How long a client stays with the cell that served it (target-group stickiness).
   * @default 1 hour
   */
  readonly cellStickiness?: Duration;
  /**
   * How often the fan-out re-runs to retry cells that are behind (1 to 5 minutes:
   * each run reports the metric the cells-behind alarm evaluates every 5 minutes).
   * @default 5 minutes
   */
  readonly fanOutRetryInterval?: Duration;
  /**
   * A weighted record for this region's load balancer, to spread cells over regions
   * (one `ActiveActiveCells` per region, same record name).
   * @default no record
   */
  readonly dns?: CellsDnsOptions;
  /**
   * Deletion protection of the load balancer, the cells' only way in
   * (`deletion_protection.enabled`). Adding or removing cells leaves it in
   * place; to delete the stack or the pattern, deploy with `false` first.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Removal policy of the stateful resources (databases, file shares, status table, updates bucket).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * A backup tier over the stateful resources the construct creates (each cell's Aurora
   * cluster and EFS file share, and the status table): an AWS Backup plan with a copy of every
   * recovery point in another region, and the `backup-restore` recovery path for the loss of
   * this region (see lib/backup). Databases, file systems and buckets you bring in `cells` are
   * yours to back up.
   * @default no AWS Backup plan
   */
  readonly backup?: HaBackupOptions;
}

const MAX_CELLS = 5;
/** Namespace of the fan-out's `CellsBehind` metric. */
export const CELLS_METRIC_NAMESPACE = 'cdk-ha-patterns/ActiveActiveCells';
/** Ids of the recovery paths of `ActiveActiveCells`. */
export enum ActiveActiveCellsPath {
  /** A task of a cell fails: the cell's other task serves while ECS replaces it. */
  CELL_TASK = 'cell-task',
  /** A zone fails: each cell's tasks in the other zones serve while ECS replaces the lost ones there; a writer there fails over to its reader. */
  ZONE = 'zone',
  /** A cell's database writer fails: Aurora promotes the cell's reader. */
  CELL_DATABASE_WRITER = 'cell-database-writer',
}

/**
 * Independent cells behind one load balancer: each cell a complete
 * installation with its own Fargate service, database and file share; each
 * request (and, by stickiness, each client) handled by one cell. Updates
 * published once under `updates/` in the construct's bucket are fanned out
 * to every cell, with each cell's success or failure recorded and an alarm
 * when a cell is behind.
 */
export class ActiveActiveCells extends HaPattern {
  /** The cells, in order. */
  public readonly cells: ActiveActiveCell[];
  /** The load balancer in front of the cells. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener whose default action weighs the cells. */
  public readonly listener: elbv2.ApplicationListener;
  /** Where updates are published: put an object under `updatesPrefix` to update every cell. */
  public readonly updatesBucket: s3.Bucket;
  /** The prefix updates are published under. */
  public readonly updatesPrefix = 'updates/';
  /** Per-cell update state: partition key `cell`; item `#latest` holds the latest update. */
  public readonly statusTable: dynamodb.Table;
  /** The fan-out function. */
  public readonly fanOutFunction: lambda.IFunction;
  /** The role the fan-out function runs as. */
  public readonly fanOutRole: iam.IRole;
  /** The alarm raised while a cell is behind the latest update. */
  public readonly cellsBehindAlarm: cloudwatch.Alarm;
  /** The weighted record, when `dns` is set. */
  public readonly record?: route53.ARecord;
  /** Names of the cells that serve (not draining). */
  public readonly servingCells: string[];
  /** The backup tier, when `backup` is set. */
  public readonly backup?: HaBackup;

  private readonly fanOutName: string;

  constructor(scope: Construct, id: string, props: ActiveActiveCellsProps) {
    super(scope, id, props, {
      patternName: 'ActiveActiveCells',
      detection: 'each cell\'s target group health checks; a cell with no healthy task raises its cell-down alarm',
    });
    const names = validateProps(this, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const vpc = props.vpc ?? createHaVpc(this, 'Vpc');
    const containerPort = props.containerPort ?? 80;
    const draining = new Set(props.drainingCells ?? []);
    this.servingCells = names.filter(n => !draining.has(n));

    this.updatesBucket = new s3.Bucket(this, 'Updates', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      // Superseded versions of an update package are kept 90 days for rollback, then expire.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy,
    });
    // EventBridge notifications set on the bucket itself (no notifications custom resource).
    (this.updatesBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    acknowledge(this.updatesBucket, {
      'AwsSolutions-S1': 'Writes to the updates bucket are recorded per cell in the status table and by CloudTrail; a server-access-log bucket would add no audit the fan-out does not keep.',
    });

    this.cells = names.map((name, i) => new ActiveActiveCell(this, cellId(name), {
      name,
      vpc,
      image: props.image,
      containerPort,
      healthCheckPath: props.healthCheckPath ?? '/health',
      desiredCount: props.desiredCountPerCell ?? 2,
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      fileShare: props.fileShare ?? CellFileShare.EFS,
      removalPolicy,
      options: props.cells?.[i] ?? {},
      updatesBucket: this.updatesBucket,
      updatesPrefix: this.updatesPrefix,
    }));
    for (const name of draining) {
      addHaWarning(this, 'cell-draining',
        `cell '${name}' is draining (weight 0): remove it (lower cellCount) only once its jobs have finished; its database and file share are retained.`);
    }

    // Traffic: one load balancer, each cell a weighted target group.
    const lbSg = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc, description: 'Cells load balancer', allowAllOutbound: false });
    lbSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from clients');
    acknowledge(lbSg, { 'AwsSolutions-EC23': 'The load balancer is the public entry point of the cells; clients connect from anywhere.' });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: lbSg,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? true,
    });
    this.loadBalancer.logAccessLogs(createAccessLogsBucket(this, 'AccessLogs'));
    for (const cell of this.cells) {
      cell.service.connections.allowFrom(lbSg, ec2.Port.tcp(containerPort), 'from the cells load balancer');
    }
    this.listener = this.loadBalancer.addListener('Listener', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.weightedForward(
        this.cells.map(cell => ({ targetGroup: cell.targetGroup, weight: draining.has(cell.cellName) ? 0 : 1 })),
        { stickinessDuration: props.cellStickiness ?? Duration.hours(1) },
      ),
    });
    addHaWarning(this, 'cells-plain-http',
      'the cells listener is plain HTTP on port 80: terminate TLS in front of it (CloudFront) or add an HTTPS listener with your certificate to `listener.loadBalancer`.');

    if (props.dns) {
      this.record = new route53.ARecord(this, 'Record', {
        zone: props.dns.zone,
        recordName: props.dns.recordName,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.loadBalancer, { evaluateTargetHealth: true })),
        weight: props.dns.weight ?? this.servingCells.length,
        setIdentifier: `${Stack.of(this).region}-cells`,
        comment: `${this.node.path}: this region's cells (weighted)`,
      });
    }

    // Alarms: a cell with no healthy task.
    this.cells.forEach(cell => {
      this.createAlarm(cell, 'CellDownAlarm', {
        metric: this.metricCellHealthyTasks(cell.cellName),
        signal: SignalKind.STATUS,
        role: AlarmRole.FAILOVER_TRIGGER,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        description: `${this.node.path}: cell ${cell.cellName} has no healthy task: its share of clients fails until it recovers or is drained (drainingCells).`,
      });
    });

    // Update fan-out: S3 object created under updates/ (and a periodic re-run) -> Lambda -> every cell.
    this.statusTable = new dynamodb.Table(this, 'Status', {
      partitionKey: { name: 'cell', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });
    const fanOutName = Names.uniqueResourceName(this, { maxLength: 64 });
    this.fanOutName = fanOutName;
    const fanOut = new HandlerFunction(this, 'FanOut', {
      entry: path.join(__dirname, 'handler', 'index'),
      description: `${this.node.path}: applies the latest update under ${this.updatesPrefix} to every cell and records each cell's result`,
      timeout: Duration.minutes(2),
      environment: {
        BUCKET_NAME: this.updatesBucket.bucketName,
        TABLE_NAME: this.statusTable.tableName,
        METRIC_NAMESPACE: CELLS_METRIC_NAMESPACE,
        FAN_OUT_NAME: fanOutName,
        CELLS: Stack.of(this).toJsonString(this.cells.map(cell => ({
          name: cell.cellName,
          parameterName: cell.updateParameter.parameterName,
          cluster: cell.cluster.clusterArn,
          service: cell.service.serviceArn,
        }))),
      },
    });
    const fn = fanOut.function;
    this.fanOutFunction = fn;
    this.fanOutRole = fanOut.role;
    this.statusTable.grantReadWriteData(fn);
    for (const cell of this.cells) cell.updateParameter.grantWrite(fn);
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:UpdateService'],
      resources: this.cells.map(cell => cell.service.serviceArn),
    }));
    new events.Rule(this, 'UpdatePublished', {
      description: `${this.node.path}: an update was published under ${this.updatesPrefix}`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.updatesBucket.bucketName] }, object: { key: [{ prefix: this.updatesPrefix }] } },
      },
      targets: [new eventTargets.LambdaFunction(fn, { retryAttempts: 2 })],
    });
    new events.Rule(this, 'FanOutRetry', {
      description: `${this.node.path}: re-runs the fan-out so cells that are behind are retried`,
      schedule: events.Schedule.rate(props.fanOutRetryInterval ?? Duration.minutes(5)),
      targets: [new eventTargets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
    this.cellsBehindAlarm = this.createAlarm(this, 'CellsBehindAlarm', {
      metric: this.metricCellsBehind(),
      signal: SignalKind.HEARTBEAT,
      role: AlarmRole.NOTIFYING,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      description: `${this.node.path}: a cell is behind the latest update (see the status table), or the fan-out stopped reporting.`,
    });

    // Recovery objectives, with the failures each path exists for and what it needs to survive them.
    this.declareRecoveryObjectives(vpc, props.desiredCountPerCell ?? 2);
    if (props.backup) {
      this.backup = addPatternBackup(this, props.backup, this.ownStatefulResources(), alarm => this.addAlarm(alarm, AlarmRole.NOTIFYING));
    }

    this.createFailoverAlarm(this, `ActiveActiveCells ${this.node.path}: a cell has no healthy task; OK when every cell serves again.`);
  }

  private declareRecoveryObjectives(vpc: ec2.IVpc, desiredPerCell: number): void {
    const region = Stack.of(this).region;
    const first = this.cells[0];
    // The cells' own Aurora clusters (a user's database is theirs to declare): a writer and its readers.
    const ownDatabases = this.cells.flatMap(cell => cell.database instanceof rds.DatabaseCluster ? [{ cell, cluster: cell.database }] : []);
    const readerLinks = ownDatabases.map(({ cell, cluster }) => PathLink.capacity(cluster, `database reader of ${cell.cellName} (promoted on writer loss)`, {
      serving: cluster.node.findAll().filter(c => c instanceof rds.CfnDBInstance).length - 1, required: 1,
    }));
    this.recoveryObjectives.addRecoveryPath(ActiveActiveCellsPath.CELL_TASK, [
      RecoveryStep.targetGroupUnhealthy(`target group health check (${first.cellName})`, first.targetGroup),
      RecoveryStep.fargateTaskStart('Fargate replacement task'),
      RecoveryStep.targetGroupHealthy(`target group registration (${first.cellName})`, first.targetGroup),
    ], {
      description: 'a task of a cell fails: the load balancer stops sending it requests and ECS starts a replacement; the cell\'s other task serves meanwhile',
      scenarios: [FailureScenario.taskLoss(region)],
      // Each cell keeps serving on its other tasks (read from its synthesized DesiredCount).
      links: this.cells.map(cell => PathLink.capacity(cell.service, `the other tasks of ${cell.cellName}`, { lost: 1, required: 1 })),
    });
    // ECS spreads each cell's tasks over the zones: a zone takes ceil(tasks / zones) of them.
    const zones = Token.isUnresolved(vpc.availabilityZones) ? 2 : Math.max(2, vpc.availabilityZones.length);
    const lost = Math.ceil(desiredPerCell / zones);
    this.recoveryObjectives.addRecoveryPath(ActiveActiveCellsPath.ZONE, [
      RecoveryStep.targetGroupUnhealthy(`target group health check (${first.cellName})`, first.targetGroup),
      RecoveryStep.fargateTaskStart(`replacement of the ${lost} task(s) per cell of the lost zone, in the surviving zone(s)`),
      RecoveryStep.targetGroupHealthy(`target group registration (${first.cellName})`, first.targetGroup),
    ], {
      description: `a zone fails: each cell serves on its tasks in the other zones while ECS replaces the ${lost} it lost; ` +
        'a cell database whose writer was there fails over to its reader (~35 s, meanwhile)',
      scenarios: [FailureScenario.zoneLoss(region)],
      links: [
        ...this.cells.map(cell => PathLink.capacity(cell.service, `the tasks of ${cell.cellName} in the surviving zones`, { lost, required: 1 })),
        ...readerLinks,
      ],
    });
    if (ownDatabases.length > 0) {
      this.recoveryObjectives.addRecoveryPath(ActiveActiveCellsPath.CELL_DATABASE_WRITER, [
        RecoveryStep.serviceTime(ServiceTime.AURORA_FAILOVER),
        RecoveryStep.serviceTime(ServiceTime.AURORA_ENDPOINT_DNS, 'cell database cluster endpoint DNS'),
      ], {
        description: 'a cell\'s database writer fails: Aurora promotes the cell\'s reader',
        scenarios: [FailureScenario.databaseWriterLoss(region)],
        links: readerLinks,
      });
    }
    this.recoveryObjectives.addDataLossBound(RecoveryStep.constant('cell database (Aurora)', Duration.seconds(0),
      'Aurora storage is replicated six ways across three zones: committed writes survive a writer failover'));
  }

  /** What the backup tier protects: the databases and EFS file shares the cells created, and the status table. */
  private ownStatefulResources(): HaBackupResource[] {
    const own = (c: IConstruct | undefined, cell: ActiveActiveCell) => c !== undefined && c.node.scope === cell;
    return [
      ...this.cells.flatMap(cell => (cell.database instanceof rds.DatabaseCluster && own(cell.database, cell) ? [HaBackupResource.auroraCluster(cell.database)] : [])),
      ...this.cells.flatMap(cell => (cell.fileSystem && own(cell.fileSystem, cell) ? [HaBackupResource.efsFileSystem(cell.fileSystem)] : [])),
      HaBackupResource.dynamoDbTable(this.statusTable),
    ];
  }

  /** The cell named `name`. */
  public cell(name: string): ActiveActiveCell {
    const found = this.cells.find(c => c.cellName === name);
    if (!found) throw new Error(`${this.node.path}: no cell '${name}' (cells: ${this.cells.map(c => c.cellName).join(', ')})`);
    return found;
  }

  /** Healthy tasks of a cell (minimum over 1 minute). */
  public metricCellHealthyTasks(name: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.cell(name).targetGroup.metrics.healthyHostCount({ statistic: 'Minimum', period: Duration.minutes(1), ...options });
  }

  /** Cells behind the latest update, as the fan-out last reported (maximum over 5 minutes). */
  public metricCellsBehind(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: CELLS_METRIC_NAMESPACE,
      metricName: 'CellsBehind',
      dimensionsMap: { FanOut: this.fanOutName },
      statistic: 'Maximum',
      period: Duration.minutes(5),
      ...options,
    });
  }

  /** Lets `grantee` publish updates (put objects under `updates/`). */
  public grantPublishUpdate(grantee: iam.IGrantable): iam.Grant {
    return this.updatesBucket.grantPut(grantee, `${this.updatesPrefix}*`);
  }
}

function cellId(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map(p => p[0].toUpperCase() + p.slice(1)).join('');
}

/** Validates the props; returns the cell names. */
function validateProps(scope: ActiveActiveCells, props: ActiveActiveCellsProps): string[] {
  requireDefined(scope, 'image', props.image, 'the application image every cell runs, e.g. ContainerImage.fromRegistry(...)', isContainerImage);
  if (props.cells !== undefined) requireDefined(scope, 'cells', props.cells, 'an array of per-cell options, e.g. [{ name: \'north\' }, {}]', Array.isArray);
  if (props.drainingCells !== undefined) requireDefined(scope, 'drainingCells', props.drainingCells, 'an array of cell names', Array.isArray);
  requireEnumValue(scope, 'fileShare', props.fileShare, CellFileShare, 'CellFileShare');
  const listed = props.cells ?? [];
  const count = props.cellCount ?? (listed.length > 0 ? listed.length : 3);
  requireInteger(scope, 'cellCount', count, 2, MAX_CELLS);
  if (!Token.isUnresolved(count) && listed.length > count) {
    throw new HaValidationError(scope, { prop: 'cells', received: `${listed.length} cells`, expected: `at most cellCount (${count}) entries` });
  }
  const names = Array.from({ length: count }, (_, i) => listed[i]?.name ?? `cell-${i + 1}`);
  names.forEach((name, i) => {
    if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(name)) {
      throw new HaValidationError(scope, { prop: `cells[${i}].name`, received: name, expected: 'lowercase letters, digits and hyphens, up to 31 characters' });
    }
    const j = names.indexOf(name);
    if (j !== i) throw new HaValidationError(scope, { prop: `cells[${i}].name`, received: name, expected: `a name of its own (cell ${j + 1} is already '${name}')` });
  });
  listed.forEach((cell, i) => {
    if (cell.fileSystem && cell.bucket) {
      throw new HaValidationError(scope, { prop: `cells[${i}]`, received: 'both fileSystem and bucket', expected: 'one file share per cell: a fileSystem or a bucket' });
    }
  });
  // Isolation: no database, file system or bucket shared by two cells.
  const shared: Array<[string, (c: CellOptions) => unknown]> = [['database', c => c.database], ['fileSystem', c => c.fileSystem], ['bucket', c => c.bucket]];
  for (const [prop, get] of shared) {
    listed.forEach((cell, i) => {
      const resource = get(cell);
      if (resource === undefined) return;
      const j = listed.findIndex(c => get(c) === resource);
      if (j !== i) {
        throw new HaValidationError(scope, {
          prop: `cells[${i}].${prop}`,
          received: `the ${prop} of cell '${names[j]}'`,
          expected: `a ${prop} of its own: cells '${names[j]}' and '${names[i]}' would share it (shared job logs and data collide); give each cell its own`,
        });
      }
    });
  }
  const draining = props.drainingCells ?? [];
  draining.forEach((name, i) => {
    if (!names.includes(name)) {
      throw new HaValidationError(scope, { prop: `drainingCells[${i}]`, received: name, expected: `one of the cells: ${names.join(', ')}` });
    }
  });
  if (names.every(n => draining.includes(n))) {
    throw new HaValidationError(scope, { prop: 'drainingCells', received: draining, expected: 'at least one cell that keeps serving' });
  }
  requireInteger(scope, 'desiredCountPerCell', props.desiredCountPerCell, 1);
  requireDurationBetween(scope, 'fanOutRetryInterval', props.fanOutRetryInterval, Duration.minutes(1), Duration.minutes(5));
  if (props.dns?.weight !== undefined) requireInteger(scope, 'dns.weight', props.dns.weight, 0, 255);
  if (props.dns) {
    requireDefined(scope, 'dns.zone', props.dns.zone, 'the hosted zone of the weighted record, e.g. HostedZone.fromHostedZoneAttributes(...)', isHostedZone);
    requireDefined(scope, 'dns.recordName', props.dns.recordName, 'the record name every region\'s cells share, relative to the zone, e.g. "etl"');
    requireRecordName(scope, 'dns.recordName', props.dns.recordName);
  }
  requireInteger(scope, 'containerPort', props.containerPort, 1, 65535);
  requireHealthCheckPath(scope, 'healthCheckPath', props.healthCheckPath);
  requireFargateSize(scope, 'cpu', 'memoryLimitMiB', props.cpu ?? 512, props.memoryLimitMiB ?? 1024);
  // The weighted forward action's stickiness: 1 s to 7 days, as Elastic Load Balancing accepts.
  requireDurationBetween(scope, 'cellStickiness', props.cellStickiness, Duration.seconds(1), Duration.days(7));
  if (props.vpc !== undefined) {
    requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PUBLIC, 'the cells\' internet-facing load balancer lives in them');
    requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 'the cells\' tasks and file systems live in them');
    if (names.some((_, i) => listed[i]?.database === undefined)) {
      requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_ISOLATED,
        'the database each cell gets lives in them (or give every cell its own in cells[i].database)');
    }
  }
  return names;
}
