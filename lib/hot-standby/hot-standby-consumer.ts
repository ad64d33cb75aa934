import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { requireDefined, requireDurationBetween, requireEnumValue, requireSubnets } from '../core/validation';
import { createContenderService, createDaemonTask, deployOneAfterTheOther, pickContenderZones, validateLeaseSettings, validateLeaseTaskProps } from '../lease/daemon-task';
import { DEFAULT_APP_STOP_TIMEOUT, LAUNCHER_CONTAINER_NAME, launcherGateStep, validateLauncherTimings } from '../lease/launcher-container';
import { LeaseMode } from '../lease/lease-mode';
import { LeaseSettings, LeaseTable } from '../lease/lease-table';
import { LeaseTaskProps } from '../lease/lease-task-props';
import { createHaVpc } from '../private/network';
import { RuntimeMetricNames } from '../runtime/metrics';

/** Environment variables with the input stream. */
export const StreamEnvironment = {
  STREAM_NAME: 'HA_STREAM_NAME',
  STREAM_ARN: 'HA_STREAM_ARN',
} as const;

/** Ids of the recovery paths of `HotStandbyConsumer`. */
export enum HotStandbyConsumerPath {
  /** The leader dies, hangs or is partitioned: the running standby takes the lease. */
  LEADER_FAILURE = 'leader-failure',
}

/** Props of `HotStandbyConsumer`. */
export interface HotStandbyConsumerProps extends LeaseTaskProps {
  /**
   * The input stream.
   * @default a new stream: 1 shard, encrypted with the AWS managed key, 24 h retention
   */
  readonly stream?: kinesis.IStream;

  /**
   * Type of the subnets the two consumers run in; consumer A takes the
   * first availability zone's subnet, consumer B the second's.
   * @default ec2.SubnetType.PRIVATE_WITH_EGRESS
   */
  readonly subnetType?: ec2.SubnetType;

  /**
   * Name of the leader lease (its item holds the checkpoints too).
   * @default 'leader'
   */
  readonly leaseName?: string;

  /**
   * Who holds the leadership: the consumer's own process (`IN_PROCESS`: it
   * runs `LeaseClient`, fences its checkpoints and writes results once; the
   * processing contract of lib/runtime) or a launcher sidecar that runs your
   * unmodified consumer only while it holds the lease (`LAUNCHER`: for a
   * consumer you cannot change, which then keeps its own checkpoints; needs
   * `/bin/sh` in the image and the full command line in `command`).
   * @default LeaseMode.IN_PROCESS
   */
  readonly leaseMode?: LeaseMode;

  /**
   * With `leaseMode: LAUNCHER`: how long ECS waits between SIGTERM and
   * SIGKILL when it stops the consumer's container (2 to 120 s); the
   * launcher exits this long (plus 5 s stop latency) before its lease stops
   * being valid.
   * @default Duration.seconds(10)
   */
  readonly stopTimeout?: Duration;

  /**
   * How long an acquisition or renewal holds the leadership. With
   * `leaseMode: LAUNCHER` it must exceed renewInterval + maxClockSkew +
   * stopTimeout + 5 s.
   * @default Duration.seconds(15); Duration.seconds(30) with leaseMode LAUNCHER
   */
  readonly leaseDuration?: Duration;

  /**
   * How often the leader renews and the standby polls the lease.
   * @default Duration.seconds(5)
   */
  readonly renewInterval?: Duration;

  /**
   * Iterator age (of the slowest reader) above which the stream alarm fires.
   * @default Duration.minutes(1)
   */
  readonly iteratorAgeThreshold?: Duration;

  /**
   * Checkpoint lag (record arrival to checkpoint) above which the checkpoint alarm fires.
   * @default Duration.minutes(5)
   */
  readonly checkpointLagThreshold?: Duration;
}

/**
 * Two consumers of one Kinesis stream in two availability zones: both read
 * it, only the lease holder (the leader) writes results and checkpoints;
 * the standby takes over when the leader's lease lapses and resumes at the
 * last checkpoint.
 *
 * Checkpoints live on the lease item and are written conditionally on the
 * leader's fencing token, so a deposed leader can write none; results are
 * written once per record (keyed by shard and sequence number), so records
 * re-processed after a takeover are not written twice.
 */
export class HotStandbyConsumer extends HaPattern {
  /** The input stream. */
  public readonly stream: kinesis.IStream;
  /** The two consumer services (A, B), one task each, in different availability zones. */
  public readonly services: ecs.FargateService[];
  /** The task definition both services run. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The consumer container. */
  public readonly container: ecs.ContainerDefinition;
  /** The launcher's container (`leaseMode: LAUNCHER`), which holds the leadership. */
  public readonly launcherContainer?: ecs.ContainerDefinition;
  /** Who holds the leadership. */
  public readonly leaseMode: LeaseMode;
  /** The lease and checkpoint table. */
  public readonly leaseTable: LeaseTable;
  /** The lease name. */
  public readonly leaseName: string;
  /** The cluster. */
  public readonly cluster: ecs.ICluster;
  /** The availability zones of consumer A and consumer B. */
  public readonly availabilityZones: string[];

