/**
 * The steps `SingletonDaemon` and `HotStandbyConsumer` share: a lease-holding
 * task pattern's lease settings, its cluster, its task with the lease table,
 * and the recovery steps of a lease takeover.
 */
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { addHaWarning } from '../core/errors';
import { RecoveryStep } from '../core/recovery-step';
import { createHaVpc } from '../private/network';
import { createDaemonTask, validateLeaseSettings } from './daemon-task';
import { DEFAULT_APP_STOP_TIMEOUT, LAUNCHER_CONTAINER_NAME, launcherGateStep, validateLauncherTimings } from './launcher-container';
import { LeaseSettings, LeaseTable } from './lease-table';
import { LeaseTaskProps } from './lease-task-props';

/** The lease props a lease-holding task pattern adds to `LeaseTaskProps`. @internal */
export interface LeaseHolderProps extends LeaseTaskProps {
  readonly leaseName?: string;
  readonly leaseDuration?: Duration;
  readonly renewInterval?: Duration;
  readonly stopTimeout?: Duration;
}

/** A pattern's lease defaults. @internal */
export interface LeaseDefaults {
  readonly leaseName: string;
  /** With the process holding the lease. */
  readonly leaseDuration: Duration;
  /** With `leaseMode: LAUNCHER` (it must also cover the launcher's stop margin). */
  readonly launcherLeaseDuration: Duration;
  readonly renewInterval: Duration;
}

/** The checked lease settings and the app container's stop timeout. @internal */
export interface LeaseHolderSettings {
  readonly settings: LeaseSettings;
  readonly stopTimeout: Duration;
}

/**
 * Reads and checks the lease settings (renewable), and the stop timeout:
 * checked against the lease in launcher mode, ignored with a warning otherwise.
 * @internal
 */
export function leaseHolderSettings(scope: Construct, props: LeaseHolderProps, launcherMode: boolean, defaults: LeaseDefaults): LeaseHolderSettings {
  const settings: LeaseSettings = {
    leaseName: props.leaseName ?? defaults.leaseName,
    leaseDuration: props.leaseDuration ?? (launcherMode ? defaults.launcherLeaseDuration : defaults.leaseDuration),
    renewInterval: props.renewInterval ?? defaults.renewInterval,
    maxClockSkew: props.maxClockSkew ?? Duration.seconds(1),
  };
  validateLeaseSettings(scope, settings);
  const stopTimeout = props.stopTimeout ?? DEFAULT_APP_STOP_TIMEOUT;
  if (launcherMode) validateLauncherTimings(scope, settings, stopTimeout);
  else if (props.stopTimeout !== undefined) addHaWarning(scope, 'stop-timeout-ignored', 'stopTimeout applies to leaseMode LAUNCHER only: it is ignored.');
  return { settings, stopTimeout };
}

/**
 * The given cluster (`vpc` is then ignored, with a warning), or a new one
 * with Container Insights in `vpc` (or in a new VPC).
 * @internal
 */
export function leaseTaskCluster(scope: Construct, props: LeaseTaskProps): ecs.ICluster {
  if (props.cluster && props.vpc) {
    addHaWarning(scope, 'vpc-ignored', 'vpc is ignored when cluster is given: the tasks run in the cluster\'s VPC.');
  }
  return props.cluster ?? new ecs.Cluster(scope, 'Cluster', {
    vpc: props.vpc ?? createHaVpc(scope, 'Vpc'),
    containerInsightsV2: ecs.ContainerInsights.ENHANCED,
  });
}

/** What the task of a lease holder runs. @internal */
export interface LeaseHolderTaskOptions {
  readonly containerName: string;
  readonly streamPrefix: string;
  /** Variables added after the user's and the lease's. @default none */
  readonly environment?: Record<string, string>;
  /** Whether a launcher sidecar holds the lease. */
  readonly launcherMode: boolean;
}

/** The lease table and the task of a lease holder. @internal */
export interface LeaseHolderTask {
  readonly leaseTable: LeaseTable;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly launcher?: ecs.ContainerDefinition;
}

/**
 * The lease table and the task definition of a lease holder (256 CPU /
 * 512 MiB by default), the lease in its environment and its role allowed
 * to hold the lease.
 * @internal
 */
export function createLeaseHolderTask(scope: Construct, props: LeaseTaskProps, lease: LeaseHolderSettings, opts: LeaseHolderTaskOptions): LeaseHolderTask {
  const leaseTable = new LeaseTable(scope, 'LeaseTable', { removalPolicy: props.removalPolicy });
  const leaseEnvironment = leaseTable.environment(lease.settings);
  const task = createDaemonTask(scope, {
    image: props.image,
    cpu: props.cpu ?? 256,
    memoryLimitMiB: props.memoryLimitMiB ?? 512,
    environment: { ...props.environment, ...leaseEnvironment, ...opts.environment },
    entryPoint: props.entryPoint,
    command: props.command,
    containerName: opts.containerName,
    streamPrefix: opts.streamPrefix,
    launcher: opts.launcherMode ? { stopTimeout: lease.stopTimeout, leaseEnvironment } : undefined,
  });
  leaseTable.grantLease(task.taskDefinition.taskRole, lease.settings.leaseName);
  return { leaseTable, taskDefinition: task.taskDefinition, container: task.container, launcher: task.launcher };
}

/** The lease duration must exceed renewInterval + 2 x skew: at 1 s renewals and 0 skew, about 2 s. */
const LEASE_TUNING = { prop: 'leaseDuration (longer than renewInterval + 2 x maxClockSkew) and maxClockSkew', floor: Duration.seconds(2) };

/** What a lease takeover's steps read. @internal */
export interface LeaseTakeoverOptions {
  readonly taskDefinition: ecs.TaskDefinition;
  /** The app's container: it holds the lease unless a launcher does. */
  readonly appContainer: string;
  readonly settings: LeaseSettings;
  /** The component name of the contender's poll. */
  readonly poll: string;
  /** Whether a launcher gates the program (it starts once the launcher holds the lease). */
  readonly launcherMode: boolean;
  /** A step between the lapse and the poll (a replacement task's start). @default none */
  readonly beforePoll?: RecoveryStep;
}

/**
 * A lease takeover: the holder's lease lapses, a contender's poll finds it
 * free and, with a launcher, its gate starts the program.
 * @internal
 */
export function leaseTakeoverSteps(opts: LeaseTakeoverOptions): RecoveryStep[] {
  const { taskDefinition, settings } = opts;
  const holder = opts.launcherMode ? LAUNCHER_CONTAINER_NAME : opts.appContainer;
  return [
    RecoveryStep.leaseLapse('lease lapse', taskDefinition, holder, settings, LEASE_TUNING),
    ...(opts.beforePoll ? [opts.beforePoll] : []),
    RecoveryStep.leasePoll(opts.poll, taskDefinition, holder, settings, { prop: 'renewInterval (at least 1 s)', floor: Duration.seconds(1) }),
    ...(opts.launcherMode ? [launcherGateStep()] : []),
  ];
}

/** Minutes without a renewal after which no one holds the lease: a lease + 2 x skew, rounded up, at least 1. @internal */
export function leaseLapseMinutes(settings: LeaseSettings): number {
  return Math.max(1, Math.ceil((settings.leaseDuration.toMilliseconds() + 2 * settings.maxClockSkew.toMilliseconds()) / 60_000));
}
