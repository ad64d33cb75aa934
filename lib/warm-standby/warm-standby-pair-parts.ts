/** The parts of a `WarmStandbyPair` both servers share: cluster, load balancer, security group, configuration store, stable endpoint. */
import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { acknowledge, createAccessLogsBucket } from '../private/network';
import { PairLauncherSettings } from './launcher-mode';
import { StandbyServer } from './standby-server';
import { unique } from './validation';
import type { WarmStandbyPairProps } from './warm-standby-pair-props';

const ANY_IPV4 = '0.0.0.0/0';

/** What both servers of a pair run in. */
export interface PairSharedParts {
  readonly cluster: ecs.Cluster;
  readonly logGroup: logs.ILogGroup;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly securityGroup: ec2.ISecurityGroup;
}

/** The cluster (Container Insights on), the log group, the load balancer (with access logs) and the servers' security group. */
export function createSharedParts(scope: Construct, props: WarmStandbyPairProps, launcher?: PairLauncherSettings): PairSharedParts {
  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  const internetFacing = props.internetFacing ?? false;
  const loadBalancer = new elbv2.NetworkLoadBalancer(scope, 'LoadBalancer', {
    vpc: props.vpc,
    internetFacing,
    // Each server lives in one zone: every load balancer node must reach both.
    crossZoneEnabled: true,
    vpcSubnets: { subnetType: internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
    deletionProtection: props.deletionProtection ?? true,
  });
  loadBalancer.logAccessLogs(createAccessLogsBucket(scope, 'AccessLogs'));
  const securityGroup = createServerSecurityGroup(scope, props, launcher);
  return { cluster, logGroup, loadBalancer, securityGroup };
}

/** The servers' security group: the server ports, open to the VPC (load balancer nodes) and the clients; the launcher's health port to the VPC. */
function createServerSecurityGroup(scope: Construct, props: WarmStandbyPairProps, launcher?: PairLauncherSettings): ec2.SecurityGroup {
  const internetFacing = props.internetFacing ?? false;
  const securityGroup = new ec2.SecurityGroup(scope, 'ServerSecurityGroup', {
    vpc: props.vpc,
    description: `${scope.node.path}: server ports, from the load balancer clients`,
  });
  const clients = props.clientCidrs ?? [internetFacing ? ANY_IPV4 : props.vpc.vpcCidrBlock];
  // TCP: the load balancer's nodes (health checks, TCP without client addresses) and the clients.
  for (const cidr of unique([props.vpc.vpcCidrBlock, ...clients])) {
    securityGroup.addIngressRule(peerOf(cidr), ec2.Port.tcp(props.tcpPort), 'server TCP port (clients and load balancer health checks)');
  }
  // UDP: the load balancer keeps every UDP client's address: the clients.
  if (props.udpPort !== undefined) {
    for (const cidr of unique(clients)) securityGroup.addIngressRule(peerOf(cidr), ec2.Port.udp(props.udpPort), 'server UDP port');
  }
  if (launcher) {
    securityGroup.addIngressRule(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Port.tcp(launcher.healthPort),
      'launcher health port (load balancer health checks)');
  }
  acknowledge(securityGroup, {
    'AwsSolutions-EC23': internetFacing && props.clientCidrs === undefined
      ? 'An internet-facing Network Load Balancer preserves client addresses, so the server ports must admit any client; only the server ports are open.'
      : 'Only the server ports are open, to the VPC CIDR and the clients\' CIDR blocks (clientCidrs; the load balancer preserves UDP client addresses); the rule cannot evaluate the CIDR token.',
  });
  return securityGroup;
}

/** The configuration store: a path in Parameter Store, writable through one managed policy. */
export interface PairConfigStore {
  /** Write access to the path; attached to the primary's task role. */
  readonly writePolicy: iam.ManagedPolicy;
  /** ARNs of the path's parameters (the path and below). */
  readonly readArns: string[];
  /** cdk-nag's id of the IAM5 finding for the path's wildcard. */
  readonly pathWildcard: string;
}

/** The configuration store's write policy under `parameterPath`, and what readers need. */
export function createConfigStore(scope: Construct, parameterPath: string): PairConfigStore {
  const writePolicy = new iam.ManagedPolicy(scope, 'ConfigWritePolicy', {
    description: `Write access to the configuration of ${scope.node.path} (${parameterPath}): the primary server only`,
    statements: [new iam.PolicyStatement({
      actions: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:DeleteParameters', 'ssm:LabelParameterVersion', 'ssm:AddTagsToResource'],
      resources: [parameterArn(scope, parameterPath, '/*')],
    })],
  });
  const pathWildcard = nagParameterWildcard(scope, parameterPath);
  acknowledge(writePolicy, {
    [pathWildcard]: 'The wildcard covers the parameters under the pair\'s own configuration path, which the server creates at run time.',
  });
  return { writePolicy, readArns: configParameterArns(scope, parameterPath), pathWildcard };
}

/** The ARNs of the parameters of a configuration path: the path and below. */
export function configParameterArns(scope: Construct, parameterPath: string): string[] {
  return [parameterArn(scope, parameterPath, ''), parameterArn(scope, parameterPath, '/*')];
}

function parameterArn(scope: Construct, parameterPath: string, suffix: string): string {
  return Stack.of(scope).formatArn({
    service: 'ssm', resource: 'parameter', resourceName: `${parameterPath.slice(1)}${suffix}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** The stable endpoint: the listeners and the optional alias name. */
export interface PairStableEndpoint {
  readonly tcpListener: elbv2.NetworkListener;
  readonly udpListener?: elbv2.NetworkListener;
  readonly record?: route53.ARecord;
}

/** The stable listeners, forwarding to the primary (the runbooks switch them), and the alias name if `zone` and `recordName` are given. */
export function createStableEndpoint(scope: Construct, props: WarmStandbyPairProps, loadBalancer: elbv2.NetworkLoadBalancer,
  primary: StandbyServer): PairStableEndpoint {
  const tcpListener = loadBalancer.addListener('TcpListener', {
    port: props.tcpPort, protocol: elbv2.Protocol.TCP, defaultTargetGroups: [primary.tcpTargetGroup],
  });
  const udpListener = props.udpPort === undefined ? undefined : loadBalancer.addListener('UdpListener', {
    port: props.udpPort, protocol: elbv2.Protocol.UDP, defaultTargetGroups: [primary.udpTargetGroup!],
  });
  const record = props.zone && props.recordName
    ? new route53.ARecord(scope, 'StableName', {
      zone: props.zone,
      recordName: props.recordName,
      target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(loadBalancer)),
      comment: `${scope.node.path}: stable name of the warm standby pair`,
    })
    : undefined;
  return { tcpListener, udpListener, record };
}

/** cdk-nag's id of the IAM5 finding for `<parameter path>/*` in this stack. */
function nagParameterWildcard(scope: Construct, parameterPath: string): string {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:${account}:parameter${parameterPath}/*]`;
}

/** The peer of a CIDR block: IPv6 when it has a colon, else IPv4 (tokens included). */
function peerOf(cidr: string): ec2.IPeer {
  return !Token.isUnresolved(cidr) && cidr.includes(':') ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr);
}
