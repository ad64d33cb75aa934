import * as path from 'path';
import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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
import { HaBackup, HaBackupResource } from '../backup/ha-backup';
import { addPatternBackup } from '../backup/pattern-backup';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { ServiceTime } from '../core/service-time';
import { HandlerFunction } from '../private/handler-function';
import { acknowledge, createAccessLogsBucket, createHaVpc } from '../private/network';
import { ActiveActiveCell, CellFileShare } from './active-active-cell';
import { ActiveActiveCellsProps, CellsDnsOptions } from './active-active-cells-props';
import { validateProps } from './validation';

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

/** What every cell shares: the VPC, the container port and the removal policy. */
interface SharedCellSettings {
  readonly vpc: ec2.IVpc;
  readonly containerPort: number;
  readonly removalPolicy: RemovalPolicy;
}

/** The load balancer in front of the cells and its listener. */
interface CellsTraffic {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
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

    // The parts: the updates bucket, the cells, and the load balancer weighing them.
    this.updatesBucket = this.createUpdatesBucket(removalPolicy);
    this.cells = this.createCells(names, { vpc, containerPort, removalPolicy }, props);
    this.warnDrainingCells(draining);
    const traffic = this.createTraffic(vpc, containerPort, draining, props);
    this.loadBalancer = traffic.loadBalancer;
    this.listener = traffic.listener;
    if (props.dns) this.record = this.createRecord(props.dns);

    // Alarms: a cell with no healthy task.
    this.addCellDownAlarms();

    // Update fan-out: S3 object created under updates/ (and a periodic re-run) -> Lambda -> every cell.
    this.statusTable = this.createStatusTable(removalPolicy);
    this.fanOutName = Names.uniqueResourceName(this, { maxLength: 64 });
    const fanOut = this.createFanOut(props.fanOutRetryInterval ?? Duration.minutes(5));
    this.fanOutFunction = fanOut.function;
    this.fanOutRole = fanOut.role;
    this.cellsBehindAlarm = this.createCellsBehindAlarm();

    // Recovery objectives, with the failures each path exists for and what it needs to survive them.
    this.declareRecoveryObjectives(vpc, props.desiredCountPerCell ?? 2);
    if (props.backup) {
      this.backup = addPatternBackup(this, props.backup, this.ownStatefulResources(), alarm => this.addAlarm(alarm, AlarmRole.NOTIFYING));
    }

    this.createFailoverAlarm(this, `ActiveActiveCells ${this.node.path}: a cell has no healthy task; OK when every cell serves again.`);
  }

  /** The versioned bucket updates are published to, with EventBridge notifications on. */
  private createUpdatesBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Updates', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      // Superseded versions of an update package are kept 90 days for rollback, then expire.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy,
    });
    // EventBridge notifications set on the bucket itself (no notifications custom resource).
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    acknowledge(bucket, {
      'AwsSolutions-S1': 'Writes to the updates bucket are recorded per cell in the status table and by CloudTrail; a server-access-log bucket would add no audit the fan-out does not keep.',
    });
    return bucket;
  }

  /** One cell per name, each with the user's resources of its position. */
  private createCells(names: string[], shared: SharedCellSettings, props: ActiveActiveCellsProps): ActiveActiveCell[] {
    const { vpc, containerPort, removalPolicy } = shared;
    return names.map((name, i) => new ActiveActiveCell(this, cellId(name), {
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
  }

  /** Reminds the user that a draining cell is removed only once its jobs have finished. */
  private warnDrainingCells(draining: Set<string>): void {
    for (const name of draining) {
      addHaWarning(this, 'cell-draining',
        `cell '${name}' is draining (weight 0): remove it (lower cellCount) only once its jobs have finished; its database and file share are retained.`);
    }
  }

  /** Traffic: one load balancer, each cell a weighted target group (a draining cell weighs 0). */
  private createTraffic(vpc: ec2.IVpc, containerPort: number, draining: Set<string>, props: ActiveActiveCellsProps): CellsTraffic {
    const lbSg = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc, description: 'Cells load balancer', allowAllOutbound: false });
    lbSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from clients');
    acknowledge(lbSg, { 'AwsSolutions-EC23': 'The load balancer is the public entry point of the cells; clients connect from anywhere.' });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: lbSg,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? true,
    });
    loadBalancer.logAccessLogs(createAccessLogsBucket(this, 'AccessLogs'));
    for (const cell of this.cells) {
      cell.service.connections.allowFrom(lbSg, ec2.Port.tcp(containerPort), 'from the cells load balancer');
    }
    const listener = loadBalancer.addListener('Listener', {
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
    return { loadBalancer, listener };
  }

  /** This region's weighted record, weighing the serving cells unless `dns.weight` says otherwise. */
  private createRecord(dns: CellsDnsOptions): route53.ARecord {
    return new route53.ARecord(this, 'Record', {
      zone: dns.zone,
      recordName: dns.recordName,
      target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.loadBalancer, { evaluateTargetHealth: true })),
      weight: dns.weight ?? this.servingCells.length,
      setIdentifier: `${Stack.of(this).region}-cells`,
      comment: `${this.node.path}: this region's cells (weighted)`,
    });
  }

  /** Each cell's failover trigger: its target group has no healthy task. */
  private addCellDownAlarms(): void {
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
  }

  /** The per-cell update state the fan-out keeps. */
  private createStatusTable(removalPolicy: RemovalPolicy): dynamodb.Table {
    return new dynamodb.Table(this, 'Status', {
      partitionKey: { name: 'cell', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });
  }

  /** The fan-out function, allowed to update the cells only, run on each published update and every `retryInterval`. */
  private createFanOut(retryInterval: Duration): HandlerFunction {
    const fanOut = new HandlerFunction(this, 'FanOut', {
      entry: path.join(__dirname, 'handler', 'index'),
      description: `${this.node.path}: applies the latest update under ${this.updatesPrefix} to every cell and records each cell's result`,
      timeout: Duration.minutes(2),
      environment: {
        BUCKET_NAME: this.updatesBucket.bucketName,
        TABLE_NAME: this.statusTable.tableName,
        METRIC_NAMESPACE: CELLS_METRIC_NAMESPACE,
        FAN_OUT_NAME: this.fanOutName,
        CELLS: Stack.of(this).toJsonString(this.cells.map(cell => ({
          name: cell.cellName,
          parameterName: cell.updateParameter.parameterName,
          cluster: cell.cluster.clusterArn,
          service: cell.service.serviceArn,
        }))),
      },
    });
    const fn = fanOut.function;
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
      schedule: events.Schedule.rate(retryInterval),
      targets: [new eventTargets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
    return fanOut;
  }

  /** The notifying alarm raised while a cell is behind the latest update, or the fan-out stopped reporting. */
  private createCellsBehindAlarm(): cloudwatch.Alarm {
    return this.createAlarm(this, 'CellsBehindAlarm', {
      metric: this.metricCellsBehind(),
      signal: SignalKind.HEARTBEAT,
      role: AlarmRole.NOTIFYING,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      description: `${this.node.path}: a cell is behind the latest update (see the status table), or the fan-out stopped reporting.`,
    });
  }

  /** The recovery paths (a task, a zone, a cell's database writer) and the data-loss bound. */
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

/** A cell's construct id: its name in PascalCase (`cell-1` -> `Cell1`). */
function cellId(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map(p => p[0].toUpperCase() + p.slice(1)).join('');
}
