/**
 * Network links of recovery paths (`PathLink.network`): between VPCs of two
 * regions a path needs a route, an InterRegionVpcPeering or one declared
 * with NetworkRoute.declare; without one, synthesis fails naming the path,
 * both VPCs and the fix.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import {
  AlarmRole, FailureScenario, HaPattern, HaPatternProps, InterRegionVpcPeering, NetworkLinkOptions, NetworkRoute, NetworkRouteKind, PathLink,
  PathLinkKind, RecoveryStep, SignalKind,
} from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { expectHaValidationError, testApp, testEnv } from '../harness';

/** A pattern whose one path needs `from` to reach `to`. */
class Client extends HaPattern {
  constructor(scope: Construct, id: string, props: HaPatternProps & { from: ec2.IVpc; to: ec2.IVpc; scenario: FailureScenario; options?: NetworkLinkOptions }) {
    super(scope, id, props, { patternName: 'Client', detection: 'a test alarm' });
    this.createAlarm(this, 'Trigger', {
      metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Up', period: Duration.minutes(1), statistic: 'Minimum' }),
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 1,
      signal: SignalKind.STATUS, role: AlarmRole.FAILOVER_TRIGGER, description: 'test',
    });
    this.recoveryObjectives.addRecoveryPath('writes', [RecoveryStep.constant('test', Duration.seconds(10), 'test')], {
      scenarios: [props.scenario], links: [PathLink.network(props.from, props.to, 'standby proxies forward writes to the primary', props.options)],
    });
    this.createFailoverAlarm();
  }
}

/** Two regions, a VPC in each (and a second VPC in the primary region), the client in the standby stack. */
function twoRegions(scenario = FailureScenario.primaryServerLoss('eu-west-1'), options?: NetworkLinkOptions) {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const standby = new Stack(app, 'Standby', { env: testEnv('us-east-1') });
  const primaryVpc = createHaVpc(primary, 'Vpc', 1, '10.0.0.0/16');
  const standbyVpc = createHaVpc(standby, 'Vpc', 1, '10.1.0.0/16');
  const client = new Client(standby, 'Client', { from: standbyVpc, to: primaryVpc, scenario, options });
  return { app, primary, standby, primaryVpc, standbyVpc, client };
}

const NO_ROUTE = "[Standby/Client] recovery path 'writes' does not survive primary-server-loss of eu-west-1: " +
  'its network link standby proxies forward writes to the primary needs Standby/Vpc (us-east-1) to reach Primary/Vpc (eu-west-1), ' +
  'and no route connects them: peer them with new InterRegionVpcPeering(<a scope in the stack that deploys second>, id, { vpc, peerVpc }), ' +
  'or declare the route you manage (transit gateway, PrivateLink, public TLS endpoint) with NetworkRoute.declare(scope, { fromVpc, toVpc, kind, description })';

