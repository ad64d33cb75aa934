import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from '../private/network';
import { HaDatabaseEngine } from './engine';

/** Where the rotation function runs and how it reaches Secrets Manager. */
export interface RotationNetwork {
  readonly subnets: ec2.SubnetSelection;
  /** The interface endpoint it calls; undefined when it reaches the regional endpoint through a NAT gateway. */
  readonly endpoint?: ec2.IInterfaceVpcEndpoint;
  /** Whether the endpoint is the user's (passed to the rotation as its endpoint) rather than ours (private DNS). */
  readonly userEndpoint: boolean;
}

/** Id of the Secrets Manager endpoint HaDatabase adds to a VPC that has no subnets with egress (one per VPC). */
const SECRETS_MANAGER_ENDPOINT_ID = 'HaSecretsManagerEndpoint';

/**
 * The rotation function calls the Secrets Manager API (single-user rotation needs no
 * RDS API) and connects to the database. In the isolated subnets it has no route to the
 * regional endpoint: it needs an interface endpoint, or subnets with a NAT gateway.
 */
export function rotationNetwork(vpc: ec2.IVpc, userEndpoint?: ec2.IInterfaceVpcEndpoint): RotationNetwork {
  const isolated: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  if (userEndpoint) return { subnets: isolated, endpoint: userEndpoint, userEndpoint: true };
  if (vpc.privateSubnets.length > 0) return { subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, userEndpoint: false };
  const existing = vpc.node.tryFindChild(SECRETS_MANAGER_ENDPOINT_ID) as ec2.InterfaceVpcEndpoint | undefined;
  const endpoint = existing ?? vpc.addInterfaceEndpoint(SECRETS_MANAGER_ENDPOINT_ID, {
    service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    subnets: isolated,
    // Private DNS: the rotation function's default endpoint (secretsmanager.<region>.amazonaws.com) resolves to it.
    privateDnsEnabled: true,
    // Only the rotation functions that use it are let in (below).
    open: false,
  });
  return { subnets: isolated, endpoint, userEndpoint: false };
}

/** Single-user rotation of the master secret, placed where it reaches Secrets Manager and the database. */
export function addRotation(db: rds.DatabaseCluster | rds.DatabaseInstance, network: RotationNetwork, interval?: Duration): void {
  const securityGroup = new ec2.SecurityGroup(db, 'RotationSecurityGroup', {
    vpc: db.vpc,
    description: `Secret rotation of ${db.node.path}: to the database and Secrets Manager`,
    allowAllOutbound: true,
  });
  // aws-cdk-lib's rotation also lets this group in on the database port.
  db.addRotationSingleUser({
    automaticallyAfter: interval ?? Duration.days(30),
    vpcSubnets: network.subnets,
    securityGroup,
    endpoint: network.userEndpoint ? network.endpoint : undefined,
  });
  network.endpoint?.connections.allowDefaultPortFrom(securityGroup, `Secret rotation of ${db.node.path}`);
}

export function acknowledgeMonitoringRole(db: Construct): void {
  const role = db.node.tryFindChild('MonitoringRole');
  if (role) {
    acknowledge(role, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]':
        'The AWS-managed Enhanced Monitoring service-role policy only lets RDS write its own RDSOSMetrics log group; it is the documented policy for this role.',
    });
  }
}

export function clusterEngine(engine: HaDatabaseEngine, version?: string): rds.IClusterEngine {
  if (engine === HaDatabaseEngine.AURORA_MYSQL) {
    return rds.DatabaseClusterEngine.auroraMysql({
      version: version ? rds.AuroraMysqlEngineVersion.of(version, version.split('.').slice(0, 2).join('.')) : rds.AuroraMysqlEngineVersion.VER_3_08_2,
    });
  }
  return rds.DatabaseClusterEngine.auroraPostgres({
    version: version ? rds.AuroraPostgresEngineVersion.of(version, version.split('.')[0]) : rds.AuroraPostgresEngineVersion.VER_16_6,
  });
}
