import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { HotStandbyConsumer, SingletonDaemon } from '../../lib';
import { ExampleContext } from '../context';

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
 *   (one task, lease with fencing tokens: never two acting at once);
 * - the data aggregator, a `HotStandbyConsumer` of the suite's event stream
 *   (leader in one zone, hot standby in the other, fenced checkpoints).
 */
export function addWorkforceProcesses(ctx: ExampleContext): WorkforceProcesses {
  const stack = ctx.stack('Processes', ctx.settings.primaryRegion, { description: `${ctx.name}: singleton daemons and hot standby data aggregator` });
  const vpc = ctx.vpc(stack);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
  // Placeholder image: a real deployment runs the suite's daemons, which use lib/runtime's LeaseClient.
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

  const etlServer = new SingletonDaemon(stack, 'EtlServer', {
    image,
    cluster,
    command: ['sh', '-c', 'while true; do sleep 3600; done'],
    leaseName: 'etl-server',
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    recoveryTargets: { rto: Duration.minutes(3) },
  });
  const notificationDaemon = new SingletonDaemon(stack, 'NotificationDaemon', {
    image,
    cluster,
    command: ['sh', '-c', 'while true; do sleep 3600; done'],
    leaseName: 'notification-daemon',
    // Notifications must not go out twice, nor stop for long: a shorter lease.
    leaseDuration: Duration.seconds(20),
    renewInterval: Duration.seconds(5),
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    recoveryTargets: { rto: Duration.minutes(2) },
  });
  const dataAggregator = new HotStandbyConsumer(stack, 'DataAggregator', {
    image,
    cluster,
    command: ['sh', '-c', 'while true; do sleep 3600; done'],
    leaseName: 'data-aggregator',
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    recoveryTargets: { rto: Duration.seconds(30), rpo: Duration.seconds(0) },
  });
  return { etlServer, notificationDaemon, dataAggregator };
}
