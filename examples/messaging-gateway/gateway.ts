import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { LeaseMode, WarmStandbyPair, WarmStandbyPairPath } from '../../lib';
import { ExampleContext } from '../context';

/**
 * The messaging gateway: a primary server and a warm secondary in two zones
 * behind one Network Load Balancer with a TCP listener (port 2775) and a UDP
 * listener (port 5060), reachable as `gateway.<zone>`. When the primary goes
 * offline (its task stops, or it fails its health checks) the listeners
 * switch to the secondary and everyone subscribed to
 * the example's notifications (email, SMS, webhook) hears it (ALARM); when
 * it is restored the listeners switch back and they hear that too (OK).
 * The `PromoteRunbook` makes the secondary the standalone primary when the
 * old one cannot be restored; the pair's status dashboard shows both servers.
 *
 * The gateway is vendor software that must not run twice (both would send
 * the same messages): it runs unmodified behind the pair's launcher
 * (`leaseMode: LAUNCHER`), so only the lease holder runs it; the secondary
 * starts it once the primary's lease is gone, and stops when the primary is back.
 */
export function addGateway(ctx: ExampleContext): WarmStandbyPair {
  const stack = ctx.stack('Gateway', ctx.settings.primaryRegion, { description: `${ctx.name}: primary/secondary gateway servers behind TCP and UDP listeners` });
  const vpc = ctx.vpc(stack);
  return new WarmStandbyPair(stack, 'Gateway', {
    vpc,
    // A stand-in image: a real gateway answers SMPP on TCP 2775 and SIP on UDP 5060.
    // The health checks use the TCP port, so the stand-in is told to listen there.
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
    // The launcher's gate runs this command line once its launcher holds the lease (the image's entry point is not read).
    command: ['sh', '-c', 'nc -lk -p 2775 -e cat'],
    leaseMode: LeaseMode.LAUNCHER,
    tcpPort: 2775,
    udpPort: 5060,
    zone: ctx.zone,
    recordName: 'gateway',
    configParameterPath: '/messaging-gateway/gateway',
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    statusDashboardName: `${ctx.name}-gateway-status`,
    // A lost primary task: the secondary serves within a minute (the lease handover: 58 s); a hung primary: within 2
    // (the load balancer's metrics come every 60 s).
    recoveryTargets: { rto: Duration.minutes(2), paths: [{ path: WarmStandbyPairPath.TAKEOVER, rto: Duration.seconds(60) }] },
  });
}
