import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning, HaValidationError } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern, HaPatternProps } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { ServiceTime } from '../core/service-time';
import {
  isContainerImage, isVpc, requireDefined, requireDurationBetween, requireFargateSize, requireInteger, requireSubnets,
} from '../core/validation';
import { metricRunningTasks } from '../private/ecs-metrics';
import { acknowledge } from '../private/network';
import { JobEnvironment, SQS_MAX_VISIBILITY_MS } from '../runtime/job-protocol';
import { defaultHeartbeatInterval, JobVisibilityStep, MIN_VISIBILITY_TIMEOUT, requireWholeSeconds, validateJobTimings } from './job-visibility';

/** Props of `WorkerPool`. */
export interface WorkerPoolProps extends HaPatternProps {
  /** The VPC the workers run in (private subnets with egress). */
  readonly vpc: ec2.IVpc;

  /** The worker's container image, e.g. `ecs.ContainerImage.fromRegistry('public.ecr.aws/...')`. */
  readonly image: ecs.ContainerImage;

  /**
   * Command of the worker container.
   * @default the image's command
   */
  readonly command?: string[];

  /**
   * Environment of the worker container (not secrets). `QUEUE_NAME`,
   * `QUEUE_URL` and the job timings (`HA_JOB_VISIBILITY_TIMEOUT_MS`,
   * `HA_JOB_HEARTBEAT_INTERVAL_MS`, `HA_JOB_MAX_DURATION_MS`, read by
   * `JobHeartbeat.fromEnvironment` of `cdk-ha-patterns/lib/runtime`) are added.
   * @default {}
   */
  readonly environment?: Record<string, string>;

  /**
   * Fewest workers the pool keeps running (0 lets the pool scale to zero;
   * the first job then waits for a task to start).
   * @default 1
   */
  readonly minWorkers?: number;

  /**
   * Most workers the pool scales out to; at least `minWorkers` and at least 1.
   * @default 10
   */
  readonly maxWorkers?: number;

  /**
   * Visible jobs per worker that trigger a scale-out step of `+1`; a backlog
   * of 10x this adds 5 workers at once.
   * @default 10
   */
  readonly jobsPerWorker?: number;

  /**
   * How long a job stays invisible to other workers once a worker took it or
   * last extended it: the worker keeps extending it by this much every
   * `heartbeatInterval` while it runs the job (`JobHeartbeat` of
   * `cdk-ha-patterns/lib/runtime`), so it is also the longest the job of a
   * dead worker waits before another worker gets it. Whole seconds, 10 s to
   * 12 h. A worker that does not extend its jobs needs a timeout longer than
   * its longest job, or the job runs twice.
   * @default Duration.seconds(60)
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How often a worker extends the visibility of the job it runs; shorter
   * than `visibilityTimeout`, at most half of it to leave room for a slow or
   * retried call. Shorter means more `ChangeMessageVisibility` calls
   * (3600 / interval per busy worker and hour), not a faster recovery.
   * @default a third of visibilityTimeout in whole seconds (20 s with the default timeout)
   */
  readonly heartbeatInterval?: Duration;

  /**
   * The longest a job is kept invisible, counted from its receipt: the
   * heartbeat stops extending then, so a job that hangs on a live worker
   * reappears for another delivery. At most 12 hours (the SQS limit on a
   * message's invisibility). Keep it below `maxJobAge`: the age of the oldest
   * job counts jobs that are running.
   * @default Duration.minutes(10)
   */
  readonly maxJobDuration?: Duration;

  /**
   * Deliveries of a job before it moves to the dead-letter queue (1 to 1000).
   * @default 3
   */
  readonly maxReceiveCount?: number;

  /**
   * Age of the oldest waiting job above which the `OldestJobAge` alarm fires.
   * @default Duration.minutes(15)
   */
  readonly maxJobAge?: Duration;

  /**
   * CPU units of a worker task.
   * @default 256
   */
  readonly cpu?: number;

  /**
   * Memory (MiB) of a worker task.
   * @default 512
   */
  readonly memoryLimitMiB?: number;

