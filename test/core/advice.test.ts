/**
 * Advice that is complete and safe: a missed target names every prop it
 * takes in one error, with the resulting figure; a decision on a single
 * sample that loses data or moves traffic warns; an overall target binds
 * the paths of a pattern's parts; two targets for one path fail.
 */
import { Annotations as CoreAnnotations, App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ActiveSpareWebTier, ColdStandbyConfigServer, HaDatabase, LatencyDns, MultiSiteActiveActive, RecoveryStep,
  WarmStandbyPair, WebTierSitePath,
} from '../../lib';
import { adviseTarget } from '../../lib/core/target-advice';
import { createHaVpc } from '../../lib/private/network';
import { peeredVpcs } from '../config-server/site-vpc';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const region = (app: App, id: string, r: string) => new Stack(app, id, { env: testEnv(r), crossRegionReferences: true });

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

function latencyDns(app: App, props: { failureThreshold?: number; recordTtl?: Duration; rto?: Duration }) {
  const stack = region(app, 'Dns', 'us-east-1');
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const dns = new LatencyDns(stack, 'Agents', {
    zone, recordName: 'agents', failureThreshold: props.failureThreshold, recordTtl: props.recordTtl,
    recoveryTargets: props.rto ? { rto: props.rto } : undefined,
    sites: ['eu-west-1', 'us-east-1'].map(r => ({ region: r, target: route53.RecordTarget.fromIpAddresses('192.0.2.1') })),
  });
  return { stack, dns };
}

function database(app: App, props: { failoverDetectionPeriods?: number; autoFailover?: boolean; rto?: Duration }) {
  const primary = region(app, 'Primary', 'eu-west-1');
  const secondary = region(app, 'Secondary', 'us-east-1');
  const { primaryVpc, secondaryVpc } = peeredVpcs(primary, secondary);
  const db = new HaDatabase(primary, 'Db', {
    vpc: primaryVpc, secondary: { stack: secondary, vpc: secondaryVpc }, globalClusterIdentifier: 'orders',
    failoverDetectionPeriods: props.failoverDetectionPeriods, autoFailover: props.autoFailover,
    recoveryTargets: props.rto ? { paths: [{ path: 'cross-region-failover', rto: props.rto }] } : undefined,
  });
  return { primary, db };
}

function configServer(app: App, props: { turnOnDetectionPeriods?: number; autoTurnOn?: boolean; rto?: Duration }) {
  const primary = region(app, 'Primary', 'eu-west-1');
  const secondary = region(app, 'Secondary', 'us-east-1');
  const zone = new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' });
  const { primaryVpc, secondaryVpc } = peeredVpcs(primary, secondary);
  const server = new ColdStandbyConfigServer(primary, 'Config', {
    vpc: primaryVpc, image, zone, standby: { stack: secondary, vpc: secondaryVpc }, tableName: 'config',
    turnOnDetectionPeriods: props.turnOnDetectionPeriods, autoTurnOn: props.autoTurnOn,
    recoveryTargets: props.rto ? { paths: [{ path: 'writes', rto: props.rto }] } : undefined,
  });
  return { primary, server };
}

function webTier(app: App, props: { failureThreshold?: number; rto?: Duration; paths?: Array<{ path: string; rto: Duration }> }) {
  const spare = region(app, 'Spare', 'us-east-1');
  const zone = route53.PublicHostedZone.fromHostedZoneAttributes(spare, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
  const primary = region(app, 'Primary', 'eu-west-1');
  const web = new ActiveSpareWebTier(primary, 'Web', {
    spares: [{ stack: spare }], image, activeCapacity: 2, zone, recordName: 'agents', failureThreshold: props.failureThreshold,
    recoveryTargets: props.rto || props.paths ? { rto: props.rto, paths: props.paths } : undefined,
  });
  return { primary, spare, web };
}

const warningsOf = (stack: Stack, slug: string) =>
  Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`cdk-ha-patterns:${slug}`));

