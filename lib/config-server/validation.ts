import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { RegionFailoverRunner } from '../core/region-failover';
import {
  isContainerImage, isHostedZone, isStack, isVpc, requireDefined, requireDurationBetween, requireEnumValue, requireHealthCheckPath, requireIdentifier, requireInteger,
  requireRecordName, requireStackRegion, requireSubnets, requireUnique,
} from '../core/validation';
import type { ColdStandbyConfigServerProps, ConfigServerSite } from './cold-standby-config-server-props';
import { cidrsOverlap, knownCidr } from './site-network';

/** The props every region needs, present (a JavaScript caller can omit them). */
export function requirePlacements(scope: Construct, props: ColdStandbyConfigServerProps): void {
  requireDefined(scope, 'vpc', props.vpc, 'the primary region\'s VPC, with private subnets with egress for the tasks and the load balancer', isVpc);
  requireDefined(scope, 'image', props.image, 'the configuration server\'s container image, e.g. ContainerImage.fromRegistry(...)', isContainerImage);
  requireDefined(scope, 'zone', props.zone, 'the hosted zone of the writer\'s name, e.g. HostedZone.fromHostedZoneAttributes(...)', isHostedZone);
  requireDefined(scope, 'standby', props.standby, 'the cold standby\'s region: { stack, vpc }');
  if (props.proxySites !== undefined) requireDefined(scope, 'proxySites', props.proxySites, 'an array of { stack, vpc }', Array.isArray);
  const sites: Array<[string, ConfigServerSite]> = [['standby', props.standby], ...(props.proxySites ?? []).map((s, i): [string, ConfigServerSite] => [`proxySites[${i}]`, s])];
  for (const [prop, site] of sites) {
    requireDefined(scope, `${prop}.stack`, site?.stack, 'the region\'s stack (an explicit env)', isStack);
    requireDefined(scope, `${prop}.vpc`, site.vpc, 'the region\'s VPC, with private subnets with egress for the tasks and the load balancer', isVpc);
  }
}

export function validate(scope: Construct, props: ColdStandbyConfigServerProps, primary: string, standby: string, extra: ConfigServerSite[]): void {
  requireStackRegion(scope, 'scope', scope);
  requireStackRegion(scope, 'standby.stack', props.standby.stack);
  requireEnumValue(scope, 'failoverRunner', props.failoverRunner, RegionFailoverRunner, 'RegionFailoverRunner');
  extra.forEach((s, i) => requireStackRegion(scope, `proxySites[${i}].stack`, s.stack));
  if (standby === primary) {
    throw new HaValidationError(scope, { prop: 'standby.stack', received: standby, expected: `a stack in another region than the primary (${primary})` });
  }
  extra.forEach((s, i) => {
    const r = s.stack.region;
    if (r === primary || r === standby) {
      throw new HaValidationError(scope, { prop: `proxySites[${i}].stack`, received: r, expected: `a region other than the primary (${primary}) and the standby (${standby}), which have a proxy already` });
    }
  });
  requireUnique(scope, 'proxySites', extra, s => s.stack.region, 'region');
  requireDurationBetween(scope, 'writerRecordTtl', props.writerRecordTtl, Duration.seconds(1), Duration.seconds(60));
  requireDurationBetween(scope, 'replicationLatencyThreshold', props.replicationLatencyThreshold, Duration.seconds(1));
  requireInteger(scope, 'serverCount', props.serverCount, 1, 10);
  requireInteger(scope, 'turnOnDetectionPeriods', props.turnOnDetectionPeriods, 1, 6);
  requireInteger(scope, 'proxyCount', props.proxyCount, 1, 20);
  requireInteger(scope, 'containerPort', props.containerPort, 1, 65535);
  requireHealthCheckPath(scope, 'healthCheckPath', props.healthCheckPath);
  requireRecordName(scope, 'writerRecordName', props.writerRecordName);
  // The other regions' stacks name their replica: the table name must be a literal.
  requireIdentifier(scope, 'tableName', props.tableName, 'DynamoDB table name', /^[A-Za-z0-9_.-]{3,255}$/,
    '3 to 255 letters, digits, underscores, hyphens and dots');
  validateConsistency(scope, props, primary, standby, extra);
  const why = 'the configuration tasks and the internal load balancer live in them';
  requireSubnets(scope, 'vpc', props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, why);
  requireSubnets(scope, 'standby.vpc', props.standby.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, why);
  extra.forEach((s, i) => requireSubnets(scope, `proxySites[${i}].vpc`, s.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, why));
  if (props.database) {
    const db = props.database;
    if (!db.secondary) {
      throw new HaValidationError(scope, { prop: 'database', received: db.node.path, expected: `an HaDatabase with a secondary in the standby region (${standby}); it has no secondary region` });
    }
    const replicaRegions = [Stack.of(db).region, Stack.of(db.secondary).region];
    [standby, ...extra.map(s => s.stack.region)].forEach((r, i) => {
      if (!replicaRegions.includes(r)) {
        throw new HaValidationError(scope, {
          prop: i === 0 ? 'standby.stack' : `proxySites[${i - 1}].stack`, received: r,
          expected: `a region where the database has a replica (${replicaRegions.join(', ')}): a proxy reads its local replica`,
        });
      }
    });
    if (Stack.of(db).region !== primary) {
      throw new HaValidationError(scope, { prop: 'database', received: Stack.of(db).region, expected: `a database whose primary is in the config server's primary region (${primary})` });
    }
  }
  validateSiteNetworks(scope, props, extra);
}

