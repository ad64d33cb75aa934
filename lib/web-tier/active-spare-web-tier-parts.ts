/** The parts of `ActiveSpareWebTier` that need nothing of the tier but its scope: its sites and its DNS names. */
import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { regionalScope } from '../core/regional-scope';
import { DEFAULT_RECORD_TTL, defaultFailureThreshold } from '../latency-dns/failure-threshold';
import { DnsRoutingPolicy, HealthCheckProtocol, LatencyDns, ROUTE53_METRICS_REGION } from '../latency-dns/latency-dns';
import { SiteRecord } from '../latency-dns/site-record';
import { ActiveSpareWebTierProps } from './active-spare-web-tier-props';
import { SpareMode } from './spare-mode';
import { WebTierSite } from './web-tier-site';

/** What every site of a tier shares, with defaults applied. */
export interface TierSiteSettings {
  /** The path the load balancers, the Route 53 checks and the browser heartbeats request. */
  readonly healthCheckPath: string;
  /** Whether the sites serve HTTPS (with a certificate each). */
  readonly https: boolean;
}

/** Where a tier places one region's part: the scope and, optionally, the VPC there. */
export interface TierPlacement {
  readonly scope: Construct;
  readonly vpc?: ec2.IVpc;
}

/** One region of a tier: its site and the site's own name, both in the site's stack. */
export interface TierSite {
  readonly site: WebTierSite;
  readonly siteRecord: SiteRecord;
}

/** The tasks a spare runs until failover: N+1 (hot), the warm floor, or none (pilot light). */
export function spareTaskCount(spareMode: SpareMode, activeCapacity: number, warmCapacity: number | undefined): number {
  return spareMode === SpareMode.HOT ? activeCapacity + 1 : spareMode === SpareMode.WARM ? (warmCapacity ?? 1) : 0;
}

/** Each region's placement: the primary in the tier itself, each spare under the tier's scope in its stack. */
export function tierPlacements(tier: Construct, props: ActiveSpareWebTierProps): TierPlacement[] {
  return [{ scope: tier, vpc: props.vpc }, ...props.spares.map(s => ({ scope: regionalScope(tier, s.stack), vpc: s.vpc }))];
}

/**
 * The site of `region` under `placement.scope`: its certificate (for the common and the site's
 * name, when HTTPS), the `WebTierSite`, and the site's own name in its own stack, which the DNS
 * stack refers to by its literal name only.
 */
export function createTierSite(placement: TierPlacement, region: string, runningTasks: number,
  props: ActiveSpareWebTierProps, settings: TierSiteSettings): TierSite {
  const { scope, vpc } = placement;
  const zoneName = props.zone.zoneName;
  const certificate = settings.https ? new acm.Certificate(scope, 'Certificate', {
    domainName: `${props.recordName}.${zoneName}`,
    subjectAlternativeNames: [`${siteRecordName(props, region)}.${zoneName}`],
    validation: acm.CertificateValidation.fromDns(props.zone),
  }) : undefined;
  const site = new WebTierSite(scope, 'Site', {
    vpc,
    image: props.image,
    activeCapacity: props.activeCapacity,
    runningTasks,
    certificate,
    containerPort: props.containerPort,
    healthCheckPath: settings.healthCheckPath,
    cpu: props.cpu,
    memoryLimitMiB: props.memoryLimitMiB,
    stickinessDuration: props.stickinessDuration,
    targetHealthCheckInterval: props.targetHealthCheckInterval,
    removalPolicy: props.removalPolicy,
    deletionProtection: props.deletionProtection,
    // The sites' failover alarms get their role and actions from the tier.
  });
  const siteRecord = new SiteRecord(scope, 'SiteRecord', {
    zone: props.zone,
    recordName: siteRecordName(props, region),
    target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(site.loadBalancer, { evaluateTargetHealth: true })),
  });
  return { site, siteRecord };
}

/** The site's own name relative to the zone, e.g. `agents.eu-west-1`. */
function siteRecordName(props: ActiveSpareWebTierProps, region: string): string {
  return `${props.recordName}.${region}`;
}

/**
 * The stack of the DNS part (`dnsStack`, else the site stack in us-east-1, where Route 53
 * publishes health-check metrics) and the stacks the tier uses: the sites', then the DNS stack
 * if it is another one.
 */
export function tierStacks(primaryStack: Stack, props: ActiveSpareWebTierProps, regions: string[]): { dnsStack: Stack; stacks: Stack[] } {
  const siteStacks = [primaryStack, ...props.spares.map(s => s.stack)];
  const dnsStack = props.dnsStack ?? siteStacks[regions.indexOf(ROUTE53_METRICS_REGION)];
  return { dnsStack, stacks: dnsStack && !siteStacks.includes(dnsStack) ? [...siteStacks, dnsStack] : siteStacks };
}

/**
 * The tier's DNS names and health checks (`LatencyDns`) in `dnsStack`: records and health checks are
 * global, their alarms must be in us-east-1. The failure threshold defaults to one that meets the
 * `dns` path's target (`dnsTarget`).
 */
export function createTierDns(tier: Construct, dnsStack: Stack, props: ActiveSpareWebTierProps, regions: string[], siteRecords: SiteRecord[],
  settings: TierSiteSettings, routingPolicy: DnsRoutingPolicy, dnsTarget: Duration | undefined): LatencyDns {
  return new LatencyDns(dnsStack === Stack.of(tier) ? tier : regionalScope(tier, dnsStack), 'Dns', {
    zone: props.zone,
    recordName: props.recordName,
    routingPolicy,
    sites: regions.map((region, i) => ({
      region,
      siteRecord: siteRecords[i],
      healthCheckPath: settings.healthCheckPath,
    })),
    healthCheckProtocol: settings.https ? HealthCheckProtocol.HTTPS : HealthCheckProtocol.HTTP,
    healthCheckInterval: props.healthCheckInterval,
    recordTtl: props.recordTtl,
    failureThreshold: props.failureThreshold ?? defaultFailureThreshold(dnsTarget,
      props.healthCheckInterval ?? Duration.seconds(10), props.recordTtl ?? DEFAULT_RECORD_TTL),
  });
}
