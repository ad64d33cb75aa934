/**
 * A user's CDK app, written against the installed package only (public API,
 * no relative imports). scripts/consumer-check.sh copies it into a fresh app
 * with the packed tarball installed, type-checks it strictly and synthesizes
 * it with node, ts-node and tsx. Update it when the public API changes.
 */
import * as fs from 'fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ActiveActiveCells, BROWSER_FAILOVER_HELPER_PATH, BrowserFailoverHelper, DnsRoutingPolicy, FailoverNotifications,
  HaDashboard, LatencyDns, LeaseMode, SingletonDaemon, WorkerPool,
} from 'cdk-ha-patterns';

const account = '123456789012';
const app = new App();
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

const ops = new Stack(app, 'Ops', { env: { account, region: 'eu-west-1' } });
const notifications = new FailoverNotifications(ops, 'Failover', { emails: ['ops@example.com'] });
const dashboard = new HaDashboard(ops, 'Dashboard');
const vpc = new ec2.Vpc(ops, 'Vpc', { maxAzs: 2 });

const daemon = new SingletonDaemon(ops, 'Etl', {
  image, vpc, leaseName: 'etl', notifications, dashboard,
  recoveryTargets: { rto: Duration.minutes(3) },
});
// Vendor software that cannot call a lease client: the launcher sidecar (its bundle shipped in the package) gates it.
new SingletonDaemon(ops, 'VendorDaemon', {
  image, vpc, leaseName: 'vendor-daemon', notifications, leaseMode: LeaseMode.LAUNCHER,
  command: ['/bin/sleep', '3600'], stopTimeout: Duration.seconds(10),
});
new WorkerPool(ops, 'Builders', {
  vpc, image, minWorkers: 1, maxWorkers: 4, notifications, dashboard,
  visibilityTimeout: Duration.minutes(10),
});
// A pattern with a Lambda handler: deployed from the bundle shipped in the package.
new ActiveActiveCells(ops, 'Cells', { image, cellCount: 2, notifications, dashboard });

// The browser helper served by any load balancer: deployed from the package's browser/ directory as it is.
const alb = new elbv2.ApplicationLoadBalancer(ops, 'Alb', { vpc, internetFacing: true });
const listener = alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(200, { messageBody: 'ok' }) });
const helper = new BrowserFailoverHelper(ops, 'BrowserHelper', {
  listener,
  options: { heartbeatPath: '/health', heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 3000, missedHeartbeats: 3, noticeMs: 2000 },
});
if (helper.startPath !== '/ha-failover/start.js') throw new Error(`unexpected ${helper.startPath}`);

// Route 53 health-check metrics exist in us-east-1 only.
const dns = new Stack(app, 'Dns', { env: { account, region: 'us-east-1' } });
const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
new LatencyDns(dns, 'Web', {
  zone,
  recordName: 'web',
  routingPolicy: DnsRoutingPolicy.LATENCY,
  sites: [
    { region: 'eu-west-1', target: route53.RecordTarget.fromIpAddresses('192.0.2.10') },
    { region: 'us-east-1', target: route53.RecordTarget.fromIpAddresses('198.51.100.10') },
  ],
  notifications: new FailoverNotifications(dns, 'Failover', { emails: ['ops@example.com'] }),
  recoveryTargets: { rto: Duration.seconds(120) },
});

if (!fs.existsSync(BROWSER_FAILOVER_HELPER_PATH)) throw new Error(`missing ${BROWSER_FAILOVER_HELPER_PATH}`);
const rto: Duration = daemon.takeoverTime;
console.log(`SingletonDaemon takeover ${rto.toSeconds()} s`);
app.synth();
