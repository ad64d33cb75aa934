import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import {
  isDuration, isHostedZone, requireDefined, requireDurationBetween, requireEnumValue, requireHealthCheckPath, requireInteger, requireRecordName, requireRegion,
  requireRoute53Interval, requireUnique,
} from '../core/validation';
import { ROUTE53_METRICS_REGION } from '../private/route53-metrics';
import { DnsRoutingPolicy, HealthCheckProtocol, LatencyDnsProps } from './latency-dns-props';

/** The longest TTL of a health-checked record. */
const MAX_TTL = Duration.seconds(60);

/** Checks the props of a `LatencyDns`, in the order its tests expect the first error. */
export function validateLatencyDnsProps(scope: Construct, props: LatencyDnsProps): void {
  requireDefined(scope, 'zone', props.zone, 'the hosted zone of the names, e.g. HostedZone.fromHostedZoneAttributes(...)', isHostedZone);
  requireDefined(scope, 'recordName', props.recordName, 'the common name relative to the zone, e.g. "agents"');
  requireDefined(scope, 'sites', props.sites, 'at least one site: an array of { region, target }', Array.isArray);
  requireRecordName(scope, 'recordName', props.recordName);
  requireEnumValue(scope, 'routingPolicy', props.routingPolicy, DnsRoutingPolicy, 'DnsRoutingPolicy');
  requireEnumValue(scope, 'healthCheckProtocol', props.healthCheckProtocol, HealthCheckProtocol, 'HealthCheckProtocol');
  if (props.sites.length === 0) {
    throw new HaValidationError(scope, { prop: 'sites', received: [], expected: 'at least one site' });
  }
  props.sites.forEach((site, i) => {
    requireDefined(scope, `sites[${i}]`, site, 'a site: { region, target }');
    requireRegion(scope, `sites[${i}].region`, site.region);
    if ((site.target === undefined) === (site.siteRecord === undefined)) {
      throw new HaValidationError(scope, {
        prop: `sites[${i}].target`,
        received: site.target === undefined ? 'neither target nor siteRecord' : 'both target and siteRecord',
        expected: 'one of them: siteRecord, a SiteRecord created in the site\'s own stack (no cross-region reference), ' +
          'or target, e.g. RecordTarget.fromAlias(new LoadBalancerTarget(alb)), for a record created here',
      });
    }
    if (site.siteRecord !== undefined && site.siteRecordName !== undefined) {
      throw new HaValidationError(scope, {
        prop: `sites[${i}].siteRecordName`, received: site.siteRecordName,
        expected: 'no siteRecordName with siteRecord: the site\'s name is the SiteRecord\'s',
      });
    }
    if (site.siteRecord !== undefined && !Token.isUnresolved(site.siteRecord.region) && !Token.isUnresolved(site.region) && site.siteRecord.region !== site.region) {
      throw new HaValidationError(scope, {
        prop: `sites[${i}].siteRecord`, received: `a SiteRecord in a stack in ${site.siteRecord.region}`,
        expected: `the SiteRecord of the ${site.region} site, declared in that region's stack beside its load balancer`,
      });
    }
    requireHealthCheckPath(scope, `sites[${i}].healthCheckPath`, site.healthCheckPath);
    requireInteger(scope, `sites[${i}].port`, site.port, 1, 65535);
    requireRecordName(scope, `sites[${i}].siteRecordName`, site.siteRecordName);
  });
  requireUnique(scope, 'sites[].region', props.sites, s => s.region, 'region');
  if (props.routingPolicy === DnsRoutingPolicy.FAILOVER && props.sites.length !== 2) {
    throw new HaValidationError(scope, {
      prop: 'sites',
      received: `${props.sites.length} site(s)`,
      expected: 'exactly two sites with DnsRoutingPolicy.FAILOVER (the first PRIMARY, the second SECONDARY)',
    });
  }
  requireRoute53Interval(scope, 'healthCheckInterval', props.healthCheckInterval);
  requireInteger(scope, 'failureThreshold', props.failureThreshold, 1, 10);
  if (isDuration(props.recordTtl) && !props.recordTtl.isUnresolved() && props.recordTtl.toSeconds() > MAX_TTL.toSeconds()) {
    throw new HaValidationError(scope, {
      prop: 'recordTtl',
      received: props.recordTtl,
      expected: 'at most 60 seconds on a health-checked record: a longer TTL keeps clients on a failed site after Route 53 has dropped it',
    });
  }
  requireDurationBetween(scope, 'recordTtl', props.recordTtl, Duration.seconds(0), MAX_TTL);
}

/**
 * Requires the construct's stack to be in us-east-1, where Route 53 publishes
 * health-check metrics (an alarm must be in its metric's region); warns when
 * the stack has no explicit region.
 */
export function requireMetricsRegion(scope: Construct): void {
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) {
    addHaWarning(scope, 'latency-dns-region-unknown',
      `the stack of ${scope.node.path} has no explicit region; its health-check alarms only work in ${ROUTE53_METRICS_REGION}, where Route 53 publishes their metrics.`);
  } else if (region !== ROUTE53_METRICS_REGION) {
    throw new HaValidationError(scope, {
      prop: 'scope',
      received: `a stack in ${region}`,
      expected: `a stack in ${ROUTE53_METRICS_REGION}: Route 53 publishes health-check metrics only there and an alarm must be in its metric's region ` +
        '(records and health checks are global, so put the LatencyDns in a small us-east-1 stack)',
    });
  }
}
