import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { AlarmRole } from '../core/alarm-role';
import { addHaWarning, HaValidationError } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern, HaPatternProps } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { regionalScope } from '../core/regional-scope';
import {
  isContainerImage, isHostedZone, isStack, requireDefined, requireHealthCheckPath, requireInteger, requireRecordName, requireStackRegion, requireRoute53Interval, requireSubnets,
} from '../core/validation';
import { HealthCheckProtocol, LatencyDns } from '../latency-dns/latency-dns';
import { SiteRecord } from '../latency-dns/site-record';
import { addDeploymentOrder } from '../private/deployment-order';
import { ROUTE53_METRICS_REGION } from '../private/route53-metrics';
import { ActiveActiveSite } from './active-active-site';

/** One site (region) of a `MultiSiteActiveActive`. */
export interface MultiSiteOptions {
  /**
   * The stack the site's nodes and its own name go into; its explicit region is the site's region.
   * The pattern's stack refers to the site by literal names only (no cross-region reference).
   */
  readonly stack: Stack;
  /**
   * Hot standby: the site keeps running but is not served while any active
   * site is healthy; it is served automatically when every active site fails.
   * Flip it (e.g. from a context value) and deploy the pattern's stack.
   * @default false (active)
   */
  readonly standby?: boolean;
  /**
   * Nodes (Fargate tasks) of the site.
   * @default 2
   */
  readonly desiredCount?: number;
  /**
   * The site's VPC (public and private-with-egress subnets).
   * @default a new VPC over 2 zones with a NAT gateway per zone and flow logs
   */
  readonly vpc?: ec2.IVpc;
}

/** Props of `MultiSiteActiveActive`. */
export interface MultiSiteActiveActiveProps extends HaPatternProps {
  /** The zone of the common name and the per-site names. */
  readonly zone: route53.IHostedZone;
  /** The common name clients resolve (relative to the zone), e.g. `engine`. */
  readonly recordName: string;
  /** The image every node runs. */
  readonly image: ecs.ContainerImage;
  /** The sites, two or more, each in its own region; upgraded one at a time in this order. */
  readonly sites: MultiSiteOptions[];
  /** @default 80 */
  readonly containerPort?: number;
  /** @default '/health' */
  readonly healthCheckPath?: string;
  /**
   * Route 53 health-check interval (10 s or 30 s).
   * @default 10 seconds
   */
  readonly healthCheckInterval?: Duration;
  /**
   * Failed checks before a site is unhealthy (1 to 10).
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Make each site's stack depend on the previous site's, so a deployment
   * upgrades the sites one at a time (each waits for the previous site's
   * rolling deployment to finish or roll back).
   * @default true
   */
  readonly sequentialUpgrades?: boolean;
  /**
   * Deletion protection of every site's load balancer, the only way into
   * its site (`deletion_protection.enabled`). To remove a site or delete a
   * site's stack, deploy with `false` first.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** A site's parts: its nodes and its own name, in its region's stack. */
interface SiteParts {
  readonly region: string;
  readonly standby: boolean;
  readonly site: ActiveActiveSite;
  /** The site's own name, in its stack. */
  readonly siteRecord: SiteRecord;
}

/** A site's parts and the latency set it belongs to. */
interface SiteRecords extends SiteParts {
  /** The names of the site's set (active or standby). */
  readonly dns: LatencyDns;
}

/** Ids of the recovery paths of `MultiSiteActiveActive`. */
export enum MultiSiteActiveActivePath {
  /** A site fails: the common name answers with the nearest healthy site. */
  SITE_OUTAGE = 'site-outage',
  /** Every active site fails: the standby sites are served. */
  STANDBY_TAKEOVER = 'standby-takeover',
  /** A node fails: the site's other nodes serve while ECS replaces it. */
  NODE = 'node',
}

/**
 * One system running in two or more sites (regions), all nodes active.
 * Clients resolve a common name that prefers their own site (latency
 * routing) and falls back to another when theirs fails its Route 53 health
 * check. A site can be switched to hot standby: running but not served
 * while an active site is healthy, served automatically when all active
 * sites fail (a failover record: PRIMARY the active sites' latency set,
 * SECONDARY the standby sites'). Sites upgrade one at a time by rolling
 * deployments that roll back on the circuit breaker or the site's alarm.
 *
 * Put it in a us-east-1 stack: Route 53 health-check metrics, and so the
 * alarms on them, exist only there.
 */
export class MultiSiteActiveActive extends HaPattern {
  /** The common name, e.g. `engine.example.com`. */
  public readonly domainName: string;
  /** The record of the common name (failover record when a site is in standby, else a latency set). */
  public readonly commonRecords: route53.IRecordSet[];
  /** Regions of the active sites. */
  public readonly activeRegions: string[];
  /** Regions of the standby sites. */
  public readonly standbyRegions: string[];

