import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { HaValidationError } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { requireEnumValue, requireSubnets } from '../core/validation';
import { checkContainerInsights, createContenderService, deployOneAfterTheOther, pickContenderZones, validateLeaseTaskProps } from '../lease/daemon-task';
import {
  createLeaseHolderTask, LeaseDefaults, leaseHolderSettings, leaseLapseMinutes, leaseTakeoverSteps, leaseTaskCluster,
} from '../lease/lease-holder';
import { LeaseMode } from '../lease/lease-mode';
import { LeaseSettings, LeaseTable } from '../lease/lease-table';
import { LeaseTaskProps } from '../lease/lease-task-props';
import { metricRunningTasks } from '../private/ecs-metrics';
import { RuntimeMetricNames } from '../runtime/metrics';

/** Ids of the recovery paths of `SingletonDaemon`. */
export enum SingletonDaemonPath {
  /**
   * The lease holder's task dies, hangs or loses its zone: the standby task
   * takes the lease once it lapses (with `standby: false`, ECS starts a
   * replacement, which takes it).
   */
  TASK_FAILURE = 'task-failure',
}

/** The lease's defaults: 30 s, 45 s with the launcher (its stop margin), renewed every 10 s. */
const SINGLETON_LEASE_DEFAULTS: LeaseDefaults = {
  leaseName: 'singleton', leaseDuration: Duration.seconds(30), launcherLeaseDuration: Duration.seconds(45), renewInterval: Duration.seconds(10),
};

/** Props of `SingletonDaemon`. */
export interface SingletonDaemonProps extends LeaseTaskProps {
  /**
   * Subnets of the tasks. With a standby, the lease holder's and the
   * standby's services each take one subnet of a different availability
   * zone among them (at least two zones).
   * @default private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Number of tasks of each service. Only 1 is accepted: the prop exists so
   * that a copied service configuration with another count fails at synthesis.
   * @default 1
   */
  readonly desiredCount?: number;

  /**
   * Whether a second task runs, in another availability zone, as a hot
   * standby contender for the lease. When the holder's task dies, hangs or
   * loses its zone, the standby takes the lease once it lapses: lease + 2 x
   * skew + renew interval (42 s with the defaults) instead of waiting for ECS
   * to start a replacement task (about 60 s more: 102 s). Only the lease
   * holder acts, so the standby does no work; it costs a second running task
   * (a 256 CPU / 512 MiB Fargate task, all day). `false` runs one task.
   * @default true
   */
  readonly standby?: boolean;

  /**
   * Name of the lease (its item in the lease table).
   * @default 'singleton'
   */
  readonly leaseName?: string;

  /**
   * Who holds the lease: the daemon's own process (`IN_PROCESS`, it runs
   * `LeaseClient`; software you can change) or a launcher sidecar that runs
   * your unmodified image only while it holds the lease (`LAUNCHER`; vendor
   * software you cannot change; needs `/bin/sh` in the image and the full
   * command line in `command`).
   * @default LeaseMode.IN_PROCESS
   */
  readonly leaseMode?: LeaseMode;

  /**
   * With `leaseMode: LAUNCHER`: how long ECS waits between SIGTERM and
   * SIGKILL when it stops the daemon's container (2 to 120 s). The launcher
   * exits this long (plus 5 s stop latency) before its lease stops being
   * valid, so the daemon is dead before anyone else can take the lease:
   * leaseDuration must exceed renewInterval + maxClockSkew + stopTimeout + 5 s.
   * @default Duration.seconds(10)
   */
  readonly stopTimeout?: Duration;

  /**
   * How long an acquisition or renewal holds the lease; when the holder
   * dies, the standby (or the replacement task) waits this long after the
   * last renewal, plus 2 x maxClockSkew, before it may act. Must exceed
   * renewInterval + 2 x maxClockSkew (fails at synthesis otherwise); below
   * 2 x renewInterval + 2 x maxClockSkew a warning says one slow renewal
   * loses the lease. With `leaseMode: LAUNCHER` it must also exceed
   * renewInterval + maxClockSkew + stopTimeout + 5 s.
   * @default Duration.seconds(30); Duration.seconds(45) with leaseMode LAUNCHER
   */
  readonly leaseDuration?: Duration;

