import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { addHaWarning } from '../core/errors';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryStep } from '../core/recovery-step';
import { RegionFailoverRunner } from '../core/region-failover';
import { RegionFailoverStart } from '../failover/region-failover';
import { RegionSwitchPlan } from '../failover/region-switch-plan';
import { RegionSwitchStep } from '../failover/region-switch-step';
import { DnsRoutingPolicy, LatencyDns } from '../latency-dns/latency-dns';
import { createTierDns, createTierSite, spareTaskCount, TierSite, TierSiteSettings, tierPlacements, tierStacks } from './active-spare-web-tier-parts';
import { ActiveSpareWebTierPath, ActiveSpareWebTierProps } from './active-spare-web-tier-props';
import { validateActiveSpareWebTierProps } from './active-spare-web-tier-validation';
import {
  BrowserFailoverOptions, browserFailoverOptions, browserSwitchTime,
  ResolvedBrowserFailoverSettings, resolveBrowserFailoverSettings,
} from './browser-failover';
import { BrowserFailoverHelper } from './browser-failover-helper';
import { SpareMode } from './spare-mode';
import { addSpareScaleUp, forwardPrimaryAlarm, metricPrimaryProbe, primaryAlarmArn, PROBE_INTERVAL, scaleBackStep, SpareAutomation } from './spare-scale-up';
import { WebTierSite, WebTierSitePath } from './web-tier-site';

/** What every spare's automation shares: whom it probes, how far it scales, who runs the failover. */
interface ScaleUpContext {
  /** N: the spare is scaled to N + 1. */
  readonly n: number;
  readonly primaryRegion: string;
  /** The primary site's own name (the probe metric's `Site` dimension). */
  readonly primarySiteName: string;
  /** The primary site's health URL the spares probe. */
  readonly probeUrl: string;
  /** The literal name of the tier's failover alarm in the primary region. */
  readonly primaryAlarmName: string;
  /** Its ARN, built from the literal name (no cross-region token). */
  readonly primaryAlarm: string;
  readonly runner: RegionFailoverRunner;
}

/** What one spare's automation created, for the tier's recovery-path links. */
interface SpareScaleUp extends SpareAutomation {
  /** The alarm on the spare's probe of the primary. */
  readonly probeAlarm: cloudwatch.IAlarm;
  /** The rule or Region switch plan that starts the scale-up. */
  readonly start: RegionFailoverStart;
  /** The primary site's health URL the spare probes. */
  readonly probeUrl: string;
}

/**
 * A browser-facing web tier active in one region with a spare in another,
 * placed in the stacks you give it (`RegionalPlacement`): the primary site in
 * the tier's own stack, each spare in its region's stack, each with a VPC across two zones,
 * an internet-facing ALB (HTTPS with an HTTP redirect, sticky sessions) and
 * a Fargate service; the primary runs N+1 tasks, the spare N+1 (hot), a
 * floor (warm) or none (pilot light). DNS by `LatencyDns`: per-site names
 * and a common name with health-checked failover (or latency) records.
 * When the primary's failover alarm fires, a Lambda in the spare region
 * scales the spare to N+1. Open pages move themselves with the browser
 * failover helper, which every site serves (`browserFailoverScriptPath`).
 *
 * Create it in the primary region's stack; several tiers and other patterns
 * may share the same stacks.
 */
export class ActiveSpareWebTier extends HaPattern {
  /**
   * The id, in `recoveryTargets.paths`, of a path of the tier's site in
   * `region`: `ActiveSpareWebTier.sitePath('eu-west-1', WebTierSitePath.ZONE)`
   * is `eu-west-1/zone`. The tier's `recoveryTargets.rto` binds these paths too.
   */
  public static sitePath(region: string, path: WebTierSitePath): string {
    return `${region}/${path}`;
  }