  private readonly sites = new Map<string, SiteRecords>();

  constructor(scope: Construct, id: string, props: MultiSiteActiveActiveProps) {
    super(scope, id, props, {
      patternName: 'MultiSiteActiveActive',
      detection: 'Route 53 health checks of each site\'s load balancer; the common name drops a failing site, and serves the standby sites when every active site fails',
    });
    const regions = validateProps(this, props);
    const healthCheckPath = props.healthCheckPath ?? '/health';
    this.domainName = `${props.recordName}.${props.zone.zoneName}`;
    this.activeRegions = regions.filter((_, i) => !props.sites[i].standby);
    this.standbyRegions = regions.filter((_, i) => props.sites[i].standby);
    const hasStandby = this.standbyRegions.length > 0;
    const activeSetName = hasStandby ? `active.${props.recordName}` : props.recordName;
    const standbySetName = `standby.${props.recordName}`;

    // The sites, each in its region's stack with its own name.
    const sites = this.createSites(props, regions, healthCheckPath);

    // DNS on LatencyDns: one latency set of the active sites (the common name itself without
    // standby sites), one of the standby sites; per-site names `<region>.<recordName>`.
    const activeDns = this.createLatencySet(props, 'Active', activeSetName, sites.filter(x => !x.standby), healthCheckPath)!;
    const standbyDns = this.createLatencySet(props, 'Standby', standbySetName, sites.filter(x => x.standby), healthCheckPath);
    for (const x of sites) this.sites.set(x.region, { ...x, dns: x.standby ? standbyDns! : activeDns });
    // Every site failing its health check is a failover of this pattern (a standby site that fails cannot take over).
    this.addAlarm(activeDns.failoverAlarm, AlarmRole.FAILOVER_TRIGGER);
    if (standbyDns) this.addAlarm(standbyDns.failoverAlarm, AlarmRole.FAILOVER_TRIGGER);
    this.commonRecords = hasStandby
      ? this.createFailoverRecords(props, activeSetName, standbySetName)
      : this.activeRegions.map(r => activeDns.commonRecord(r));

    this.declareRecoveryObjectives(activeDns, hasStandby);
    this.createFailoverAlarm(this, `MultiSiteActiveActive ${this.node.path}: a site of ${this.domainName} fails its Route 53 health check; OK when all are healthy again.`);
  }

  /**
   * One site per region: its nodes (in its own stack, upgraded one stack after the other)
   * and its own name beside its load balancer.
   */
  private createSites(props: MultiSiteActiveActiveProps, regions: string[], healthCheckPath: string): SiteParts[] {
    let previousSiteStack: Stack | undefined;
    return props.sites.map((options, i) => {
      const region = regions[i];
      const standby = options.standby ?? false;
      // In the pattern's own stack, a child; in another region's stack, under the pattern's scope there.
      const siteScope = options.stack === Stack.of(this) ? this : regionalScope(this, options.stack);
      const site = new ActiveActiveSite(siteScope, 'Site', {
        siteName: `${this.domainName} (${region})`,
        image: props.image,
        containerPort: props.containerPort ?? 80,
        healthCheckPath,
        desiredCount: options.desiredCount ?? 2,
        vpc: options.vpc,
        environment: { SITE_REGION: region, SITE_MODE: standby ? 'standby' : 'active' },
        deletionProtection: props.deletionProtection,
      });
      // Informational: it rolls a deployment back. Not wired to the notifications, whose
      // topic lives in the DNS stack that already depends on this site's stack.
      this.addAlarm(site.deploymentAlarm, AlarmRole.INFORMATIONAL);
      // One site at a time: each site stack waits for the previous one (in one Stage; across
      // Stages, one per region, the pipeline's waves give the order). A site in the pattern's
      // own stack is left out of the chain.
      if ((props.sequentialUpgrades ?? true) && options.stack !== Stack.of(this)) {
        if (previousSiteStack) addDeploymentOrder(options.stack, previousSiteStack, 'sites upgrade one at a time');
        previousSiteStack = options.stack;
      }

      // The site's own name, beside its load balancer: the DNS refers to it by its literal name.
      const siteRecord = new SiteRecord(siteScope, 'SiteRecord', {
        zone: props.zone,
        recordName: `${region}.${props.recordName}`,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(site.loadBalancer)),
      });
      return { region, standby, site, siteRecord };
    });
  }

