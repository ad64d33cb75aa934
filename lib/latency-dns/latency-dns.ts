import { Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as arc from 'aws-cdk-lib/aws-arcregionswitch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning, HaValidationError } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern, HaPatternProps } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import {
  isDuration, isHostedZone, requireDefined, requireDurationBetween, requireEnumValue, requireHealthCheckPath, requireInteger, requireRecordName, requireRegion,
  requireRoute53Interval, requireUnique,
} from '../core/validation';
import { IRegionSwitchDns } from '../failover/region-switch-step';
import { metricHealthCheckStatus, ROUTE53_METRICS_REGION } from '../private/route53-metrics';
import { DEFAULT_RECORD_TTL, defaultFailureThreshold } from './failure-threshold';
import { SiteRecord } from './site-record';

/** The region where Route 53 publishes health-check metrics, and so where alarms on them must live. */
export { ROUTE53_METRICS_REGION };

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

/** The resources of one site. */
interface SiteResources {
  readonly region: string;
  readonly domainName: string;
  readonly healthCheck: route53.HealthCheck;
  readonly siteRecord: route53.IRecordSet;
  readonly commonRecord: route53.CnameRecord;
  readonly alarm: cloudwatch.Alarm;
}

const MAX_TTL = Duration.seconds(60);

/**
 * Route 53 names for a multi-site service: one name per site
 * (`agents.eu-west-1.example.com`) and a common name (`agents.example.com`)
 * with latency routing (or PRIMARY/SECONDARY failover for active-spare):
 * one CNAME per site to the site's name, with a short TTL and its own HTTPS
 * health check of the site's name (fast 10 s interval, SNI), an alarm on
 * each health check and a composite failover alarm.
 *
 * Route 53 publishes health-check metrics in us-east-1 only, so the
 * construct must be placed in a stack in us-east-1 (records and health
 * checks are global; only the alarms are regional). Each site's own name is
 * best created in the site's stack (`SiteRecord`): then this construct
 * refers to the sites by literal names only, and no token crosses a region.
 */
export class LatencyDns extends HaPattern implements IRegionSwitchDns {
  /** The common name, fully qualified, e.g. `agents.example.com`. */
  public readonly domainName: string;
  /** The hosted zone of the names. */
  public readonly zone: route53.IHostedZone;
  /** The routing policy of the common name. */
  public readonly routingPolicy: DnsRoutingPolicy;
  /** Regions of the sites, in the order given. */
  public readonly regions: string[];

  private readonly siteResources = new Map<string, SiteResources>();
  private readonly ttl: Duration;

  constructor(scope: Construct, id: string, props: LatencyDnsProps) {
    super(scope, id, props, {
      patternName: 'LatencyDns',
      detection: 'Route 53 health checks of each site (HTTPS with SNI from the checker regions); the common name drops an unhealthy site',
    });
    validateProps(this, props);
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      addHaWarning(this, 'latency-dns-region-unknown',
        `the stack of ${this.node.path} has no explicit region; its health-check alarms only work in ${ROUTE53_METRICS_REGION}, where Route 53 publishes their metrics.`);
    } else if (region !== ROUTE53_METRICS_REGION) {
      throw new HaValidationError(this, {
        prop: 'scope',
        received: `a stack in ${region}`,
        expected: `a stack in ${ROUTE53_METRICS_REGION}: Route 53 publishes health-check metrics only there and an alarm must be in its metric's region ` +
          '(records and health checks are global, so put the LatencyDns in a small us-east-1 stack)',
      });
    }

    this.routingPolicy = props.routingPolicy ?? DnsRoutingPolicy.LATENCY;
    this.regions = props.sites.map(s => s.region);
    this.zone = props.zone;
    this.domainName = `${props.recordName}.${props.zone.zoneName}`;
    this.ttl = props.recordTtl ?? DEFAULT_RECORD_TTL;
    const protocol = props.healthCheckProtocol ?? HealthCheckProtocol.HTTPS;
    const interval = props.healthCheckInterval ?? Duration.seconds(10);
    const failureThreshold = props.failureThreshold ?? this.defaultFailureThreshold(props, interval);

