/** The props of `LatencyDns`, its routing policies and its recovery paths (apart from the construct: its validation reads them). */
import { Duration } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { HaPatternProps } from '../core/ha-pattern';
import type { SiteRecord } from './site-record';

/** How the common name chooses between the sites. */
export enum DnsRoutingPolicy {
  /**
   * Latency routing: each client resolves to the healthy site with the
   * lowest latency from where it is (its "local" site).
   */
  LATENCY = 'LATENCY',
  /**
   * Failover routing (active-spare): the first site is PRIMARY, the second
   * SECONDARY; the common name answers with the secondary only while the
   * primary's health check fails. Exactly two sites.
   */
  FAILOVER = 'FAILOVER',
}

/** Ids of the recovery paths of `LatencyDns`. */
export enum LatencyDnsPath {
  /** A site fails: its health check fails and resolvers drop the cached answer. */
  DNS = 'dns',
}

/** Protocol of the Route 53 health checks. */
export enum HealthCheckProtocol {
  /** HTTPS with SNI: the checker sends the site's name, so the certificate must cover it. */
  HTTPS = 'HTTPS',
  /** Plain HTTP (only where the site has no certificate). */
  HTTP = 'HTTP',
}

/** One site (region) behind the common name. */
export interface LatencyDnsSite {
  /** The site's region, e.g. `eu-west-1`: the latency region of its record and its set identifier. */
  readonly region: string;

  /**
   * The site's own name, created in the site's stack beside its load balancer
   * (`new SiteRecord(siteStack, ...)`): the common name refers to it by its
   * literal name, so nothing of the site's region is referenced from the DNS
   * stack (each region can be its own CDK Pipelines stage). Give this or `target`.
   * @default the site record is created here from `target`
   */
  readonly siteRecord?: SiteRecord;

  /**
   * Where the site's own name points, when this construct creates the site's
   * record in its own stack: usually an alias to the site's load balancer,
   * `RecordTarget.fromAlias(new LoadBalancerTarget(alb))`. A target in another
   * region is a cross-region reference (`crossRegionReferences: true`); prefer
   * `siteRecord` then. Give this or `siteRecord`.
   * @default none: `siteRecord` names the site
   */
  readonly target?: route53.RecordTarget;

  /**
   * Path the Route 53 health check requests; must start with `/`.
   * @default '/health'
   */
  readonly healthCheckPath?: string;

  /**
   * The site's own name relative to the zone, for a site record created from
   * `target` (the browser failover helper and operators use it to reach one
   * site directly). With `siteRecord`, the name is that record's.
   * @default `<recordName>.<region>`, e.g. `agents.eu-west-1`
   */
  readonly siteRecordName?: string;

  /**
   * Port the health check connects to.
   * @default 443 for HTTPS, 80 for HTTP
   */
  readonly port?: number;
}

/** Props of `LatencyDns`. */
export interface LatencyDnsProps extends HaPatternProps {
  /** The hosted zone of the names (never looked up). */
  readonly zone: route53.IHostedZone;

  /** The common name, relative to the zone, e.g. `agents`. */
  readonly recordName: string;

  /** The sites behind the common name; each region once. */
  readonly sites: LatencyDnsSite[];

  /**
   * How the common name chooses between the sites.
   * @default DnsRoutingPolicy.LATENCY
   */
  readonly routingPolicy?: DnsRoutingPolicy;

  /**
   * Protocol of the health checks (HTTPS sends SNI with the site's name).
   * @default HealthCheckProtocol.HTTPS
   */
  readonly healthCheckProtocol?: HealthCheckProtocol;

  /**
   * Interval between two requests of one Route 53 checker: 10 s (fast) or 30 s.
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval?: Duration;

  /**
   * Consecutive failed checks before Route 53 declares a site unhealthy (1 to 10).
   * @default the largest value up to 3 that meets `recoveryTargets.rto`
   * together with the DNS cache time; 3 without a target
   */
  readonly failureThreshold?: number;

  /**
   * TTL of the common name's records (CNAMEs to the site names): how long a
   * resolver keeps answering with a site after its health check has failed.
   * At most 60 s. Shorter costs more queries: a resolver asks again every TTL
   * (Route 53 bills per million queries).
   * @default Duration.seconds(15)
   */
  readonly recordTtl?: Duration;
}