  /** The latency set named `recordName` over `members` (with their health checks), or none without members. */
  private createLatencySet(props: MultiSiteActiveActiveProps, dnsId: string, recordName: string, members: SiteParts[], healthCheckPath: string): LatencyDns | undefined {
    if (members.length === 0) return undefined;
    return new LatencyDns(this, dnsId, {
      zone: props.zone,
      recordName,
      healthCheckProtocol: HealthCheckProtocol.HTTP,
      healthCheckInterval: props.healthCheckInterval ?? Duration.seconds(10),
      failureThreshold: props.failureThreshold ?? 3,
      sites: members.map(x => ({
        region: x.region,
        siteRecord: x.siteRecord,
        healthCheckPath,
        port: 80,
      })),
    });
  }

  /** The common name as a failover record: PRIMARY the active sites' latency set, SECONDARY the standby sites'. */
  private createFailoverRecords(props: MultiSiteActiveActiveProps, activeSetName: string, standbySetName: string): route53.IRecordSet[] {
    const primary = this.addFailoverRecord(props, 'PrimaryRecord', activeSetName, route53.Failover.PRIMARY, 'active');
    const secondary = this.addFailoverRecord(props, 'SecondaryRecord', standbySetName, route53.Failover.SECONDARY, 'standby');
    // The alias records point at the latency sets: create them after the sets.
    for (const x of this.sites.values()) {
      (x.standby ? secondary : primary).node.addDependency(x.dns.commonRecord(x.region));
    }
    addHaWarning(this, 'site-in-standby',
      `site(s) ${this.standbyRegions.join(', ')} are in hot standby: served only when every active site (${this.activeRegions.join(', ')}) fails its health check.`);
    return [primary, secondary];
  }

  /** The recovery paths: a site's outage, the standby sites' takeover (when there are any) and a node's loss. */
  private declareRecoveryObjectives(activeDns: LatencyDns, hasStandby: boolean): void {
    const first = this.sites.get(this.activeRegions[0])!;
    // The TTL clients see: the latency set's CNAMEs (the failover records alias them and answer with their TTL).
    const dnsRecord = activeDns.commonRecord(first.region);
    const hcStep = activeDns.healthCheckStep(first.region);
    this.recoveryObjectives.addRecoveryPath(MultiSiteActiveActivePath.SITE_OUTAGE, [
      hcStep,
      RecoveryStep.dnsTtl(`DNS cache of ${this.domainName}`, dnsRecord),
    ], {
      description: 'a site fails: its health check fails, the common name answers with the nearest healthy site and resolvers drop the cached answer',
      scenarios: this.activeRegions.map(r => FailureScenario.regionLoss(r)),
      links: [
        ...[...this.sites.values()].flatMap(x => [
          PathLink.dns(x.dns.healthCheck(x.region), `health check of ${x.siteRecord.domainName}`),
          PathLink.dns(x.dns.commonRecord(x.region), `${x.region} record of ${x.dns.domainName}`),
        ]),
        ...this.commonRecords.filter(r => !this.activeRegions.some(a => activeDns.commonRecord(a) === r)).map(r => PathLink.dns(r, `failover record of ${this.domainName}`)),
      ],
    });
    if (hasStandby) {
      this.recoveryObjectives.addRecoveryPath(MultiSiteActiveActivePath.STANDBY_TAKEOVER, [
        hcStep,
        RecoveryStep.dnsTtl(`DNS cache of ${this.domainName}`, dnsRecord),
      ], { description: 'every active site fails: the PRIMARY failover record turns unhealthy and the standby sites are served (already running: no start-up time)' });
    }
    this.recoveryObjectives.addRecoveryPath(MultiSiteActiveActivePath.NODE, [
      RecoveryStep.targetGroupUnhealthy(`target group health check (${first.region})`, first.site.targetGroup),
      RecoveryStep.fargateTaskStart('Fargate replacement task'),
      RecoveryStep.targetGroupHealthy(`target group registration (${first.region})`, first.site.targetGroup),
    ], {
      description: 'a node fails: its load balancer stops sending it requests while the site\'s other nodes serve; ECS replaces it',
      scenarios: [FailureScenario.taskLoss(first.region)],
      links: [PathLink.capacity(first.site.service, `the other nodes of the ${first.region} site`, { lost: 1, required: 1 })],
    });
  }

  /** Worst-case time for clients of a failed site to reach another site (health check + DNS cache). */
  public get siteFailoverTime(): Duration {
    return this.recoveryObjectives.path(MultiSiteActiveActivePath.SITE_OUTAGE).total;
  }

  /** The nodes (service, load balancer) of the site in `region`. */
  public site(region: string): ActiveActiveSite {
    return this.siteRecords(region).site;
  }

  /** The Route 53 health check of the site in `region`. */
  public healthCheck(region: string): route53.IHealthCheck {
    return this.siteRecords(region).dns.healthCheck(region);
  }