    props.sites.forEach((site, i) => {
      const group = new Construct(this, site.region);
      const siteRecord = site.siteRecord ?? new SiteRecord(group, 'SiteRecord', {
        zone: props.zone,
        recordName: site.siteRecordName ?? `${props.recordName}.${site.region}`,
        target: site.target!,
        ttl: this.ttl,
      });
      const siteDomainName = siteRecord.domainName;
      const healthCheck = new route53.HealthCheck(group, 'HealthCheck', {
        type: protocol === HealthCheckProtocol.HTTPS ? route53.HealthCheckType.HTTPS : route53.HealthCheckType.HTTP,
        fqdn: siteDomainName,
        port: site.port ?? (protocol === HealthCheckProtocol.HTTPS ? 443 : 80),
        resourcePath: site.healthCheckPath ?? '/health',
        enableSNI: protocol === HealthCheckProtocol.HTTPS ? true : undefined,
        requestInterval: interval,
        failureThreshold,
      });
      // A CNAME to the site's name: its TTL (not an alias target's 60 s) bounds how long resolvers keep
      // a failed site, and the site's name is a literal, so the site may live in another region's stage.
      const commonRecord = new route53.CnameRecord(group, 'CommonRecord', {
        zone: props.zone,
        recordName: props.recordName,
        domainName: siteDomainName,
        ttl: this.ttl,
        healthCheck,
        setIdentifier: site.region,
        region: this.routingPolicy === DnsRoutingPolicy.LATENCY ? site.region : undefined,
        failover: this.routingPolicy === DnsRoutingPolicy.FAILOVER ? (i === 0 ? route53.Failover.PRIMARY : route53.Failover.SECONDARY) : undefined,
        comment: `${this.node.path}: ${this.routingPolicy.toLowerCase()} record of the ${site.region} site`,
      });
      const alarm = this.createAlarm(group, 'HealthCheckAlarm', {
        metric: metricHealthCheckStatus(healthCheck),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        signal: SignalKind.STATUS,
        role: AlarmRole.FAILOVER_TRIGGER,
        description: `Route 53 health check of ${siteDomainName}${site.healthCheckPath ?? '/health'} failing: ${props.recordName} no longer answers with the ${site.region} site.`,
      });
      this.siteResources.set(site.region, { region: site.region, domainName: siteDomainName, healthCheck, siteRecord: siteRecord.record, commonRecord, alarm });
    });

    const first = this.site(this.regions[0]);
    this.recoveryObjectives.addRecoveryPath(LatencyDnsPath.DNS, [
      this.healthCheckStep(first.region),
      this.dnsCacheStep(first.region),
    ], {
      description: 'a site fails: its health check fails and resolvers drop the cached answer',
      // Route 53 routes by the health checks itself (a global data plane): the alarms are not links.
      scenarios: this.regions.map(r => FailureScenario.regionLoss(r)),
      links: this.regions.flatMap(r => [
        PathLink.dns(this.site(r).healthCheck, `health check of ${this.site(r).domainName}`),
        PathLink.dns(this.site(r).commonRecord, `${r} record of ${this.domainName}`),
      ]),
    });