  /**
   * What happens to the queues (they hold jobs) when the stack deletes them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Ids of the recovery paths of `WorkerPool`. */
export enum WorkerPoolPath {
  /** A worker dies holding a job: the job reappears and another worker takes it. */
  DEAD_WORKER = 'dead-worker',
}

/**
 * A pool of Fargate workers that pull jobs from an SQS queue, so a worker
 * only ever receives work when it is alive and free. Built on aws-cdk-lib's
 * `QueueProcessingFargateService` (scaling on backlog), with what it lacks:
 * encrypted TLS-only queues and dead-letter queue, validated scaling bounds,
 * and alarms (no healthy worker while jobs wait, age of the oldest job,
 * dead-letter queue not empty).
 *
 * A live worker keeps its job invisible with heartbeats (`JobHeartbeat`);
 * the job of a dead worker reappears one visibility timeout (60 s by default)
 * after the worker's last heartbeat and is taken by the next free worker.
 */
export class WorkerPool extends HaPattern {
  /** The queue of jobs. */
  public readonly queue: sqs.Queue;
  /** Jobs delivered `maxReceiveCount` times without being deleted. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The aws-cdk-lib pattern underneath (service, task definition, scaling). */
  public readonly processing: ecsPatterns.QueueProcessingFargateService;
  /** The workers' Fargate service. */
  public readonly service: ecs.FargateService;
  /** The cluster (Container Insights on: the running-task metric needs it). */
  public readonly cluster: ecs.Cluster;
  /** Fewest workers. */
  public readonly minWorkers: number;
  /** Most workers. */
  public readonly maxWorkers: number;
  /** How long a receipt or a heartbeat keeps a job invisible. */
  public readonly visibilityTimeout: Duration;
  /** How often a worker extends the visibility of its job. */
  public readonly heartbeatInterval: Duration;
  /** The longest a job is kept invisible, from its receipt. */
  public readonly maxJobDuration: Duration;

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id, props, {
      patternName: 'WorkerPool',
      detection: 'workers pull jobs and extend their visibility with heartbeats: a dead worker stops extending, and its job reappears within the visibility timeout; ' +
        'alarms on no running worker while jobs wait and on the age of the oldest job',
    });
    const pool = poolSettings(props);
    validate(this, props, pool);
    this.minWorkers = pool.minWorkers;
    this.maxWorkers = pool.maxWorkers;
    this.visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(60);
    this.heartbeatInterval = props.heartbeatInterval ?? defaultHeartbeatInterval(this.visibilityTimeout);
    this.maxJobDuration = props.maxJobDuration ?? Duration.minutes(10);
    validateJobTimings(this, this.visibilityTimeout, this.heartbeatInterval, this.maxJobDuration, pool.maxJobAge);

    // The parts: the queues, and the workers that pull from the job queue.
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.deadLetterQueue = this.createDeadLetterQueue(removalPolicy);
    this.queue = this.createJobQueue(pool.maxReceiveCount, removalPolicy);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.processing = this.createWorkers(props, pool.jobsPerWorker);
    this.service = this.processing.service;
    const worker = this.passJobTimings();