describe('a missed target names every prop it takes, in one error, with the resulting figure', () => {
  test('two props of two steps, together, each with what it saves, and the path\'s figure', () => {
    // 10 s x 3 failures + 15 s TTL = 45 s; 20 s takes both a lower threshold and a lower TTL.
    const app = testApp();
    latencyDns(app, { failureThreshold: 3, recordTtl: Duration.seconds(15), rto: Duration.seconds(20) });
    const message = errorOf(() => app.synth());
    expect(message).toContain("the 'dns' path takes 45 s worst case, target 20 s (recoveryTargets.rto)");
    // Both props in one error; the threshold stays at 2 samples (1 would warn).
    expect(message).toContain('To meet it, set failureThreshold: 2 (\u221210 s) and recordTtl: 0 s (\u221215 s) \u2192 20 s.');
    expect(message).not.toContain('failureThreshold: 1');
    expect(message).toContain('The fastest this path can be configured to is 10 s');
  });

  test('other ways are offered with a different set of props, never a superset of a way already given', () => {
    const app = testApp();
    latencyDns(app, { failureThreshold: 3, recordTtl: Duration.seconds(15), rto: Duration.seconds(40) });
    const message = errorOf(() => app.synth());
    // The least change first (closest to the target), then another set of props.
    expect(message).toContain('To meet it, set recordTtl: 10 s (\u22125 s) \u2192 40 s; or set failureThreshold: 2 (\u221210 s) \u2192 35 s.');
  });

  test('one error: the database\'s cross-region path names failoverDetectionPeriods with the value that meets the target', () => {
    const app = testApp();
    const { db } = database(app, {});
    const total = db.recoveryObjectives.path('cross-region-failover').total.toSeconds();
    const app2 = testApp();
    database(app2, { rto: Duration.seconds(total - 10) });
    const message = errorOf(() => app2.synth());
    expect(message.match(/recovery time target not met/g)).toHaveLength(1);
    expect(message).toContain(`To meet it, set failoverDetectionPeriods: 2 (\u221210 s) \u2192 ${total - 10} s.`);
  });

  test('a target only a single sample meets: the advice says the risk and that the warning will follow', () => {
    const app = testApp();
    const { server } = configServer(app, {});
    const path = server.recoveryObjectives.path('writes');
    const alarm = path.steps.find(s => s.component === 'server probe alarm')!;
    const period = alarm.model!.seconds;
    const app2 = testApp();
    // Just above the fastest: only turnOnDetectionPeriods: 1 (with every other prop at its limit) meets it.
    configServer(app2, { rto: Duration.seconds(path.fastest.toSeconds() + 2) });
    const message = errorOf(() => app2.synth());
    expect(message).toContain(`turnOnDetectionPeriods: 1 (\u2212${2 * period} s)`);
    expect(message).not.toMatch(/turnOnDetectionPeriods: [2-6]/);
    expect(message).toContain('No setting that keeps every decision on two samples or more meets it');
    expect(message).toContain(`one bad ${period} s sample turns the cold standby on`);
    expect(message).toContain('synthesis will warn cdk-ha-patterns:config-server-single-sample-turn-on');
  });

  test('when no setting meets it, the error says so with the fastest configurable figure', () => {
    const app = testApp();
    latencyDns(app, { failureThreshold: 3, recordTtl: Duration.seconds(15), rto: Duration.seconds(5) });
    expect(() => app.synth()).toThrow(/No setting meets it: the fastest this path can be configured to is 10 s .*Raise recoveryTargets.rto to at least 10 s/);
  });

  test('a prop shared by two steps takes one value in both (the web site\'s health-check interval)', () => {
    const app = testApp();
    const { web } = webTier(app, { paths: [{ path: ActiveSpareWebTier.sitePath('eu-west-1', WebTierSitePath.ZONE), rto: Duration.seconds(90) }] });
    // 10 s x 2 unhealthy + 60 s + 10 s x 2 healthy = 100 s; 5 s saves 10 s on each check.
    expect(web.primary.recoveryObjectives.path('zone').total.toSeconds()).toBe(100);
    expect(() => app.synth()).toThrow(/the 'zone' path takes 100 s worst case, target 90 s .*To meet it, set targetHealthCheckInterval: 5 s \(\u221220 s\) \u2192 80 s\./);
  });

  test('adviseTarget ranks ways that keep two samples before fewer props', () => {
    const steps = [
      { component: 'probe alarm', derivation: '3 x 10 s', duration: Duration.seconds(30), fastest: Duration.seconds(10), tuning: 'periods',
        model: { source: 'S/Alarm', seconds: 10, samples: 3, sampled: true, samplesKnob: { prop: 'periods', values: [1, 2, 3] },
          singleSample: { slug: 's', action: 'acts' } } },
      RecoveryStep.tunable('page', Duration.seconds(20), 'x', { prop: 'pageProp', floor: Duration.seconds(5) }).resolve(),
    ];
    // Target 30 s: periods 1 alone (-20 s) meets it but decides on one sample; periods 2 and pageProp keep two.
    const advice = adviseTarget(steps, 30);
    expect(advice.combinations[0].described).toBe('periods: 2 (\u221210 s) and pageProp at its limit (\u221215 s)');
    expect(advice.combinations[0].singleSamples).toEqual([]);
  });
});

