/**
 * Per-path recovery targets over every pattern: a target equal to a path's
 * computed worst case synthesizes; one second less fails synthesis with the
 * path, the prop that states the target, and either the prop that shortens
 * the slowest tunable step or the fastest the path can be configured to.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ActiveActiveCells, ActiveSpareWebTier, ColdStandbyConfigServer, HaDatabase, HaPattern, HotStandbyConsumer, LatencyDns,
  MultiSiteActiveActive, RecoveryTargets, SingletonDaemon, WarmStandbyPair, WebTierSite, WorkerPool,
} from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** Builds one pattern with `targets` in a fresh app. */
type Fixture = (app: App, targets?: RecoveryTargets) => HaPattern;

const region = (app: App, id: string, r: string) => new Stack(app, id, { env: testEnv(r), crossRegionReferences: true });

const FIXTURES: Record<string, Fixture> = {
  LatencyDns: (app, recoveryTargets) => {
    const stack = region(app, 'Dns', 'us-east-1');
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    return new LatencyDns(stack, 'Agents', {
      zone, recordName: 'agents', recoveryTargets,
      sites: ['eu-west-1', 'us-east-1'].map(r => ({ region: r, target: route53.RecordTarget.fromIpAddresses('192.0.2.1') })),
    });
  },
  WebTierSite: (app, recoveryTargets) => new WebTierSite(region(app, 'S', 'eu-west-1'), 'Web', { image, activeCapacity: 2, recoveryTargets }),
  ActiveSpareWebTier: (app, recoveryTargets) => {
    const spare = region(app, 'Spare', 'us-east-1');
    const zone = route53.PublicHostedZone.fromHostedZoneAttributes(spare, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    return new ActiveSpareWebTier(region(app, 'Primary', 'eu-west-1'), 'Web', {
      spares: [{ stack: spare }], image, activeCapacity: 2, zone, recordName: 'agents', recoveryTargets,
    });
  },
  SingletonDaemon: (app, recoveryTargets) => new SingletonDaemon(region(app, 'S', 'eu-west-1'), 'Etl', { image, recoveryTargets }),
  HotStandbyConsumer: (app, recoveryTargets) => new HotStandbyConsumer(region(app, 'S', 'eu-west-1'), 'Aggregator', { image, recoveryTargets }),
  WorkerPool: (app, recoveryTargets) => {
    const stack = region(app, 'S', 'eu-west-1');
    return new WorkerPool(stack, 'Pool', { vpc: createHaVpc(stack, 'Vpc'), image, recoveryTargets });
  },
  WarmStandbyPair: (app, recoveryTargets) => {
    const stack = region(app, 'S', 'eu-west-1');
    return new WarmStandbyPair(stack, 'Pair', { vpc: createHaVpc(stack, 'Vpc'), image, tcpPort: 5060, recoveryTargets });
  },
  ActiveActiveCells: (app, recoveryTargets) => new ActiveActiveCells(region(app, 'S', 'eu-west-1'), 'Cells', { image, recoveryTargets }),
  MultiSiteActiveActive: (app, recoveryTargets) => {
    const dns = region(app, 'Dns', 'us-east-1');
    const zone = new route53.PublicHostedZone(dns, 'Zone', { zoneName: 'example.com' });
    const sites = ['eu-west-1', 'us-west-2'].map((r, i) => ({ stack: region(app, `Site${i}`, r), standby: i === 1 }));
    return new MultiSiteActiveActive(dns, 'Engine', { zone, recordName: 'engine', image, sites, recoveryTargets });
  },
  HaDatabase: (app, recoveryTargets) => {
    const primary = region(app, 'Primary', 'eu-west-1');
    const secondary = region(app, 'Secondary', 'us-east-1');
    return new HaDatabase(primary, 'Db', {
      vpc: createHaVpc(primary, 'Vpc'), secondary: { stack: secondary, vpc: createHaVpc(secondary, 'Vpc') }, globalClusterIdentifier: 'orders', recoveryTargets,
    });
  },
  ColdStandbyConfigServer: (app, recoveryTargets) => {
    const primary = region(app, 'Primary', 'eu-west-1');
    const secondary = region(app, 'Secondary', 'us-east-1');
    const zone = new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' });
    return new ColdStandbyConfigServer(primary, 'Config', {
      vpc: createHaVpc(primary, 'Vpc'), image, zone, standby: { stack: secondary, vpc: createHaVpc(secondary, 'Vpc') }, tableName: 'config', recoveryTargets,
    });
  },
};

const cases = Object.entries(FIXTURES).flatMap(([name, fixture]) => {
  const pattern = fixture(testApp());
  return pattern.recoveryObjectives.paths.map(p => ({ name, fixture, path: p }));
});

describe('per-path recovery targets of every pattern', () => {
  test('every pattern declares at least one path', () => {
    expect(new Set(cases.map(c => c.name))).toEqual(new Set(Object.keys(FIXTURES)));
  });

  test.each(cases.map(c => [`${c.name} ${c.path.name} (${c.path.total.toSeconds()} s)`, c] as const))('%s: met exactly; missed by 1 s; below its fastest', (_title, c) => {
    const total = c.path.total.toMilliseconds();
    const met = testApp();
    // A target must be longer than 0: a path of 0 s is checked with 1 s.
    c.fixture(met, { paths: [{ path: c.path.name, rto: Duration.millis(Math.max(1000, total)) }] });
    expect(() => met.synth()).not.toThrow();
    if (total === 0) return;

    const head = `the '${c.path.name}' path takes .* worst case, target .* \\(recoveryTargets.paths\\[0\\].rto\\)`;
    const fastest = c.path.fastest.toMilliseconds();
    const target = Duration.millis(total - 1000);
    const missed = testApp();
    const pattern = c.fixture(missed, { paths: [{ path: c.path.name, rto: target }] });
    if (fastest > target.toMilliseconds()) {
      expect(() => missed.synth()).toThrow(new RegExp(`${head}.*No setting meets it.*Raise recoveryTargets.paths\\[0\\].rto to at least`));
    } else if (pattern.recoveryObjectives.path(c.path.name).total.toMilliseconds() <= target.toMilliseconds()) {
      // A default that follows the target (the Route 53 failure threshold) met it.
      expect(() => missed.synth()).not.toThrow();
    } else {
      const tunable = c.path.steps.filter(s => s.tuning && s.fastest.toMilliseconds() < s.duration.toMilliseconds())
        .reduce((a, b) => (b.duration.toMilliseconds() > a.duration.toMilliseconds() ? b : a));
      expect(() => missed.synth()).toThrow(new RegExp(`${head}.*shorten it with ${escape(tunable.tuning!)}`));
    }

    if (fastest >= 1000) {
      const impossible = testApp();
      c.fixture(impossible, { paths: [{ path: c.path.name, rto: Duration.millis(fastest - 500) }] });
      expect(() => impossible.synth()).toThrow(new RegExp(`${head}.*No setting meets it: the fastest this path can be configured to is`));
    }
  });

  test('a target for a path the pattern does not have fails naming its paths', () => {
    const app = testApp();
    FIXTURES.SingletonDaemon(app, { paths: [{ path: 'task failure', rto: Duration.minutes(5) }] });
    expect(() => app.synth()).toThrow(/S\/Etl: invalid prop 'recoveryTargets.paths\[0\].path': received "task failure"; expected one of the pattern's path ids: 'task-failure'/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
