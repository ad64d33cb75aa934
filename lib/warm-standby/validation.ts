import { isIPv4, isIPv6 } from 'net';
import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import {
  isContainerImage, isVpc, requireDefined, requireDurationBetween, requireFargateSize, requireInteger, requireRecordName, requireSubnets, requireUnique,
} from '../core/validation';
import type { WarmStandbyPairProps } from './warm-standby-pair-props';

const PARAMETER_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;
/** Inbound rules of a security group, by default (Amazon VPC quotas). */
const SECURITY_GROUP_INBOUND_RULES = 60;

export function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** Whether `cidr` is an IPv4 or IPv6 address with a prefix length (`203.0.113.0/24`, `2001:db8::/32`). */
export function isCidrBlock(cidr: string): boolean {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!match) return false;
  const prefix = Number(match[2]);
  if (isIPv4(match[1])) return prefix <= 32;
  if (isIPv6(match[1])) return prefix <= 128;
  return false;
}

export function validateClientCidrs(scope: Construct, props: WarmStandbyPairProps): void {
  const cidrs = props.clientCidrs as unknown;
  if (cidrs === undefined) return;
  const example = "e.g. ['10.0.0.0/16', '192.0.2.0/24']";
  if (!Array.isArray(cidrs)) {
    throw new HaValidationError(scope, { prop: 'clientCidrs', received: cidrs, expected: `a list of IPv4 or IPv6 CIDR blocks, ${example}` });
  }
  if (cidrs.length === 0) {
    throw new HaValidationError(scope, {
      prop: 'clientCidrs',
      received: cidrs,
      expected: `at least one CIDR block of the clients, ${example}; omit the prop to admit the VPC CIDR (internal) or any IPv4 client (internet-facing)`,
    });
  }
  cidrs.forEach((cidr: unknown, i) => {
    if (typeof cidr === 'string' && (Token.isUnresolved(cidr) || isCidrBlock(cidr))) return;
    const isObject = typeof cidr === 'object' && cidr !== null;
    throw new HaValidationError(scope, {
      prop: `clientCidrs[${i}]`,
      received: isObject ? `a ${cidr.constructor?.name ?? 'Object'} object` : cidr,
      expected: 'an IPv4 or IPv6 CIDR block with its prefix length, as a string, e.g. 192.0.2.0/24 or 2001:db8::/32',
    });
  });
  requireUnique(scope, 'clientCidrs', cidrs as string[], c => c, 'CIDR block');
  const perBlock = props.udpPort === undefined ? 1 : 2;
  if (cidrs.length * perBlock + 1 > SECURITY_GROUP_INBOUND_RULES) {
    throw new HaValidationError(scope, {
      prop: 'clientCidrs',
      received: `${cidrs.length} CIDR blocks`,
      expected: `at most ${Math.floor((SECURITY_GROUP_INBOUND_RULES - 1) / perBlock)} blocks: the servers' security group holds ` +
        `${SECURITY_GROUP_INBOUND_RULES} inbound rules by default (one per block and port, plus the VPC CIDR); merge blocks into wider ones`,
    });
  }
}

export function defaultParameterPath(scope: Construct): string {
  return '/' + scope.node.path.split('/').map(s => s.replace(/[^A-Za-z0-9_.-]/g, '-')).join('/');
}

/**
 * Checks the props (in this order: the VPC and image, the ports, the client
 * blocks, the health check, the names, the size and subnets, the zones) and
 * returns the servers' availability zones.
 */
export function validateProps(scope: Construct, props: WarmStandbyPairProps): { primary: string; secondary: string } {
  requireDefined(scope, 'vpc', props.vpc, 'the VPC of both servers and the load balancer, across at least two availability zones', isVpc);
  requireDefined(scope, 'image', props.image, 'the server\'s container image, e.g. ContainerImage.fromRegistry(...)', isContainerImage);
  validatePorts(scope, props);
  validateClientCidrs(scope, props);
  requireDurationBetween(scope, 'healthCheckInterval', props.healthCheckInterval, Duration.seconds(5), Duration.seconds(300));
  requireInteger(scope, 'unhealthyThresholdCount', props.unhealthyThresholdCount, 2, 10);
  validateNames(scope, props);
  requireFargateSize(scope, 'cpu', 'memoryLimitMiB', props.cpu ?? 512, props.memoryLimitMiB ?? 1024);
  requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS,
    props.internetFacing ? 'both servers run in them' : 'both servers and the internal load balancer live in them');
  if (props.internetFacing) {
    requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PUBLIC, 'the internet-facing load balancer lives in them');
  }
  const zones = serverZones(scope, props);
  if (props.internetFacing && props.clientCidrs === undefined) {
    addHaWarning(scope, 'warm-standby-internet-facing',
      `${scope.node.path}: the load balancer is internet-facing and the server ports admit any IPv4 client; restrict them with clientCidrs.`);
  }
  return zones;
}

