import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { HaDatabase, HaDatabaseEngine } from '../../lib';
import { ExampleContext } from '../context';

/** The gateway's HA database: SQL Server Standard, RDS Multi-AZ instance, in the primary region. */
export function addGatewayDatabase(ctx: ExampleContext): HaDatabase {
  const stack = ctx.stack('Database', ctx.settings.primaryRegion, { description: `${ctx.name}: SQL Server Multi-AZ database` });
  return new HaDatabase(stack, 'Database', {
    vpc: vpcIn(stack),
    engine: HaDatabaseEngine.SQL_SERVER,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
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
