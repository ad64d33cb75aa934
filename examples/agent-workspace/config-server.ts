import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ColdStandbyConfigServer, HaDatabase } from '../../lib';
import { ExampleContext } from '../context';

/**
 * The agent desktop's configuration service: a live configuration server in
 * the primary region, proxies in both regions, a cold-standby server in the
 * secondary region, over an Aurora PostgreSQL Global Database (HaDatabase)
 * whose secondary cluster serves the standby region's proxy.
 */
export function addConfigServer(ctx: ExampleContext): ColdStandbyConfigServer {
  const { primaryRegion, secondaryRegion } = ctx.settings;
  const primary = ctx.stack('ConfigPrimary', primaryRegion, { description: `${ctx.name}: configuration server, proxy and HA database (primary region)` });
  const standby = ctx.stack('ConfigStandby', secondaryRegion, { description: `${ctx.name}: configuration proxy, cold-standby server and database secondary` });
  const vpc = vpcIn(primary);
  const standbyVpc = vpcIn(standby);

  const database = new HaDatabase(primary, 'ConfigDatabase', {
    vpc,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    secondary: { scope: standby, vpc: standbyVpc },
    globalClusterIdentifier: `${ctx.name}-config`,
    recoveryTargets: { rpo: Duration.minutes(1) },
  });

  return new ColdStandbyConfigServer(primary, 'ConfigServer', {
    vpc,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    zone: ctx.zone,
    standby: { scope: standby, vpc: standbyVpc },
    database,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    tableName: `${ctx.name}-config`,
    autoTurnOn: true,
    recoveryTargets: { rto: Duration.minutes(10), rpo: Duration.minutes(1) },
  });
}

/** A VPC with public, private and isolated subnets in two zones, a NAT gateway per zone and flow logs. */
function vpcIn(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 2,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const flowLogs = new logs.LogGroup(vpc, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
  return vpc;
}