  /**
   * How often the holder renews (and contenders retry).
   * @default Duration.seconds(10)
   */
  readonly renewInterval?: Duration;
}

/**
 * A daemon of which at most one instance may ever act: a lease with fencing
 * tokens, so that a task that lost the lease (paused, partitioned, being
 * replaced) cannot act, held by one of two Fargate tasks in two availability
 * zones (two one-task services, deployed one after the other, circuit
 * breaker with rollback, each replaced when it dies). The other task is a
 * hot standby: it takes the lease once the holder's lapses. With
 * `standby: false`, one task (deployments stop the old task before starting
 * the new one) whose replacement takes the lease.
 *
 * The container gets the lease table and settings in its environment
 * (`HA_LEASE_*`); its process runs `LeaseClient.fromEnvironment()` from
 * lib/runtime (or follows the protocol in lib/runtime/README.md).
 */
export class SingletonDaemon extends HaPattern {
  /** The Fargate service (one task); with a standby, the first of the two contenders. */
  public readonly service: ecs.FargateService;
  /** The standby's Fargate service (one task, in another zone than `service`'s), unless `standby` is false. */
  public readonly standbyService?: ecs.FargateService;
  /** Every contender's service: `service`, then `standbyService`. */
  public readonly services: ecs.FargateService[];
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The daemon's container. */
  public readonly container: ecs.ContainerDefinition;
  /** The launcher's container (`leaseMode: LAUNCHER`), which holds the lease. */
  public readonly launcherContainer?: ecs.ContainerDefinition;
  /** Who holds the lease. */
  public readonly leaseMode: LeaseMode;
  /** The lease table. */
  public readonly leaseTable: LeaseTable;
  /** The lease name. */
  public readonly leaseName: string;
  /** The cluster. */
  public readonly cluster: ecs.ICluster;

  private readonly settings: LeaseSettings;
  /** Availability zones the tasks may run in. */
  private readonly zoneCount: number;

  constructor(scope: Construct, id: string, props: SingletonDaemonProps) {
    super(scope, id, props, {
      patternName: 'SingletonDaemon',
      detection: props.standby === false
        ? 'the task stops (ECS replaces it) and its lease lapses, so the replacement may take the lease'
        : 'the lease holder stops renewing its lease (its task died, hangs or lost its zone); the standby polling the lease takes it once it lapses',
    });
    this.leaseMode = validateSingletonProps(this, props);
    const launcherMode = this.leaseMode === LeaseMode.LAUNCHER;
    const lease = leaseHolderSettings(this, props, launcherMode, SINGLETON_LEASE_DEFAULTS);
    this.settings = lease.settings;
    this.leaseName = this.settings.leaseName;

    this.cluster = leaseTaskCluster(this, props);
    if (props.cluster) checkContainerInsights(this, props.cluster);
    const task = createLeaseHolderTask(this, props, lease, { containerName: 'Daemon', streamPrefix: 'daemon', launcherMode });
    this.leaseTable = task.leaseTable;
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.launcherContainer = task.launcher;

    const subnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const services = this.createServices(props, subnets);
    this.service = services.service;
    this.standbyService = services.standbyService;
    this.services = services.services;
    this.zoneCount = new Set(this.cluster.vpc.selectSubnets(subnets).availabilityZones).size;

    this.createAlarms();
    this.declareRecoveryObjectives();
    this.createFailoverAlarm();
  }

  /** Worst-case time until another task acts after the lease holder's task dies (the `task-failure` path). */
  public get takeoverTime(): Duration {
    return this.recoveryObjectives.path(SingletonDaemonPath.TASK_FAILURE).total;
  }

  /** Tasks running in `service` (Container Insights `RunningTaskCount`, average per minute). */
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