describe('PathLink.network', () => {
  test('is a network link of the from VPC', () => {
    const { standbyVpc, primaryVpc } = twoRegions();
    const link = PathLink.network(standbyVpc, primaryVpc, 'd');
    expect(link.kind).toBe(PathLinkKind.NETWORK);
    expect(link.construct).toBe(standbyVpc);
    expect(link.region).toBe('us-east-1');
  });

  test('without a route between the regions, synthesis fails naming the path, both VPCs with their regions, and the fix', () => {
    const { app } = twoRegions();
    expect(() => app.synth()).toThrow(NO_ROUTE);
  });

  test('the message names the port when the link gives one', () => {
    const { client } = twoRegions(undefined, { port: 5432 });
    expect(client.recoveryObjectives.scenarioOutcomes('writes')[0].brokenLinks[0]).toMatch(/to reach Primary\/Vpc \(eu-west-1\) on port 5432, and no route/);
  });

  test('an InterRegionVpcPeering between the VPCs is a route, in either direction', () => {
    const a = twoRegions();
    new InterRegionVpcPeering(a.standby, 'Peering', { vpc: a.standbyVpc, peerVpc: a.primaryVpc });
    expect(a.client.recoveryObjectives.scenarioOutcomes('writes')).toEqual([expect.objectContaining({ survives: true, brokenLinks: [] })]);
    expect(() => a.app.synth()).not.toThrow();

    const b = twoRegions();
    new InterRegionVpcPeering(b.primary, 'Peering', { vpc: b.primaryVpc, peerVpc: b.standbyVpc });
    expect(b.client.recoveryObjectives.scenarioOutcomes('writes')[0].survives).toBe(true);
  });

  test('a peering of other VPCs is no route for these', () => {
    const { app, standby, primaryVpc, client } = twoRegions();
    const third = createHaVpc(new Stack(app, 'Third', { env: testEnv('us-west-2') }), 'Vpc', 1, '10.2.0.0/16');
    new InterRegionVpcPeering(standby, 'Peering', { vpc: createHaVpc(standby, 'OtherVpc', 1, '10.3.0.0/16'), peerVpc: primaryVpc });
    NetworkRoute.declare(app, { fromVpc: third, toVpc: primaryVpc, kind: NetworkRouteKind.TRANSIT_GATEWAY, description: 'transit gateway tgw-0123', bothWays: true });
    expect(client.recoveryObjectives.scenarioOutcomes('writes')[0].survives).toBe(false);
  });

  test.each([
    NetworkRouteKind.TRANSIT_GATEWAY, NetworkRouteKind.VPC_PEERING, NetworkRouteKind.PRIVATE_LINK, NetworkRouteKind.PUBLIC_TLS_ENDPOINT,
  ])('a declared route (%s) from the client\'s VPC to the server\'s is a route', kind => {
    const { app, standbyVpc, primaryVpc, client } = twoRegions();
    const route = NetworkRoute.declare(app, { fromVpc: standbyVpc, toVpc: primaryVpc, kind, description: 'corporate transit gateway tgw-0123' });
    expect(client.recoveryObjectives.scenarioOutcomes('writes')[0].survives).toBe(true);
    expect(() => app.synth()).not.toThrow();
    expect(NetworkRoute.find(standbyVpc, primaryVpc)).toBe(route);
    expect(route.kind).toBe(kind);
  });

  test('a declared route goes one way unless bothWays', () => {
    const oneWay = twoRegions();
    NetworkRoute.declare(oneWay.app, { fromVpc: oneWay.primaryVpc, toVpc: oneWay.standbyVpc, kind: NetworkRouteKind.PRIVATE_LINK, description: 'endpoint service of the standby proxies' });
    expect(oneWay.client.recoveryObjectives.scenarioOutcomes('writes')[0].survives).toBe(false);
    expect(NetworkRoute.find(oneWay.standbyVpc, oneWay.primaryVpc)).toBeUndefined();

    const both = twoRegions();
    NetworkRoute.declare(both.app, { fromVpc: both.primaryVpc, toVpc: both.standbyVpc, kind: NetworkRouteKind.TRANSIT_GATEWAY, description: 'transit gateway tgw-0123', bothWays: true });
    expect(both.client.recoveryObjectives.scenarioOutcomes('writes')[0].survives).toBe(true);
  });

  test('VPCs of one region, or one VPC, need no route', () => {
    const app = testApp();
    const a = new Stack(app, 'A', { env: testEnv('eu-west-1') });
    const b = new Stack(app, 'B', { env: testEnv('eu-west-1') });
    const vpcA = createHaVpc(a, 'Vpc', 1, '10.0.0.0/16');
    const vpcB = createHaVpc(b, 'Vpc', 1, '10.1.0.0/16');
    const sameRegion = new Client(b, 'SameRegion', { from: vpcB, to: vpcA, scenario: FailureScenario.primaryServerLoss('eu-west-1') });
    const sameVpc = new Client(a, 'SameVpc', { from: vpcA, to: vpcA, scenario: FailureScenario.primaryServerLoss('eu-west-1') });
    expect(sameRegion.recoveryObjectives.scenarioOutcomes('writes')[0].survives).toBe(true);
    expect(sameVpc.recoveryObjectives.scenarioOutcomes('writes')[0].survives).toBe(true);
    expect(() => app.synth()).not.toThrow();
  });

  test('VPCs of two stacks without a region need a route (their regions may differ)', () => {
    const app = testApp();
    const a = new Stack(app, 'A');
    const b = new Stack(app, 'B');
    const client = new Client(b, 'Client', { from: createHaVpc(b, 'Vpc', 1, '10.1.0.0/16'), to: createHaVpc(a, 'Vpc', 1, '10.0.0.0/16'), scenario: FailureScenario.taskLoss('eu-west-1') });
    expect(client.recoveryObjectives.scenarioOutcomes('writes')[0].brokenLinks[0]).toMatch(/needs B\/Vpc \(region unknown at synthesis\) to reach A\/Vpc \(region unknown at synthesis\)/);
  });

  test('the link is checked for its route only: a region loss at either end does not break it by itself', () => {
    for (const region of ['eu-west-1', 'us-east-1']) {
      const t = twoRegions(FailureScenario.regionLoss(region));
      new InterRegionVpcPeering(t.standby, 'Peering', { vpc: t.standbyVpc, peerVpc: t.primaryVpc });
      expect(t.client.recoveryObjectives.scenarioOutcomes('writes')[0]).toMatchObject({ survives: true, brokenLinks: [] });
    }
  });

  test('an acknowledged missing route does not fail synthesis, and is reported as acknowledged', () => {
    const { app, client } = twoRegions();
    client.recoveryObjectives.acknowledgeBrokenPath('writes', 'The proxies reach the primary over the corporate WAN, outside this app.');
    expect(() => app.synth()).not.toThrow();
    expect(client.recoveryObjectives.scenarioOutcomes('writes')[0]).toMatchObject({ survives: false, acknowledged: expect.stringMatching(/corporate WAN/) });
  });
});

describe('NetworkRoute.declare', () => {
  test('fails when from and to are the same VPC', () => {
    const { app, primaryVpc } = twoRegions();
    expectHaValidationError(() => NetworkRoute.declare(app, { fromVpc: primaryVpc, toVpc: primaryVpc, kind: NetworkRouteKind.TRANSIT_GATEWAY, description: 'transit gateway tgw-0123' }),
      /<root>: invalid prop 'toVpc': received "Primary\/Vpc"; expected another VPC than fromVpc/);
  });

  test('fails when the description does not say what carries the traffic', () => {
    const { standby, standbyVpc, primaryVpc } = twoRegions();
    expectHaValidationError(() => NetworkRoute.declare(standby, { fromVpc: standbyVpc, toVpc: primaryVpc, kind: NetworkRouteKind.TRANSIT_GATEWAY, description: 'tgw' }),
      /Standby: invalid prop 'description': received "tgw"; expected what carries the traffic/);
  });

  test('fails when the VPCs are of another app than scope', () => {
    const { standbyVpc } = twoRegions();
    const other = twoRegions();
    expectHaValidationError(() => NetworkRoute.declare(other.app, { fromVpc: standbyVpc, toVpc: other.primaryVpc, kind: NetworkRouteKind.VPC_PEERING, description: 'peering pcx-0123 made by hand' }),
      /invalid prop 'toVpc': received "Primary\/Vpc"; expected VPCs of the same app as scope/);
  });
});