    this.addAlarms(pool.maxJobAge, pool.maxReceiveCount);
    this.declareRecoveryObjectives(worker.containerName);
    this.createFailoverAlarm(this, `WorkerPool ${this.node.path}: jobs wait with no worker running, or too long; OK when workers keep up again.`);
  }

  /** The dead-letter queue, where jobs delivered `maxReceiveCount` times are kept 14 days. */
  private createDeadLetterQueue(removalPolicy: RemovalPolicy): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    acknowledge(queue, {
      'AwsSolutions-SQS3': 'This queue is the dead-letter queue of the job queue; a dead-letter queue of its own would only move the same jobs again.',
    });
    return queue;
  }

  /** The job queue, whose visibility timeout returns the job of a dead worker. */
  private createJobQueue(maxReceiveCount: number, removalPolicy: RemovalPolicy): sqs.Queue {
    return new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: this.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
      removalPolicy,
    });
  }

  /** The workers: aws-cdk-lib's queue-processing service, scaling on the backlog between `minWorkers` and `maxWorkers`. */
  private createWorkers(props: WorkerPoolProps, jobsPerWorker: number): ecsPatterns.QueueProcessingFargateService {
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    return new ecsPatterns.QueueProcessingFargateService(this, 'Workers', {
      cluster: this.cluster,
      image: props.image,
      command: props.command,
      environment: props.environment,
      queue: this.queue,
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      minScalingCapacity: this.minWorkers,
      maxScalingCapacity: this.maxWorkers,
      // One step per jobsPerWorker backlog, and a bigger one for a surge;
      // a backlog of 1 wakes a pool scaled to zero.
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: this.minWorkers === 0 ? 1 : jobsPerWorker, change: +1 },
        { lower: 10 * jobsPerWorker, change: +5 },
      ],
      taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      logDriver: ecs.LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup }),
    });
  }

  /** Gives the worker container the settings its JobHeartbeat reads; returns the container. */
  private passJobTimings(): ecs.ContainerDefinition {
    // The settings the workers' JobHeartbeat reads (lib/runtime/job-protocol.ts, one place).
    // The task role may already change the visibility of the queue's messages (and of no other queue's):
    // QueueProcessingFargateService grants it sqs:ChangeMessageVisibility with the other consume actions.
    const worker = this.processing.taskDefinition.defaultContainer!;
    worker.addEnvironment(JobEnvironment.QUEUE_URL, this.queue.queueUrl);
    worker.addEnvironment(JobEnvironment.VISIBILITY_TIMEOUT_MS, String(this.visibilityTimeout.toMilliseconds()));
    worker.addEnvironment(JobEnvironment.HEARTBEAT_INTERVAL_MS, String(this.heartbeatInterval.toMilliseconds()));
    worker.addEnvironment(JobEnvironment.MAX_DURATION_MS, String(this.maxJobDuration.toMilliseconds()));
    acknowledge(this.processing.taskDefinition, {
      'AwsSolutions-ECS2': 'The environment holds only the queue name and URL, the job timings and the user\'s non-secret settings; secrets belong in Secrets Manager.',
    });
    return worker;
  }

  /** Failover triggers on no running worker while jobs wait and on the oldest job's age; a notifying alarm on failed jobs. */
  private addAlarms(maxJobAge: Duration, maxReceiveCount: number): void {
    this.createAlarm(this, 'NoHealthyWorkersAlarm', {
      signal: SignalKind.LEVEL,
      role: AlarmRole.FAILOVER_TRIGGER,
      metric: this.metricNoHealthyWorkers(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      description: `WorkerPool ${this.node.path}: jobs are waiting and no worker is running.`,
    });
    this.createAlarm(this, 'OldestJobAgeAlarm', {
      signal: SignalKind.LEVEL,
      role: AlarmRole.FAILOVER_TRIGGER,
      metric: this.metricAgeOfOldestJob(),
      threshold: maxJobAge.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      description: `WorkerPool ${this.node.path}: the oldest job has waited more than ${maxJobAge.toHumanString()}.`,
    });
    // Failed jobs are not a failover, but someone must look at them.
    this.createAlarm(this, 'DeadLetterQueueAlarm', {
      signal: SignalKind.EVENT_COUNT,
      role: AlarmRole.NOTIFYING,
      metric: this.metricDeadLetterJobs(),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description: `WorkerPool ${this.node.path}: jobs failed ${maxReceiveCount} times and are in the dead-letter queue.`,
    });
  }

  /** The `dead-worker` path (the job reappears, the next free worker takes it) and the data-loss bound. */
  private declareRecoveryObjectives(containerName: string): void {
    const min = this.minWorkers;
    const start = ServiceTime.FARGATE_TASK_START;
    this.recoveryObjectives.addRecoveryPath(WorkerPoolPath.DEAD_WORKER, [
      new JobVisibilityStep('SQS visibility timeout', this.queue, this.processing.taskDefinition, containerName,
        { prop: `visibilityTimeout (${MIN_VISIBILITY_TIMEOUT.toSeconds()} s to 12 h, heartbeatInterval below it)`, floor: MIN_VISIBILITY_TIMEOUT }),
      min >= 2
        ? RecoveryStep.constant('next free worker', Duration.seconds(0), `${min} workers minimum: another worker is running and takes the job`)
        : RecoveryStep.tunable(`next free worker (${min} worker(s) minimum: ECS starts a replacement)`, start.duration, start.source,
          { prop: 'minWorkers (2 or more: a running worker takes the job)', floor: Duration.seconds(0) }),
    ], {
      description: 'a worker dies while holding a job: its heartbeats stop, the job reappears and another worker takes it',
      scenarios: [FailureScenario.taskLoss(Stack.of(this).region)],
      links: [
        PathLink.signal(this.queue, 'job queue (the visibility timeout returns the job)'),
        PathLink.capacity(this.processing.service, 'the pool\'s workers', { serving: Math.max(1, min - 1), required: 1 }),
      ],
    });
    this.recoveryObjectives.addDataLossBound(RecoveryStep.constant('SQS queue', Duration.seconds(0),
      'a job stays in the queue until a worker deletes it after finishing; jobs failing maxReceiveCount times are kept in the dead-letter queue'));
  }

  /** Worst-case time until the job of a dead worker is taken again (the `dead-worker` path). */
  public get jobRecoveryTime(): Duration {
    return this.recoveryObjectives.path(WorkerPoolPath.DEAD_WORKER).total;
  }

  /** Jobs waiting to be taken (SQS ApproximateNumberOfMessagesVisible, max over 1 minute). */
  public metricVisibleJobs(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', ...options });
  }

  /** Age of the oldest waiting job in seconds (maximum over 1 minute). */
  public metricAgeOfOldestJob(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum', ...options });
  }

  /** Jobs in the dead-letter queue (maximum over 1 minute). */
  public metricDeadLetterJobs(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', ...options });
  }

  /** Running worker tasks (Container Insights RunningTaskCount, minimum over 1 minute). */
  public metricRunningWorkers(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricRunningTasks(this.cluster, this.service, options);
  }

  /** 1 while jobs wait and no worker runs, else 0 (metric math over the two metrics above). */
  public metricNoHealthyWorkers(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(FILL(backlog, 0) > 0 AND FILL(running, 0) < 1, 1, 0)',
      usingMetrics: { backlog: this.metricVisibleJobs(), running: this.metricRunningWorkers() },
      period: Duration.minutes(1),
      label: 'jobs waiting with no running worker',
    });
  }

  /** Lets `grantee` submit jobs (send messages to the queue). */
  public grantSubmitJobs(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }
}