describe('a decision on a single sample warns, for every automation that loses data or moves traffic', () => {
  test.each([
    ['config server turn-on (turnOnDetectionPeriods: 1)', 'config-server-single-sample-turn-on', (app: App) => configServer(app, { turnOnDetectionPeriods: 1 }).primary,
      /server probe alarm decides on a single sample \(1 x 10 s evaluation period\): one bad 10 s sample turns the cold standby on.*flapping.*set turnOnDetectionPeriods to 2 or more/],
    ['database promotion (failoverDetectionPeriods: 1)', 'database-single-sample-promotion', (app: App) => database(app, { failoverDetectionPeriods: 1 }).primary,
      /writer probe alarm decides on a single sample .*one bad 10 s sample promotes the secondary with data loss.*set failoverDetectionPeriods to 2 or more/],
    ['DNS failover (LatencyDns failureThreshold: 1)', 'dns-single-sample-failover', (app: App) => latencyDns(app, { failureThreshold: 1 }).stack,
      /Route 53 health check \(eu-west-1\) decides on a single sample \(10 s interval x 1 failures\): one bad 10 s sample moves agents.example.com away from the eu-west-1 site.*set failureThreshold to 2 or more/],
    ['web tier failover (failureThreshold: 1)', 'dns-single-sample-failover', (app: App) => webTier(app, { failureThreshold: 1 }).primary,
      /one bad 10 s sample moves agents.example.com away from the eu-west-1 site/],
  ])('%s', (_name, slug, build, message) => {
    const app = testApp();
    const stack = build(app);
    app.synth();
    const warnings = warningsOf(stack, slug);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(message);
  });

  test('multi-site failover (failureThreshold: 1) warns on the multi-site service', () => {
    const app = testApp();
    const dns = region(app, 'Dns', 'us-east-1');
    const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
    const sites = ['eu-west-1', 'us-west-2'].map((r, i) => ({ stack: region(app, `Site${i}`, r) }));
    new MultiSiteActiveActive(dns, 'Engine', { zone, recordName: 'engine', image, sites, failureThreshold: 1 });
    app.synth();
    expect(warningsOf(dns, 'dns-single-sample-failover').map(w => w.id)).toEqual(['/Dns/Engine']);
  });

  test.each([
    ['config server', 'config-server-single-sample-turn-on', (app: App) => configServer(app, { turnOnDetectionPeriods: 2 }).primary],
    ['database', 'database-single-sample-promotion', (app: App) => database(app, {}).primary],
    ['config server without automation (autoTurnOn: false: on-call decides)', 'config-server-single-sample-turn-on',
      (app: App) => configServer(app, { turnOnDetectionPeriods: 1, autoTurnOn: false }).primary],
    ['database without automation (autoFailover: false: on-call decides)', 'database-single-sample-promotion',
      (app: App) => database(app, { failoverDetectionPeriods: 1, autoFailover: false }).primary],
    ['web tier', 'dns-single-sample-failover', (app: App) => webTier(app, { failureThreshold: 2 }).primary],
    ['warm standby (unhealthyThresholdCount 2, the least the load balancer takes)', 'warm-standby-single-sample-takeover', (app: App) => {
      const stack = region(app, 'S', 'eu-west-1');
      new WarmStandbyPair(stack, 'Pair', { vpc: createHaVpc(stack, 'Vpc'), image, tcpPort: 5060, unhealthyThresholdCount: 2 });
      return stack;
    }],
  ])('two samples or more: no warning (%s)', (_name, slug, build) => {
    const app = testApp();
    const stack = build(app);
    app.synth();
    expect(warningsOf(stack, slug)).toHaveLength(0);
  });

  test('the warning can be acknowledged on the pattern', () => {
    const app = testApp();
    const { primary, server } = configServer(app, { turnOnDetectionPeriods: 1 });
    CoreAnnotations.of(server).acknowledgeWarning('cdk-ha-patterns:config-server-single-sample-turn-on', 'a single sample is what we want');
    app.synth();
    expect(warningsOf(primary, 'config-server-single-sample-turn-on')).toHaveLength(0);
  });
});

