import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { HotStandbyConsumer, SingletonDaemon } from '../../lib';
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

  const etlServer = new SingletonDaemon(stack, 'EtlServer', {
    ...placeholder,
    cluster,
    leaseName: 'etl-server',
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    // lease 30 s + 2 x 1 s skew + 10 s standby poll = 42 s
    recoveryTargets: { rto: Duration.seconds(60) },
  });
  const notificationDaemon = new SingletonDaemon(stack, 'NotificationDaemon', {
    ...placeholder,
    cluster,
    leaseName: 'notification-daemon',
    // Notifications must not go out twice, nor stop for long: a shorter lease.
    leaseDuration: Duration.seconds(20),
    renewInterval: Duration.seconds(5),
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    // 20 + 2 x 1 + 5 = 27 s
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
  [etlServer, notificationDaemon, dataAggregator].forEach(addLeasePlaceholderScratch);
  return { etlServer, notificationDaemon, dataAggregator };
}
