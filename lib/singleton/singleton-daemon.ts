import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning, HaValidationError } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { requireEnumValue, requireSubnets } from '../core/validation';
import {
  checkContainerInsights, createContenderService, createDaemonTask, deployOneAfterTheOther, pickContenderZones, validateLeaseSettings, validateLeaseTaskProps,
} from '../lease/daemon-task';
import { DEFAULT_APP_STOP_TIMEOUT, LAUNCHER_CONTAINER_NAME, launcherGateStep, validateLauncherTimings } from '../lease/launcher-container';
import { LeaseMode } from '../lease/lease-mode';
import { LeaseSettings, LeaseTable } from '../lease/lease-table';
import { LeaseTaskProps } from '../lease/lease-task-props';
import { metricRunningTasks } from '../private/ecs-metrics';
import { createHaVpc } from '../private/network';
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

/** The lease duration must exceed renewInterval + 2 x skew: at 1 s renewals and 0 skew, about 2 s. */
const LEASE_TUNING = { prop: 'leaseDuration (longer than renewInterval + 2 x maxClockSkew) and maxClockSkew', floor: Duration.seconds(2) };

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
    validateLeaseTaskProps(this, props, 'daemon');
    requireEnumValue(this, 'leaseMode', props.leaseMode, LeaseMode, 'LeaseMode');
    this.leaseMode = props.leaseMode ?? LeaseMode.IN_PROCESS;
    const launcherMode = this.leaseMode === LeaseMode.LAUNCHER;
    const desired = props.desiredCount ?? 1;
    if (!Token.isUnresolved(desired) && desired !== 1) {
      throw new HaValidationError(this, {
        prop: 'desiredCount', received: desired, expected: 'exactly 1: a singleton daemon runs one task per service, the lease holder and its standby (use WorkerPool for several workers)',
      });
    }
    const givenVpc = props.cluster?.vpc ?? props.vpc;
    if (givenVpc && !props.vpcSubnets) {
      requireSubnets(this, props.cluster ? 'cluster' : 'vpc', givenVpc, ec2.SubnetType.PRIVATE_WITH_EGRESS,
        'the daemon\'s task runs in them and pulls its image through NAT (or choose its subnets with vpcSubnets)');
    }
    this.settings = {
      leaseName: props.leaseName ?? 'singleton',
      leaseDuration: props.leaseDuration ?? Duration.seconds(launcherMode ? 45 : 30),
      renewInterval: props.renewInterval ?? Duration.seconds(10),
      maxClockSkew: props.maxClockSkew ?? Duration.seconds(1),
    };
    validateLeaseSettings(this, this.settings);
    const stopTimeout = props.stopTimeout ?? DEFAULT_APP_STOP_TIMEOUT;
    if (launcherMode) validateLauncherTimings(this, this.settings, stopTimeout);
    else if (props.stopTimeout !== undefined) addHaWarning(this, 'stop-timeout-ignored', 'stopTimeout applies to leaseMode LAUNCHER only: it is ignored.');
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
    const leaseEnvironment = this.leaseTable.environment(this.settings);
    const task = createDaemonTask(this, {
      image: props.image,
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      environment: { ...props.environment, ...leaseEnvironment },
      entryPoint: props.entryPoint,
      command: props.command,
      containerName: 'Daemon',
      streamPrefix: 'daemon',
      launcher: launcherMode ? { stopTimeout, leaseEnvironment } : undefined,
    });
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.launcherContainer = task.launcher;
    this.leaseTable.grantLease(this.taskDefinition.taskRole, this.leaseName);

    const subnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    if (props.standby ?? true) {
      const zones = pickContenderZones(this, this.cluster.vpc, subnets, props.vpcSubnets ? 'vpcSubnets' : props.cluster ? 'cluster' : 'vpc',
        props.vpcSubnets ? 'the selected subnets' : 'private subnets with egress', 'or run one task with standby: false');
      this.service = createContenderService(this, 'Service', this.cluster, this.taskDefinition, zones[0]);
      this.standbyService = createContenderService(this, 'StandbyService', this.cluster, this.taskDefinition, zones[1]);
      this.services = [this.service, this.standbyService];
      deployOneAfterTheOther(this.services);
    } else {
      this.service = new ecs.FargateService(this, 'Service', {
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
      this.services = [this.service];
    }
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

  private createAlarms(): void {
    // Running tasks != one per service for 5 minutes (a deployment or a replacement takes about one).
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

  private declareRecoveryObjectives(): void {
    const region = Stack.of(this).region;
    const lease = PathLink.signal(this.leaseTable.table, 'lease item (its lapse tells the contenders; DynamoDB spans the zones)');
    const holder = this.launcherContainer ? LAUNCHER_CONTAINER_NAME : 'Daemon';
    const lapse = RecoveryStep.leaseLapse('lease lapse', this.taskDefinition, holder, this.settings, LEASE_TUNING);
    const poll = (component: string) => RecoveryStep.leasePoll(component, this.taskDefinition, holder, this.settings,
      { prop: 'renewInterval (at least 1 s)', floor: Duration.seconds(1) });
    // With the launcher, the program starts only once the launcher holds the lease (its stop is inside the lease: the stop margin).
    const gate = this.launcherContainer ? [launcherGateStep()] : [];
    if (this.standbyService) {
      this.recoveryObjectives.addRecoveryPath(SingletonDaemonPath.TASK_FAILURE, [lapse, poll('standby poll'), ...gate], {
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
      this.recoveryObjectives.addRecoveryPath(SingletonDaemonPath.TASK_FAILURE, [
        lapse,
        RecoveryStep.fargateTaskStart('replacement task start (counted after the lapse for a worst case)'),
        poll('lease poll'),
        ...gate,
      ], {
        description: 'the daemon task dies; ECS starts a replacement, which takes the lease once it lapses ' +
          '(a task that hangs without stopping is not replaced: LeaseNotRenewedAlarm tells)',
        // The replacement starts in another zone only when the service's subnets span two.
        scenarios: [FailureScenario.taskLoss(region), ...(this.zoneCount > 1 ? [FailureScenario.zoneLoss(region)] : [])],
        links: [lease, PathLink.capacity(this.service, 'the daemon service (ECS starts a replacement task)', { required: 1 })],
      });
    }
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
