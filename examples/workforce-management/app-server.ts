import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { StandbyServerRole as StandbyRole, WarmStandbyPair, WarmStandbyPairPath, WorkerPool } from '../../lib';
import { ExampleContext } from '../context';

/** The workforce application server pair and the schedule-builder pool. */
export interface WorkforceAppServer {
  /** The application server: primary and warm secondary in two zones. */
  readonly appServer: WarmStandbyPair;
  /** The schedule builders: workers pulling build jobs from a queue. */
  readonly scheduleBuilders: WorkerPool;
}

/**
 * The workforce application server as a warm standby pair (primary in the
 * first zone, warm secondary in the second, behind `app.<zone>` on an
 * internal Network Load Balancer; takeover and failback automatic, both
 * notified), and the schedule builders as a worker pool (2 to 20 workers
 * pulling jobs, so a builder only gets a job when it is alive and free).
 * The targets make synthesis fail if the settings cannot take over within a
 * minute when the primary's task stops (2 minutes when it hangs: the load
 * balancer's metrics come every 60 s), or re-run a dead builder's job within
 * 2 minutes (a builder keeps
 * the job it runs invisible with `JobHeartbeat`, so a dead builder's job
 * reappears one 60 s visibility timeout after its last heartbeat).
 */
export function addWorkforceAppServer(ctx: ExampleContext): WorkforceAppServer {
  const stack = ctx.stack('AppServer', ctx.settings.primaryRegion, {
    description: `${ctx.name}: warm standby application server and schedule-builder worker pool`,
  });
  const vpc = ctx.vpc(stack);

  const appServer = new WarmStandbyPair(stack, 'ApplicationServer', {
    vpc,
    // nginx stands in for the application server: it answers the TCP health checks on port 80.
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable-alpine'),
    tcpPort: 80,
    zone: ctx.zone,
    recordName: 'app',
    configParameterPath: '/workforce-management/app-server',
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    statusDashboardName: `${ctx.name}-app-server`,
    recoveryTargets: { rto: Duration.minutes(2), paths: [{ path: WarmStandbyPairPath.TAKEOVER, rto: Duration.seconds(60) }] },
  });

  const scheduleBuilders = new WorkerPool(stack, 'ScheduleBuilders', {
    vpc,
    // busybox stands in for the schedule builder; a real one polls QUEUE_URL and runs each job
    // under JobHeartbeat.fromEnvironment(...).run(...) (cdk-ha-patterns/lib/runtime).
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
    command: ['sh', '-c', 'while true; do sleep 60; done'],
    minWorkers: 2,
    maxWorkers: 20,
    jobsPerWorker: 5,
    // The defaults: 60 s visibility, extended every 20 s; a build runs 10 minutes at most.
    maxJobDuration: Duration.minutes(10),
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    recoveryTargets: { rto: Duration.minutes(2) },
  });
  // The application server submits schedule-build jobs.
  for (const role of [appServer.taskRole(StandbyRole.PRIMARY), appServer.taskRole(StandbyRole.SECONDARY)]) {
    scheduleBuilders.grantSubmitJobs(role);
  }
  return { appServer, scheduleBuilders };
}
