import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { RecoveryStep } from '../core/recovery-step';
import { requireDurationBetween } from '../core/validation';
import { LAUNCHER_GATE_POLL_MS, LAUNCHER_HELD_MARKER, LAUNCHER_STOP_LATENCY_MS, LauncherEnvironment, launcherHoldWindowMs, launcherStopMarginMs } from '../runtime/launcher';
import { LeaseSettings } from './lease-table';

/** The launcher's image: Node.js from the Docker official images on Amazon ECR Public (no build, no Docker at synth). */
export const LAUNCHER_IMAGE = 'public.ecr.aws/docker/library/node:22-alpine';

/** The launcher's container name. */
export const LAUNCHER_CONTAINER_NAME = 'Launcher';

/** Where the gate volume is mounted in both containers. */
export const LAUNCHER_GATE_DIR = '/ha-lease';

/**
 * The application container's entry point in launcher mode: wait (POSIX sh)
 * until the launcher's marker exists, then execute the command.
 * @internal
 */
export const LAUNCHER_GATE_SCRIPT = `while [ ! -e ${LAUNCHER_GATE_DIR}/${LAUNCHER_HELD_MARKER} ]; do sleep ${LAUNCHER_GATE_POLL_MS / 1000}; done; exec "$@"`;

/** The launcher's bundle in the installed package: `dist/runtime/launcher-container/<this>` (written by `npm run build`). @internal */
export const LAUNCHER_BUNDLE_FILE = 'launcher.bundle.js';

let bundled: string | undefined;

/**
 * The launcher's code, one CommonJS file run by `node -e`: from this
 * repository's sources, bundled now by the local esbuild with
 * `@aws-sdk/client-dynamodb` mapped to the launcher's shim; from the installed
 * package, the bundle `npm run build` wrote. No Docker either way.
 * @internal
 */
export function launcherScript(): string {
  if (bundled !== undefined) return bundled;
  const dir = path.join(__dirname, '..', 'runtime', 'launcher-container');
  const prebuilt = path.join(dir, LAUNCHER_BUNDLE_FILE);
  if (fs.existsSync(path.join(dir, 'main.ts'))) {
    bundled = bundleLauncher(dir);
  } else if (fs.existsSync(prebuilt)) {
    bundled = fs.readFileSync(prebuilt, 'utf8');
  } else {
    throw new Error(`the launcher's bundle is missing: ${prebuilt} (npm run build writes it)`);
  }
  return bundled;
}

