/**
 * One small instance of every pattern, built with given recovery targets:
 * the per-path target tests and the README figures test use them.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ActiveActiveCells, ActiveSpareWebTier, ColdStandbyConfigServer, HaDatabase, HaPattern, HotStandbyConsumer, LatencyDns,
  MultiSiteActiveActive, RecoveryTargets, SingletonDaemon, WarmStandbyPair, WebTierSite, WorkerPool,
} from '../lib';
import { createHaVpc } from '../lib/private/network';
import { peeredVpcs } from './config-server/site-vpc';
import { testEnv } from './harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** Builds one pattern with `targets` in a fresh app. */
/** The folder of each pattern's README under lib/, by pattern name. */
export const README_FOLDER: Record<string, string> = {
  LatencyDns: 'latency-dns', WebTierSite: 'web-tier', ActiveSpareWebTier: 'web-tier', HaDatabase: 'ha-database',
  ColdStandbyConfigServer: 'config-server', SingletonDaemon: 'singleton', WarmStandbyPair: 'warm-standby',
  HotStandbyConsumer: 'hot-standby', WorkerPool: 'worker-pool', ActiveActiveCells: 'cells', MultiSiteActiveActive: 'multi-site',
};

export type Fixture = (app: App, targets?: RecoveryTargets) => HaPattern;

const region = (app: App, id: string, r: string) => new Stack(app, id, { env: testEnv(r), crossRegionReferences: true });

export const FIXTURES: Record<string, Fixture> = {
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
    // The secondary's writer probe connects to the primary writer: the VPCs are peered.
    const { primaryVpc, secondaryVpc } = peeredVpcs(primary, secondary);
    return new HaDatabase(primary, 'Db', {
      vpc: primaryVpc, secondary: { stack: secondary, vpc: secondaryVpc }, globalClusterIdentifier: 'orders', recoveryTargets,
    });
  },
  ColdStandbyConfigServer: (app, recoveryTargets) => {
    const primary = region(app, 'Primary', 'eu-west-1');
    const secondary = region(app, 'Secondary', 'us-east-1');
    const zone = new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' });
    // The standby's probe and proxy reach the live writer, and the primary's proxy the standby once on: the VPCs are peered.
    const { primaryVpc, secondaryVpc } = peeredVpcs(primary, secondary);
    return new ColdStandbyConfigServer(primary, 'Config', {
      vpc: primaryVpc, image, zone, standby: { stack: secondary, vpc: secondaryVpc }, tableName: 'config', recoveryTargets,
    });
  },
};