/** The TCP and UDP ports (distinct) and the direct port offset (the secondary's direct ports stay at or below 65535). */
function validatePorts(scope: Construct, props: WarmStandbyPairProps): void {
  requireDefined(scope, 'tcpPort', props.tcpPort, 'the TCP port the server listens on (1 to 65535)');
  requireInteger(scope, 'tcpPort', props.tcpPort, 1, 65535);
  requireInteger(scope, 'udpPort', props.udpPort, 1, 65535);
  const offset = props.directPortOffset ?? 10000;
  requireInteger(scope, 'directPortOffset', offset, 1, 32767);
  if (props.udpPort !== undefined && props.udpPort === props.tcpPort && !Token.isUnresolved(props.tcpPort)) {
    throw new HaValidationError(scope, {
      prop: 'udpPort',
      received: props.udpPort,
      expected: `a port other than tcpPort (${props.tcpPort}): a Network Load Balancer cannot have a TCP and a UDP listener on one port`,
    });
  }
  for (const [prop, port] of [['tcpPort', props.tcpPort], ['udpPort', props.udpPort]] as const) {
    if (port === undefined || Token.isUnresolved(port) || Token.isUnresolved(offset)) continue;
    if (port + 2 * offset > 65535) {
      throw new HaValidationError(scope, {
        prop: 'directPortOffset',
        received: offset,
        expected: `an offset that keeps the secondary's direct port (${prop} ${port} + 2 x ${offset} = ${port + 2 * offset}) at or below 65535`,
      });
    }
  }
}

/** The stable name (zone and recordName together), the configuration path and the dashboard name. */
function validateNames(scope: Construct, props: WarmStandbyPairProps): void {
  if ((props.zone === undefined) !== (props.recordName === undefined)) {
    throw new HaValidationError(scope, {
      prop: props.zone ? 'recordName' : 'zone',
      received: undefined,
      expected: 'zone and recordName together (the stable name needs both), or neither',
    });
  }
  if (props.configParameterPath !== undefined && !Token.isUnresolved(props.configParameterPath) && !PARAMETER_PATH.test(props.configParameterPath)) {
    throw new HaValidationError(scope, {
      prop: 'configParameterPath',
      received: props.configParameterPath,
      expected: 'a Parameter Store path such as /suite/gateway: starts with /, letters, digits, _ . - between slashes, no trailing slash',
    });
  }

  requireRecordName(scope, 'recordName', props.recordName);
  const dashboardName = props.statusDashboardName;
  if (dashboardName !== undefined && !Token.isUnresolved(dashboardName) && !/^[A-Za-z0-9_-]{1,255}$/.test(dashboardName)) {
    throw new HaValidationError(scope, { prop: 'statusDashboardName', received: dashboardName, expected: 'a CloudWatch dashboard name: 1 to 255 letters, digits, hyphens and underscores' });
  }
}

/** The servers' availability zones (by default the VPC's first two): two different zones of the VPC. */
function serverZones(scope: Construct, props: WarmStandbyPairProps): { primary: string; secondary: string } {
  const vpcZones = props.vpc.availabilityZones;
  const primary = props.primaryAvailabilityZone ?? vpcZones[0];
  const secondary = props.secondaryAvailabilityZone ?? vpcZones[1];
  if (primary === undefined || secondary === undefined) {
    throw new HaValidationError(scope, {
      prop: 'vpc',
      received: `a VPC with ${vpcZones.length} availability zone(s)`,
      expected: 'a VPC with at least two availability zones: the two servers must not share a zone',
    });
  }
  for (const [prop, zone] of [['primaryAvailabilityZone', primary], ['secondaryAvailabilityZone', secondary]] as const) {
    if (!Token.isUnresolved(zone) && !vpcZones.some(z => Token.isUnresolved(z)) && !vpcZones.includes(zone)) {
      throw new HaValidationError(scope, { prop, received: zone, expected: `one of the VPC's availability zones (${vpcZones.join(', ')})` });
    }
  }
  if (!Token.isUnresolved(primary) && !Token.isUnresolved(secondary) && primary === secondary) {
    throw new HaValidationError(scope, {
      prop: 'secondaryAvailabilityZone',
      received: secondary,
      expected: `an availability zone other than the primary's (${primary}): a pair in one zone fails with the zone`,
    });
  }
  return { primary, secondary };
}