  /** The lease holder's and its standby's services in two zones, or (`standby: false`) one service that stops its old task first. */
  private createServices(props: SingletonDaemonProps, subnets: ec2.SubnetSelection): SingletonServices {
    if (props.standby ?? true) {
      const zones = pickContenderZones(this, this.cluster.vpc, subnets, props.vpcSubnets ? 'vpcSubnets' : props.cluster ? 'cluster' : 'vpc',
        props.vpcSubnets ? 'the selected subnets' : 'private subnets with egress', 'or run one task with standby: false');
      const service = createContenderService(this, 'Service', this.cluster, this.taskDefinition, zones[0]);
      const standbyService = createContenderService(this, 'StandbyService', this.cluster, this.taskDefinition, zones[1]);
      const services = [service, standbyService];
      deployOneAfterTheOther(services);
      return { service, standbyService, services };
    }
    const service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      // One task: the old task stops (and releases the lease) before the new one starts.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: subnets,
      assignPublicIp: false,
    });
    return { service, services: [service] };
  }

  /** The running-tasks, lease and restart alarms. */
  private createAlarms(): void {
    this.createRunningTasksAlarm();
    this.createLeaseNotRenewedAlarm();
    this.createTaskRestartsAlarm();
  }

  /** Running tasks != one per service for 5 minutes (a deployment or a replacement takes about one). */
  private createRunningTasksAlarm(): void {
    const expected = this.services.length;
    const running = new cloudwatch.MathExpression({
      expression: this.standbyService ? 'ABS(FILL(running, 0) + FILL(standby, 0) - 2)' : 'ABS(FILL(running, 0) - 1)',
      usingMetrics: {
        running: this.metricRunningTasks(),
        ...(this.standbyService ? { standby: metricRunningTasks(this.cluster, this.standbyService, { statistic: 'Average' }) } : {}),
      },
      period: Duration.minutes(1),
      label: `Distance from ${expected === 1 ? 'one running task' : `${expected} running tasks`}`,
    });
    this.createAlarm(this, 'RunningTasksAlarm', {
      metric: running,
      description: `SingletonDaemon ${this.node.path}: the number of running tasks has not been ${expected} for 5 minutes` +
        `${this.standbyService ? ' (the lease holder and its standby)' : ''}.`,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      signal: SignalKind.STATUS,
      role: AlarmRole.FAILOVER_TRIGGER,
    });
  }

  /** Lease not renewed: no heartbeat for longer than a lease. */
  private createLeaseNotRenewedAlarm(): void {
    const lapse = leaseLapseMinutes(this.settings);
    this.createAlarm(this, 'LeaseNotRenewedAlarm', {
      metric: this.metricLeaseHeartbeats(),
      description: `SingletonDaemon ${this.node.path}: the lease '${this.leaseName}' has not been renewed for ${lapse + 1} minutes: no task holds it.`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: lapse + 1,
      signal: SignalKind.HEARTBEAT,
      role: AlarmRole.FAILOVER_TRIGGER,
    });
  }

  /** Task restarts: stopped tasks of the services, counted by an EventBridge rule (no target needed). */
  private createTaskRestartsAlarm(): void {
    const stops = new events.Rule(this, 'TaskStoppedRule', {
      description: `Counts stopped tasks of ${this.node.path} (restarts).`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [this.cluster.clusterArn],
          group: this.services.map(service => `service:${service.serviceName}`),
          lastStatus: ['STOPPED'],
        },
      },
    });
    const restarts = metricRuleMatches(stops);
    // Not a failover (ECS replaces the task), but a restart loop needs a person: the runbook starts from it.
    // Two stops per task: a deployment stops one task per service, so it alone does not page.
    const stopsThreshold = 2 * this.services.length;
    this.createAlarm(this, 'TaskRestartsAlarm', {
      metric: restarts,
      description: `SingletonDaemon ${this.node.path}: ${stopsThreshold} or more tasks stopped within 15 minutes ` +
        `(restart loop, or repeated deployments${this.standbyService ? ': a deployment stops one task per service' : ''}).`,
      threshold: stopsThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      signal: SignalKind.EVENT_COUNT,
      role: AlarmRole.NOTIFYING,
    });
  }

  /** The task-failure path: the standby takes the lease once it lapses (or, without a standby, ECS's replacement does). */
  private declareRecoveryObjectives(): void {
    const region = Stack.of(this).region;
    const lease = PathLink.signal(this.leaseTable.table, 'lease item (its lapse tells the contenders; DynamoDB spans the zones)');
    // With the launcher, the program starts only once the launcher holds the lease (its stop is inside the lease: the stop margin).
    const takeover = (poll: string, beforePoll?: RecoveryStep) => leaseTakeoverSteps({
      taskDefinition: this.taskDefinition, appContainer: 'Daemon', settings: this.settings, poll, beforePoll, launcherMode: this.launcherContainer !== undefined,
    });
    if (this.standbyService) {
      this.recoveryObjectives.addRecoveryPath(SingletonDaemonPath.TASK_FAILURE, takeover('standby poll'), {
        description: 'the lease holder\'s task dies, hangs or loses its zone; the standby, already running in the other zone, ' +
          'takes the lease once it lapses (no task start on this path); ECS replaces the lost task, which becomes the standby',
        scenarios: [FailureScenario.taskLoss(region), FailureScenario.zoneLoss(region)],
        links: [
          lease,
          PathLink.capacity(this.service, 'contender in the first zone (takes the lease when the other zone\'s task is lost)', { required: 1 }),
          PathLink.capacity(this.standbyService, 'standby contender in the second zone (takes the lease when the first zone\'s task is lost)', { required: 1 }),
        ],
      });
    } else {
      this.recoveryObjectives.addRecoveryPath(SingletonDaemonPath.TASK_FAILURE,
        takeover('lease poll', RecoveryStep.fargateTaskStart('replacement task start (counted after the lapse for a worst case)')), {
          description: 'the daemon task dies; ECS starts a replacement, which takes the lease once it lapses ' +
            '(a task that hangs without stopping is not replaced: LeaseNotRenewedAlarm tells)',
          // The replacement starts in another zone only when the service's subnets span two.
          scenarios: [FailureScenario.taskLoss(region), ...(this.zoneCount > 1 ? [FailureScenario.zoneLoss(region)] : [])],
          links: [lease, PathLink.capacity(this.service, 'the daemon service (ECS starts a replacement task)', { required: 1 })],
        });
    }
  }
}

