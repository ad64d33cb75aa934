/**
 * The placement model under CDK Pipelines: one Stage per region, the hosted
 * zone imported by its id and name. A Stage is synthesized on its own, so
 * no token, export or stack dependency may cross from one Stage to another.
 */
import { Stack, Stage } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ActiveSpareWebTier, ColdStandbyConfigServer, HaDatabase, MultiSiteActiveActive, SpareMode } from '../../lib';
import { InterRegionVpcPeering } from '../../lib/network';
import { createHaVpc } from '../../lib/private/network';
import { testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function stagedApp() {
  const app = testApp();
  const stage = (id: string, region: string) => {
    const s = new Stage(app, id, { env: testEnv(region) });
    return new Stack(s, 'Service', { env: testEnv(region) });
  };
  const primary = stage('Primary', 'eu-west-1');
  const spare = stage('Spare', 'us-west-2');
  const dns = stage('Dns', 'us-east-1');
  const zoneIn = (stack: Stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const zone = zoneIn(primary);
  zoneIn(spare);
  zoneIn(dns);
  const vpc = createHaVpc(primary, 'Vpc');
  const spareVpc = createHaVpc(spare, 'Vpc', 2, '10.1.0.0/16');
  // The database's probe and the config server's standby reach the primary VPC: peered (the Spare Stage deploys after the Primary Stage).
  new InterRegionVpcPeering(spare, 'Peering', { vpc: spareVpc, peerVpc: vpc });
  const web = new ActiveSpareWebTier(primary, 'Web', {
    vpc, spares: [{ stack: spare, vpc: spareVpc }], dnsStack: dns, image, activeCapacity: 2, spareMode: SpareMode.PILOT_LIGHT, zone, recordName: 'agents',
  });
  const sites = new MultiSiteActiveActive(dns, 'Engine', {
    zone, recordName: 'engine', image, sites: [{ stack: primary, vpc }, { stack: spare, vpc: spareVpc }],
  });
  const db = new HaDatabase(primary, 'Db', { vpc, secondary: { stack: spare, vpc: spareVpc }, globalClusterIdentifier: 'orders-staged' });
  const config = new ColdStandbyConfigServer(primary, 'Config', { vpc, image, zone, standby: { stack: spare, vpc: spareVpc }, tableName: 'config-staged' });
  return { app, stacks: [primary, spare, dns], web, sites, db, config };
}

test('a web tier, a multi-site service, a database and a config server synthesize with one Stage per region', () => {
  const { app } = stagedApp();
  expect(() => app.synth()).not.toThrow();
});

test('no stack of one Stage depends on, imports from or exports to another', () => {
  const { app, stacks } = stagedApp();
  const assembly = app.synth();
  for (const stack of stacks) {
    const stageAssembly = assembly.getNestedAssembly(`assembly-${Stage.of(stack)!.node.id}`);
    const artifact = stageAssembly.getStackArtifact(stack.artifactId);
    const json = JSON.stringify(artifact.template);
    expect({ stack: stack.node.path, imports: json.match(/Fn::ImportValue|ExportsReader|ExportsWriter|CrossRegion/g) ?? [] })
      .toEqual({ stack: stack.node.path, imports: [] });
    expect({ stack: stack.node.path, dependencies: artifact.dependencies.map(d => d.id).filter(id => !id.includes('.assets')) })
      .toEqual({ stack: stack.node.path, dependencies: [] });
  }
});