/**
 * The writer's name points at an internal load balancer in one site's VPC, and every other
 * site's proxies and clients reach it there (over VPC peering or a transit gateway): the
 * sites' VPCs need CIDRs that do not overlap, or nothing can route between them.
 */
export function validateSiteNetworks(scope: Construct, props: ColdStandbyConfigServerProps, extra: ConfigServerSite[]): void {
  const sites = [
    { prop: 'vpc', vpc: props.vpc }, { prop: 'standby.vpc', vpc: props.standby.vpc },
    ...extra.map((s, i) => ({ prop: `proxySites[${i}].vpc`, vpc: s.vpc })),
  ].map(s => ({ ...s, cidr: knownCidr(s.vpc) }));
  sites.forEach((site, j) => {
    for (const earlier of sites.slice(0, j)) {
      if (site.cidr && earlier.cidr && cidrsOverlap(site.cidr, earlier.cidr)) {
        throw new HaValidationError(scope, {
          prop: site.prop, received: site.cidr,
          expected: `a VPC whose CIDR does not overlap ${earlier.prop} (${earlier.cidr}): each site's proxies and clients reach the writer in another site's VPC ` +
            'over VPC peering or a transit gateway, which cannot route between overlapping ranges; give each site\'s VPC its own range, e.g. ec2.IpAddresses.cidr(\'10.1.0.0/16\')',
        });
      }
    }
  });
  const unknown = sites.filter(s => !s.cidr).map(s => s.prop);
  if (unknown.length > 0) {
    addHaWarning(scope, 'config-site-cidr-unknown',
      `the CIDR of ${unknown.join(', ')} is not known at synthesis: it cannot be checked for overlap with the other sites, and the other sites' load balancers do not admit it; ` +
      'allow it with site.loadBalancer.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80)) and route it (peering or transit gateway).');
  }
}

/**
 * The region sets within which DynamoDB offers multi-Region strong consistency (all regions of a table in one set),
 * as aws-cdk-lib's TableV2 checks them: checked here first, so the error names this pattern's props.
 */
const MRSC_REGION_SETS: string[][] = [
  ['us-east-1', 'us-east-2', 'us-west-2'],
  ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
];

/**
 * Multi-Region strong consistency (DynamoDB): exactly three regions, the replicas' and a witness's;
 * a witness only with STRONG, in a region with no replica.
 */
function validateConsistency(scope: Construct, props: ColdStandbyConfigServerProps, primary: string, standby: string, extra: ConfigServerSite[]): void {
  requireEnumValue(scope, 'multiRegionConsistency', props.multiRegionConsistency, dynamodb.MultiRegionConsistency, 'dynamodb.MultiRegionConsistency');
  const strong = props.multiRegionConsistency === dynamodb.MultiRegionConsistency.STRONG;
  const replicas = [primary, standby, ...extra.map(s => s.stack.region)];
  const witness = props.witnessRegion;
  if (witness !== undefined && !strong) {
    throw new HaValidationError(scope, {
      prop: 'witnessRegion', received: witness,
      expected: 'no witness region unless multiRegionConsistency is dynamodb.MultiRegionConsistency.STRONG (DynamoDB accepts a witness only for multi-Region strong consistency)',
    });
  }
  if (witness !== undefined && replicas.includes(witness)) {
    throw new HaValidationError(scope, { prop: 'witnessRegion', received: witness, expected: `a region without a replica of the store (the replicas are in ${replicas.join(', ')})` });
  }
  const all = [...replicas, ...(witness === undefined ? [] : [witness])];
  const regions = all.length;
  if (strong && regions !== 3) {
    throw new HaValidationError(scope, {
      prop: 'multiRegionConsistency', received: `STRONG over ${regions} regions (${[...replicas, ...(witness ? [`witness ${witness}`] : [])].join(', ')})`,
      expected: 'exactly three regions for multi-Region strong consistency: the primary and the standby plus one proxy site, or plus witnessRegion',
    });
  }
  const set = MRSC_REGION_SETS.find(r => r.includes(primary));
  const outside = all.filter(r => !Token.isUnresolved(r) && !(set ?? []).includes(r));
  if (strong && outside.length > 0) {
    throw new HaValidationError(scope, {
      prop: 'multiRegionConsistency', received: `STRONG over ${all.join(', ')}`,
      expected: `regions of one region set that offers multi-Region strong consistency (${MRSC_REGION_SETS.map(r => r.join(', ')).join('; ')}): ` +
        `${outside.join(', ')} ${set ? `is not in the primary's set (${set.join(', ')})` : 'is not in any'}; move the standby (or the proxy site, or witnessRegion) or keep eventual consistency`,
    });
  }
}
