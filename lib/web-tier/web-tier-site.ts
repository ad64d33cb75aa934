import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { metricRunningTasks } from '../private/ecs-metrics';
import { acknowledge, createAccessLogsBucket, createHaVpc } from '../private/network';
import { serviceHealthCheck } from '../private/service-target-group';
import { WebTierSitePath, WebTierSiteProps } from './web-tier-site-props';
import { validateWebTierSiteProps } from './web-tier-site-validation';

export * from './web-tier-site-props';

/**
 * One region of a web tier: an internet-facing Application Load Balancer
 * (HTTPS with an HTTP redirect when given a certificate, access logs,
 * sticky sessions) in front of a Fargate service running N+1 tasks across
 * two or more zones, with alarms on 5xx responses, unhealthy targets and
 * running tasks below the floor.
 *
 * Usable on its own (a single-region web application behind a load
 * balancer); `ActiveSpareWebTier` builds one per region.
 */
export class WebTierSite extends HaPattern {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The cluster. */
  public readonly cluster: ecs.Cluster;
  /** The service. */
  public readonly service: ecs.FargateService;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The listener that serves the application (HTTPS when a certificate is given). */
  public readonly listener: elbv2.ApplicationListener;
  /** N: tasks that carry the full load. */
  public readonly activeCapacity: number;
  /** Tasks the site runs (desired count). */
  public readonly runningTasks: number;
  /** Whether the site serves HTTPS. */
  public readonly https: boolean;
  /** The health-check path. */
  public readonly healthCheckPath: string;

  constructor(scope: Construct, id: string, props: WebTierSiteProps) {
    super(scope, id, props, {
      patternName: 'WebTierSite',
      detection: 'load balancer target health checks replace failed tasks; CloudWatch alarms on 5xx responses, unhealthy targets and running tasks below the floor',
    });
    validateWebTierSiteProps(this, props);
    this.activeCapacity = props.activeCapacity;
    this.runningTasks = props.runningTasks ?? props.activeCapacity + 1;
    this.healthCheckPath = props.healthCheckPath ?? '/health';
    this.https = props.certificate !== undefined;

    this.vpc = props.vpc ?? createHaVpc(this, 'Vpc', 2);
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.service = this.createService(props);
    this.loadBalancer = this.createLoadBalancer(props.deletionProtection);
    this.listener = this.addListener(props.certificate);
    this.targetGroup = this.addTaskTargets(props);

    this.createAlarms(props.serverErrorThreshold);
    this.declareRecoveryPaths();
    this.createSiteFailoverAlarm(props.failoverAlarmName);
  }

  /** The step of the load balancer taking a failed task out of service (interval x unhealthy threshold). */
  public targetUnhealthyStep(): RecoveryStep {
    return RecoveryStep.targetGroupUnhealthy('load balancer target health check', this.targetGroup, TARGET_HEALTH_TUNING);
  }

  /** The step of the load balancer sending requests to a new task (interval x healthy threshold). */
  public targetHealthyStep(): RecoveryStep {
    return RecoveryStep.targetGroupHealthy('new task passes the load balancer health check', this.targetGroup, TARGET_HEALTH_TUNING);
  }