  /** The stacks the tier uses: the primary's, the spares', then the DNS stack if it is another one. */
  public readonly stacks: Stack[];
  /** The primary site. */
  public readonly primary: WebTierSite;
  /** The spare sites, in order of preference. */
  public readonly spares: WebTierSite[];
  /** The DNS names and health checks (in a us-east-1 stack). */
  public readonly dns: LatencyDns;
  /** The spare-scaling functions, one per spare that does not run N+1 already (each also probes the primary). */
  public readonly scaleUpFunctions: lambda.IFunction[] = [];
  /** The alarms, one per spare that does not run N+1 already, on its probe of the primary site (in the spare's region). */
  public readonly primaryProbeAlarms: cloudwatch.IAlarm[] = [];
  /** The Region switch plans that scale the spares up (`failoverRunner: REGION_SWITCH_PLAN`), one per spare that does not run N+1 already. */
  public readonly regionSwitchPlans: RegionSwitchPlan[] = [];
  /** The spare mode. */
  public readonly spareMode: SpareMode;
  /** Browser helper settings with defaults applied. */
  public readonly browserFailoverSettings: ResolvedBrowserFailoverSettings;
  /** What serves the browser helper on each site, in the order of the sites (none with `browserFailover.serveHelper: false`). */
  public readonly browserFailoverHelpers: BrowserFailoverHelper[] = [];

  private readonly sitesByRegion = new Map<string, WebTierSite>();
  private readonly healthCheckPath: string;
  private readonly https: boolean;

  constructor(scope: Construct, id: string, props: ActiveSpareWebTierProps) {
    super(scope, id, props, {
      patternName: 'ActiveSpareWebTier',
      detection: 'Route 53 health checks of each site move the common name; browser heartbeats move open pages; ' +
        'alarms on 5xx, unhealthy targets and running tasks below N fire the primary\'s failover alarm, which scales the spare up',
    });
    const primaryRegion = validateActiveSpareWebTierProps(this, props);
    this.spareMode = props.spareMode ?? SpareMode.WARM;
    const routingPolicy = props.routingPolicy ?? DnsRoutingPolicy.FAILOVER;
    this.browserFailoverSettings = resolveBrowserFailoverSettings(this, props.browserFailover);
    this.healthCheckPath = props.healthCheckPath ?? '/health';
    this.https = props.https ?? true;
    const regions = [primaryRegion, ...props.spares.map(s => s.stack.region)];
    this.warnLatencyRoutingColdSpare(routingPolicy);
    // A literal name: the spares' rules match it by ARN, without a cross-region token.
    const primaryAlarmName = `${Stack.of(this).stackName}-${id}-failover`;

    const sites = this.createSites(props, regions);
    this.primary = sites[0].site;
    this.spares = sites.slice(1).map(s => s.site);
    this.serveBrowserHelper(props);
    const { dnsStack, stacks } = tierStacks(Stack.of(this), props, regions);
    this.stacks = stacks;
    this.dns = createTierDns(this, dnsStack, props, regions, sites.map(s => s.siteRecord), this.siteSettings, routingPolicy,
      this.recoveryObjectives.targetOf(ActiveSpareWebTierPath.DNS));
    // The tier's DNS path shares the names' health-check decision: the tier warns about it.
    this.recoveryObjectives.reportDecisionsOf(this.dns.recoveryObjectives);

    this.wireAlarms(primaryRegion, props.activeCapacity, primaryAlarmName);
    const runner = props.failoverRunner ?? RegionFailoverRunner.LIBRARY_AUTOMATION;
    const automations = this.addSpareAutomation(props.activeCapacity, primaryRegion, primaryAlarmName, runner);
    this.declareRecoveryPaths(primaryRegion, props.activeCapacity, automations, runner);
  }

  /** The site of `region`. */
  public site(region: string): WebTierSite {
    const site = this.sitesByRegion.get(region);
    if (!site) throw new Error(`${this.node.path}: no site in ${region}`);
    return site;
  }

