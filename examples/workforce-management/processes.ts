import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { HotStandbyConsumer, LeaseMode, SingletonDaemon } from '../../lib';
import { ExampleContext } from '../context';
import { addLeasePlaceholderScratch, leasePlaceholder } from './lease-placeholder';

/** The back-end processes of the workforce suite. */
export interface WorkforceProcesses {
  readonly etlServer: SingletonDaemon;
  readonly notificationDaemon: SingletonDaemon;
  readonly dataAggregator: HotStandbyConsumer;
}

/**
 * The workforce suite's back-end processes in the primary region, on one
 * cluster (Container Insights enhanced) over two availability zones:
 * - the ETL server and the notification daemon, each a `SingletonDaemon`
 *   (lease with fencing tokens: never two acting at once; a hot standby task
 *   in the other zone takes the lease within a minute when the holder fails);
 * - the data aggregator, a `HotStandbyConsumer` of the suite's event stream
 *   (leader in one zone, hot standby in the other, fenced checkpoints).
 */
export function addWorkforceProcesses(ctx: ExampleContext): WorkforceProcesses {
  const stack = ctx.stack('Processes', ctx.settings.primaryRegion, { description: `${ctx.name}: singleton daemons and hot standby data aggregator` });
  const vpc = ctx.vpc(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
  // Placeholder: a real deployment runs the suite's daemons, which use lib/runtime's LeaseClient. The
  // placeholder takes and renews the lease the same way and publishes the same metrics, so the lease
  // alarms (LeaseNotRenewed, NoLeader) are OK while a task holds the lease, as with the real daemons.
  const placeholder = leasePlaceholder(stack);

  // The ETL server and the notification daemon are vendor software: their binaries cannot call a lease
  // client. They run unmodified behind the lease-gated launcher (leaseMode LAUNCHER): the launcher holds the
  // lease and publishes the lease metrics (so LeaseNotRenewed works as with an in-process client); the program
  // starts only in the task whose launcher holds the lease. Placeholders stand for the vendor images here.
  const etlServer = new SingletonDaemon(stack, 'EtlServer', {
    ...vendorPlaceholder('etl-server'),
    cluster,
    leaseName: 'etl-server',
    leaseMode: LeaseMode.LAUNCHER,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    // lease 45 s + 2 x 1 s skew + 10 s standby poll + 1 s launcher gate = 58 s
    recoveryTargets: { rto: Duration.seconds(60) },
  });
  const notificationDaemon = new SingletonDaemon(stack, 'NotificationDaemon', {
    ...vendorPlaceholder('notification-daemon'),
    cluster,
    leaseName: 'notification-daemon',
    leaseMode: LeaseMode.LAUNCHER,
    // Notifications must not go out twice, nor stop for long: a shorter lease and renewals, a short stop.
    leaseDuration: Duration.seconds(25),
    renewInterval: Duration.seconds(5),
    stopTimeout: Duration.seconds(5),
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    // 25 + 2 x 1 + 5 + 1 = 33 s; the launcher exits 1 + 5 + 5 = 11 s before its lease stops being valid
    recoveryTargets: { rto: Duration.seconds(60) },
  });
  const dataAggregator = new HotStandbyConsumer(stack, 'DataAggregator', {
    ...placeholder,
    cluster,
    leaseName: 'data-aggregator',
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    recoveryTargets: { rto: Duration.seconds(30), rpo: Duration.seconds(0) },
  });
  addLeasePlaceholderScratch(dataAggregator);
  return { etlServer, notificationDaemon, dataAggregator };
}

/** The public busybox image: a stand-in for a vendor daemon that knows nothing of leases. */
export const VENDOR_PLACEHOLDER_IMAGE = 'public.ecr.aws/docker/library/busybox:stable';

/**
 * A stand-in for an unmodified vendor daemon: it logs that it runs, once a
 * minute, until it is stopped. The full command line is given (the launcher's
 * gate executes it once the launcher holds the lease).
 */
function vendorPlaceholder(name: string): { image: ecs.ContainerImage; command: string[] } {
  return {
    image: ecs.ContainerImage.fromRegistry(VENDOR_PLACEHOLDER_IMAGE),
    command: ['/bin/sh', '-c', `trap 'exit 0' TERM; while :; do echo "${name} placeholder: running (holds the lease through the launcher)"; sleep 60 & wait $!; done`],
  };
}