  /** The site's own record, `<region>.<recordName>`. */
  public siteRecord(region: string): route53.IRecordSet {
    return this.siteRecords(region).dns.siteRecord(region);
  }

  /** Status of the site's health check: 1 healthy, 0 unhealthy (minimum over 1 minute, in us-east-1). */
  public metricHealthCheckStatus(siteRegion: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.siteRecords(siteRegion).dns.metricHealthCheckStatus(siteRegion, options);
  }

  private siteRecords(region: string): SiteRecords {
    const found = this.sites.get(region);
    if (!found) throw new HaValidationError(this, { prop: 'region', received: region, expected: `the region of one of the sites: ${[...this.sites.keys()].join(', ')}` });
    return found;
  }

  private addFailoverRecord(props: MultiSiteActiveActiveProps, id: string, setName: string, failover: route53.Failover, what: string): route53.RecordSet {
    const setDomain = `${setName}.${props.zone.zoneName}`;
    // An alias to the latency set, of the set's type (CNAME): Route 53 answers with the set's records and their TTL.
    const record = new route53.RecordSet(this, id, {
      zone: props.zone,
      recordName: props.recordName,
      recordType: route53.RecordType.CNAME,
      // Healthy while any record of the latency set is: that is what moves traffic to the standby sites.
      target: route53.RecordTarget.fromAlias({ bind: () => ({ dnsName: setDomain, hostedZoneId: props.zone.hostedZoneId, evaluateTargetHealth: true }) }),
      failover,
      setIdentifier: what,
      comment: `${this.node.path}: ${failover.toLowerCase()}: the ${what} sites (latency set ${setDomain})`,
    });
    return record;
  }
}

/** Validates the props of `MultiSiteActiveActive` (`scope`, its pattern, names it in the errors); returns the sites' regions. */
function validateProps(scope: Construct, props: MultiSiteActiveActiveProps): string[] {
  requireDefined(scope, 'zone', props.zone, 'the hosted zone of the names, e.g. HostedZone.fromHostedZoneAttributes(...)', isHostedZone);
  requireDefined(scope, 'recordName', props.recordName, 'the common name relative to the zone, e.g. "engine"');
  requireRecordName(scope, 'recordName', props.recordName);
  requireDefined(scope, 'image', props.image, 'the image every node runs, e.g. ContainerImage.fromRegistry(...)', isContainerImage);
  requireDefined(scope, 'sites', props.sites, 'two or more sites: an array of { stack } of stacks in different regions', Array.isArray);
  props.sites.forEach((site, i) => requireDefined(scope, `sites[${i}].stack`, site?.stack, 'the stack of the site\'s region (an explicit env)', isStack));
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && region !== ROUTE53_METRICS_REGION) {
    throw new HaValidationError(scope, {
      prop: 'scope',
      received: `a stack in ${region}`,
      expected: `a stack in ${ROUTE53_METRICS_REGION}: Route 53 publishes health-check metrics only there and an alarm must be in its metric's region`,
    });
  }
  if (props.sites.length < 2) {
    throw new HaValidationError(scope, { prop: 'sites', received: `${props.sites.length} site(s)`, expected: 'two or more sites' });
  }
  const regions = props.sites.map((site, i) => requireStackRegion(scope, `sites[${i}].stack`, site.stack));
  regions.forEach((r, i) => {
    const j = regions.indexOf(r);
    if (j !== i) {
      throw new HaValidationError(scope, { prop: `sites[${i}].stack`, received: `a stack in ${r}`, expected: `a region of its own (sites[${j}] is already in ${r}): one site per region` });
    }
    requireInteger(scope, `sites[${i}].desiredCount`, props.sites[i].desiredCount, 1);
  });
  if (props.sites.every(s => s.standby)) {
    throw new HaValidationError(scope, {
      prop: 'sites[].standby',
      received: 'every site in standby',
      expected: 'at least one active site: standby sites are served only when every active site fails',
    });
  }
  requireRoute53Interval(scope, 'healthCheckInterval', props.healthCheckInterval);
  requireInteger(scope, 'failureThreshold', props.failureThreshold, 1, 10);
  requireInteger(scope, 'containerPort', props.containerPort, 1, 65535);
  requireHealthCheckPath(scope, 'healthCheckPath', props.healthCheckPath);
  props.sites.forEach((site, i) => {
    if (!site.vpc) return;
    requireSubnets(scope, `sites[${i}].vpc`, site.vpc, ec2.SubnetType.PUBLIC, 'the site\'s internet-facing load balancer lives in them');
    requireSubnets(scope, `sites[${i}].vpc`, site.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 'the site\'s nodes run in them and pull their image through NAT');
  });
  return regions;
}