/** Bundles lib/runtime/launcher-container/main.ts (also used by the build for the package). @internal */
export function bundleLauncher(dir: string): string {
  // esbuild is a dependency of the sources only (the package ships the bundle).
   
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({
    entryPoints: [path.join(dir, 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    write: false,
    alias: { '@aws-sdk/client-dynamodb': path.join(dir, 'sdk-shim.ts') },
    // The script travels in the task definition's command: no template literals, whose `${...}` CloudFormation
    // tooling reads as parameter substitutions outside Fn::Sub (cfn-lint E1029).
    supported: { 'template-literal': false },
    logLevel: 'warning',
  });
  return out.outputFiles[0].text;
}

/** What the launcher adds to a lease pattern's task. @internal */
export interface LauncherOptions {
  readonly taskDefinition: ecs.TaskDefinition;
  /** The application container (created with `launcherAppEntry`'s entry point and command). */
  readonly app: ecs.ContainerDefinition;
  readonly logGroup: logs.ILogGroup;
  /** The lease environment (`HA_LEASE_*`). */
  readonly leaseEnvironment: Record<string, string>;
  /** The application container's stop timeout. */
  readonly stopTimeout: Duration;
  /**
   * A TCP port the launcher listens on for as long as it runs (waiting for
   * the lease or holding it): a load balancer's health check of a task whose
   * program runs only while it holds the lease (`WarmStandbyPair`).
   * @default no health port
   */
  readonly healthPort?: number;
}

/**
 * The statement put after the launcher's script when it has a health port:
 * a TCP listener that accepts and closes every connection, for as long as the
 * launcher's process runs. Plain ES5, no template literals (see `bundleLauncher`).
 * @internal
 */
export function launcherHealthListener(port: number): string {
  return 'require("net").createServer(function(s){s.destroy()}).listen(' + Math.trunc(port) + ');';
}

/**
 * The stop timeout of the application container in launcher mode: what
 * ECS waits between SIGTERM and SIGKILL (Fargate: 120 s at most).
 * @internal
 */
export const DEFAULT_APP_STOP_TIMEOUT = Duration.seconds(10);

/**
 * Checks that the launcher can keep the application dead before the lease
 * can lapse: the hold window D - S - (stopTimeout + stop latency) must
 * exceed the renew interval, or the launcher exits before it can renew.
 * @internal
 */
export function validateLauncherTimings(scope: IConstruct, s: LeaseSettings, stopTimeout: Duration): void {
  requireDurationBetween(scope, 'stopTimeout', stopTimeout, Duration.seconds(2), Duration.seconds(120));
  if (s.leaseDuration.isUnresolved() || s.renewInterval.isUnresolved() || s.maxClockSkew.isUnresolved() || stopTimeout.isUnresolved()) return;
  const margin = launcherStopMarginMs(stopTimeout.toMilliseconds());
  const hold = launcherHoldWindowMs(s.leaseDuration.toMilliseconds(), s.maxClockSkew.toMilliseconds(), margin);
  const R = s.renewInterval.toMilliseconds();
  const minimum = R + s.maxClockSkew.toMilliseconds() + margin;
  if (hold <= R) {
    throw new HaValidationError(scope, {
      prop: 'leaseDuration',
      received: s.leaseDuration,
      expected: `with leaseMode LAUNCHER, a duration longer than renewInterval (${R} ms) + maxClockSkew (${s.maxClockSkew.toMilliseconds()} ms) + ` +
        `stopTimeout (${stopTimeout.toMilliseconds()} ms) + ${LAUNCHER_STOP_LATENCY_MS} ms stop latency = ${minimum} ms: the launcher exits that much ` +
        'before the lease stops being valid, so your process is dead before anyone else can take it, and it must renew before then; ' +
        'lengthen leaseDuration, or shorten stopTimeout or renewInterval',
    });
  }
  if (hold < 2 * R) {
    addHaWarning(scope, 'launcher-single-renewal',
      `with leaseMode LAUNCHER the launcher must renew within ${hold} ms of its last renewal (leaseDuration - maxClockSkew - stopTimeout - ` +
      `${LAUNCHER_STOP_LATENCY_MS} ms): room for a single attempt every renewInterval (${R} ms), so one slow or failed renewal stops the task. ` +
      `Use a leaseDuration of at least ${minimum + R} ms.`);
  }
}

/**
 * Adds the launcher to a lease pattern's task: an essential Node.js container
 * holding the lease, a task volume where it writes the marker, the
 * application's entry point replaced by the gate (the user's entry point and
 * command become its arguments), and the application started after and
 * stopped before the launcher (`dependsOn` START: ECS reverses it at shutdown).
 * @internal
 */
export function addLauncher(scope: IConstruct, opts: LauncherOptions): ecs.ContainerDefinition {
  const volume = 'LeaseGate';
  opts.taskDefinition.addVolume({ name: volume });
  const launcher = opts.taskDefinition.addContainer(LAUNCHER_CONTAINER_NAME, {
    image: ecs.ContainerImage.fromRegistry(LAUNCHER_IMAGE),
    essential: true,
    entryPoint: ['node'],
    // The health listener after the script: its "use strict" directive must stay first.
    command: ['-e', launcherScript() + (opts.healthPort !== undefined ? '\n;' + launcherHealthListener(opts.healthPort) : '')],
    environment: {
      ...opts.leaseEnvironment,
      [LauncherEnvironment.STOP_MARGIN_MS]: String(launcherStopMarginMs(opts.stopTimeout.toMilliseconds())),
      [LauncherEnvironment.GATE_DIR]: LAUNCHER_GATE_DIR,
      AWS_REGION: Stack.of(scope).region,
    },
    logging: ecs.LogDrivers.awsLogs({ logGroup: opts.logGroup, streamPrefix: 'launcher' }),
    readonlyRootFilesystem: true,
    // The launcher gets its SIGTERM after the application stopped, and releases the lease.
    stopTimeout: Duration.seconds(10),
  });
  if (opts.healthPort !== undefined) launcher.addPortMappings({ containerPort: opts.healthPort, protocol: ecs.Protocol.TCP });
  launcher.addMountPoints({ sourceVolume: volume, containerPath: LAUNCHER_GATE_DIR, readOnly: false });
  opts.app.addMountPoints({ sourceVolume: volume, containerPath: LAUNCHER_GATE_DIR, readOnly: true });
  opts.app.addContainerDependencies({ container: launcher, condition: ecs.ContainerDependencyCondition.START });
  return launcher;
}

/**
 * The application container's entry point and command in launcher mode: the
 * gate, with the user's entry point and command as its arguments. Fails when
 * there is no command line (the pattern cannot read the image's).
 * @internal
 */
export function launcherAppEntry(scope: IConstruct, userEntryPoint: string[] | undefined, userCommand: string[] | undefined): { entryPoint: string[]; command: string[] } {
  const commandLine = [...userEntryPoint ?? [], ...userCommand ?? []];
  if (commandLine.length === 0) {
    throw new HaValidationError(scope, {
      prop: 'command',
      received: userCommand,
      expected: 'with leaseMode LAUNCHER, the full command line of your program (and the image\'s entry point in entryPoint, if it has one), ' +
        'e.g. [\'/opt/vendor/bin/etl-server\', \'--config\', \'/etc/etl.conf\']: the launcher\'s gate replaces the entry point and cannot read the image\'s',
    });
  }
  return { entryPoint: ['/bin/sh', '-c', LAUNCHER_GATE_SCRIPT, 'ha-gate'], command: commandLine };
}

/**
 * The recovery step of the launcher's start of the application: once the
 * launcher holds the lease, the gate sees its marker within one poll and
 * executes the program (already pulled and in a running container).
 * @internal
 */
export function launcherGateStep(): RecoveryStep {
  return RecoveryStep.constant('launcher gate (the program starts once the launcher holds the lease)', Duration.millis(LAUNCHER_GATE_POLL_MS),
    `the application container's gate looks for the launcher's marker every ${LAUNCHER_GATE_POLL_MS / 1000} s, then executes the program`);
}