  private readonly settings: LeaseSettings;

  constructor(scope: Construct, id: string, props: HotStandbyConsumerProps) {
    super(scope, id, props, {
      patternName: 'HotStandbyConsumer',
      detection: 'the leader stops renewing its lease; the standby polling the lease takes it once it lapses',
    });
    validateLeaseTaskProps(this, props, 'consumer');
    requireEnumValue(this, 'subnetType', props.subnetType, ec2.SubnetType, 'ec2.SubnetType');
    requireEnumValue(this, 'leaseMode', props.leaseMode, LeaseMode, 'LeaseMode');
    this.leaseMode = props.leaseMode ?? LeaseMode.IN_PROCESS;
    const launcherMode = this.leaseMode === LeaseMode.LAUNCHER;
    if (props.stream !== undefined) {
      requireDefined(this, 'stream', props.stream, 'a kinesis.IStream, e.g. new kinesis.Stream(...)', s => typeof (s as kinesis.IStream | undefined)?.grantRead === 'function');
    }
    requireDurationBetween(this, 'iteratorAgeThreshold', props.iteratorAgeThreshold, Duration.seconds(1));
    requireDurationBetween(this, 'checkpointLagThreshold', props.checkpointLagThreshold, Duration.seconds(1));
    this.settings = {
      leaseName: props.leaseName ?? 'leader',
      leaseDuration: props.leaseDuration ?? Duration.seconds(launcherMode ? 30 : 15),
      renewInterval: props.renewInterval ?? Duration.seconds(5),
      maxClockSkew: props.maxClockSkew ?? Duration.seconds(1),
    };
    validateLeaseSettings(this, this.settings);
    const stopTimeout = props.stopTimeout ?? DEFAULT_APP_STOP_TIMEOUT;
    if (launcherMode) validateLauncherTimings(this, this.settings, stopTimeout);
    else if (props.stopTimeout !== undefined) addHaWarning(this, 'stop-timeout-ignored', 'stopTimeout applies to leaseMode LAUNCHER only: it is ignored.');
    this.leaseName = this.settings.leaseName;

    const givenVpc = props.cluster?.vpc ?? props.vpc;
    if (givenVpc) {
      requireSubnets(this, props.cluster ? 'cluster' : 'vpc', givenVpc, props.subnetType ?? ec2.SubnetType.PRIVATE_WITH_EGRESS,
        'consumers A and B run in them, one in each of two zones');
    }
    if (props.cluster && props.vpc) {
      addHaWarning(this, 'vpc-ignored', 'vpc is ignored when cluster is given: the tasks run in the cluster\'s VPC.');
    }
    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc ?? createHaVpc(this, 'Vpc'),
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
    });
    const subnetType = props.subnetType ?? ec2.SubnetType.PRIVATE_WITH_EGRESS;
    const zones = pickContenderZones(this, this.cluster.vpc, { subnetType }, props.cluster ? 'cluster' : 'vpc', `${subnetType} subnets`);
    this.availabilityZones = zones.map(z => z.zone);

    this.stream = props.stream ?? new kinesis.Stream(this, 'Stream', {
      shardCount: 1,
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.leaseTable = new LeaseTable(this, 'LeaseTable', { removalPolicy: props.removalPolicy });
    const leaseEnvironment = this.leaseTable.environment(this.settings);
    const task = createDaemonTask(this, {
      image: props.image,
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      environment: {
        ...props.environment,
        ...leaseEnvironment,
        [StreamEnvironment.STREAM_NAME]: this.stream.streamName,
        [StreamEnvironment.STREAM_ARN]: this.stream.streamArn,
      },
      entryPoint: props.entryPoint,
      command: props.command,
      containerName: 'Consumer',
      streamPrefix: 'consumer',
      launcher: launcherMode ? { stopTimeout, leaseEnvironment } : undefined,
    });
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.launcherContainer = task.launcher;
    this.leaseTable.grantLease(this.taskDefinition.taskRole, this.leaseName);
    this.stream.grantRead(this.taskDefinition.taskRole);

    this.services = zones.map((z, i) => createContenderService(this, `Consumer${'AB'[i]}`, this.cluster, this.taskDefinition, z));
    deployOneAfterTheOther(this.services);

    this.createAlarms(props);
    this.declareRecoveryObjectives();
    this.createFailoverAlarm();
  }

  /** The role of both consumers' tasks: grant it access to where results go. */
  public get taskRole(): iam.IRole {
    return this.taskDefinition.taskRole;
  }

  /** Worst-case time until the standby leads after the leader fails. */
  public get takeoverTime(): Duration {
    return this.recoveryObjectives.path(HotStandbyConsumerPath.LEADER_FAILURE).total;
  }

  /** Whether any consumer holds the leadership: maximum over consumers of `LeaseHeld` (1 = a leader). */
  public metricLeaderPresent(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.leaseTable.metric(RuntimeMetricNames.HELD, this.leaseName, { statistic: 'Maximum', ...props });
  }

  /** Time from a record's arrival to its checkpoint (maximum per minute). */
  public metricCheckpointLag(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.leaseTable.metric(RuntimeMetricNames.CHECKPOINT_LAG, this.leaseName, { statistic: 'Maximum', ...props });
  }

  /** Age of the oldest record read by GetRecords (maximum per minute). */
  public metricIteratorAge(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /** New acquisitions of the leadership (takeovers and starts), sum per minute. */
  public metricTakeovers(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.leaseTable.metric(RuntimeMetricNames.ACQUIRED, this.leaseName, { statistic: 'Sum', ...props });
  }

  private createAlarms(props: HotStandbyConsumerProps): void {
    this.createAlarm(this, 'NoLeaderAlarm', {
      metric: this.metricLeaderPresent(),
      signal: SignalKind.HEARTBEAT,
      role: AlarmRole.FAILOVER_TRIGGER,
      description: `HotStandbyConsumer ${this.node.path}: no consumer has held the leadership for 2 minutes: nothing is written.`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
    const iteratorAge = props.iteratorAgeThreshold ?? Duration.minutes(1);
    this.createAlarm(this, 'IteratorAgeAlarm', {
      metric: this.metricIteratorAge(),
      signal: SignalKind.LEVEL,
      role: AlarmRole.FAILOVER_TRIGGER,
      description: `HotStandbyConsumer ${this.node.path}: a consumer reads records older than ${iteratorAge.toHumanString()} for 3 minutes (falling behind; data expires at the stream's retention).`,
      threshold: iteratorAge.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });
    const lag = props.checkpointLagThreshold ?? Duration.minutes(5);
    this.createAlarm(this, 'CheckpointLagAlarm', {
      metric: this.metricCheckpointLag(),
      signal: SignalKind.LEVEL,
      role: AlarmRole.FAILOVER_TRIGGER,
      description: `HotStandbyConsumer ${this.node.path}: the leader checkpoints records more than ${lag.toHumanString()} after they arrive, for 3 minutes; a takeover would re-process that much.`,
      threshold: lag.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });
  }

  private declareRecoveryObjectives(): void {
    const holder = this.launcherContainer ? LAUNCHER_CONTAINER_NAME : 'Consumer';
    this.recoveryObjectives.addRecoveryPath(HotStandbyConsumerPath.LEADER_FAILURE, [
      RecoveryStep.leaseLapse('lease lapse', this.taskDefinition, holder, this.settings,
        { prop: 'leaseDuration (longer than renewInterval + 2 x maxClockSkew) and maxClockSkew', floor: Duration.seconds(2) }),
      RecoveryStep.leasePoll('standby poll', this.taskDefinition, holder, this.settings, { prop: 'renewInterval (at least 1 s)', floor: Duration.seconds(1) }),
      // With the launcher, the consumer starts only once the launcher holds the lease.
      ...(this.launcherContainer ? [launcherGateStep()] : []),
    ], {
      description: 'the leader dies, hangs or is partitioned; the running standby takes the lease and resumes at the last checkpoint (no task start on this path)',
      scenarios: [FailureScenario.taskLoss(Stack.of(this).region), FailureScenario.zoneLoss(Stack.of(this).region)],
      links: [
        PathLink.signal(this.leaseTable.table, 'lease item with the checkpoints (its lapse tells the standby; DynamoDB spans the zones)'),
        ...this.services.map((service, i) => PathLink.capacity(service,
          `consumer ${'AB'[i]}${Token.isUnresolved(this.availabilityZones[i]) ? '' : ` in ${this.availabilityZones[i]}`} ` +
          `(leads when consumer ${'BA'[i]}'s task or zone is lost)`, { required: 1 })),
      ],
    });
    this.recoveryObjectives.addDataLossBound(RecoveryStep.constant('stream + fenced checkpoint', Duration.seconds(0),
      'records stay in the stream until retention; results are written before the checkpoint, the checkpoint is fenced by the leader token, ' +
      'and the new leader resumes after the last checkpoint: nothing is lost (records after it are re-processed and written once by key)'));
  }
}