  /** Status of the Route 53 health check of the site in `region` (metric in us-east-1). */
  public metricHealthCheckStatus(siteRegion: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.dns.metricHealthCheckStatus(siteRegion, options);
  }

  /** Running tasks of the site in `region` (in that region). */
  public metricRunningTasks(siteRegion: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.site(siteRegion).metricRunningTasks(options);
  }

  /** 5xx responses a minute of the site in `region` (in that region). */
  public metricServerErrors(siteRegion: string, options?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return this.site(siteRegion).metricServerErrors(options);
  }

  /** The common URL, e.g. `https://agents.example.com/`. */
  public get url(): string {
    return `${this.https ? 'https' : 'http'}://${this.dns.domainName}/`;
  }

  /**
   * The URL of the application on one site, with the other sites as
   * browser failover backups: `https://agents.eu-west-1.example.com/?site-1=agents.us-east-1.example.com`.
   */
  public siteUrl(region: string): string {
    const scheme = this.https ? 'https' : 'http';
    const others = this.dns.regions.filter(r => r !== region);
    const query = others.map((r, i) => `site-${i + 1}=${this.https ? '' : 'http://'}${this.dns.siteDomainName(r)}`).join('&');
    return `${scheme}://${this.dns.siteDomainName(region)}/${query ? `?${query}` : ''}`;
  }

  /** The options object to pass to `startFailover()` of the browser helper. */
  public get browserFailoverOptions(): BrowserFailoverOptions {
    return browserFailoverOptions(this.browserFailoverSettings, this.healthCheckPath);
  }

  /**
   * Path of the module a page loads to start the browser failover helper
   * with the tier's settings, e.g. `/ha-failover/start.js`:
   * `<script type="module" src="/ha-failover/start.js"></script>`; it exports
   * the controller as `failover`. Undefined with `browserFailover.serveHelper: false`.
   */
  public get browserFailoverScriptPath(): string | undefined {
    return this.browserFailoverHelpers[0]?.startPath;
  }

  /** Worst-case time for the common name to send clients to the spare. */
  public get dnsFailoverTime(): Duration {
    return this.recoveryObjectives.path(ActiveSpareWebTierPath.DNS).total;
  }

  /** Worst-case time for an open page to move itself to the spare. */
  public get browserFailoverTime(): Duration {
    return this.recoveryObjectives.path(ActiveSpareWebTierPath.BROWSER).total;
  }


  /** What every site shares: the health path and whether it serves HTTPS. */
  private get siteSettings(): TierSiteSettings {
    return { healthCheckPath: this.healthCheckPath, https: this.https };
  }

  /** Warns that latency routing sends clients near a spare region to a site with fewer than N+1 tasks. */
  private warnLatencyRoutingColdSpare(routingPolicy: DnsRoutingPolicy): void {
    if (routingPolicy === DnsRoutingPolicy.LATENCY && this.spareMode !== SpareMode.HOT) {
      addHaWarning(this, 'latency-routing-cold-spare',
        `${this.node.path} uses latency routing with a ${this.spareMode} spare: clients near the spare region are sent to a site with fewer than N+1 tasks.`);
    }
  }

  /**
   * A site per region (the primary running N+1 tasks, the spares as their mode says) with its own
   * name; the tier's targets bind the sites' task and zone paths too (`<region>/<path>`).
   */
  private createSites(props: ActiveSpareWebTierProps, regions: string[]): TierSite[] {
    const n = props.activeCapacity;
    const spareTasks = spareTaskCount(this.spareMode, n, props.warmCapacity);
    const placements = tierPlacements(this, props);
    const sites = regions.map((region, i) => {
      const tierSite = createTierSite(placements[i], region, i === 0 ? n + 1 : spareTasks, props, this.siteSettings);
      this.sitesByRegion.set(region, tierSite.site);
      return tierSite;
    });
    sites.forEach(({ site }, i) => this.recoveryObjectives.addPart(regions[i], site.recoveryObjectives));
    return sites;
  }

