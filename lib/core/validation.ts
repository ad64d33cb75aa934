import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { HaValidationError } from './errors';

/** Throws unless `value` is an integer within [min, max]; tokens and `undefined` (not given) pass. */
export function requireInteger(scope: IConstruct, prop: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new HaValidationError(scope, { prop, received: value, expected: range });
  }
}

/**
 * Throws unless `value` is a `Duration` within [min, max]; unresolved
 * durations and `undefined` (not given) pass.
 */
export function requireDurationBetween(scope: IConstruct, prop: string, value: Duration | undefined, min: Duration, max?: Duration): void {
  if (value === undefined) return;
  const range = max
    ? `a duration from ${min.toHumanString()} to ${max.toHumanString()}`
    : `a duration of at least ${min.toHumanString()}`;
  if (!isDuration(value)) {
    throw new HaValidationError(scope, { prop, received: value, expected: `a Duration such as Duration.seconds(${min.toSeconds() || 1}): ${range}` });
  }
  if (value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms < min.toMilliseconds() || (max && ms > max.toMilliseconds())) {
    throw new HaValidationError(scope, { prop, received: value, expected: range });
  }
}

/** Whether `value` is an aws-cdk-lib `Duration` (by shape: a JavaScript caller can pass a number of seconds). */
export function isDuration(value: unknown): value is Duration {
  return typeof (value as Duration | undefined)?.toMilliseconds === 'function' && typeof (value as Duration).isUnresolved === 'function';
}

/** Whether `value` is an `ecs.ContainerImage` (by what ECS calls on it). */
export function isContainerImage(value: unknown): boolean {
  return typeof (value as { bind?: unknown } | undefined)?.bind === 'function';
}

/** Whether `value` is an `ec2.IVpc` (by what the patterns call on it). */
export function isVpc(value: unknown): boolean {
  return typeof (value as { selectSubnets?: unknown } | undefined)?.selectSubnets === 'function';
}

/** Whether `value` is a `route53.IHostedZone` (an imported zone's name may throw when read, so only its id is looked at). */
export function isHostedZone(value: unknown): boolean {
  return typeof (value as { hostedZoneId?: unknown } | undefined)?.hostedZoneId === 'string';
}

/** Whether `value` is an `ecs.ICluster` (it has a VPC and an ARN). */
export function isCluster(value: unknown): boolean {
  const cluster = value as { vpc?: unknown; clusterArn?: unknown } | undefined;
  return isVpc(cluster?.vpc) && typeof cluster?.clusterArn === 'string';
}

/** Whether `value` is a `Stack`. */
export function isStack(value: unknown): boolean {
  return Stack.isStack(value);
}

/** Throws when a list has duplicates (by key); names the duplicate. */
export function requireUnique<T>(scope: IConstruct, prop: string, items: readonly T[], key: (item: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (Token.isUnresolved(k)) continue;
    if (seen.has(k)) {
      throw new HaValidationError(scope, { prop, received: k, expected: `each ${what} at most once (it appears twice)` });
    }
    seen.add(k);
  }
}

/** Seconds of a duration that must be resolved. */
export function seconds(d: Duration): number {
  return d.toSeconds();
}

/**
 * Throws when a required prop is missing (a JavaScript caller, or a cast, can
 * omit it) or, given `is`, is not what it must be (`isContainerImage`,
 * `isVpc`, `isHostedZone`, `isStack`, `Array.isArray`).
 */
export function requireDefined<T>(scope: IConstruct, prop: string, value: T | undefined | null, expected: string, is?: (value: unknown) => boolean): T {
  if (value === undefined || value === null || (is && !is(value))) {
    throw new HaValidationError(scope, { prop, received: value ?? undefined, expected });
  }
  return value;
}

/** Throws unless a health-check path is a string starting with `/`; tokens and `undefined` pass. */
export function requireHealthCheckPath(scope: IConstruct, prop: string, path: string | undefined): void {
  if (path === undefined || path === null || Token.isUnresolved(path)) return;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new HaValidationError(scope, { prop, received: path, expected: `a path starting with "/", e.g. "/${typeof path === 'string' ? path : 'health'}"` });
  }
}

