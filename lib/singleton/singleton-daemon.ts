import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning, HaValidationError } from '../core/errors';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { requireSubnets } from '../core/validation';
import { checkContainerInsights, createDaemonTask, validateLeaseSettings, validateLeaseTaskProps } from '../lease/daemon-task';
import { LeaseSettings, LeaseTable } from '../lease/lease-table';
import { LeaseTaskProps } from '../lease/lease-task-props';
import { metricRunningTasks } from '../private/ecs-metrics';
import { createHaVpc } from '../private/network';
import { RuntimeMetricNames } from '../runtime/metrics';

/** Documented typical time for a Fargate task to start (image pull, ENI attachment, container start). */
/** Ids of the recovery paths of `SingletonDaemon`. */
export enum SingletonDaemonPath {
  /** The daemon's task dies or hangs: ECS replaces it and the replacement takes the lease once it lapses. */
  TASK_FAILURE = 'task-failure',
}

/** The lease duration must exceed renewInterval + 2 x skew: at 1 s renewals and 0 skew, about 2 s. */
const LEASE_TUNING = { prop: 'leaseDuration (longer than renewInterval + 2 x maxClockSkew) and maxClockSkew', floor: Duration.seconds(2) };

/** Props of `SingletonDaemon`. */
export interface SingletonDaemonProps extends LeaseTaskProps {
  /**
   * Subnets of the task.
   * @default private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Number of tasks. Only 1 is accepted: the prop exists so that a copied
   * service configuration with another count fails at synthesis.
   * @default 1
   */
  readonly desiredCount?: number;

  /**
   * Name of the lease (its item in the lease table).
   * @default 'singleton'
   */
  readonly leaseName?: string;

  /**
   * How long an acquisition or renewal holds the lease; a dead holder's
   * replacement waits this long (plus skew) before it may act.
   * @default Duration.seconds(30)
   */
  readonly leaseDuration?: Duration;

  /**
   * How often the holder renews (and contenders retry).
   * @default Duration.seconds(10)
   */
  readonly renewInterval?: Duration;
}

/**
 * A daemon of which at most one instance may ever act: a Fargate service
 * with exactly one task (deployments stop the old task before starting the
 * new one, circuit breaker with rollback, replaced when it dies) and a lease
 * with fencing tokens so that a task that lost the lease (paused,
 * partitioned, being replaced) cannot act.
 *
 * The container gets the lease table and settings in its environment
 * (`HA_LEASE_*`); its process runs `LeaseClient.fromEnvironment()` from
 * lib/runtime (or follows the protocol in lib/runtime/README.md).
 */
export class SingletonDaemon extends HaPattern {
  /** The Fargate service (one task). */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The daemon's container. */
  public readonly container: ecs.ContainerDefinition;
  /** The lease table. */
  public readonly leaseTable: LeaseTable;
  /** The lease name. */
  public readonly leaseName: string;
  /** The cluster. */
  public readonly cluster: ecs.ICluster;

  private readonly settings: LeaseSettings;