  /** What serves the browser helper on each site (nothing with `browserFailover.serveHelper: false`). */
  private serveBrowserHelper(props: ActiveSpareWebTierProps): void {
    if (props.browserFailover?.serveHelper === false) return;
    for (const site of [this.primary, ...this.spares]) {
      this.browserFailoverHelpers.push(new BrowserFailoverHelper(site, 'BrowserFailoverHelper', {
        listener: site.listener,
        options: this.browserFailoverOptions,
        pathPrefix: props.browserFailover?.helperPathPrefix,
      }));
    }
  }

  /**
   * The roles of the alarms and the tier's failover alarm: the primary's failover alarm triggers the
   * tier's; a spare that fails pages on its own; the Route 53 alarms (us-east-1) are informational:
   * us-east-1 may be the region that is lost, and a pilot-light spare fails its check until it is scaled up.
   * (Each spare's probe of the primary pages on its own: the tier's failover alarm is lost with the primary region.)
   */
  private wireAlarms(primaryRegion: string, n: number, primaryAlarmName: string): void {
    this.addAlarm(this.primary.failoverAlarm, AlarmRole.FAILOVER_TRIGGER);
    for (const spare of this.spares) this.addAlarm(spare.failoverAlarm, AlarmRole.NOTIFYING);
    this.addAlarm(this.dns.healthCheckAlarm(primaryRegion), AlarmRole.INFORMATIONAL);
    this.addAlarm(this.dns.failoverAlarm, AlarmRole.INFORMATIONAL);
    this.createFailoverAlarm(this,
      `ActiveSpareWebTier ${this.node.path}: the primary site in ${primaryRegion} is failing (5xx, unhealthy targets or fewer than ${n} tasks); ` +
      'the spare is being scaled up. OK when the primary is restored.', primaryAlarmName);
  }

  /** Automation, in each spare's own region (one per spare that does not run N+1 already): probe the primary, scale the spare to N+1 when it fails. */
  private addSpareAutomation(n: number, primaryRegion: string, primaryAlarmName: string, runner: RegionFailoverRunner): Map<WebTierSite, SpareScaleUp> {
    const primarySiteName = this.dns.siteDomainName(primaryRegion);
    const context: ScaleUpContext = {
      n, primaryRegion, primarySiteName, primaryAlarmName, runner,
      probeUrl: `${this.https ? 'https' : 'http'}://${primarySiteName}${this.healthCheckPath}`,
      primaryAlarm: primaryAlarmArn(primaryRegion, Stack.of(this).account, primaryAlarmName),
    };
    const automations = new Map<WebTierSite, SpareScaleUp>();
    for (const spare of this.spares) {
      if (spare.runningTasks >= n + 1) continue;
      automations.set(spare, this.addSpareScaleUp(spare, context));
    }
    return automations;
  }

  /** One spare's probe alarm, scale-up function and what starts it; the library's rule also listens to the primary's failover alarm. */
  private addSpareScaleUp(spare: WebTierSite, context: ScaleUpContext): SpareScaleUp {
    const { n, primaryRegion, primarySiteName, probeUrl, primaryAlarm, runner } = context;
    const spareRegion = Stack.of(spare).region;
    const probeAlarm = this.createAlarm(spare, 'PrimaryProbeAlarm', {
      metric: metricPrimaryProbe(primarySiteName, spareRegion),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      signal: SignalKind.HEARTBEAT,
      role: AlarmRole.NOTIFYING,
      description: `ActiveSpareWebTier ${this.node.path}: the spare in ${spareRegion} has not reached ${probeUrl} for 2 minutes; ` +
        `the spare is being scaled to ${n + 1} tasks. OK when the primary answers again.`,
    });
    this.primaryProbeAlarms.push(probeAlarm);
    const automation = addSpareScaleUp(spare, { desiredCount: n + 1, probeUrl, probeSite: primarySiteName });
    const start = this.startSpareScaleUp(spare, automation, probeAlarm, context);
    // The primary's failover alarm sees failures a probe of one path does not; the library's rule listens to it too.
    if (runner === RegionFailoverRunner.LIBRARY_AUTOMATION && primaryRegion !== spareRegion) {
      forwardPrimaryAlarm(this, spareRegion, Stack.of(spare).account, primaryAlarm);
    }
    this.scaleUpFunctions.push(automation.handler.function);
    return { ...automation, probeAlarm, start, probeUrl };
  }