  /** 5xx responses a minute: from the load balancer itself and from the targets (sum). */
  public metricServerErrors(options?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    const period = options?.period ?? Duration.minutes(1);
    const elb = this.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period, statistic: 'Sum' });
    const target = this.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' });
    if (this.runningTasks === 0) {
      // A pilot-light site answers 503 itself (no targets) to every health check: only count the targets.
      return target;
    }
    return new cloudwatch.MathExpression({
      expression: 'FILL(elb, 0) + FILL(target, 0)',
      usingMetrics: { elb, target },
      label: '5xx responses (load balancer + targets)',
      period,
      ...options,
    });
  }

  /** Targets failing the load balancer health check (maximum over 1 minute). */
  public metricUnhealthyHosts(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum', ...options });
  }

  /** Healthy targets (minimum over 1 minute). */
  public metricHealthyHosts(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum', ...options });
  }

  /** Running tasks of the service (Container Insights, minimum over 1 minute). */
  public metricRunningTasks(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricRunningTasks(this.cluster, this.service, options);
  }

  /** Running tasks below which the site is failing: N, or all of a spare's floor. */
  private get taskFloor(): number {
    return Math.min(this.runningTasks, this.activeCapacity);
  }

  /** The task definition (its container and log group) and the Fargate service in the private subnets. */
  private createService(props: WebTierSiteProps): ecs.FargateService {
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN });
    taskDefinition.addContainer('Web', {
      image: props.image,
      portMappings: [{ containerPort: props.containerPort ?? 80 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup }),
    });
    return new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition,
      desiredCount: this.runningTasks,
      minHealthyPercent: minHealthyPercent(props.activeCapacity),
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
    });
  }

  /** The internet-facing load balancer in the public subnets, with its access logs. */
  private createLoadBalancer(deletionProtection: boolean | undefined): elbv2.ApplicationLoadBalancer {
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      deletionProtection: deletionProtection ?? true,
    });
    loadBalancer.logAccessLogs(createAccessLogsBucket(this, 'AccessLogs'));
    for (const sg of loadBalancer.connections.securityGroups) {
      acknowledge(sg, {
        'AwsSolutions-EC23': 'An internet-facing web tier: browsers connect from anywhere on 80 (redirected to HTTPS) and 443; the tasks accept traffic from the load balancer only.',
      });
    }
    return loadBalancer;
  }

  /** HTTPS on 443 with an HTTP redirect on 80 when a certificate is given; else plain HTTP on 80 (a warning). */
  private addListener(certificate: acm.ICertificate | undefined): elbv2.ApplicationListener {
    if (!certificate) {
      const http = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP });
      addHaWarning(this, 'web-tier-http-only', `${this.node.path} has no certificate and serves plain HTTP; pass \`certificate\` to serve HTTPS with an HTTP redirect.`);
      return http;
    }
    const listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, sourceProtocol: elbv2.ApplicationProtocol.HTTP, targetPort: 443, targetProtocol: elbv2.ApplicationProtocol.HTTPS });
    return listener;
  }

  /** The tasks' target group behind the listener: health checks and sticky sessions (a warning when off). */
  private addTaskTargets(props: WebTierSiteProps): elbv2.ApplicationTargetGroup {
    const stickiness = props.stickinessDuration ?? Duration.days(1);
    const sticky = stickiness.isUnresolved() || stickiness.toSeconds() > 0;
    const targetGroup = this.listener.addTargets('Tasks', {
      port: props.containerPort ?? 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      stickinessCookieDuration: sticky ? stickiness : undefined,
      healthCheck: serviceHealthCheck(this.healthCheckPath, props.targetHealthCheckInterval ?? Duration.seconds(10)),
    });
    if (!sticky) {
      addHaWarning(this, 'web-tier-no-stickiness', `${this.node.path} has stickiness off: a browser may reach a task that does not hold its session.`);
    }
    return targetGroup;
  }

  /** The failover triggers: 5xx responses, unhealthy targets and (unless the site runs no task) running tasks below the floor. */
  private createAlarms(serverErrorThreshold: number | undefined): void {
    const threshold = serverErrorThreshold ?? 10;
    this.createAlarm(this, 'ServerErrorsAlarm', {
      metric: this.metricServerErrors(),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      signal: SignalKind.EVENT_COUNT,
      role: AlarmRole.FAILOVER_TRIGGER,
      description: `${this.node.path}: ${threshold} or more 5xx responses a minute for 2 minutes.`,
    });
    this.createAlarm(this, 'UnhealthyHostsAlarm', {
      metric: this.metricUnhealthyHosts(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      signal: SignalKind.LEVEL,
      role: AlarmRole.FAILOVER_TRIGGER,
      description: `${this.node.path}: a task fails its load balancer health check for 3 minutes (the spare task is used up).`,
    });
    const floor = this.taskFloor;
    if (floor > 0) {
      this.createAlarm(this, 'RunningTasksAlarm', {
        metric: this.metricRunningTasks(),
        threshold: floor,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        signal: SignalKind.STATUS,
        role: AlarmRole.FAILOVER_TRIGGER,
        description: `${this.node.path}: fewer than ${floor} running tasks for 2 minutes.`,
      });
    }
  }

  /** The task path and, when the site runs tasks, the zone path. */
  private declareRecoveryPaths(): void {
    const running = this.runningTasks;
    const n = this.activeCapacity;
    this.recoveryObjectives.addRecoveryPath(WebTierSitePath.TASK, [
      this.targetUnhealthyStep(),
      RecoveryStep.fargateTaskStart(running > n
        ? 'replacement task start (the N+1 spare task carries the load meanwhile)'
        : 'replacement task start'),
    ], {
      description: 'one task fails: the load balancer stops routing to it and ECS replaces it',
      scenarios: [FailureScenario.taskLoss(Stack.of(this).region)],
      // An active site runs N+1: the others carry the load meanwhile. A spare's floor is deliberate.
      links: running > n
        ? [PathLink.capacity(this.service, 'the site\'s other tasks', { lost: 1, required: n })]
        : [],
    });
    if (running === 0) return;
    // Two zones at least (validated): a zone takes ceil(running / zones) tasks with it; ECS places
    // their replacements in the surviving zones, so the site is back to N+1 after one replacement round.
    const zones = Token.isUnresolved(this.vpc.availabilityZones) ? 2 : Math.max(2, this.vpc.availabilityZones.length);
    const lost = Math.ceil(running / zones);
    this.recoveryObjectives.addRecoveryPath(WebTierSitePath.ZONE, [
      this.targetUnhealthyStep(),
      RecoveryStep.fargateTaskStart(`replacement of the ${lost} task(s) of the lost zone, in the surviving zone(s)`),
      this.targetHealthyStep(),
    ], {
      description: `a zone fails: ${running - lost} of ${running} tasks carry the load while ECS replaces the lost ones in the other zones`,
      scenarios: [FailureScenario.zoneLoss(Stack.of(this).region)],
      links: [PathLink.capacity(this.service, 'the site\'s tasks once replaced in the surviving zones', { serving: running, required: Math.min(running, n) })],
    });
  }

  /** The site's composite failover alarm, named `failoverAlarmName` when given. */
  private createSiteFailoverAlarm(failoverAlarmName: string | undefined): void {
    const alarm = this.createFailoverAlarm(this, `WebTierSite ${this.node.path}: 5xx responses, unhealthy targets or running tasks below ${this.taskFloor}; OK when restored.`);
    if (failoverAlarmName) {
      (alarm.node.defaultChild as cloudwatch.CfnCompositeAlarm).alarmName = failoverAlarmName;
    }
  }
}

/** The target group checks twice at the configured interval; 5 s is Elastic Load Balancing's shortest. */
const TARGET_HEALTH_TUNING = {
  prop: 'targetHealthCheckInterval (5 to 300 s)', floor: Duration.seconds(10),
  seconds: { prop: 'targetHealthCheckInterval', values: [5, 10, 15, 20, 30, 60, 120, 300] },
};

/**
 * The deployment minimum healthy percent that keeps at least N of N+1
 * tasks healthy: ECS rounds the minimum up, so floor(100 N / (N+1)) keeps
 * exactly N (for N < 99).
 */
export function minHealthyPercent(activeCapacity: number): number {
  const running = activeCapacity + 1;
  let percent = Math.floor((100 * activeCapacity) / running);
  while (Math.ceil((running * percent) / 100) < activeCapacity) percent++;
  return percent;
}
