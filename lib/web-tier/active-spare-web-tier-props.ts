/** The props of `ActiveSpareWebTier` and its recovery paths (apart from the construct: its validation reads them). */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { HaPatternProps } from '../core/ha-pattern';
import { RegionalPlacement } from '../core/placement';
import { RegionFailoverRunner } from '../core/region-failover';
import { DnsRoutingPolicy } from '../latency-dns/latency-dns';
import { BrowserFailoverSettings } from './browser-failover';
import { SpareMode } from './spare-mode';

/** Props of `ActiveSpareWebTier`. */
export interface ActiveSpareWebTierProps extends HaPatternProps {
  /**
   * The primary site's VPC (the tier lives in the primary region's stack, the one it is created in);
   * its load balancer uses the public subnets, the tasks the private ones.
   * @default a new VPC across 2 availability zones with flow logs and a NAT gateway per zone
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The spare region(s), in order of preference: each a stack with an explicit env in another
   * region than the primary's (and, optionally, the VPC there); at least one.
   */
  readonly spares: RegionalPlacement[];

  /**
   * A stack in us-east-1 for the DNS names, the Route 53 health checks and their alarms (Route 53
   * publishes health-check metrics there only).
   * @default the primary's or a spare's stack if one is in us-east-1; otherwise required
   */
  readonly dnsStack?: Stack;

  /** The web application's container image. */
  readonly image: ecs.ContainerImage;

  /** N: tasks that carry the full load; each active site runs N+1. */
  readonly activeCapacity: number;

  /**
   * Readiness of the spare region(s).
   * @default SpareMode.WARM
   */
  readonly spareMode?: SpareMode;

  /**
   * What scales a WARM or PILOT_LIGHT spare to N+1 when the primary fails (Route 53 health checks
   * move the name either way): the library's rule in each spare's region (on the spare's probe of the
   * primary, and on the primary's failover alarm forwarded while its region lives) invoking the
   * spare's scale-up function; or one ARC Region switch plan per spare, in the spare's stack, whose
   * trigger is the spare's probe alarm and whose one step invokes the same function.
   * @default RegionFailoverRunner.LIBRARY_AUTOMATION
   */
  readonly failoverRunner?: RegionFailoverRunner;

  /**
   * Tasks a WARM spare runs before failover (1 to N).
   * @default 1
   */
  readonly warmCapacity?: number;

  /** Hosted zone of the common and per-site names (never looked up). */
  readonly zone: route53.IHostedZone;

  /** The common name relative to the zone, e.g. `agents`; sites get `agents.<region>`. */
  readonly recordName: string;

  /**
   * How the common name chooses a site. FAILOVER (one spare only) answers
   * with the spare while the primary is unhealthy; LATENCY sends each client
   * to its nearest healthy site (sensible with a HOT spare only).
   * @default DnsRoutingPolicy.FAILOVER
   */
  readonly routingPolicy?: DnsRoutingPolicy;

  /**
   * Serve HTTPS: each site gets an ACM certificate for the common and the
   * site name, validated by DNS in `zone`, an HTTPS listener and an HTTP
   * redirect; health checks use HTTPS with SNI.
   * @default true
   */
  readonly https?: boolean;

  /**
   * Port the container listens on.
   * @default 80
   */
  readonly containerPort?: number;

  /**
   * Health path of the application (load balancer, Route 53, browser heartbeats); must start with `/`.
   * @default '/health'
   */
  readonly healthCheckPath?: string;

  /**
   * Task CPU units.
   * @default 512
   */
  readonly cpu?: number;

  /**
   * Task memory in MiB.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;

  /**
   * Interval of the load balancers' target health checks (5 to 300 s); a
   * new task serves after 2 checks.
   * @default Duration.seconds(10)
   */
  readonly targetHealthCheckInterval?: Duration;

  /**
   * Load balancer stickiness (sessions stay with their task); `Duration.seconds(0)` turns it off.
   * @default Duration.days(1)
   */
  readonly stickinessDuration?: Duration;

  /**
   * Route 53 health-check interval: 10 s or 30 s.
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval?: Duration;

  /**
   * TTL of the common name's records (CNAMEs to the site names): how long
   * resolvers keep answering with a failed primary once its health check has failed.
   * At most 60 s; shorter costs more Route 53 queries.
   * @default Duration.seconds(15)
   */
  readonly recordTtl?: Duration;

  /**
   * Route 53 health-check failure threshold (1 to 10).
   * @default the largest value up to 3 that meets the target of the `dns` path; 3 without one
   */
  readonly failureThreshold?: number;

  /**
   * Settings of the browser failover helper (the browser recovery path is computed from them).
   * @default 5 s heartbeats, 3 s timeout, 3 misses, 2 s notice, 5 s page load allowance
   */
  readonly browserFailover?: BrowserFailoverSettings;

  /**
   * What happens to the log groups when a stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Deletion protection of every site's load balancer, the only way into
   * its region (`deletion_protection.enabled`). To delete a site's stack or
   * remove a spare, deploy with `false` first.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** Ids of the recovery paths of `ActiveSpareWebTier`; targets per path go in `recoveryTargets.paths`. */
export enum ActiveSpareWebTierPath {
  /** The primary fails: the common name answers with the spare. */
  DNS = 'dns',
  /** The primary fails under an open page: the page moves itself to the spare site. */
  BROWSER = 'browser',
}
