import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { RecoveryStep } from '../core/recovery-step';
import { ServiceTime } from '../core/service-time';
import { requireInteger } from '../core/validation';
import { validateLeaseSettings } from '../lease/daemon-task';
import { DEFAULT_APP_STOP_TIMEOUT, LAUNCHER_CONTAINER_NAME, launcherGateStep, validateLauncherTimings } from '../lease/launcher-container';
import { LeaseMode } from '../lease/lease-mode';
import { LeaseSettings, LeaseTable } from '../lease/lease-table';
import { LauncherEnvironment, LauncherFailback } from '../runtime/launcher';
import { StandbyServer } from './standby-server';
import { StandbyServerRole } from './standby-server-role';
import type { WarmStandbyPairProps } from './warm-standby-pair-props';

/** The lease both launchers of a pair contend for. */
export const PAIR_LEASE_NAME = 'warm-standby';

/** Default port of the launcher's health listener. */
export const DEFAULT_LAUNCHER_HEALTH_PORT = 8099;

/** The props that only launcher mode reads. */
const LAUNCHER_PROPS = ['leaseDuration', 'renewInterval', 'maxClockSkew', 'stopTimeout', 'launcherHealthPort'] as const;

/** The launcher settings of a pair in launcher mode (validated). */
export interface PairLauncherSettings {
  readonly lease: LeaseSettings;
  readonly stopTimeout: Duration;
  readonly healthPort: number;
}

/**
 * Reads and checks the launcher settings: the lease timings (renewable, and
 * the launcher's bound D > R + S + stopTimeout + 5 s, as `SingletonDaemon`'s),
 * and a health port other than the server's TCP port. Undefined (with a
 * warning for launcher-only props that were given) when the mode is not LAUNCHER.
 */
export function pairLauncherSettings(scope: Construct, props: WarmStandbyPairProps): PairLauncherSettings | undefined {
  if ((props.leaseMode ?? LeaseMode.IN_PROCESS) !== LeaseMode.LAUNCHER) {
    const given = LAUNCHER_PROPS.filter(p => props[p] !== undefined);
    if (given.length > 0) {
      addHaWarning(scope, 'launcher-props-ignored', `${given.join(', ')} apply to leaseMode LAUNCHER only: ignored (both servers run the image all the time).`);
    }
    return undefined;
  }
  const lease: LeaseSettings = {
    leaseName: PAIR_LEASE_NAME,
    leaseDuration: props.leaseDuration ?? Duration.seconds(45),
    renewInterval: props.renewInterval ?? Duration.seconds(10),
    maxClockSkew: props.maxClockSkew ?? Duration.seconds(1),
  };
  validateLeaseSettings(scope, lease);
  const stopTimeout = props.stopTimeout ?? DEFAULT_APP_STOP_TIMEOUT;
  validateLauncherTimings(scope, lease, stopTimeout);
  const healthPort = props.launcherHealthPort ?? DEFAULT_LAUNCHER_HEALTH_PORT;
  requireInteger(scope, 'launcherHealthPort', healthPort, 1, 65535);
  if (!Token.isUnresolved(healthPort) && !Token.isUnresolved(props.tcpPort) && healthPort === props.tcpPort) {
    throw new HaValidationError(scope, {
      prop: 'launcherHealthPort',
      received: healthPort,
      expected: `a port other than tcpPort (${props.tcpPort}): the launcher listens on it in the same task as your server; choose a port your server does not use`,
    });
  }
  return { lease, stopTimeout, healthPort };
}

/**
 * The environment of a server's launcher: the lease's, and its failback
 * role: the primary's launcher claims the lease while the secondary's holds
 * it, the secondary's gives it back when claimed.
 */
export function launcherEnvironment(table: LeaseTable, settings: PairLauncherSettings, role: StandbyServerRole): Record<string, string> {
  return {
    ...table.environment(settings.lease),
    [LauncherEnvironment.FAILBACK]: role === StandbyServerRole.PRIMARY ? LauncherFailback.CLAIM : LauncherFailback.YIELD,
  };
}

/**
 * The lease handover of a pair in launcher mode, when the primary's launcher
 * dies without releasing the lease (killed with its task, or cut off with
 * its zone): the lease lapses, the secondary's launcher finds it free at its
 * next attempt, and its gate starts the server. A primary stopped by ECS
 * (SIGTERM) releases the lease once its server stopped: faster, inside this bound.
 */
export function leaseHandover(primary: StandbyServer, settings: PairLauncherSettings): RecoveryStep {
  const td = primary.taskDefinition;
  return RecoveryStep.sequence('lease handover (the secondary\'s launcher starts the server)', [
    RecoveryStep.leaseLapse('lease lapse (the primary\'s launcher stopped renewing)', td, LAUNCHER_CONTAINER_NAME, settings.lease,
      { prop: 'leaseDuration (longer than renewInterval + maxClockSkew + stopTimeout + 5 s) and maxClockSkew', floor: Duration.seconds(8) }),
    RecoveryStep.leasePoll('secondary launcher\'s poll', td, LAUNCHER_CONTAINER_NAME, settings.lease,
      { prop: 'renewInterval (at least 1 s)', floor: Duration.seconds(1) }),
    launcherGateStep(),
  ]);
}

/** The listener switch of the fast takeover: ECS event + takeover function, then the runbook. */
export function listenerSwitch(ecsEvent: ServiceTime, runbook: ServiceTime): RecoveryStep {
  return RecoveryStep.sequence('listener switch (the stable listeners point at the secondary)', [
    RecoveryStep.serviceTime(ecsEvent),
    RecoveryStep.serviceTime(runbook),
  ]);
}