/** The pool's scaling and retry settings: each prop, or its default. */
interface PoolSettings {
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly jobsPerWorker: number;
  readonly maxReceiveCount: number;
  readonly maxJobAge: Duration;
}

/** The scaling and retry settings of `props`, with their defaults. */
function poolSettings(props: WorkerPoolProps): PoolSettings {
  return {
    minWorkers: props.minWorkers ?? 1,
    maxWorkers: props.maxWorkers ?? 10,
    jobsPerWorker: props.jobsPerWorker ?? 10,
    maxReceiveCount: props.maxReceiveCount ?? 3,
    maxJobAge: props.maxJobAge ?? Duration.minutes(15),
  };
}

/** Validates the props of `WorkerPool` (`scope` names it in the errors), with the settings they resolve to. */
function validate(scope: Construct, props: WorkerPoolProps, pool: PoolSettings): void {
  const { minWorkers: min, maxWorkers: max } = pool;
  requireDefined(scope, 'vpc', props.vpc, 'the VPC the workers run in (private subnets with egress)', isVpc);
  requireDefined(scope, 'image', props.image, 'the worker\'s container image, e.g. ContainerImage.fromRegistry(...)', isContainerImage);
  requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 'the workers run in them and reach SQS and their image through NAT');
  requireFargateSize(scope, 'cpu', 'memoryLimitMiB', props.cpu ?? 256, props.memoryLimitMiB ?? 512);
  requireInteger(scope, 'minWorkers', min, 0);
  requireInteger(scope, 'maxWorkers', max, 1);
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && max < min) {
    throw new HaValidationError(scope, {
      prop: 'maxWorkers',
      received: max,
      expected: `at least minWorkers (${min}): the pool cannot scale between a maximum below its minimum`,
    });
  }
  requireInteger(scope, 'jobsPerWorker', pool.jobsPerWorker, 1);
  requireInteger(scope, 'maxReceiveCount', pool.maxReceiveCount, 1, 1000);
  requireDurationBetween(scope, 'visibilityTimeout', props.visibilityTimeout, MIN_VISIBILITY_TIMEOUT, Duration.hours(12));
  requireWholeSeconds(scope, 'visibilityTimeout', props.visibilityTimeout);
  requireDurationBetween(scope, 'heartbeatInterval', props.heartbeatInterval, Duration.seconds(1));
  requireDurationBetween(scope, 'maxJobDuration', props.maxJobDuration, Duration.seconds(1), Duration.millis(SQS_MAX_VISIBILITY_MS));
  requireDurationBetween(scope, 'maxJobAge', pool.maxJobAge, Duration.minutes(1));
  if (props.minWorkers === 0) {
    addHaWarning(scope, 'worker-pool-scale-to-zero',
      `${scope.node.path}: minWorkers is 0, so the first job after a quiet period waits for a worker task to start (about a minute).`);
  }
}
