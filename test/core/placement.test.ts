/**
 * The placement model: patterns with the same id, homed in different stacks,
 * share the other regions' stacks without id collisions, and nothing is
 * created outside the stacks the user gave.
 */
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { ColdStandbyConfigServer, HaDatabase } from '../../lib';
import { regionalScope } from '../../lib/core/regional-scope';
import { InterRegionVpcPeering } from '../../lib/network';
import { siteVpc } from '../config-server/site-vpc';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

test('two HaDatabases and two ColdStandbyConfigServers with the same ids share one secondary stack', () => {
  const app = testApp();
  const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1'), crossRegionReferences: true });
  // the configuration servers' standby site routes to their primaries: a range of its own
  const vpc2 = siteVpc(secondary, 'Vpc', '10.1.0.0/16');
  const built = ['A', 'B'].map((name, i) => {
    const primary = new Stack(app, name, { env: testEnv('eu-west-1'), crossRegionReferences: true });
    // Both primaries route to the shared secondary VPC (the database's probe, the standby's proxy): ranges of their own, peered.
    const vpc = siteVpc(primary, 'Vpc', `10.${2 * i}.0.0/16`);
    new InterRegionVpcPeering(secondary, `Peering${name}`, { vpc: vpc2, peerVpc: vpc });
    const zone = new route53.PublicHostedZone(primary, 'Zone', { zoneName: `${name.toLowerCase()}.example.com` });
    const db = new HaDatabase(primary, 'Db', { vpc, secondary: { stack: secondary, vpc: vpc2 }, globalClusterIdentifier: `orders-${name.toLowerCase()}` });
    const config = new ColdStandbyConfigServer(primary, 'Config', { vpc, image, zone, standby: { stack: secondary, vpc: vpc2 }, tableName: `config-${name.toLowerCase()}` });
    return { db, config };
  });
  expect(() => app.synth()).not.toThrow();
  expect(built.map(b => b.db.secondary!.node.path)).toEqual([
    expect.stringMatching(/^Secondary\/ADb[0-9A-F]{8}\/Secondary$/),
    expect.stringMatching(/^Secondary\/BDb[0-9A-F]{8}\/Secondary$/),
  ]);
  expect(built.map(b => b.config.standbySite.node.path)).toEqual([
    expect.stringMatching(/^Secondary\/AConfig[0-9A-F]{8}\/Standby$/),
    expect.stringMatching(/^Secondary\/BConfig[0-9A-F]{8}\/Standby$/),
  ]);
  expect(app.node.children.filter(Stack.isStack).map(s => s.stackName).sort()).toEqual(['A', 'B', 'Secondary']);
});

test("regionalScope: one scope per pattern and stack, named from the pattern's path; never in the pattern's own stack", () => {
  const app = testApp();
  const home = new Stack(app, 'Home', { env: testEnv() });
  const other = new Stack(app, 'Other', { env: testEnv('us-west-2') });
  const a = new Construct(new Construct(home, 'A'), 'Pattern');
  const b = new Construct(new Construct(home, 'B'), 'Pattern');

  const scope = regionalScope(a, other);
  expect(scope.node.scope).toBe(other);
  expect(regionalScope(a, other)).toBe(scope);
  expect(regionalScope(b, other)).not.toBe(scope);
  expect(other.node.children.map(c => c.node.id).sort()).toEqual([expect.stringMatching(/^HomeAPattern[0-9A-F]{8}$/), expect.stringMatching(/^HomeBPattern[0-9A-F]{8}$/)]);

  expect(() => regionalScope(a, home)).toThrow("Home/A/Pattern: Home is the pattern's own stack");
});
