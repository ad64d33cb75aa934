import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { RegionFailoverRunner } from '../core/region-failover';
import {
  isContainerImage, isHostedZone, isStack, requireAccount, requireDefined, requireDurationBetween, requireEnumValue, requireFargateSize,
  requireHealthCheckPath, requireInteger, requireLiteral, requireRecordName, requireRoute53Interval, requireStackRegion, requireSubnets, requireUnique, requireVpcInRegion,
} from '../core/validation';
import { DnsRoutingPolicy, ROUTE53_METRICS_REGION } from '../latency-dns/latency-dns';
import type { ActiveSpareWebTierProps } from './active-spare-web-tier-props';
import { DEFAULT_HELPER_PATH_PREFIX, requireHelperPathPrefix } from './helper-path';
import { SpareMode } from './spare-mode';

/** Checks the props; returns the primary region (the tier's own stack's). */
export function validateActiveSpareWebTierProps(scope: Construct, props: ActiveSpareWebTierProps): string {
  requireDefined(scope, 'image', props.image, 'the container image, e.g. ContainerImage.fromRegistry(...)', isContainerImage);
  requireDefined(scope, 'zone', props.zone, 'the hosted zone of the names, e.g. HostedZone.fromHostedZoneAttributes(...)', isHostedZone);
  requireDefined(scope, 'spares', props.spares, 'at least one spare: an array of { stack } of stacks in other regions', Array.isArray);
  requireEnumValue(scope, 'spareMode', props.spareMode, SpareMode, 'SpareMode');
  requireEnumValue(scope, 'failoverRunner', props.failoverRunner, RegionFailoverRunner, 'RegionFailoverRunner');
  requireEnumValue(scope, 'routingPolicy', props.routingPolicy, DnsRoutingPolicy, 'DnsRoutingPolicy');
  requireDefined(scope, 'activeCapacity', props.activeCapacity, 'N, the tasks that carry the full load (an integer from 1 to 98)');
  requireDefined(scope, 'recordName', props.recordName, 'the common name relative to the zone, e.g. "agents"');
  requireRecordName(scope, 'recordName', props.recordName);
  const primaryRegion = requireStackRegion(scope, 'scope', scope);
  const account = Stack.of(scope).account;
  requireLiteral(scope, 'scope', account, 'account in the env of the tier\'s stack');
  requireAccount(scope, 'scope', account);
  props.spares.forEach((spare, i) => requireDefined(scope, `spares[${i}].stack`, spare?.stack, 'the stack of the spare\'s region (an explicit env)', isStack));
  if (props.spares.length === 0) {
    throw new HaValidationError(scope, { prop: 'spares', received: [], expected: 'at least one spare: an active-spare tier needs a second region' });
  }
  props.spares.forEach((spare, i) => {
    const region = requireStackRegion(scope, `spares[${i}].stack`, spare.stack);
    if (region === primaryRegion) {
      throw new HaValidationError(scope, { prop: `spares[${i}].stack`, received: region, expected: `a stack in another region than the primary (${primaryRegion}, the tier's own stack)` });
    }
    if (spare.stack.account !== account) {
      throw new HaValidationError(scope, { prop: `spares[${i}].stack`, received: spare.stack.account, expected: `a stack in the tier's account (${account})` });
    }
  });
  requireUnique(scope, 'spares[].stack', props.spares, s => s.stack.region, 'region');
  const regions = [primaryRegion, ...props.spares.map(s => s.stack.region)];
  if (props.dnsStack !== undefined) {
    const dnsRegion = requireStackRegion(scope, 'dnsStack', props.dnsStack);
    if (dnsRegion !== ROUTE53_METRICS_REGION) {
      throw new HaValidationError(scope, { prop: 'dnsStack', received: dnsRegion, expected: `a stack in ${ROUTE53_METRICS_REGION}, where Route 53 publishes health-check metrics` });
    }
  } else if (!regions.includes(ROUTE53_METRICS_REGION)) {
    throw new HaValidationError(scope, {
      prop: 'dnsStack', received: undefined,
      expected: `a stack in ${ROUTE53_METRICS_REGION} for the health-check alarms (no site is there: Route 53 publishes health-check metrics in ${ROUTE53_METRICS_REGION} only)`,
    });
  }
  if ((props.routingPolicy ?? DnsRoutingPolicy.FAILOVER) === DnsRoutingPolicy.FAILOVER && props.spares.length > 1) {
    throw new HaValidationError(scope, {
      prop: 'spares',
      received: `${props.spares.length} spares`,
      expected: 'one spare with DnsRoutingPolicy.FAILOVER (Route 53 failover has one PRIMARY and one SECONDARY); use LATENCY routing for more sites',
    });
  }
  requireRoute53Interval(scope, 'healthCheckInterval', props.healthCheckInterval);
  requireInteger(scope, 'activeCapacity', props.activeCapacity, 1, 98);
  if (props.warmCapacity !== undefined && (props.spareMode ?? SpareMode.WARM) !== SpareMode.WARM) {
    throw new HaValidationError(scope, { prop: 'warmCapacity', received: props.warmCapacity, expected: 'no warmCapacity unless spareMode is SpareMode.WARM' });
  }
  requireInteger(scope, 'warmCapacity', props.warmCapacity, 1, props.activeCapacity);
  requireInteger(scope, 'failureThreshold', props.failureThreshold, 1, 10);
  requireInteger(scope, 'containerPort', props.containerPort, 1, 65535);
  requireFargateSize(scope, 'cpu', 'memoryLimitMiB', props.cpu ?? 512, props.memoryLimitMiB ?? 1024);
  requireDurationBetween(scope, 'targetHealthCheckInterval', props.targetHealthCheckInterval, Duration.seconds(5), Duration.seconds(300));
  requireDurationBetween(scope, 'stickinessDuration', props.stickinessDuration, Duration.seconds(0), Duration.days(7));
  requireDurationBetween(scope, 'recordTtl', props.recordTtl, Duration.seconds(0), Duration.seconds(60));
  const vpcs: Array<[string, ec2.IVpc | undefined]> = [['vpc', props.vpc], ...props.spares.map((s, i): [string, ec2.IVpc | undefined] => [`spares[${i}].vpc`, s.vpc])];
  vpcs.forEach(([prop, vpc], i) => requireVpcInRegion(scope, prop, vpc, regions[i], i === 0 ? 'the primary site (the tier\'s own stack)' : `the spare site of spares[${i - 1}].stack`));
  for (const [prop, vpc] of vpcs) {
    if (vpc === undefined) continue;
    requireSubnets(scope, prop, vpc, ec2.SubnetType.PUBLIC, 'the site\'s internet-facing load balancer lives in them');
    requireSubnets(scope, prop, vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 'the site\'s tasks run in them and pull their image through NAT');
  }
  requireHealthCheckPath(scope, 'healthCheckPath', props.healthCheckPath);
  if (props.browserFailover?.serveHelper !== false) {
    const prefix = props.browserFailover?.helperPathPrefix ?? DEFAULT_HELPER_PATH_PREFIX;
    requireHelperPathPrefix(scope, 'browserFailover.helperPathPrefix', prefix);
    const health = props.healthCheckPath ?? '/health';
    if (!Token.isUnresolved(health) && !Token.isUnresolved(prefix) && (health === prefix || health.startsWith(`${prefix}/`))) {
      throw new HaValidationError(scope, {
        prop: 'browserFailover.helperPathPrefix',
        received: prefix,
        expected: `a prefix the health path (${health}) is not under: the load balancer would send health checks to the helper's function`,
      });
    }
  } else if (props.browserFailover?.helperPathPrefix !== undefined) {
    throw new HaValidationError(scope, {
      prop: 'browserFailover.helperPathPrefix',
      received: props.browserFailover.helperPathPrefix,
      expected: 'no helperPathPrefix when serveHelper is false (nothing is served)',
    });
  }
  return primaryRegion;
}
