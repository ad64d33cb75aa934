import { Arn, ArnFormat, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { HaValidationError } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { ServiceTime } from '../core/service-time';
import { PROBE_SAMPLING, probeMetric, probeSamplesMetric, ProbeSamplingStep } from '../failover/cross-region-probe';
import { LeaseMode } from '../lease/lease-mode';
import { LeaseTable } from '../lease/lease-table';
import { metricRunningTasks } from '../private/ecs-metrics';
import { acknowledge, createAccessLogsBucket } from '../private/network';
import { RuntimeMetricNames } from '../runtime/metrics';
import { launcherEnvironment, leaseHandover, listenerSwitch, PairLauncherSettings, pairLauncherSettings } from './launcher-mode';
import { createPrimaryProbe, PrimaryProbe } from './primary-probe';
import { PRIMARY_PROBE_METRIC } from './probe-metric';
import { StandbyServer } from './standby-server';
import { StandbyServerRole } from './standby-server-role';
import { createSwitchAutomation, SwitchAutomation } from './switch-automation';
import { defaultParameterPath, unique, validateProps } from './validation';
import { WarmStandbyPairPath, WarmStandbyPairProps } from './warm-standby-pair-props';

/**
 * ECS reporting a stopping task and the takeover function's run (two ECS
 * calls, one SSM call). The catalogue's `EVENTBRIDGE_LAMBDA_AUTOMATION` is
 * the same kind of figure for an alarm's event.
 */
const ECS_EVENT_LAMBDA = ServiceTime.of('ECS task event + takeover function', Duration.seconds(10),
  'task state change event delivery (ECS sends it within seconds of the task stopping, best effort) and a Lambda run of two ECS calls ' +
  'and one SSM call: estimate (AWS publishes no bound)');

/** The takeover runbook started by the function: runbook start and one ModifyListener per listener. */
const SSM_RUNBOOK_MODIFY_LISTENER = ServiceTime.of('SSM Automation ModifyListener', Duration.seconds(15),
  'runbook start and one ModifyListener per stable listener: estimate (AWS publishes no bound; as EVENTBRIDGE_SSM_AUTOMATION)');
const ANY_IPV4 = '0.0.0.0/0';

/**
 * Two instances of one server, a primary (active) and a warm secondary, each a
 * Fargate service with one task pinned to its own availability zone, behind
 * one Network Load Balancer with TCP (and optionally UDP) listeners: the
 * stable endpoint (optionally a Route 53 alias name).
 *
 * Takeover and failback are automatic: the load balancer health-checks both
 * servers; when the primary's target group has no healthy target, its
 * `PrimaryOffline` alarm goes to ALARM, EventBridge starts an SSM Automation
 * runbook that points the listeners at the secondary, and the failover alarm
 * notifies (email, SMS, webhook) that the primary is offline. When the primary
 * is healthy again the alarm returns to OK: a second runbook points the
 * listeners back at the primary (the secondary stops serving and stays warm)
 * and the notification says it is restored.
 *
 * Only the primary may change the configuration: an SSM Parameter Store path
 * writable by the primary's task role (a managed policy), readable by both.
 * The `Promote` runbook makes the secondary the standalone primary when the
 * old primary cannot be restored: it stops automatic failback, points the
 * listeners at the secondary and moves the write policy to its role.
 */
export class WarmStandbyPair extends HaPattern {
  /** The load balancer: the stable endpoint. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The stable TCP listener. */
  public readonly tcpListener: elbv2.NetworkListener;
  /** The stable UDP listener, if `udpPort` was given. */
  public readonly udpListener?: elbv2.NetworkListener;
  /** The cluster of both services (Container Insights on). */
  public readonly cluster: ecs.Cluster;
  /** The stable name, if `zone` and `recordName` were given. */
  public readonly record?: route53.ARecord;
  /** The configuration path in SSM Parameter Store. */
  public readonly configParameterPath: string;
  /** The policy that allows writing the configuration; attached to the primary's task role. */
  public readonly configWritePolicy: iam.ManagedPolicy;
  /** Alarm: the primary has no healthy target (starts takeover; OK starts failback). */
  public readonly primaryOfflineAlarm: cloudwatch.Alarm;
  /** Alarm: the probe found the primary not accepting connections for 30 s (starts takeover), unless `primaryProbe: false`. */
  public readonly primaryProbeAlarm?: cloudwatch.Alarm;
  /** The probe function of the primary, unless `primaryProbe: false`. */
  public readonly primaryProbeFunction?: lambda.IFunction;
  /** Alarm: the secondary has no healthy target (no standby left; informational, notifies). */
  public readonly secondaryOfflineAlarm: cloudwatch.Alarm;
  /** Runbook run on takeover: listeners to the secondary. */
  public readonly switchToSecondaryRunbook: ssm.CfnDocument;
  /** Runbook run on failback: listeners to the primary. */
  public readonly switchToPrimaryRunbook: ssm.CfnDocument;
  /** Runbook an operator runs when the primary cannot be restored. */
  public readonly promoteRunbook: ssm.CfnDocument;
  /** Starts the takeover runbook when the primary goes offline. */
  public readonly takeoverRule: events.Rule;
  /** Starts the failback runbook when the primary is restored. */
  public readonly failbackRule: events.Rule;
  /** On the primary's tasks stopping: invokes `takeoverFunction`. */
  public readonly primaryStoppedRule: events.Rule;
  /** Starts the takeover runbook when no task of the primary runs any more (the fast takeover). */
  public readonly takeoverFunction: lambda.IFunction;
  /** The status dashboard of both servers. */
  public readonly statusDashboard: cloudwatch.Dashboard;
  /** How the servers run (`LAUNCHER`: only the lease holder runs your server). */
  public readonly leaseMode: LeaseMode;
  /** The lease table (`leaseMode: LAUNCHER`). */
  public readonly leaseTable?: LeaseTable;
  /** The lease name (`leaseMode: LAUNCHER`). */
  public readonly leaseName?: string;
  /** Alarm: no launcher has renewed the lease for longer than a lease (`leaseMode: LAUNCHER`): neither server runs. */
  public readonly leaseNotRenewedAlarm?: cloudwatch.Alarm;

  private readonly servers: Record<StandbyServerRole, StandbyServer>;
  private readonly launcher?: PairLauncherSettings;

  constructor(scope: Construct, id: string, props: WarmStandbyPairProps) {
    super(scope, id, props, {
      patternName: 'WarmStandbyPair',
      detection: 'ECS task events of the primary (its task stopping with no other primary task running switches the listeners at once) and load balancer ' +
        'health checks of each server (the primary\'s target group without a healthy target puts its alarm in ALARM, which switches them)' +
        (props.leaseMode === LeaseMode.LAUNCHER
          ? '; in launcher mode the secondary\'s launcher starts the server once the primary\'s lease is released or lapses, and gives it back when the primary claims it'
          : ''),
    });
    const zones = validateProps(this, props);
    this.launcher = pairLauncherSettings(this, props);
    this.leaseMode = this.launcher ? LeaseMode.LAUNCHER : LeaseMode.IN_PROCESS;
    const offset = props.directPortOffset ?? 10000;
    const interval = props.healthCheckInterval ?? Duration.seconds(10);
    const unhealthyThreshold = props.unhealthyThresholdCount ?? 2;
    this.configParameterPath = props.configParameterPath ?? defaultParameterPath(this);
    const stack = Stack.of(this);

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });

    const internetFacing = props.internetFacing ?? false;
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing,
      // Each server lives in one zone: every load balancer node must reach both.
      crossZoneEnabled: true,
      vpcSubnets: { subnetType: internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
      deletionProtection: props.deletionProtection ?? true,
    });
    this.loadBalancer.logAccessLogs(createAccessLogsBucket(this, 'AccessLogs'));

    const securityGroup = new ec2.SecurityGroup(this, 'ServerSecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path}: server ports, from the load balancer clients`,
    });
    const clients = props.clientCidrs ?? [internetFacing ? ANY_IPV4 : props.vpc.vpcCidrBlock];
    // TCP: the load balancer's nodes (health checks, TCP without client addresses) and the clients.
    for (const cidr of unique([props.vpc.vpcCidrBlock, ...clients])) {
      securityGroup.addIngressRule(peerOf(cidr), ec2.Port.tcp(props.tcpPort), 'server TCP port (clients and load balancer health checks)');
    }
    // UDP: the load balancer keeps every UDP client's address: the clients.
    if (props.udpPort !== undefined) {
      for (const cidr of unique(clients)) securityGroup.addIngressRule(peerOf(cidr), ec2.Port.udp(props.udpPort), 'server UDP port');
    }
    if (this.launcher) {
      securityGroup.addIngressRule(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Port.tcp(this.launcher.healthPort),
        'launcher health port (load balancer health checks)');
    }
    acknowledge(securityGroup, {
      'AwsSolutions-EC23': internetFacing && props.clientCidrs === undefined
        ? 'An internet-facing Network Load Balancer preserves client addresses, so the server ports must admit any client; only the server ports are open.'
        : 'Only the server ports are open, to the VPC CIDR and the clients\' CIDR blocks (clientCidrs; the load balancer preserves UDP client addresses); the rule cannot evaluate the CIDR token.',
    });

    // The configuration store: a path in Parameter Store.
    const paramArn = (suffix: string) => stack.formatArn({
      service: 'ssm', resource: 'parameter', resourceName: `${this.configParameterPath.slice(1)}${suffix}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.configWritePolicy = new iam.ManagedPolicy(this, 'ConfigWritePolicy', {
      description: `Write access to the configuration of ${this.node.path} (${this.configParameterPath}): the primary server only`,
      statements: [new iam.PolicyStatement({
        actions: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:DeleteParameters', 'ssm:LabelParameterVersion', 'ssm:AddTagsToResource'],
        resources: [paramArn('/*')],
      })],
    });
    const pathWildcard = nagParameterWildcard(this, this.configParameterPath);
    acknowledge(this.configWritePolicy, {
      [pathWildcard]: 'The wildcard covers the parameters under the pair\'s own configuration path, which the server creates at run time.',
    });

    if (this.launcher) {
      this.leaseTable = new LeaseTable(this, 'LeaseTable');
      this.leaseName = this.launcher.lease.leaseName;
    }
    const launcherOf = (role: StandbyServerRole) => this.launcher && this.leaseTable
      ? { leaseEnvironment: launcherEnvironment(this.leaseTable, this.launcher, role), stopTimeout: this.launcher.stopTimeout, healthPort: this.launcher.healthPort }
      : undefined;
    const serverProps = {
      ...props, cluster: this.cluster, loadBalancer: this.loadBalancer, securityGroup, logGroup,
      configParameterPath: this.configParameterPath, configReadArns: [paramArn(''), paramArn('/*')], configPathWildcard: pathWildcard,
      directPortOffset: offset, healthCheckInterval: interval, unhealthyThresholdCount: unhealthyThreshold,
    };
    this.servers = {
      [StandbyServerRole.PRIMARY]: new StandbyServer(this, 'Primary', {
        ...serverProps, role: StandbyServerRole.PRIMARY, availabilityZone: zones.primary, index: 0, launcher: launcherOf(StandbyServerRole.PRIMARY),
      }),
      [StandbyServerRole.SECONDARY]: new StandbyServer(this, 'Secondary', {
        ...serverProps, role: StandbyServerRole.SECONDARY, availabilityZone: zones.secondary, index: 1, launcher: launcherOf(StandbyServerRole.SECONDARY),
      }),
    };
    if (this.leaseTable && this.leaseName) {
      for (const server of Object.values(this.servers)) this.leaseTable.grantLease(server.taskRole, this.leaseName);
    }
    const primary = this.servers.PRIMARY;
    const secondary = this.servers.SECONDARY;
    this.configWritePolicy.attachToRole(primary.taskRole);

    // The stable listeners forward to the primary; the runbooks switch them.
    this.tcpListener = this.loadBalancer.addListener('TcpListener', {
      port: props.tcpPort, protocol: elbv2.Protocol.TCP, defaultTargetGroups: [primary.tcpTargetGroup],
    });
    if (props.udpPort !== undefined) {
      this.udpListener = this.loadBalancer.addListener('UdpListener', {
        port: props.udpPort, protocol: elbv2.Protocol.UDP, defaultTargetGroups: [primary.udpTargetGroup!],
      });
    }

    if (props.zone && props.recordName) {
      this.record = new route53.ARecord(this, 'StableName', {
        zone: props.zone,
        recordName: props.recordName,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.loadBalancer)),
        comment: `${this.node.path}: stable name of the warm standby pair`,
      });
    }

    // Alarms.
    this.primaryOfflineAlarm = this.createAlarm(this, 'PrimaryOfflineAlarm', {
      signal: SignalKind.STATUS,
      role: AlarmRole.FAILOVER_TRIGGER,
      metric: this.metricHealthyHosts(StandbyServerRole.PRIMARY),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description: `WarmStandbyPair ${this.node.path}: the primary server (${zones.primary}) is offline; the secondary takes over. OK: the primary is restored and serves again.`,
    });
    this.secondaryOfflineAlarm = this.createAlarm(this, 'SecondaryOfflineAlarm', {
      signal: SignalKind.STATUS,
      role: AlarmRole.NOTIFYING,
      metric: this.metricHealthyHosts(StandbyServerRole.SECONDARY),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      description: `WarmStandbyPair ${this.node.path}: the secondary server (${zones.secondary}) is offline; there is no standby. OK: it is back.`,
    });
    if (this.launcher) this.leaseNotRenewedAlarm = this.createLeaseAlarm(this.launcher);
    const probe = (props.primaryProbe ?? true)
      ? createPrimaryProbe(this, { vpc: props.vpc, loadBalancer: this.loadBalancer, directPort: props.tcpPort + offset })
      : undefined;
    if (probe) {
      this.primaryProbeFunction = probe.handler.function;
      this.primaryProbeAlarm = this.createProbeAlarms(zones.primary);
    }
    // The failover alarm (any takeover alarm in ALARM) returning to OK starts the failback.
    this.createFailoverAlarm(this,
      `WarmStandbyPair ${this.node.path}: the primary server is offline and the secondary has taken over; OK when the primary is restored and serves again.`);

    // Takeover, failback and promotion runbooks; the fast takeover on the primary's stopping task.
    const automation = createSwitchAutomation(this, {
      cluster: this.cluster,
      listeners: [this.tcpListener, ...(this.udpListener ? [this.udpListener] : [])],
      primary, secondary, configWritePolicy: this.configWritePolicy, stopPrimaryOnPromotion: this.launcher !== undefined,
      takeoverAlarms: [...(this.primaryProbeAlarm ? [this.primaryProbeAlarm] : []), this.primaryOfflineAlarm],
      failbackAlarm: this.failoverAlarm,
    });
    this.switchToSecondaryRunbook = automation.switchToSecondaryRunbook;
    this.switchToPrimaryRunbook = automation.switchToPrimaryRunbook;
    this.promoteRunbook = automation.promoteRunbook;
    this.takeoverRule = automation.takeoverRule;
    this.failbackRule = automation.failbackRule;
    this.primaryStoppedRule = automation.primaryStoppedRule;
    this.takeoverFunction = automation.takeoverFunction.function;

    this.declareRecoveryObjectives(primary, secondary, automation, probe);

    this.statusDashboard = this.createStatusDashboard(props, zones);
  }

  /** Worst-case time from the loss of the primary's task until the secondary serves (the `takeover` path). */
  public get takeoverTime(): Duration {
    return this.recoveryObjectives.path(WarmStandbyPairPath.TAKEOVER).total;
  }

  /** The Fargate service of a server. */
  public service(role: StandbyServerRole): ecs.FargateService {
    return this.servers[role].service;
  }

  /** The task role of a server. */
  public taskRole(role: StandbyServerRole): iam.IRole {
    return this.servers[role].taskRole;
  }

  /** The TCP target group of a server. */
  public tcpTargetGroup(role: StandbyServerRole): elbv2.INetworkTargetGroup {
    return this.servers[role].tcpTargetGroup;
  }

  /** The availability zone of a server. */
  public availabilityZone(role: StandbyServerRole): string {
    return this.servers[role].availabilityZone;
  }

  /** Healthy targets of a server's TCP target group (AWS/NetworkELB HealthyHostCount, minimum over 1 minute). */
  public metricHealthyHosts(role: StandbyServerRole, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/NetworkELB',
      metricName: 'HealthyHostCount',
      dimensionsMap: {
        LoadBalancer: this.loadBalancer.loadBalancerFullName,
        TargetGroup: this.servers[role].tcpTargetGroup.targetGroupFullName,
      },
      period: Duration.minutes(1),
      statistic: 'Minimum',
      ...options,
    });
  }

  /** Running tasks of a server (Container Insights RunningTaskCount, minimum over 1 minute). */
  public metricRunningTasks(role: StandbyServerRole, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricRunningTasks(this.cluster, this.servers[role].service, options);
  }

  /** Successful lease acquisitions and renewals published by the launchers (`leaseMode: LAUNCHER`), sum per minute. */
  public metricLeaseHeartbeats(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.requireLeaseTable('metricLeaseHeartbeats').metric(RuntimeMetricNames.HEARTBEAT, this.leaseName!, { statistic: 'Sum', ...props });
  }

  /** New acquisitions of the lease (a server starts: a takeover or a failback; `leaseMode: LAUNCHER`), sum per minute. */
  public metricLeaseAcquisitions(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.requireLeaseTable('metricLeaseAcquisitions').metric(RuntimeMetricNames.ACQUIRED, this.leaseName!, { statistic: 'Sum', ...props });
  }

  /** Lets `grantee` (another component) read the configuration. */
  public grantConfigRead(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const arn = (suffix: string) => Arn.format({
      service: 'ssm', resource: 'parameter', resourceName: `${this.configParameterPath.slice(1)}${suffix}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }, stack);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
      resourceArns: [arn(''), arn('/*')],
    });
  }

  private requireLeaseTable(method: string): LeaseTable {
    if (!this.leaseTable) {
      throw new HaValidationError(this, { prop: 'leaseMode', received: this.leaseMode, expected: `LeaseMode.LAUNCHER to call ${method}(): only the launchers hold a lease` });
    }
    return this.leaseTable;
  }

  /** No launcher renewed the lease for longer than a lease (+ 2 x skew), rounded up to minutes, plus one: neither server runs. */
  private createLeaseAlarm(launcher: PairLauncherSettings): cloudwatch.Alarm {
    const s = launcher.lease;
    const lapse = Math.max(1, Math.ceil((s.leaseDuration.toMilliseconds() + 2 * s.maxClockSkew.toMilliseconds()) / 60_000));
    return this.createAlarm(this, 'LeaseNotRenewedAlarm', {
      metric: this.metricLeaseHeartbeats(),
      description: `WarmStandbyPair ${this.node.path}: the lease '${s.leaseName}' has not been renewed for ${lapse + 1} minutes: no launcher holds it, ` +
        'neither server runs. OK: a launcher holds it again.',
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: lapse + 1,
      signal: SignalKind.HEARTBEAT,
      role: AlarmRole.NOTIFYING,
    });
  }

  /** The probe's alarm (every sample failed for 3 x 10 s: a takeover trigger) and its silence alarm. */
  private createProbeAlarms(zone: string): cloudwatch.Alarm {
    const periods = 3;
    const alarm = this.createAlarm(this, 'PrimaryProbeAlarm', {
      metric: probeMetric(PRIMARY_PROBE_METRIC, this.node.path),
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: periods,
      // A period without samples is not a failure: PrimaryProbeSilentAlarm tells, and PrimaryOfflineAlarm still starts the takeover.
      signal: SignalKind.LEVEL, role: AlarmRole.FAILOVER_TRIGGER,
      description: `WarmStandbyPair ${this.node.path}: the primary server (${zone}) has refused or not accepted every connection through its ` +
        `direct listener for ${periods * PROBE_SAMPLING.alarmPeriod.toSeconds()} s; the secondary takes over.`,
    });
    this.createAlarm(this, 'PrimaryProbeSilentAlarm', {
      metric: probeSamplesMetric(PRIMARY_PROBE_METRIC, this.node.path),
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3,
      signal: SignalKind.HEARTBEAT, role: AlarmRole.NOTIFYING,
      description: `WarmStandbyPair ${this.node.path}: the probe of the primary published no sample for 3 minutes: a hung primary is taken over ` +
        'only by PrimaryOfflineAlarm (95 s); check the PrimaryProbe function.',
    });
    return alarm;
  }

  private declareRecoveryObjectives(primary: StandbyServer, secondary: StandbyServer, automation: SwitchAutomation, probe?: PrimaryProbe): void {
    const region = Stack.of(this).region;
    // Launcher mode: the secondary serves once the listeners point at it and its launcher holds the lease, whichever comes later.
    const launcher = this.launcher;
    const withLease = (what: string, listeners: RecoveryStep[]): RecoveryStep[] => launcher
      ? [RecoveryStep.slowest(`the later of ${what} and the lease handover`, [
        RecoveryStep.sequence(what, listeners), leaseHandover(primary, launcher),
      ])]
      : listeners;
    const leaseLinks = this.leaseTable
      ? [PathLink.signal(this.leaseTable.table, 'lease item (its lapse or release lets the secondary\'s launcher start the server; DynamoDB spans the zones)')]
      : [];
    const fn = automation.takeoverFunction;
    const warmSecondary = PathLink.capacity(secondary.service, 'warm secondary server (serves once the listeners point at it)', { required: 1 });
    const runbook = PathLink.automation(this.switchToSecondaryRunbook, 'takeover runbook (points the stable listeners at the secondary)',
      automation.automationRole, automation.takeoverRunbookCalls);
    this.recoveryObjectives.addRecoveryPath(WarmStandbyPairPath.TAKEOVER, launcher
      ? withLease('the listener switch', [listenerSwitch(ECS_EVENT_LAMBDA, SSM_RUNBOOK_MODIFY_LISTENER)])
      : [RecoveryStep.serviceTime(ECS_EVENT_LAMBDA), RecoveryStep.serviceTime(SSM_RUNBOOK_MODIFY_LISTENER)], {
      description: 'the primary server is lost (its task stops: a crash, an exit, a stop): ECS reports it, the takeover function finds no other primary task ' +
        'running and starts the runbook that points the listeners at the warm secondary (no health-check or alarm wait on this path)',
      scenarios: [FailureScenario.primaryServerLoss(region)],
      links: [
        PathLink.signal(primary.service, 'task state changes of the primary server (ECS events)'),
        PathLink.eventRule(this.primaryStoppedRule, 'primary-stopped rule'),
        PathLink.automation(fn, 'takeover function', fn.role, automation.takeoverFunctionCalls),
        runbook,
        warmSecondary,
        ...leaseLinks,
      ],
    });
    const elbSteps = (): RecoveryStep[] => [
      RecoveryStep.targetGroupUnhealthy('load balancer health check of the primary', primary.tcpTargetGroup,
        {
          prop: 'healthCheckInterval (5 to 300 s) and unhealthyThresholdCount (2 to 10)', floor: Duration.seconds(10),
          seconds: { prop: 'healthCheckInterval', values: [5, 10, 15, 20, 30, 60, 120, 300] },
          samples: { prop: 'unhealthyThresholdCount', values: [2, 3, 4, 5, 6, 7, 8, 9, 10] },
          singleSample: { slug: 'warm-standby-single-sample-takeover', action: 'points the listeners at the warm secondary' },
        }),
      RecoveryStep.alarmEvaluation('PrimaryOffline alarm', this.primaryOfflineAlarm),
      RecoveryStep.serviceTime(ServiceTime.EVENTBRIDGE_SSM_AUTOMATION, 'EventBridge + SSM Automation ModifyListener'),
    ];
    const elbLinks = [
      PathLink.signal(primary.tcpTargetGroup, 'load balancer health checks of the primary'),
      PathLink.alarm(this.primaryOfflineAlarm, 'PrimaryOffline alarm'),
    ];
    const probeSteps = (p: PrimaryProbe, alarm: cloudwatch.Alarm): RecoveryStep[] => [
      new ProbeSamplingStep('primary probe sampling', p.handler.function, alarm),
      RecoveryStep.alarmEvaluation('PrimaryProbe alarm', alarm),
      RecoveryStep.serviceTime(ServiceTime.EVENTBRIDGE_SSM_AUTOMATION, 'EventBridge + SSM Automation ModifyListener'),
    ];
    const probeAlarm = this.primaryProbeAlarm;
    const withProbe = probe && probeAlarm;
    if (withProbe) {
      const sampling = new ProbeSamplingStep('primary probe sampling', probe.handler.function, probeAlarm);
      this.node.addValidation({ validate: () => sampling.validate(this, 'PrimaryProbe function environment') });
    }
    this.recoveryObjectives.addRecoveryPath(WarmStandbyPairPath.UNRESPONSIVE, withLease('the alarm\'s listener switch',
      withProbe ? probeSteps(probe, probeAlarm) : elbSteps()), {
      description: launcher
        ? 'the primary\'s task loses its network or zone: its server stops answering and its launcher cannot renew the lease either, so the lease lapses ' +
          'and the secondary\'s launcher starts the server, while the alarm points the listeners at it. A hung server whose launcher still renews keeps ' +
          'the lease: its task must be stopped (README, launcher mode) before the secondary can start'
        : withProbe
        ? 'the primary\'s task keeps running but its server stops accepting connections (a hung server, a lost network or zone): the probe\'s samples ' +
          'through the primary\'s direct listener fail for 30 s, its alarm fires and the runbook points the listeners at the warm secondary ' +
          '(the load balancer\'s PrimaryOffline alarm starts the same runbook later, should the probe be silent)'
        : 'the primary\'s task keeps running but fails its health checks (a hung server, a lost network or zone): its target group turns unhealthy, ' +
          'the alarm fires and the runbook points the listeners at the warm secondary',
      scenarios: [FailureScenario.zoneLoss(region)],
      links: [
        ...(withProbe
          ? [PathLink.signal(probe.schedule, 'probe of the primary through its direct listener (a function in the pair\'s VPC, every minute)'),
            PathLink.alarm(probeAlarm, 'PrimaryProbe alarm')]
          : elbLinks),
        PathLink.eventRule(this.takeoverRule, 'takeover rule'),
        PathLink.automation(this.takeoverRule, 'takeover rule\'s target (starts the runbook as the events role)', automation.eventsRole, automation.takeoverRuleCalls),
        runbook,
        warmSecondary,
        ...leaseLinks,
      ],
    });
    this.recoveryObjectives.addDataLossBound(RecoveryStep.constant('configuration (SSM Parameter Store)', Duration.seconds(0),
      'configuration writes are durable once acknowledged and shared by both servers; in-memory server state is not replicated by the pattern'));
  }

  private createStatusDashboard(props: WarmStandbyPairProps, zones: { primary: string; secondary: string }): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'StatusDashboard', { dashboardName: props.statusDashboardName });
    const P = StandbyServerRole.PRIMARY;
    const S = StandbyServerRole.SECONDARY;
    const markdown = Lazy.string({
      produce: () => [
        `### Warm standby pair \`${this.node.path}\``,
        `Primary in ${zones.primary}, secondary (warm) in ${zones.secondary}. Takeover worst case: **${this.takeoverTime.toSeconds()} s** ` +
        `when the primary's task stops, **${this.recoveryObjectives.path(WarmStandbyPairPath.UNRESPONSIVE).total.toSeconds()} s** when it stops answering its health checks.`,
        `Direct ports: primary +${props.directPortOffset ?? 10000}, secondary +${2 * (props.directPortOffset ?? 10000)}. ` +
        'PrimaryOffline in ALARM = the secondary serves; OK = the primary serves.',
        `SSM Automation runbooks: takeover \`${this.switchToSecondaryRunbook.ref}\`, failback \`${this.switchToPrimaryRunbook.ref}\`, ` +
        `**promote** the secondary when the primary cannot be restored: \`${this.promoteRunbook.ref}\`.`,
      ].join('\n\n'),
    });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown, width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Which server serves',
        alarms: [this.primaryOfflineAlarm, this.secondaryOfflineAlarm, this.failoverAlarm],
        width: 24,
        height: 3,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Healthy targets (load balancer health checks)',
        left: [P, S].map(r => this.metricHealthyHosts(r, { label: `${r.toLowerCase()} healthy` })),
        leftYAxis: { min: 0 },
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Running tasks',
        left: [P, S].map(r => this.metricRunningTasks(r, { label: `${r.toLowerCase()} running` })),
        leftYAxis: { min: 0 },
        width: 12,
      }),
    );
    return dashboard;
  }
}

/** cdk-nag's id of the IAM5 finding for `<parameter path>/*` in this stack. */
function nagParameterWildcard(scope: Construct, parameterPath: string): string {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:${account}:parameter${parameterPath}/*]`;
}

/** The peer of a CIDR block: IPv6 when it has a colon, else IPv4 (tokens included). */
function peerOf(cidr: string): ec2.IPeer {
  return !Token.isUnresolved(cidr) && cidr.includes(':') ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr);
}