  constructor(scope: Construct, id: string, props: SingletonDaemonProps) {
    super(scope, id, props, {
      patternName: 'SingletonDaemon',
      detection: 'the task stops (ECS replaces it) and its lease lapses, so the replacement may take the lease',
    });
    validateLeaseTaskProps(this, props, 'daemon');
    const desired = props.desiredCount ?? 1;
    if (!Token.isUnresolved(desired) && desired !== 1) {
      throw new HaValidationError(this, { prop: 'desiredCount', received: desired, expected: 'exactly 1: a singleton daemon runs one task (use WorkerPool for several workers)' });
    }
    const givenVpc = props.cluster?.vpc ?? props.vpc;
    if (givenVpc && !props.vpcSubnets) {
      requireSubnets(this, props.cluster ? 'cluster' : 'vpc', givenVpc, ec2.SubnetType.PRIVATE_WITH_EGRESS,
        'the daemon\'s task runs in them and pulls its image through NAT (or choose its subnets with vpcSubnets)');
    }
    this.settings = {
      leaseName: props.leaseName ?? 'singleton',
      leaseDuration: props.leaseDuration ?? Duration.seconds(30),
      renewInterval: props.renewInterval ?? Duration.seconds(10),
      maxClockSkew: props.maxClockSkew ?? Duration.seconds(1),
    };
    validateLeaseSettings(this, this.settings);
    this.leaseName = this.settings.leaseName;

    if (props.cluster && props.vpc) {
      addHaWarning(this, 'vpc-ignored', 'vpc is ignored when cluster is given: the tasks run in the cluster\'s VPC.');
    }
    if (props.cluster) checkContainerInsights(this, props.cluster);
    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc ?? createHaVpc(this, 'Vpc'),
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
    });

    this.leaseTable = new LeaseTable(this, 'LeaseTable', { removalPolicy: props.removalPolicy });
    const task = createDaemonTask(this, {
      image: props.image,
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      environment: { ...props.environment, ...this.leaseTable.environment(this.settings) },
      entryPoint: props.entryPoint,
      command: props.command,
      containerName: 'Daemon',
      streamPrefix: 'daemon',
    });
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.leaseTable.grantLease(this.taskDefinition.taskRole, this.leaseName);

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
    });

    this.createAlarms();
    this.declareRecoveryObjectives();
    this.createFailoverAlarm();
  }

  /** Worst-case time until a replacement task acts after the daemon's task dies. */
  public get takeoverTime(): Duration {
    return this.recoveryObjectives.path(SingletonDaemonPath.TASK_FAILURE).total;
  }

  /** Tasks running (Container Insights `RunningTaskCount`, average per minute). */
  public metricRunningTasks(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    // Average: the alarm watches the distance from one task, in both directions.
    return metricRunningTasks(this.cluster, this.service, { statistic: 'Average', ...props });
  }

  /** Successful lease acquisitions and renewals (published by the runtime client), sum per minute. */
  public metricLeaseHeartbeats(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.leaseTable.metric(RuntimeMetricNames.HEARTBEAT, this.leaseName, { statistic: 'Sum', ...props });
  }

  /** New acquisitions of the lease (a new fencing token: a start or a takeover), sum per minute. */
  public metricLeaseAcquisitions(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.leaseTable.metric(RuntimeMetricNames.ACQUIRED, this.leaseName, { statistic: 'Sum', ...props });
  }

  /** Lets `grantee` read the lease item (e.g. an operator tool showing the holder). */
  public grantReadLease(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem'],
      resourceArns: [this.leaseTable.table.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [this.leaseName] } },
    });
  }

  private createAlarms(): void {
    // Running tasks != 1 for 5 minutes (a deployment or a replacement takes about one).
    const running = new cloudwatch.MathExpression({
      expression: 'ABS(FILL(running, 0) - 1)',
      usingMetrics: { running: this.metricRunningTasks() },
      period: Duration.minutes(1),
      label: 'Distance from one running task',
    });
    this.createAlarm(this, 'RunningTasksAlarm', {
      metric: running,
      description: `SingletonDaemon ${this.node.path}: the number of running tasks has not been 1 for 5 minutes.`,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      signal: SignalKind.STATUS,
      role: AlarmRole.FAILOVER_TRIGGER,
    });

    // Lease not renewed: no heartbeat for longer than a lease.
    const lapse = Math.max(1, Math.ceil((this.settings.leaseDuration.toMilliseconds() + 2 * this.settings.maxClockSkew.toMilliseconds()) / 60_000));
    this.createAlarm(this, 'LeaseNotRenewedAlarm', {
      metric: this.metricLeaseHeartbeats(),
      description: `SingletonDaemon ${this.node.path}: the lease '${this.leaseName}' has not been renewed for ${lapse + 1} minutes: no task holds it.`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: lapse + 1,
      signal: SignalKind.HEARTBEAT,
      role: AlarmRole.FAILOVER_TRIGGER,
    });

    // Task restarts: stopped tasks of the service, counted by an EventBridge rule (no target needed).
    const stops = new events.Rule(this, 'TaskStoppedRule', {
      description: `Counts stopped tasks of ${this.node.path} (restarts).`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [this.cluster.clusterArn],
          group: [`service:${this.service.serviceName}`],
          lastStatus: ['STOPPED'],
        },
      },
    });
    const restarts = metricRuleMatches(stops);
    // Not a failover (ECS replaces the task), but a restart loop needs a person: the runbook starts from it.
    this.createAlarm(this, 'TaskRestartsAlarm', {
      metric: restarts,
      description: `SingletonDaemon ${this.node.path}: 2 or more tasks stopped within 15 minutes (restart loop, or repeated deployments).`,
      threshold: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      signal: SignalKind.EVENT_COUNT,
      role: AlarmRole.NOTIFYING,
    });
  }

  private declareRecoveryObjectives(): void {
    this.recoveryObjectives.addRecoveryPath(SingletonDaemonPath.TASK_FAILURE, [
      RecoveryStep.leaseLapse('lease lapse', this.taskDefinition, 'Daemon', this.settings, LEASE_TUNING),
      RecoveryStep.fargateTaskStart('replacement task start (counted after the lapse for a worst case)'),
      RecoveryStep.leasePoll('lease poll', this.taskDefinition, 'Daemon', this.settings, { prop: 'renewInterval (at least 1 s)', floor: Duration.seconds(1) }),
    ], { description: 'the daemon task dies or hangs past its lease; ECS starts a replacement, which takes the lease once it lapses' });
  }
}

/**
 * How often a rule on the default event bus matched an event: `AWS/Events
 * TriggeredRules` with the dimension `RuleName`, sum per 15 minutes.
 *
 * Not `MatchedEvents`: EventBridge publishes that one without dimensions
 * only (every event of the account that matched any rule), so a
 * `MatchedEvents` metric with a `RuleName` dimension never has data and its
 * alarm never fires. Source: Amazon EventBridge User Guide, "Monitoring
 * Amazon EventBridge" (eb-monitoring): `TriggeredRules`, dimensions
 * `EventBusName`, `RuleName` (only `RuleName` for the default bus);
 * `MatchedEvents`, dimensions: none. aws-cdk-lib's generated `EventsMetrics`
 * dropped `matchedEventsSum({ RuleName })` for the same reason.
 */
function metricRuleMatches(rule: events.IRule): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName: 'TriggeredRules',
    dimensionsMap: { RuleName: rule.ruleName },
    statistic: 'Sum',
    period: Duration.minutes(15),
  });
}