/** Throws unless a string that must be known at synthesis is a literal, not a token. */
export function requireLiteral(scope: IConstruct, prop: string, value: string, expected: string): void {
  if (Token.isUnresolved(value)) {
    throw new HaValidationError(scope, { prop, received: value, expected: `a literal ${expected} (a token is resolved only at deployment, too late for this pattern)` });
  }
}

const KNOWN_REGIONS = new Set(RegionInfo.regions.map(r => r.name));

/**
 * Throws unless `region` is a literal AWS region name that aws-cdk-lib's
 * region facts know.
 */
export function requireRegion(scope: IConstruct, prop: string, region: string | undefined): void {
  requireDefined(scope, prop, region, 'an AWS region name such as eu-west-1');
  requireLiteral(scope, prop, region!, 'region name such as eu-west-1 (give the stack an explicit env)');
  if (!KNOWN_REGIONS.has(region!)) {
    throw new HaValidationError(scope, { prop, received: region, expected: 'an AWS region name such as eu-west-1 (one aws-cdk-lib\'s region facts know)' });
  }
}

/** The region of `scope`'s stack, which must be explicit and known. */
export function requireStackRegion(scope: IConstruct, prop: string, of: IConstruct): string {
  requireDefined(scope, prop, of, 'a stack with an explicit region (env: { account, region })', Construct.isConstruct);
  const region = Stack.of(of).region;
  if (Token.isUnresolved(region)) {
    throw new HaValidationError(scope, { prop, received: '<environment-agnostic stack>', expected: 'a stack with an explicit region (env: { account, region })' });
  }
  requireRegion(scope, prop, region);
  return region;
}

/** Throws unless a 12-digit account id (or a token). */
export function requireAccount(scope: IConstruct, prop: string, account: string | undefined): void {
  requireDefined(scope, prop, account, 'a 12-digit AWS account id');
  if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account!)) {
    throw new HaValidationError(scope, { prop, received: account, expected: 'a 12-digit AWS account id' });
  }
}

/** The `ec2.SubnetType` member of each subnet group, as users write it. */
const SUBNET_TYPE_NAMES: Record<string, string> = {
  [ec2.SubnetType.PUBLIC]: 'PUBLIC',
  [ec2.SubnetType.PRIVATE_WITH_EGRESS]: 'PRIVATE_WITH_EGRESS',
  [ec2.SubnetType.PRIVATE_ISOLATED]: 'PRIVATE_ISOLATED',
};

/**
 * Throws unless the VPC has subnets of `subnetType` (checked on VPCs whose
 * subnets are known at synthesis). aws-cdk-lib would otherwise fail deep
 * inside a subnet selection, naming neither the pattern nor the prop.
 */
export function requireSubnets(scope: IConstruct, prop: string, vpc: ec2.IVpc, subnetType: ec2.SubnetType, why: string): void {
  requireDefined(scope, prop, vpc, 'an ec2.IVpc, e.g. new ec2.Vpc(...) or ec2.Vpc.fromLookup(...)', isVpc);
  const groups: Record<string, ec2.ISubnet[]> = {
    [ec2.SubnetType.PUBLIC]: vpc.publicSubnets,
    [ec2.SubnetType.PRIVATE_WITH_EGRESS]: vpc.privateSubnets,
    [ec2.SubnetType.PRIVATE_ISOLATED]: vpc.isolatedSubnets,
  };
  const subnets = groups[subnetType];
  if (subnets !== undefined && subnets.length === 0) {
    const name = SUBNET_TYPE_NAMES[subnetType] ?? subnetType;
    throw new HaValidationError(scope, {
      prop, received: `a VPC without ${name} subnets`,
      expected: `a VPC with SubnetType.${name} subnets in at least two zones (add them to its subnetConfiguration): ${why}`,
    });
  }
}

/**
 * Throws unless `vpc` is in `region` (the region of the site that uses it):
 * a VPC of another region's stack, or imported with another `region`, fails
 * the deployment. Unknown regions (tokens) pass.
 */