describe('an overall target binds every path of the pattern and its parts', () => {
  test('the web tier\'s rto binds its sites\' task and zone paths, and the error names the tier\'s prop and the per-site fix', () => {
    const app = testApp();
    // The tier's own paths meet 95 s; the sites' zone paths (100 s) do not.
    webTier(app, { rto: Duration.seconds(95), paths: [{ path: 'browser', rto: Duration.seconds(60) }, { path: 'dns', rto: Duration.minutes(10) }] });
    const message = errorOf(() => app.synth());
    expect(message).toMatch(/\[Primary\/Web\/Site\] recovery time target not met: the 'zone' path takes 100 s worst case, target 95 s \(recoveryTargets.rto of Primary\/Web, which binds this part's paths; set this path alone with Primary\/Web's recoveryTargets.paths \[\{ path: 'eu-west-1\/zone', rto \}\]\)/);
    expect(message).toMatch(/\[Spare\/.*\/Site\] recovery time target not met: the 'zone' path takes .* target 95 s \(recoveryTargets.rto of Primary\/Web/);
    // The task paths (80 s) meet it: not named.
    expect(message).not.toMatch(/the 'task' path/);
  });

  test('per-site targets, by `<region>/<path>`, replace the tier\'s rto for that path', () => {
    const app = testApp();
    const { web } = webTier(app, {
      rto: Duration.seconds(95),
      paths: [
        { path: 'browser', rto: Duration.seconds(60) }, { path: 'dns', rto: Duration.minutes(10) },
        { path: ActiveSpareWebTier.sitePath('eu-west-1', WebTierSitePath.ZONE), rto: Duration.seconds(100) },
        { path: ActiveSpareWebTier.sitePath('us-east-1', WebTierSitePath.ZONE), rto: Duration.seconds(100) },
      ],
    });
    expect(() => app.synth()).not.toThrow();
    expect(web.primary.recoveryObjectives.targetOf('zone')?.toSeconds()).toBe(100);
    expect(web.primary.recoveryObjectives.targetOf('task')?.toSeconds()).toBe(95);
    expect(web.primary.recoveryObjectives.toReport().paths.find(p => p.name === 'task')?.targetSeconds).toBe(95);
    expect(web.recoveryObjectives.targetablePathIds).toEqual(expect.arrayContaining(['dns', 'browser', 'eu-west-1/task', 'eu-west-1/zone', 'us-east-1/zone']));
  });

  test('fails when a per-site target names a path no site has, listing the ids', () => {
    const app = testApp();
    webTier(app, { paths: [{ path: 'eu-west-1/tasks', rto: Duration.seconds(100) }] });
    expect(() => app.synth()).toThrow(/invalid prop 'recoveryTargets.paths\[0\].path': received "eu-west-1\/tasks"; expected one of the pattern's path ids: 'dns', 'browser', 'eu-west-1\/task', 'eu-west-1\/zone'/);
  });
});

describe('duplicate targets for one path', () => {
  test('fails naming both', () => {
    const app = testApp();
    expect(() => webTier(app, { paths: [{ path: 'dns', rto: Duration.seconds(90) }, { path: 'browser', rto: Duration.seconds(30) }, { path: 'dns', rto: Duration.minutes(5) }] }))
      .toThrow(/Primary\/Web: invalid prop 'recoveryTargets.paths\[2\].path': received "dns"; expected each path at most once: recoveryTargets.paths\[0\] \(rto 90 s\) and recoveryTargets.paths\[2\] \(rto 5 min\) both target 'dns'/);
  });

  test('fails for a site path named twice', () => {
    const app = testApp();
    const sitePath = ActiveSpareWebTier.sitePath('eu-west-1', WebTierSitePath.TASK);
    expect(() => webTier(app, { paths: [{ path: sitePath, rto: Duration.seconds(90) }, { path: sitePath, rto: Duration.seconds(80) }] }))
      .toThrow(/recoveryTargets.paths\[0\] \(rto 90 s\) and recoveryTargets.paths\[1\] \(rto 80 s\) both target 'eu-west-1\/task'/);
  });
});