  /**
   * What starts a spare's scale-up (`failoverRunner`): the library's rule on the probe alarm and the
   * primary's failover alarm, or a Region switch plan whose step invokes the scale-up function.
   */
  private startSpareScaleUp(spare: WebTierSite, automation: SpareAutomation, probeAlarm: cloudwatch.IAlarm, context: ScaleUpContext): RegionFailoverStart {
    const { n, primaryRegion, primaryAlarm, primaryAlarmName, runner } = context;
    const spareRegion = Stack.of(spare).region;
    const scaleUp = { construct: automation.handler, description: 'scale-up function', role: automation.handler.role, calls: automation.calls };
    return new RegionFailoverStart(spare, {
      runner, automatic: true, automaticProp: 'failoverRunner',
      alarm: probeAlarm, alsoOn: [primaryAlarm], primaryRegion,
      fn: automation.handler.function, ruleId: 'ScaleUpRule',
      ruleDescription: `Scales the spare up when the probe of the primary site or the primary's failover alarm (${primaryAlarmName}) enters ALARM`,
      automation: scaleUp, manual: scaleUp,
      planSteps: [RegionSwitchStep.invokeFunction(automation.handler.function, {
        description: `Scales the spare in ${spareRegion} to ${n + 1} tasks (the tier's own scale-up function)`,
        payload: JSON.stringify({ 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'region-switch', state: { value: 'ALARM' } } }),
      })],
      // The failback: the spare's own function, in the region it leaves, scales it back once the primary answers.
      planFailbackSteps: [scaleBackStep(automation.handler.function, spare)],
      planCalls: [{ actions: ['lambda:InvokeFunction'], resource: automation.handler.function.functionArn }],
      planAutomations: [scaleUp],
      planPurpose: rto => ({
        patternPath: this.node.path, patternName: this.patternName, paths: [ActiveSpareWebTierPath.DNS, ActiveSpareWebTierPath.BROWSER],
        scenario: FailureScenario.regionLoss(primaryRegion).description, expectedRecovery: rto,
        proves: `the spare in ${spareRegion} is scaled to ${n + 1} tasks when its probe of the primary fails; Route 53 moves ${this.dns.domainName}`,
        passes: `the graceful execution (a real switch) completes: the spare runs ${n + 1} tasks and the name answers with it within the plan's RTO.`,
      }),
    });
  }

  /**
   * The DNS path and the browser path, separately. Both wait for the same spare readiness (the first
   * spare's scale-up, for a pilot light); each needs, to survive the loss of the primary region,
   * Route 53 (global) and, in each spare's own region, the capacity and whatever raises it to N+1.
   */
  private declareRecoveryPaths(primaryRegion: string, n: number, automations: Map<WebTierSite, SpareScaleUp>, runner: RegionFailoverRunner): void {
    const readiness = this.spareReadinessSteps(n, [...automations.values()][0]?.start);
    const dnsSteps = [this.dns.healthCheckStep(primaryRegion), this.dns.dnsCacheStep(primaryRegion), ...readiness];
    const regionLoss = { scenarios: [FailureScenario.regionLoss(primaryRegion)] };
    const spareLinks = this.spareLinks(n, automations, dnsSteps);
    for (const { start } of automations.values()) if (start.plan) this.regionSwitchPlans.push(start.plan);
    if (runner === RegionFailoverRunner.REGION_SWITCH_PLAN && automations.size === 0) {
      addHaWarning(this, 'failover-runner-hot-spare', 'failoverRunner has no effect: every spare runs N+1 tasks already (SpareMode.HOT), nothing scales them up');
    }
    const dnsLinks = this.dns.regions.map(r => PathLink.dns(this.dns.commonRecord(r), `${r} record of ${this.dns.domainName}`));
    this.recoveryObjectives.addRecoveryPath(ActiveSpareWebTierPath.DNS, dnsSteps, {
      description: 'the primary fails: the common name answers with the spare',
      ...regionLoss,
      links: [PathLink.dns(this.dns.healthCheck(primaryRegion), 'Route 53 health check of the primary'), ...dnsLinks, ...spareLinks],
    });
    const browser = browserSwitchTime(this.browserFailoverSettings);
    this.recoveryObjectives.addRecoveryPath(ActiveSpareWebTierPath.BROWSER, [
      RecoveryStep.tunable('browser failover helper', browser.duration, browser.derivation, {
        prop: 'browserFailover (heartbeatInterval, missedHeartbeats, heartbeatTimeout, noticeDuration)',
        // At their limits: one missed 100 ms heartbeat, no timeout or notice; the page load allowance stays.
        floor: Duration.millis(100 + this.browserFailoverSettings.pageLoadAllowance.toMilliseconds()),
      }),
      ...readiness,
    ], {
      description: 'the primary fails under an open page: the page moves itself to the spare site',
      ...regionLoss,
      links: [...this.spares.map(spare => PathLink.dns(this.dns.siteRecord(Stack.of(spare).region), `site name of ${Stack.of(spare).region}`)), ...spareLinks],
    });
  }

  /**
   * Each spare's links: its capacity and, when it is scaled up, the probe, its alarm and what starts
   * the scale-up (creating the Region switch plan, whose RTO is the DNS path's).
   */
  private spareLinks(n: number, automations: Map<WebTierSite, SpareScaleUp>, dnsSteps: RecoveryStep[]): PathLink[] {
    return this.spares.flatMap(spare => {
      const automation = automations.get(spare);
      const capacity = PathLink.capacity(spare.service, `spare service in ${Stack.of(spare).region}`, { serving: n + 1, required: n });
      if (!automation) return [capacity];
      return [
        PathLink.signal(automation.schedule, `probe of ${automation.probeUrl}`),
        PathLink.alarm(automation.probeAlarm, 'probe alarm'),
        ...automation.start.links(dnsSteps),
        capacity,
      ];
    });
  }

  /**
   * How long the spare takes to carry the load: nothing for a hot or warm
   * spare (it serves at once); for a pilot light, the primary's failover
   * probe's detection (the signal that survives the primary region's loss),
   * a task start and the target turning healthy.
   */
  private spareReadinessSteps(n: number, scaleUp?: RegionFailoverStart): RecoveryStep[] {
    if (this.spareMode !== SpareMode.PILOT_LIGHT) {
      const running = Math.min(...this.spares.map(s => s.runningTasks));
      return [RecoveryStep.constant('spare capacity', Duration.seconds(0), this.spareMode === SpareMode.HOT
        ? `hot spare: already runs ${n + 1} tasks`
        : `warm spare: ${running} task(s) serve at once while the automation scales to ${n + 1}`)];
    }
    // Whichever fires first starts the scale-up; the probe is the signal that survives the loss of the
    // primary's region (the primary's failover alarm is lost with it), so the worst case is the probe's.
    return [
      RecoveryStep.constant('probe schedule', PROBE_INTERVAL, 'the spare probes the primary once a minute (EventBridge\'s finest schedule)'),
      RecoveryStep.alarmEvaluation('probe alarm (starts the scale-up)', this.primaryProbeAlarms[0]),
      scaleUp!.step(),
      RecoveryStep.fargateTaskStart('spare task start'),
      this.spares[0].targetHealthyStep(),
    ];
  }
}