/** The services of a singleton daemon. */
interface SingletonServices {
  readonly service: ecs.FargateService;
  readonly standbyService?: ecs.FargateService;
  readonly services: ecs.FargateService[];
}

/**
 * Checks the props (in this order: the task's, `leaseMode`, `desiredCount`,
 * the VPC's subnets) and returns the lease mode.
 */
function validateSingletonProps(scope: Construct, props: SingletonDaemonProps): LeaseMode {
  validateLeaseTaskProps(scope, props, 'daemon');
  requireEnumValue(scope, 'leaseMode', props.leaseMode, LeaseMode, 'LeaseMode');
  const desired = props.desiredCount ?? 1;
  if (!Token.isUnresolved(desired) && desired !== 1) {
    throw new HaValidationError(scope, {
      prop: 'desiredCount', received: desired, expected: 'exactly 1: a singleton daemon runs one task per service, the lease holder and its standby (use WorkerPool for several workers)',
    });
  }
  const givenVpc = props.cluster?.vpc ?? props.vpc;
  if (givenVpc && !props.vpcSubnets) {
    requireSubnets(scope, props.cluster ? 'cluster' : 'vpc', givenVpc, ec2.SubnetType.PRIVATE_WITH_EGRESS,
      'the daemon\'s task runs in them and pulls its image through NAT (or choose its subnets with vpcSubnets)');
  }
  return props.leaseMode ?? LeaseMode.IN_PROCESS;
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