export function requireVpcInRegion(scope: IConstruct, prop: string, vpc: ec2.IVpc | undefined, region: string, site: string): void {
  if (vpc === undefined || Token.isUnresolved(region)) return;
  const vpcRegion = Token.isUnresolved(vpc.env?.region) ? Stack.of(vpc).region : vpc.env.region;
  if (Token.isUnresolved(vpcRegion) || vpcRegion === region) return;
  throw new HaValidationError(scope, {
    prop, received: `${vpc.node.path}, a VPC in ${vpcRegion}`,
    expected: `a VPC in ${region}, the region of ${site}: a site's resources deploy with its stack, and a VPC of another region is not there`,
  });
}

/** A label of a DNS name: letters, digits, hyphens and underscores, no hyphen at either end, 1 to 63 characters. */
const DNS_LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/**
 * Throws unless `name` is a record name Route 53 accepts, relative to the
 * zone (`agents`, `agents.eu-west-1`) or fully qualified with a trailing dot;
 * tokens pass.
 */
export function requireRecordName(scope: IConstruct, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const labels = (typeof name === 'string' ? name.replace(/\.$/, '') : '').split('.');
  if (typeof name !== 'string' || name.length > 253 || !labels.every(l => DNS_LABEL.test(l))) {
    throw new HaValidationError(scope, {
      prop, received: name,
      expected: 'a DNS name relative to the zone, such as "agents": labels of letters, digits and hyphens (1 to 63 characters, ' +
        'no hyphen at either end) separated by dots',
    });
  }
}

/**
 * Throws unless `value` is a literal (an identifier other stacks or regions
 * name must be known at synthesis) that matches `pattern`; `what` names the
 * identifier and `rule` says in words what AWS accepts.
 */
export function requireIdentifier(scope: IConstruct, prop: string, value: string | undefined, what: string, pattern: RegExp, rule: string): void {
  if (value === undefined) return;
  requireLiteral(scope, prop, value, what);
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new HaValidationError(scope, { prop, received: value, expected: `a ${what} AWS accepts: ${rule}` });
  }
}

/** Throws unless `value` is one of the values of `enumObject` (a JavaScript caller can pass anything). */
export function requireEnumValue<T extends Record<string, string>>(scope: IConstruct, prop: string, value: string | undefined, enumObject: T, enumName: string): void {
  if (value === undefined) return;
  const values = Object.values(enumObject);
  if (!values.includes(value)) {
    throw new HaValidationError(scope, {
      prop, received: value,
      expected: `one of ${Object.keys(enumObject).map(k => `${enumName}.${k}`).join(', ')}`,
    });
  }
}

/** Fargate's valid CPU units and memory sizes (MiB) for each. */
const FARGATE_SIZES: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** Throws unless cpu/memory is a pair Fargate supports. */
export function requireFargateSize(scope: IConstruct, cpuProp: string, memoryProp: string, cpu: number, memoryLimitMiB: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memoryLimitMiB)) return;
  const memories = FARGATE_SIZES[cpu];
  if (!memories) {
    throw new HaValidationError(scope, { prop: cpuProp, received: cpu, expected: `one of Fargate's CPU sizes: ${Object.keys(FARGATE_SIZES).join(', ')}` });
  }
  if (!memories.includes(memoryLimitMiB)) {
    throw new HaValidationError(scope, {
      prop: memoryProp, received: memoryLimitMiB,
      expected: `a memory size Fargate supports with ${cpu} CPU units: ${memories[0]} to ${memories[memories.length - 1]} MiB ` +
        `in steps of ${memories.length > 1 ? memories[1] - memories[0] : memories[0]} MiB`,
    });
  }
}

/** Throws unless a Route 53 health-check interval: 10 s (fast) or 30 s. */
export function requireRoute53Interval(scope: IConstruct, prop: string, interval: Duration | undefined): void {
  if (interval === undefined || interval === null) return;
  if (!isDuration(interval) || (!interval.isUnresolved() && ![10, 30].includes(interval.toSeconds()))) {
    throw new HaValidationError(scope, { prop, received: interval, expected: '10 seconds (fast) or 30 seconds, the intervals Route 53 supports' });
  }
}