    this.createFailoverAlarm(this, `LatencyDns ${this.node.path}: a site of ${this.domainName} fails its Route 53 health check; OK when all are healthy again.`);
  }

  /** The Route 53 health check of the site in `region`. */
  public healthCheck(region: string): route53.IHealthCheck {
    return this.site(region).healthCheck;
  }

  /** The site's own fully-qualified name, e.g. `agents.eu-west-1.example.com`. */
  public siteDomainName(region: string): string {
    return this.site(region).domainName;
  }

  /** The site's own record. */
  public siteRecord(region: string): route53.IRecordSet {
    return this.site(region).siteRecord;
  }

  /** The site's record under the common name (a CNAME to the site's name, latency or failover, with the health check). */
  public commonRecord(region: string): route53.IRecordSet {
    return this.site(region).commonRecord;
  }

  /** The alarm on the site's health check (a trigger of the failover alarm). */
  public healthCheckAlarm(region: string): cloudwatch.IAlarm {
    return this.site(region).alarm;
  }

  /**
   * Status of the site's health check: 1 healthy, 0 unhealthy (minimum over 1 minute).
   * The metric lives in us-east-1 whatever the stack.
   */
  public metricHealthCheckStatus(siteRegion: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricHealthCheckStatus(this.site(siteRegion).healthCheck, options);
  }

  /** Worst-case time for Route 53 to declare a site unhealthy: interval x failure threshold. */
  public get detectionTime(): Duration {
    return this.healthCheckStep(this.regions[0]).resolve().duration;
  }

  /** Worst-case time for clients to follow the common name to another site: detection + DNS cache. */
  public get failoverTime(): Duration {
    return this.recoveryObjectives.path(LatencyDnsPath.DNS).total;
  }

  /**
   * The recovery step of the site's health check (interval x failure
   * threshold), for paths of patterns built on these names.
   */
  public healthCheckStep(region: string): RecoveryStep {
    return RecoveryStep.route53HealthCheck(`Route 53 health check (${region})`, this.site(region).healthCheck,
      {
        prop: 'failureThreshold (1 to 10) and healthCheckInterval (10 s or 30 s)', floor: Duration.seconds(10),
        samples: { prop: 'failureThreshold', values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
        seconds: { prop: 'healthCheckInterval', values: [10, 30] },
        singleSample: { slug: 'dns-single-sample-failover', action: `moves ${this.domainName} away from the ${region} site` },
      });
  }

  /** The recovery step of resolvers dropping the site's cached answer under the common name. */
  public dnsCacheStep(region: string): RecoveryStep {
    return RecoveryStep.dnsTtl(`DNS cache of ${this.domainName}`, this.site(region).commonRecord,
      { prop: 'recordTtl (0 to 60 s)', floor: Duration.seconds(0), seconds: { prop: 'recordTtl', values: [0, 1, 5, 10, 15, 20, 30, 45, 60] } });
  }

  /**
   * Attaches the health checks that a Region switch plan's Route 53 step
   * creates (the plan's `PlanHealthChecks` attribute, one per plan region, in
   * the order of the plan's `regions`) to the records of the same regions:
   * each region's record gets a calculated health check that is healthy only
   * while both the site's own health check and the plan's are, so Route 53's
   * probing still drops a failed site and an execution of the plan moves the
   * name. The plan must be in this construct's stack: records are global, but
   * a reference to a plan in another region's stack would tie the stacks together.
   */
  public usePlanHealthChecks(plan: arc.CfnPlan, planRegions: string[]): void {
    const planStack = Stack.of(plan);
    if (planStack !== Stack.of(this)) {
      throw new HaValidationError(this, {
        prop: 'plan', received: `${plan.node.path} in the stack ${planStack.stackName}`,
        expected: `a Region switch plan in the stack of ${this.node.path} (${Stack.of(this).stackName}): its health checks are attached to the records here, ` +
          'and a reference to another region\'s stack would tie the stacks together',
      });
    }
    planRegions.forEach((region, i) => {
      const site = this.siteResources.get(region);
      if (!site) return;
      const group = this.node.findChild(region);
      const id = `PlanHealthCheck${plan.node.addr.slice(-8)}`;
      if (group.node.tryFindChild(id)) return;
      const combined = new route53.CfnHealthCheck(group, id, {
        healthCheckConfig: {
          type: 'CALCULATED',
          childHealthChecks: [site.healthCheck.healthCheckId, planHealthCheckId(plan, i)],
          healthThreshold: 2,
        },
        healthCheckTags: [{ key: 'Name', value: `${this.domainName} ${region}: own and Region switch plan health checks` }],
      });
      (site.commonRecord.node.defaultChild as route53.CfnRecordSet).healthCheckId = combined.attrHealthCheckId;
    });
  }

  private site(region: string): SiteResources {
    const site = this.siteResources.get(region);
    if (!site) throw new HaValidationError(this, { prop: 'region', received: region, expected: `the region of one of the sites: ${this.regions.join(', ')}` });
    return site;
  }

  private defaultFailureThreshold(props: LatencyDnsProps, interval: Duration): number {
    return defaultFailureThreshold(props.recoveryTargets?.paths?.find(t => t.path === LatencyDnsPath.DNS)?.rto ?? props.recoveryTargets?.rto, interval, this.ttl);
  }
}

function validateProps(scope: LatencyDns, props: LatencyDnsProps): void {
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
 * The health check id of entry `index` of the plan's `PlanHealthChecks`.
 * Each entry is `<hostedZoneId>:<recordName>:<region>:<healthCheckId>`
 * (observed on deployed plans: the CloudFormation reference describes no
 * format), so the id is its fourth field. The entry is taken by position
 * (the plan's regions in order): CloudFormation cannot select a list entry
 * by its region field (a condition cannot read a resource attribute), so the
 * README asks to check the pairing once after the first deployment
 * (`aws arc-region-switch list-route53-health-checks`).
 */
function planHealthCheckId(plan: arc.CfnPlan, index: number): string {
  return Fn.select(3, Fn.split(':', Fn.select(index, plan.attrPlanHealthChecks)));
}
