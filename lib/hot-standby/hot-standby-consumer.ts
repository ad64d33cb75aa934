import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { requireDefined, requireDurationBetween, requireEnumValue, requireSubnets } from '../core/validation';
import { ContenderPlacement, createContenderService, deployOneAfterTheOther, pickContenderZones, validateLeaseTaskProps } from '../lease/daemon-task';
import { createLeaseHolderTask, LeaseDefaults, leaseHolderSettings, leaseTakeoverSteps, leaseTaskCluster } from '../lease/lease-holder';
import { LeaseMode } from '../lease/lease-mode';
import { LeaseSettings, LeaseTable } from '../lease/lease-table';
import { LeaseTaskProps } from '../lease/lease-task-props';
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

/** The consumers' lease: 15 s, 30 s with the launcher (its stop margin), renewed every 5 s. */
const CONSUMER_LEASE_DEFAULTS: LeaseDefaults = {
  leaseName: 'leader', leaseDuration: Duration.seconds(15), launcherLeaseDuration: Duration.seconds(30), renewInterval: Duration.seconds(5),
};

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
    this.leaseMode = validateConsumerProps(this, props);
    const launcherMode = this.leaseMode === LeaseMode.LAUNCHER;
    const lease = leaseHolderSettings(this, props, launcherMode, CONSUMER_LEASE_DEFAULTS);
    this.settings = lease.settings;
    this.leaseName = this.settings.leaseName;

    const placement = this.placeConsumers(props);
    this.cluster = placement.cluster;
    this.availabilityZones = placement.zones.map(z => z.zone);
    this.stream = props.stream ?? createDefaultStream(this, props);
    const task = createLeaseHolderTask(this, props, lease, {
      containerName: 'Consumer',
      streamPrefix: 'consumer',
      environment: { [StreamEnvironment.STREAM_NAME]: this.stream.streamName, [StreamEnvironment.STREAM_ARN]: this.stream.streamArn },
      launcherMode,
    });
    this.leaseTable = task.leaseTable;
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.launcherContainer = task.launcher;
    this.stream.grantRead(this.taskDefinition.taskRole);

    this.services = placement.zones.map((z, i) => createContenderService(this, `Consumer${'AB'[i]}`, this.cluster, this.taskDefinition, z));
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

  /** The cluster (checked for subnets of `subnetType`, or created) and one subnet in each of two zones for consumers A and B. */
  private placeConsumers(props: HotStandbyConsumerProps): { cluster: ecs.ICluster; zones: ContenderPlacement[] } {
    const subnetType = props.subnetType ?? ec2.SubnetType.PRIVATE_WITH_EGRESS;
    const givenVpc = props.cluster?.vpc ?? props.vpc;
    if (givenVpc) {
      requireSubnets(this, props.cluster ? 'cluster' : 'vpc', givenVpc, subnetType, 'consumers A and B run in them, one in each of two zones');
    }
    const cluster = leaseTaskCluster(this, props);
    const zones = pickContenderZones(this, cluster.vpc, { subnetType }, props.cluster ? 'cluster' : 'vpc', `${subnetType} subnets`);
    return { cluster, zones };
  }

  /** The leader, iterator-age and checkpoint-lag alarms. */
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

  /** The leader-failure path (the standby takes the lease and resumes at the last checkpoint) and the data-loss bound. */
  private declareRecoveryObjectives(): void {
    this.recoveryObjectives.addRecoveryPath(HotStandbyConsumerPath.LEADER_FAILURE, leaseTakeoverSteps({
      taskDefinition: this.taskDefinition, appContainer: 'Consumer', settings: this.settings, poll: 'standby poll',
      // With the launcher, the consumer starts only once the launcher holds the lease.
      launcherMode: this.launcherContainer !== undefined,
    }), {
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

/**
 * Checks the props (in this order: the task's, `subnetType`, `leaseMode`,
 * `stream`, the alarm thresholds) and returns the lease mode.
 */
function validateConsumerProps(scope: Construct, props: HotStandbyConsumerProps): LeaseMode {
  validateLeaseTaskProps(scope, props, 'consumer');
  requireEnumValue(scope, 'subnetType', props.subnetType, ec2.SubnetType, 'ec2.SubnetType');
  requireEnumValue(scope, 'leaseMode', props.leaseMode, LeaseMode, 'LeaseMode');
  if (props.stream !== undefined) {
    requireDefined(scope, 'stream', props.stream, 'a kinesis.IStream, e.g. new kinesis.Stream(...)', s => typeof (s as kinesis.IStream | undefined)?.grantRead === 'function');
  }
  requireDurationBetween(scope, 'iteratorAgeThreshold', props.iteratorAgeThreshold, Duration.seconds(1));
  requireDurationBetween(scope, 'checkpointLagThreshold', props.checkpointLagThreshold, Duration.seconds(1));
  return props.leaseMode ?? LeaseMode.IN_PROCESS;
}

/** The input stream when none is given: 1 shard, encrypted with the AWS managed key, 24 h retention. */
function createDefaultStream(scope: Construct, props: HotStandbyConsumerProps): kinesis.Stream {
  return new kinesis.Stream(scope, 'Stream', {
    shardCount: 1,
    encryption: kinesis.StreamEncryption.MANAGED,
    retentionPeriod: Duration.hours(24),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
}
