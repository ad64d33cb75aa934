import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { HaValidationError } from '../core/errors';
import { HaPattern } from '../core/ha-pattern';
import { PROBE_SAMPLING, probeMetric, probeSamplesMetric } from '../failover/cross-region-probe';
import { leaseLapseMinutes } from '../lease/lease-holder';
import { LeaseMode } from '../lease/lease-mode';
import { LeaseTable } from '../lease/lease-table';
import { metricRunningTasks } from '../private/ecs-metrics';
import { RuntimeMetricNames } from '../runtime/metrics';
import { launcherEnvironment, PairLauncherSettings, pairLauncherSettings } from './launcher-mode';
import { createPrimaryProbe, PrimaryProbe } from './primary-probe';
import { PRIMARY_PROBE_METRIC } from './probe-metric';
import { StandbyServer } from './standby-server';
import { StandbyServerRole } from './standby-server-role';
import { createSwitchAutomation, SwitchAutomation } from './switch-automation';
import { defaultParameterPath, validateProps } from './validation';
import { createStatusDashboard } from './warm-standby-pair-dashboard';
import { configParameterArns, createConfigStore, createSharedParts, createStableEndpoint, PairConfigStore, PairSharedParts } from './warm-standby-pair-parts';
import { declarePairRecoveryPaths } from './warm-standby-pair-paths';
import { WarmStandbyPairPath, WarmStandbyPairProps } from './warm-standby-pair-props';

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
    this.configParameterPath = props.configParameterPath ?? defaultParameterPath(this);

    const shared = createSharedParts(this, props, this.launcher);
    this.cluster = shared.cluster;
    this.loadBalancer = shared.loadBalancer;
    const config = createConfigStore(this, this.configParameterPath);
    this.configWritePolicy = config.writePolicy;
    if (this.launcher) {
      this.leaseTable = new LeaseTable(this, 'LeaseTable');
      this.leaseName = this.launcher.lease.leaseName;
    }
    this.servers = this.createServers(props, zones, shared, config);
    const endpoint = createStableEndpoint(this, props, this.loadBalancer, this.servers.PRIMARY);
    this.tcpListener = endpoint.tcpListener;
    this.udpListener = endpoint.udpListener;
    this.record = endpoint.record;

    const alarms = this.createAlarms(props, zones);
    this.primaryOfflineAlarm = alarms.primaryOffline;
    this.secondaryOfflineAlarm = alarms.secondaryOffline;
    this.leaseNotRenewedAlarm = alarms.leaseNotRenewed;
    this.primaryProbeFunction = alarms.probe?.handler.function;
    this.primaryProbeAlarm = alarms.probeAlarm;

    const automation = this.createAutomation();
    this.switchToSecondaryRunbook = automation.switchToSecondaryRunbook;
    this.switchToPrimaryRunbook = automation.switchToPrimaryRunbook;
    this.promoteRunbook = automation.promoteRunbook;
    this.takeoverRule = automation.takeoverRule;
    this.failbackRule = automation.failbackRule;
    this.primaryStoppedRule = automation.primaryStoppedRule;
    this.takeoverFunction = automation.takeoverFunction.function;

    declarePairRecoveryPaths(this, this.recoveryObjectives, {
      primary: this.servers.PRIMARY, secondary: this.servers.SECONDARY, automation, primaryOfflineAlarm: this.primaryOfflineAlarm,
      probe: alarms.probe && this.primaryProbeAlarm ? { probe: alarms.probe, alarm: this.primaryProbeAlarm } : undefined,
      launcher: this.launcher && this.leaseTable ? { settings: this.launcher, leaseTable: this.leaseTable } : undefined,
    });
    this.statusDashboard = createStatusDashboard(this, this, props, zones);
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
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
      resourceArns: configParameterArns(this, this.configParameterPath),
    });
  }

  private requireLeaseTable(method: string): LeaseTable {
    if (!this.leaseTable) {
      throw new HaValidationError(this, { prop: 'leaseMode', received: this.leaseMode, expected: `LeaseMode.LAUNCHER to call ${method}(): only the launchers hold a lease` });
    }
    return this.leaseTable;
  }

  /** Both servers, each in its zone (with its launcher, in launcher mode); the lease granted to both, the configuration's write policy to the primary. */
  private createServers(props: WarmStandbyPairProps, zones: { primary: string; secondary: string }, shared: PairSharedParts,
    config: PairConfigStore): Record<StandbyServerRole, StandbyServer> {
    const launcherOf = (role: StandbyServerRole) => this.launcher && this.leaseTable
      ? { leaseEnvironment: launcherEnvironment(this.leaseTable, this.launcher, role), stopTimeout: this.launcher.stopTimeout, healthPort: this.launcher.healthPort }
      : undefined;
    const serverProps = {
      ...props, cluster: shared.cluster, loadBalancer: shared.loadBalancer, securityGroup: shared.securityGroup, logGroup: shared.logGroup,
      configParameterPath: this.configParameterPath, configReadArns: config.readArns, configPathWildcard: config.pathWildcard,
      directPortOffset: props.directPortOffset ?? 10000,
      healthCheckInterval: props.healthCheckInterval ?? Duration.seconds(10),
      unhealthyThresholdCount: props.unhealthyThresholdCount ?? 2,
    };
    const servers = {
      [StandbyServerRole.PRIMARY]: new StandbyServer(this, 'Primary', {
        ...serverProps, role: StandbyServerRole.PRIMARY, availabilityZone: zones.primary, index: 0, launcher: launcherOf(StandbyServerRole.PRIMARY),
      }),
      [StandbyServerRole.SECONDARY]: new StandbyServer(this, 'Secondary', {
        ...serverProps, role: StandbyServerRole.SECONDARY, availabilityZone: zones.secondary, index: 1, launcher: launcherOf(StandbyServerRole.SECONDARY),
      }),
    };
    if (this.leaseTable && this.leaseName) {
      for (const server of Object.values(servers)) this.leaseTable.grantLease(server.taskRole, this.leaseName);
    }
    config.writePolicy.attachToRole(servers.PRIMARY.taskRole);
    return servers;
  }

  /**
   * Each server's offline alarm, the lease's (launcher mode), the probe of the
   * primary and its alarms (unless `primaryProbe: false`), and the failover
   * alarm (any takeover alarm in ALARM), whose return to OK starts the failback.
   */
  private createAlarms(props: WarmStandbyPairProps, zones: { primary: string; secondary: string }): PairAlarms {
    const primaryOffline = this.createAlarm(this, 'PrimaryOfflineAlarm', {
      signal: SignalKind.STATUS,
      role: AlarmRole.FAILOVER_TRIGGER,
      metric: this.metricHealthyHosts(StandbyServerRole.PRIMARY),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description: `WarmStandbyPair ${this.node.path}: the primary server (${zones.primary}) is offline; the secondary takes over. OK: the primary is restored and serves again.`,
    });
    const secondaryOffline = this.createAlarm(this, 'SecondaryOfflineAlarm', {
      signal: SignalKind.STATUS,
      role: AlarmRole.NOTIFYING,
      metric: this.metricHealthyHosts(StandbyServerRole.SECONDARY),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      description: `WarmStandbyPair ${this.node.path}: the secondary server (${zones.secondary}) is offline; there is no standby. OK: it is back.`,
    });
    const leaseNotRenewed = this.launcher ? this.createLeaseAlarm(this.launcher) : undefined;
    const probe = (props.primaryProbe ?? true)
      ? createPrimaryProbe(this, { vpc: props.vpc, loadBalancer: this.loadBalancer, directPort: props.tcpPort + (props.directPortOffset ?? 10000) })
      : undefined;
    const probeAlarm = probe ? this.createProbeAlarms(zones.primary) : undefined;
    this.createFailoverAlarm(this,
      `WarmStandbyPair ${this.node.path}: the primary server is offline and the secondary has taken over; OK when the primary is restored and serves again.`);
    return { primaryOffline, secondaryOffline, leaseNotRenewed, probe, probeAlarm };
  }

  /** No launcher renewed the lease for longer than a lease (+ 2 x skew), rounded up to minutes, plus one: neither server runs. */
  private createLeaseAlarm(launcher: PairLauncherSettings): cloudwatch.Alarm {
    const s = launcher.lease;
    const lapse = leaseLapseMinutes(s);
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

  /** Takeover, failback and promotion runbooks, started by the takeover alarms and the failover alarm; the fast takeover on the primary's stopping task. */
  private createAutomation(): SwitchAutomation {
    return createSwitchAutomation(this, {
      cluster: this.cluster,
      listeners: [this.tcpListener, ...(this.udpListener ? [this.udpListener] : [])],
      primary: this.servers.PRIMARY,
      secondary: this.servers.SECONDARY,
      configWritePolicy: this.configWritePolicy,
      stopPrimaryOnPromotion: this.launcher !== undefined,
      takeoverAlarms: [...(this.primaryProbeAlarm ? [this.primaryProbeAlarm] : []), this.primaryOfflineAlarm],
      failbackAlarm: this.failoverAlarm,
    });
  }
}

/** The alarms of a pair, and the probe behind its probe alarm. */
interface PairAlarms {
  readonly primaryOffline: cloudwatch.Alarm;
  readonly secondaryOffline: cloudwatch.Alarm;
  readonly leaseNotRenewed?: cloudwatch.Alarm;
  readonly probe?: PrimaryProbe;
  readonly probeAlarm?: cloudwatch.Alarm;
}
