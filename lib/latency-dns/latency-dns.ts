import { Duration, Fn, Stack } from 'aws-cdk-lib';
import * as arc from 'aws-cdk-lib/aws-arcregionswitch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { HaValidationError } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { IRegionSwitchDns } from '../failover/region-switch-step';
import { metricHealthCheckStatus, ROUTE53_METRICS_REGION } from '../private/route53-metrics';
import { DEFAULT_RECORD_TTL, defaultFailureThreshold } from './failure-threshold';
import { DnsRoutingPolicy, HealthCheckProtocol, LatencyDnsPath, LatencyDnsProps, LatencyDnsSite } from './latency-dns-props';
import { requireMetricsRegion, validateLatencyDnsProps } from './latency-dns-validation';
import { SiteRecord } from './site-record';

/** The region where Route 53 publishes health-check metrics, and so where alarms on them must live. */
export { ROUTE53_METRICS_REGION };
export * from './latency-dns-props';

/** The resources of one site. */
interface SiteResources {
  readonly region: string;
  readonly domainName: string;
  readonly healthCheck: route53.HealthCheck;
  readonly siteRecord: route53.IRecordSet;
  readonly commonRecord: route53.CnameRecord;
  readonly alarm: cloudwatch.Alarm;
}

/** How every site's health check probes, with defaults applied. */
interface HealthCheckSettings {
  readonly protocol: HealthCheckProtocol;
  readonly interval: Duration;
  readonly failureThreshold: number;
}

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
    validateLatencyDnsProps(this, props);
    requireMetricsRegion(this);

    this.routingPolicy = props.routingPolicy ?? DnsRoutingPolicy.LATENCY;
    this.regions = props.sites.map(s => s.region);
    this.zone = props.zone;
    this.domainName = `${props.recordName}.${props.zone.zoneName}`;
    this.ttl = props.recordTtl ?? DEFAULT_RECORD_TTL;
    const checks = this.healthCheckSettings(props);
    props.sites.forEach((site, i) => this.siteResources.set(site.region, this.createSite(props, site, i, checks)));

    this.declareDnsPath();
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

  /** The protocol, interval and failure threshold of the health checks, with defaults applied. */
  private healthCheckSettings(props: LatencyDnsProps): HealthCheckSettings {
    const protocol = props.healthCheckProtocol ?? HealthCheckProtocol.HTTPS;
    const interval = props.healthCheckInterval ?? Duration.seconds(10);
    return { protocol, interval, failureThreshold: props.failureThreshold ?? this.defaultFailureThreshold(props, interval) };
  }

  /** One site's names, health check and alarm, grouped under a scope named after its region. */
  private createSite(props: LatencyDnsProps, site: LatencyDnsSite, index: number, checks: HealthCheckSettings): SiteResources {
    const group = new Construct(this, site.region);
    const siteRecord = site.siteRecord ?? new SiteRecord(group, 'SiteRecord', {
      zone: props.zone,
      recordName: site.siteRecordName ?? `${props.recordName}.${site.region}`,
      target: site.target!,
      ttl: this.ttl,
    });
    const siteDomainName = siteRecord.domainName;
    const healthCheck = new route53.HealthCheck(group, 'HealthCheck', {
      type: checks.protocol === HealthCheckProtocol.HTTPS ? route53.HealthCheckType.HTTPS : route53.HealthCheckType.HTTP,
      fqdn: siteDomainName,
      port: site.port ?? (checks.protocol === HealthCheckProtocol.HTTPS ? 443 : 80),
      resourcePath: site.healthCheckPath ?? '/health',
      enableSNI: checks.protocol === HealthCheckProtocol.HTTPS ? true : undefined,
      requestInterval: checks.interval,
      failureThreshold: checks.failureThreshold,
    });
    const commonRecord = this.createCommonRecord(group, props.recordName, site.region, index, siteDomainName, healthCheck);
    const alarm = this.createAlarm(group, 'HealthCheckAlarm', {
      metric: metricHealthCheckStatus(healthCheck),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      signal: SignalKind.STATUS,
      role: AlarmRole.FAILOVER_TRIGGER,
      description: `Route 53 health check of ${siteDomainName}${site.healthCheckPath ?? '/health'} failing: ${props.recordName} no longer answers with the ${site.region} site.`,
    });
    return { region: site.region, domainName: siteDomainName, healthCheck, siteRecord: siteRecord.record, commonRecord, alarm };
  }

  /**
   * The site's record under the common name: a CNAME to the site's name, whose TTL (not an alias
   * target's 60 s) bounds how long resolvers keep a failed site, and whose target is a literal, so
   * the site may live in another region's stage.
   */
  private createCommonRecord(group: Construct, recordName: string, region: string, index: number,
    siteDomainName: string, healthCheck: route53.IHealthCheck): route53.CnameRecord {
    return new route53.CnameRecord(group, 'CommonRecord', {
      zone: this.zone,
      recordName,
      domainName: siteDomainName,
      ttl: this.ttl,
      healthCheck,
      setIdentifier: region,
      region: this.routingPolicy === DnsRoutingPolicy.LATENCY ? region : undefined,
      failover: this.routingPolicy === DnsRoutingPolicy.FAILOVER ? (index === 0 ? route53.Failover.PRIMARY : route53.Failover.SECONDARY) : undefined,
      comment: `${this.node.path}: ${this.routingPolicy.toLowerCase()} record of the ${region} site`,
    });
  }

  /** The DNS path: the first site's health check fails and resolvers drop the cached answer. */
  private declareDnsPath(): void {
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
