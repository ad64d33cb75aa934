/**
 * Bad inputs of every pattern, as a JavaScript caller (or an `as` cast) can
 * pass them: each fails with an `HaValidationError` that names the construct
 * path, the prop and the value received, never with a TypeError or a
 * ValidationError from inside aws-cdk-lib.
 */
import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  ActiveActiveCells, ActiveActiveCellsProps, ActiveSpareWebTier, AlarmRole, FailoverNotifications, FailoverNotificationsProps, HaPattern, PatternAlarmProps, SignalKind, ActiveSpareWebTierProps, ColdStandbyConfigServer, ColdStandbyConfigServerProps,
  HaDatabase, HaDatabaseProps, HaValidationError, HotStandbyConsumer, MultiSiteActiveActive, MultiSiteActiveActiveProps, HotStandbyConsumerProps, LatencyDns, LatencyDnsProps, SingletonDaemon, SingletonDaemonProps, SiteRecord,
  WarmStandbyPair, WarmStandbyPairProps, WebTierSite, WebTierSiteProps, WorkerPool, WorkerPoolProps,
} from '../../lib';
import { testApp, testEnv } from '../harness';

/** One bad input: what is wrong, the props that carry it, and what the error must name. */
type Row = [what: string, bad: (scope: Construct) => Record<string, unknown>, prop: string, received: string];

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
/** A string token, resolved only at deployment. */
const TOKEN = Token.asString({ resolve: () => 'eu-west-1' });

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Asserts that `build` fails with an `HaValidationError` whose message is
 * `<path>: invalid prop '<prop>': received <received>; expected <something>`.
 */
function expectRejected(build: () => unknown, path: string, prop: string, received: string): void {
  expect(build).toThrow(HaValidationError);
  expect(build).toThrow(new RegExp(`^${escape(path)}: invalid prop '${escape(prop)}': received ${escape(received)}; expected \\S.*`));
}

/** Props with `key` removed, as a JavaScript caller can omit a required prop. */
function omit(key: string): Record<string, unknown> {
  return { [key]: undefined };
}

/** A VPC of two zones with only the given subnet types (ec2.Vpc needs PUBLIC subnets beside PRIVATE_WITH_EGRESS). */
function vpcWith(scope: Construct, id: string, ...types: ec2.SubnetType[]): ec2.Vpc {
  return new ec2.Vpc(scope, id, {
    maxAzs: 2,
    natGateways: types.includes(ec2.SubnetType.PRIVATE_WITH_EGRESS) ? 1 : 0,
    subnetConfiguration: types.map(subnetType => ({ name: subnetType, subnetType, cidrMask: 24 })),
  });
}
const PUBLIC = ec2.SubnetType.PUBLIC;
const PRIVATE = ec2.SubnetType.PRIVATE_WITH_EGRESS;
const ISOLATED = ec2.SubnetType.PRIVATE_ISOLATED;

describe('LatencyDns bad inputs', () => {
  const albAlias = (region: string) => route53.RecordTarget.fromAlias({
    bind: () => ({ dnsName: `dualstack.web-123.${region}.elb.amazonaws.com`, hostedZoneId: 'Z32O12XQLNTSW2', evaluateTargetHealth: true }),
  });
  const site = (extra: Record<string, unknown> = {}) => ({ region: 'eu-west-1', target: albAlias('eu-west-1'), ...extra });
  const siteRecordIn = (scope: Construct, region: string) => {
    const stack = new Stack(scope.node.root, `Site${region}`, { env: testEnv(region) });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    return new SiteRecord(stack, 'Record', { zone, recordName: `agents.${region}`, target: albAlias(region) });
  };
  const build = (bad: (scope: Construct) => Record<string, unknown>, region = 'us-east-1') => () => {
    const stack = new Stack(testApp(), 'Dns', { env: testEnv(region) });
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    const props = { zone, recordName: 'agents', sites: [site(), { region: 'us-east-1', target: albAlias('us-east-1') }], ...bad(stack) };
    return new LatencyDns(stack, 'Agents', props as unknown as LatencyDnsProps);
  };

  test.each<Row>([
    ['zone is missing', () => omit('zone'), 'zone', 'undefined'],
    ['recordName is missing', () => omit('recordName'), 'recordName', 'undefined'],
    ['sites is missing', () => omit('sites'), 'sites', 'undefined'],
    ['a site has neither target nor siteRecord', () => ({ sites: [site({ target: undefined })] }), 'sites[0].target', '"neither target nor siteRecord"'],
    ['a site has both target and siteRecord', scope => ({ sites: [site({ siteRecord: siteRecordIn(scope, 'eu-west-1') })] }), 'sites[0].target', '"both target and siteRecord"'],
    ['a site has siteRecordName beside its siteRecord', scope => ({ sites: [site({ target: undefined, siteRecord: siteRecordIn(scope, 'eu-west-1'), siteRecordName: 'eu' })] }),
      'sites[0].siteRecordName', '"eu"'],
    ['a site\'s siteRecord is in another region\'s stack', scope => ({ sites: [site({ target: undefined, siteRecord: siteRecordIn(scope, 'eu-central-1') })] }),
      'sites[0].siteRecord', '"a SiteRecord in a stack in eu-central-1"'],
    ['a site has no region', () => ({ sites: [site({ region: undefined })] }), 'sites[0].region', 'undefined'],
    ['a site region is not an AWS region', () => ({ sites: [site({ region: 'eu-north-9' })] }), 'sites[0].region', '"eu-north-9"'],
    ['a site region is a token', () => ({ sites: [site({ region: TOKEN })] }), 'sites[0].region', '<token>'],
    ['failureThreshold is 0', () => ({ failureThreshold: 0 }), 'failureThreshold', '0'],
    ['failureThreshold is negative', () => ({ failureThreshold: -2 }), 'failureThreshold', '-2'],
    ['a site port is 0', () => ({ sites: [site({ port: 0 })] }), 'sites[0].port', '0'],
    ['recordName is not a DNS name', () => ({ recordName: 'agents!' }), 'recordName', '"agents!"'],
    ['recordName has a label ending in a hyphen', () => ({ recordName: 'agents-.eu' }), 'recordName', '"agents-.eu"'],
    ['a site record name is not a DNS name', () => ({ sites: [site({ siteRecordName: 'agents..eu-west-1' })] }), 'sites[0].siteRecordName', '"agents..eu-west-1"'],
    ['zone is a zone name instead of a hosted zone', () => ({ zone: 'example.com' }), 'zone', '"example.com"'],
    ['sites is not an array', () => ({ sites: 'eu-west-1' }), 'sites', '"eu-west-1"'],
    ['routingPolicy is not a DnsRoutingPolicy', () => ({ routingPolicy: 'WEIGHTED' }), 'routingPolicy', '"WEIGHTED"'],
    ['healthCheckProtocol is not a HealthCheckProtocol', () => ({ healthCheckProtocol: 'TCP' }), 'healthCheckProtocol', '"TCP"'],
    ['healthCheckInterval is a number instead of a Duration', () => ({ healthCheckInterval: 10 }), 'healthCheckInterval', '10'],
    ['recordTtl is a number instead of a Duration', () => ({ recordTtl: 60 }), 'recordTtl', '60'],
    ['a site health-check path is not a string', () => ({ sites: [site({ healthCheckPath: 42 })] }), 'sites[0].healthCheckPath', '42'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Dns/Agents', prop, received);
  });

  test('fails when the stack region is not an AWS region', () => {
    expectRejected(build(() => ({}), 'us-fake-1'), 'Dns/Agents', 'scope', '"a stack in us-fake-1"');
  });
});

describe('WebTierSite bad inputs', () => {
  const build = (bad: (scope: Construct) => Record<string, unknown>) => () => {
    const stack = new Stack(testApp(), 'App', { env: testEnv() });
    return new WebTierSite(stack, 'Web', { image: IMAGE, activeCapacity: 2, ...bad(stack) } as unknown as WebTierSiteProps);
  };

  test.each<Row>([
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['activeCapacity is missing', () => omit('activeCapacity'), 'activeCapacity', 'undefined'],
    ['activeCapacity is 0', () => ({ activeCapacity: 0 }), 'activeCapacity', '0'],
    ['activeCapacity is negative', () => ({ activeCapacity: -1 }), 'activeCapacity', '-1'],
    ['runningTasks is negative', () => ({ runningTasks: -1 }), 'runningTasks', '-1'],
    ['serverErrorThreshold is 0', () => ({ serverErrorThreshold: 0 }), 'serverErrorThreshold', '0'],
    ['containerPort is 0', () => ({ containerPort: 0 }), 'containerPort', '0'],
    ['cpu is not a Fargate size', () => ({ cpu: 300 }), 'cpu', '300'],
    ['memoryLimitMiB does not fit the cpu on Fargate', () => ({ cpu: 256, memoryLimitMiB: 4096 }), 'memoryLimitMiB', '4096'],
    ['memoryLimitMiB does not fit the default cpu on Fargate', () => ({ memoryLimitMiB: 512 }), 'memoryLimitMiB', '512'],
    ['the VPC has no public subnets for the load balancer', s => ({ vpc: vpcWith(s, 'Vpc', ISOLATED) }), 'vpc', '"a VPC without PUBLIC subnets"'],
    ['the VPC has no private subnets with egress for the tasks', s => ({ vpc: vpcWith(s, 'Vpc', PUBLIC, ISOLATED) }), 'vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['stickinessDuration is longer than 7 days', () => ({ stickinessDuration: Duration.days(8) }), 'stickinessDuration', '8 days'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'nginx:stable' }), 'image', '"nginx:stable"'],
    ['vpc is a VPC id instead of a VPC', () => ({ vpc: 'vpc-0123' }), 'vpc', '"vpc-0123"'],
    ['stickinessDuration is a number instead of a Duration', () => ({ stickinessDuration: 3600 }), 'stickinessDuration', '3600'],
    ['healthCheckPath is not a string', () => ({ healthCheckPath: 42 }), 'healthCheckPath', '42'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'App/Web', prop, received);
  });
});

describe('SingletonDaemon bad inputs', () => {
  const build = (bad: (scope: Construct) => Record<string, unknown>) => () => {
    const stack = new Stack(testApp(), 'S', { env: testEnv() });
    return new SingletonDaemon(stack, 'Etl', { image: IMAGE, ...bad(stack) } as unknown as SingletonDaemonProps);
  };

  test.each<Row>([
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['entryPoint is one string instead of a list', () => ({ entryPoint: 'sh -c' }), 'entryPoint', '"sh -c"'],
    ['command holds a number', () => ({ command: ['sleep', 60] }), 'command', '["sleep",60]'],
    ['desiredCount is 0', () => ({ desiredCount: 0 }), 'desiredCount', '0'],
    ['desiredCount is negative', () => ({ desiredCount: -1 }), 'desiredCount', '-1'],
    ['cpu is 0', () => ({ cpu: 0 }), 'cpu', '0'],
    ['cpu is not a Fargate size', () => ({ cpu: 300 }), 'cpu', '300'],
    ['memoryLimitMiB is 0', () => ({ memoryLimitMiB: 0 }), 'memoryLimitMiB', '0'],
    ['memoryLimitMiB does not fit the default cpu on Fargate', () => ({ memoryLimitMiB: 4096 }), 'memoryLimitMiB', '4096'],
    ['memoryLimitMiB does not fit the cpu on Fargate', () => ({ cpu: 4096, memoryLimitMiB: 4096 }), 'memoryLimitMiB', '4096'],
    ['leaseName is empty', () => ({ leaseName: '' }), 'leaseName', '""'],
    ['leaseName has characters DynamoDB keys of the lease protocol refuse', () => ({ leaseName: 'nightly etl' }), 'leaseName', '"nightly etl"'],
    ['renewInterval is 0', () => ({ renewInterval: Duration.seconds(0) }), 'renewInterval', '0 seconds'],
    ['leaseDuration is 0', () => ({ leaseDuration: Duration.seconds(0) }), 'leaseDuration', '0 seconds'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'busybox:stable' }), 'image', '"busybox:stable"'],
    ['cluster is a cluster name instead of a cluster', () => ({ cluster: 'etl' }), 'cluster', '"etl"'],
    ['vpc is a VPC id instead of a VPC', () => ({ vpc: 'vpc-0123' }), 'vpc', '"vpc-0123"'],
    ['leaseDuration is a number instead of a Duration', () => ({ leaseDuration: 30 }), 'leaseDuration', '30'],
    ['leaseName is not a string', () => ({ leaseName: 42 }), 'leaseName', '42'],
    ['the VPC has no private subnets with egress for the task', s => ({ vpc: vpcWith(s, 'Vpc', PUBLIC, ISOLATED) }), 'vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['the cluster\'s VPC has no private subnets with egress for the task',
      s => ({ cluster: new ecs.Cluster(s, 'Cluster', { vpc: vpcWith(s, 'Vpc', PUBLIC, ISOLATED) }) }), 'cluster', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'S/Etl', prop, received);
  });
});

describe('HotStandbyConsumer bad inputs', () => {
  const build = (bad: (scope: Construct) => Record<string, unknown>) => () => {
    const stack = new Stack(testApp(), 'S', { env: testEnv() });
    return new HotStandbyConsumer(stack, 'C', { image: IMAGE, ...bad(stack) } as unknown as HotStandbyConsumerProps);
  };

  test.each<Row>([
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['entryPoint is one string instead of a list', () => ({ entryPoint: 'sh -c' }), 'entryPoint', '"sh -c"'],
    ['cpu is 0', () => ({ cpu: 0 }), 'cpu', '0'],
    ['cpu is not a Fargate size', () => ({ cpu: 1000 }), 'cpu', '1000'],
    ['memoryLimitMiB is negative', () => ({ memoryLimitMiB: -512 }), 'memoryLimitMiB', '-512'],
    ['memoryLimitMiB does not fit the cpu on Fargate', () => ({ cpu: 1024, memoryLimitMiB: 1024 }), 'memoryLimitMiB', '1024'],
    ['leaseName has a space', () => ({ leaseName: 'the leader' }), 'leaseName', '"the leader"'],
    ['renewInterval is 0', () => ({ renewInterval: Duration.seconds(0) }), 'renewInterval', '0 seconds'],
    ['iteratorAgeThreshold is 0', () => ({ iteratorAgeThreshold: Duration.seconds(0) }), 'iteratorAgeThreshold', '0 seconds'],
    ['checkpointLagThreshold is 0', () => ({ checkpointLagThreshold: Duration.seconds(0) }), 'checkpointLagThreshold', '0 seconds'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'busybox:stable' }), 'image', '"busybox:stable"'],
    ['stream is a stream name instead of a stream', () => ({ stream: 'clicks' }), 'stream', '"clicks"'],
    ['subnetType is not an ec2.SubnetType', () => ({ subnetType: 'PRIVATE' }), 'subnetType', '"PRIVATE"'],
    ['renewInterval is a number instead of a Duration', () => ({ renewInterval: 5 }), 'renewInterval', '5'],
    ['the VPC has no private subnets with egress for the consumers', s => ({ vpc: vpcWith(s, 'Vpc', PUBLIC, ISOLATED) }), 'vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['the cluster\'s VPC has no private subnets with egress for the consumers',
      s => ({ cluster: new ecs.Cluster(s, 'Cluster', { vpc: vpcWith(s, 'Vpc', PUBLIC, ISOLATED) }) }), 'cluster', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['the VPC has no subnets of the chosen subnetType', s => ({ vpc: vpcWith(s, 'Vpc', PUBLIC, PRIVATE), subnetType: ISOLATED }), 'vpc', '"a VPC without PRIVATE_ISOLATED subnets"'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'S/C', prop, received);
  });
});

describe('WorkerPool bad inputs', () => {
  const build = (bad: (scope: Construct) => Record<string, unknown>) => () => {
    const stack = new Stack(testApp(), 'Pool', { env: testEnv() });
    return new WorkerPool(stack, 'B', { vpc: vpcWith(stack, 'Vpc', PUBLIC, PRIVATE), image: IMAGE, ...bad(stack) } as unknown as WorkerPoolProps);
  };

  test.each<Row>([
    ['vpc is missing', () => omit('vpc'), 'vpc', 'undefined'],
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['the VPC has no private subnets with egress for the workers', s => ({ vpc: vpcWith(s, 'Isolated', PUBLIC, ISOLATED) }), 'vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['cpu is 0', () => ({ cpu: 0 }), 'cpu', '0'],
    ['cpu is not a Fargate size', () => ({ cpu: 768 }), 'cpu', '768'],
    ['memoryLimitMiB does not fit the cpu on Fargate', () => ({ cpu: 256, memoryLimitMiB: 4096 }), 'memoryLimitMiB', '4096'],
    ['minWorkers is negative', () => ({ minWorkers: -1 }), 'minWorkers', '-1'],
    ['maxWorkers is 0', () => ({ minWorkers: 0, maxWorkers: 0 }), 'maxWorkers', '0'],
    ['maxWorkers is negative', () => ({ maxWorkers: -3 }), 'maxWorkers', '-3'],
    ['jobsPerWorker is 0', () => ({ jobsPerWorker: 0 }), 'jobsPerWorker', '0'],
    ['maxReceiveCount is 0', () => ({ maxReceiveCount: 0 }), 'maxReceiveCount', '0'],
    ['visibilityTimeout is 0', () => ({ visibilityTimeout: Duration.seconds(0) }), 'visibilityTimeout', '0 seconds'],
    ['maxJobAge is 0', () => ({ maxJobAge: Duration.seconds(0) }), 'maxJobAge', '0 seconds'],
    ['vpc is a VPC id instead of a VPC', () => ({ vpc: 'vpc-0123' }), 'vpc', '"vpc-0123"'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'busybox:stable' }), 'image', '"busybox:stable"'],
    ['visibilityTimeout is a number instead of a Duration', () => ({ visibilityTimeout: 300 }), 'visibilityTimeout', '300'],
    ['heartbeatInterval is a number instead of a Duration', () => ({ heartbeatInterval: 20 }), 'heartbeatInterval', '20'],
    ['maxJobDuration is a number instead of a Duration', () => ({ maxJobDuration: 600 }), 'maxJobDuration', '600'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Pool/B', prop, received);
  });
});

describe('ActiveSpareWebTier bad inputs', () => {
  /** The tier in a primary stack in eu-west-1 (or `primaryRegion`, account `account`), one spare in us-east-1. */
  const build = (bad: (scope: Construct, app: App) => Record<string, unknown>, env: { primaryRegion?: string; account?: string } = {}) => () => {
    const app = testApp();
    const shared = new Stack(app, 'Shared', { env: testEnv(), crossRegionReferences: true });
    const zone = new route53.PublicHostedZone(shared, 'Zone', { zoneName: 'example.com' });
    const primary = new Stack(app, 'Primary', { env: { ...testEnv(env.primaryRegion), ...(env.account ? { account: env.account } : {}) }, crossRegionReferences: true });
    const spare = new Stack(app, 'Spare', { env: testEnv('us-east-1'), crossRegionReferences: true });
    const props = { spares: [{ stack: spare }], image: IMAGE, activeCapacity: 2, zone, recordName: 'agents', ...bad(primary, app) };
    return new ActiveSpareWebTier(primary, 'Web', props as unknown as ActiveSpareWebTierProps);
  };
  const spareIn = (app: App, region: string, extra: Record<string, unknown> = {}) =>
    ({ spares: [{ stack: new Stack(app, 'Other', { env: testEnv(region), crossRegionReferences: true }), ...extra }] });

  test.each<[string, (scope: Construct, app: App) => Record<string, unknown>, string, string]>([
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['zone is missing', () => omit('zone'), 'zone', 'undefined'],
    ['spares is missing', () => omit('spares'), 'spares', 'undefined'],
    ['activeCapacity is missing', () => omit('activeCapacity'), 'activeCapacity', 'undefined'],
    ['recordName is missing', () => omit('recordName'), 'recordName', 'undefined'],
    ['a spare has no stack', () => ({ spares: [{}] }), 'spares[0].stack', 'undefined'],
    ['a spare stack\'s region is not an AWS region', (_s, app) => spareIn(app, 'us-east-7'), 'spares[0].stack', '"us-east-7"'],
    ['activeCapacity is 0', () => ({ activeCapacity: 0 }), 'activeCapacity', '0'],
    ['activeCapacity is negative', () => ({ activeCapacity: -2 }), 'activeCapacity', '-2'],
    ['warmCapacity is 0', () => ({ warmCapacity: 0 }), 'warmCapacity', '0'],
    ['failureThreshold is 0', () => ({ failureThreshold: 0 }), 'failureThreshold', '0'],
    ['containerPort is 0', () => ({ containerPort: 0 }), 'containerPort', '0'],
    ['cpu is not a Fargate size', () => ({ cpu: 100 }), 'cpu', '100'],
    ['memoryLimitMiB does not fit the cpu on Fargate', () => ({ cpu: 2048, memoryLimitMiB: 2048 }), 'memoryLimitMiB', '2048'],
    ['targetHealthCheckInterval is 0', () => ({ targetHealthCheckInterval: Duration.seconds(0) }), 'targetHealthCheckInterval', '0 seconds'],
    ['stickinessDuration is longer than 7 days', () => ({ stickinessDuration: Duration.days(30) }), 'stickinessDuration', '30 days'],
    ['recordName is not a DNS name', () => ({ recordName: 'my agents' }), 'recordName', '"my agents"'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'nginx:stable' }), 'image', '"nginx:stable"'],
    ['zone is a zone name instead of a hosted zone', () => ({ zone: 'example.com' }), 'zone', '"example.com"'],
    ['spares is not an array', () => ({ spares: 'us-east-1' }), 'spares', '"us-east-1"'],
    ['a spare stack is a region name instead of a stack', () => ({ spares: [{ stack: 'us-east-1' }] }), 'spares[0].stack', '"us-east-1"'],
    ['dnsStack is a region name instead of a stack', () => ({ dnsStack: 'us-east-1' }), 'dnsStack', '"us-east-1"'],
    ['spareMode is not a SpareMode', () => ({ spareMode: 'COLD' }), 'spareMode', '"COLD"'],
    ['the primary VPC has no public subnets for the load balancer', s => ({ vpc: vpcWith(s, 'Vpc', ISOLATED) }), 'vpc', '"a VPC without PUBLIC subnets"'],
    ['the primary VPC has no private subnets with egress for the tasks', s => ({ vpc: vpcWith(s, 'Vpc', PUBLIC, ISOLATED) }), 'vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['a spare VPC has no private subnets with egress for the tasks', (_s, app) => {
      const other = new Stack(app, 'Other', { env: testEnv('us-east-1'), crossRegionReferences: true });
      return { spares: [{ stack: other, vpc: vpcWith(other, 'Vpc', PUBLIC, ISOLATED) }] };
    }, 'spares[0].vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Primary/Web', prop, received);
  });

  test('fails when the tier\'s stack region is not an AWS region', () => {
    expectRejected(build(() => ({}), { primaryRegion: 'eu-west-9' }), 'Primary/Web', 'scope', '"eu-west-9"');
  });

  test('fails when the tier\'s stack account is not an account id', () => {
    expectRejected(build(() => ({}), { account: 'production' }), 'Primary/Web', 'scope', '"production"');
  });

  test('fails when the tier\'s stack account is a token (an environment-agnostic account)', () => {
    expectRejected(build(() => ({}), { account: Token.asString({ resolve: () => '123456789012' }) }), 'Primary/Web', 'scope', '<token>');
  });

  test('fails when a spare stack has no explicit region', () => {
    expectRejected(build((_s, app) => ({ spares: [{ stack: new Stack(app, 'Agnostic') }] })), 'Primary/Web', 'spares[0].stack', '"<environment-agnostic stack>"');
  });
});

describe('WarmStandbyPair bad inputs', () => {
  const build = (bad: (scope: Construct) => Record<string, unknown>) => () => {
    const stack = new Stack(testApp(), 'Gw', { env: testEnv() });
    const props = { vpc: vpcWith(stack, 'Vpc', PUBLIC, PRIVATE), image: IMAGE, tcpPort: 5060, ...bad(stack) };
    return new WarmStandbyPair(stack, 'Pair', props as unknown as WarmStandbyPairProps);
  };

  test.each<Row>([
    ['vpc is missing', () => omit('vpc'), 'vpc', 'undefined'],
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['tcpPort is missing', () => omit('tcpPort'), 'tcpPort', 'undefined'],
    ['tcpPort is 0', () => ({ tcpPort: 0 }), 'tcpPort', '0'],
    ['tcpPort is negative', () => ({ tcpPort: -5060 }), 'tcpPort', '-5060'],
    ['udpPort is 0', () => ({ udpPort: 0 }), 'udpPort', '0'],
    ['directPortOffset is 0', () => ({ directPortOffset: 0 }), 'directPortOffset', '0'],
    ['unhealthyThresholdCount is 0', () => ({ unhealthyThresholdCount: 0 }), 'unhealthyThresholdCount', '0'],
    ['healthCheckInterval is 0', () => ({ healthCheckInterval: Duration.seconds(0) }), 'healthCheckInterval', '0 seconds'],
    ['cpu is not a Fargate size', () => ({ cpu: 500 }), 'cpu', '500'],
    ['memoryLimitMiB does not fit the default cpu on Fargate', () => ({ memoryLimitMiB: 512 }), 'memoryLimitMiB', '512'],
    ['the VPC has no private subnets with egress for the servers', s => ({ vpc: vpcWith(s, 'Isolated', PUBLIC, ISOLATED) }), 'vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['an internet-facing pair\'s VPC has no public subnets', s => {
      const vpc = ec2.Vpc.fromVpcAttributes(s, 'Imported', {
        vpcId: 'vpc-1234', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-a', 'subnet-b'], vpcCidrBlock: '10.0.0.0/16',
      });
      return { vpc, internetFacing: true };
    }, 'vpc', '"a VPC without PUBLIC subnets"'],
    ['recordName is not a DNS name', s => ({ zone: new route53.PublicHostedZone(s, 'Zone', { zoneName: 'example.com' }), recordName: 'gate way' }), 'recordName', '"gate way"'],
    ['statusDashboardName has characters CloudWatch refuses', () => ({ statusDashboardName: 'gateway status!' }), 'statusDashboardName', '"gateway status!"'],
    ['vpc is a VPC id instead of a VPC', () => ({ vpc: 'vpc-0123' }), 'vpc', '"vpc-0123"'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'busybox:stable' }), 'image', '"busybox:stable"'],
    ['tcpPort is a string', () => ({ tcpPort: '5060' }), 'tcpPort', '"5060"'],
    ['udpPort is null', () => ({ udpPort: null }), 'udpPort', 'null'],
    ['healthCheckInterval is a number instead of a Duration', () => ({ healthCheckInterval: 10 }), 'healthCheckInterval', '10'],
    ['clientCidrs is one CIDR string instead of a list', () => ({ clientCidrs: '192.0.2.0/24' }), 'clientCidrs', '"192.0.2.0/24"'],
    ['clientCidrs is an empty list', () => ({ clientCidrs: [] }), 'clientCidrs', '[]'],
    ['a clientCidrs entry is not a CIDR block', () => ({ clientCidrs: ['192.0.2.0/24', 'office'] }), 'clientCidrs[1]', '"office"'],
    ['a clientCidrs entry is a number', () => ({ clientCidrs: [24] }), 'clientCidrs[0]', '24'],
    ['a clientCidrs entry is a peer instead of a CIDR string', () => ({ clientCidrs: [ec2.Peer.ipv4('192.0.2.0/24')] }), 'clientCidrs[0]', '"a CidrIPv4 object"'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Gw/Pair', prop, received);
  });
});

describe('ActiveActiveCells bad inputs', () => {
  const build = (bad: (scope: Construct) => Record<string, unknown>) => () => {
    const stack = new Stack(testApp(), 'Cells', { env: testEnv() });
    return new ActiveActiveCells(stack, 'Cells', { image: IMAGE, cellCount: 2, ...bad(stack) } as unknown as ActiveActiveCellsProps);
  };
  const zone = (s: Construct) => new route53.PublicHostedZone(s, 'Zone', { zoneName: 'example.com' });

  test.each<Row>([
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['cellCount is 0', () => ({ cellCount: 0 }), 'cellCount', '0'],
    ['cellCount is negative', () => ({ cellCount: -2 }), 'cellCount', '-2'],
    ['desiredCountPerCell is 0', () => ({ desiredCountPerCell: 0 }), 'desiredCountPerCell', '0'],
    ['desiredCountPerCell is negative', () => ({ desiredCountPerCell: -1 }), 'desiredCountPerCell', '-1'],
    ['containerPort is 0', () => ({ containerPort: 0 }), 'containerPort', '0'],
    ['cpu is not a Fargate size', () => ({ cpu: 3000 }), 'cpu', '3000'],
    ['memoryLimitMiB does not fit the cpu on Fargate', () => ({ cpu: 512, memoryLimitMiB: 512 }), 'memoryLimitMiB', '512'],
    ['cellStickiness is longer than 7 days', () => ({ cellStickiness: Duration.days(8) }), 'cellStickiness', '8 days'],
    ['fanOutRetryInterval is 0', () => ({ fanOutRetryInterval: Duration.seconds(0) }), 'fanOutRetryInterval', '0 seconds'],
    ['the DNS weight is negative', s => ({ dns: { zone: zone(s), recordName: 'etl', weight: -1 } }), 'dns.weight', '-1'],
    ['the DNS options have no zone', () => ({ dns: { recordName: 'etl' } }), 'dns.zone', 'undefined'],
    ['the DNS options have no record name', s => ({ dns: { zone: zone(s) } }), 'dns.recordName', 'undefined'],
    ['the DNS record name is not a DNS name', s => ({ dns: { zone: zone(s), recordName: 'etl!' } }), 'dns.recordName', '"etl!"'],
    ['the VPC has no public subnets for the load balancer', s => ({ vpc: vpcWith(s, 'Vpc', ISOLATED) }), 'vpc', '"a VPC without PUBLIC subnets"'],
    ['the VPC has no private subnets with egress for the tasks', s => ({ vpc: vpcWith(s, 'Vpc', PUBLIC, ISOLATED) }), 'vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['the VPC has no isolated subnets for the cells\' databases', s => ({ vpc: vpcWith(s, 'Vpc', PUBLIC, PRIVATE) }), 'vpc', '"a VPC without PRIVATE_ISOLATED subnets"'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'nginx:stable' }), 'image', '"nginx:stable"'],
    ['vpc is a VPC id instead of a VPC', () => ({ vpc: 'vpc-0123' }), 'vpc', '"vpc-0123"'],
    ['cells is not an array', () => ({ cells: {} }), 'cells', '{}'],
    ['fileShare is not a CellFileShare', () => ({ fileShare: 'NFS' }), 'fileShare', '"NFS"'],
    ['cellStickiness is a number instead of a Duration', () => ({ cellStickiness: 3600 }), 'cellStickiness', '3600'],
    ['the DNS zone is a zone name instead of a hosted zone', () => ({ dns: { zone: 'example.com', recordName: 'etl' } }), 'dns.zone', '"example.com"'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Cells/Cells', prop, received);
  });

  test('needs no isolated subnets when every cell brings its own database', () => {
    const database = (s: Construct, id: string) => rds.DatabaseCluster.fromDatabaseClusterAttributes(s, id, {
      clusterIdentifier: id.toLowerCase(), port: 5432,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(s, `${id}Sg`, `sg-${id.toLowerCase()}`)],
    });
    expect(build(s => ({ vpc: vpcWith(s, 'Vpc', PUBLIC, PRIVATE), cells: [{ database: database(s, 'Db1') }, { database: database(s, 'Db2') }] }))).not.toThrow();
  });
});

/** The stacks of a multi-region pattern under test. */
interface Regions {
  readonly app: App;
  /** The pattern's own stack. */
  readonly home: Stack;
  /** A stack in another region. */
  readonly other: Stack;
  /** A further stack in `region` (an id of its own per call). */
  readonly stackIn: (region: string) => Stack;
}
type RegionsRow = [what: string, bad: (r: Regions) => Record<string, unknown>, prop: string, received: string];

/** Stacks for a multi-region pattern: its home stack in `homeRegion`, another in `otherRegion`. */
function regions(homeRegion: string, otherRegion: string, homeId = 'Primary'): Regions {
  const app = testApp();
  let n = 0;
  const stackIn = (region: string) => new Stack(app, `Extra${++n}`, { env: testEnv(region), crossRegionReferences: true });
  return {
    app, stackIn,
    home: new Stack(app, homeId, { env: testEnv(homeRegion), crossRegionReferences: true }),
    other: new Stack(app, 'Secondary', { env: testEnv(otherRegion), crossRegionReferences: true }),
  };
}

describe('HaDatabase bad inputs', () => {
  const build = (bad: (r: Regions) => Record<string, unknown>, homeRegion = 'eu-west-1') => () => {
    const r = regions(homeRegion, 'us-east-1');
    return new HaDatabase(r.home, 'Db', { vpc: vpcWith(r.home, 'Vpc', ISOLATED), ...bad(r) } as unknown as HaDatabaseProps);
  };
  /** A secondary region in `r.other` with an isolated VPC, and `extra`. */
  const secondary = (r: Regions, extra: Record<string, unknown> = {}) => ({ secondary: { stack: r.other, vpc: vpcWith(r.other, 'Vpc', ISOLATED), ...extra } });

  test.each<RegionsRow>([
    ['vpc is missing', () => omit('vpc'), 'vpc', 'undefined'],
    ['engine is not an HaDatabaseEngine', () => ({ engine: 'oracle-ee' }), 'engine', '"oracle-ee"'],
    ['the VPC has no isolated subnets for the database', r => ({ vpc: vpcWith(r.home, 'Open', PUBLIC, PRIVATE) }), 'vpc', '"a VPC without PRIVATE_ISOLATED subnets"'],
    ['readers is 0', () => ({ readers: 0 }), 'readers', '0'],
    ['readers is negative', () => ({ readers: -1 }), 'readers', '-1'],
    ['cpuThresholdPercent is 0', () => ({ cpuThresholdPercent: 0 }), 'cpuThresholdPercent', '0'],
    ['freeMemoryThresholdBytes is 0', () => ({ freeMemoryThresholdBytes: 0 }), 'freeMemoryThresholdBytes', '0'],
    ['freeMemoryThresholdBytes is negative', () => ({ freeMemoryThresholdBytes: -1024 }), 'freeMemoryThresholdBytes', '-1024'],
    ['maxConnections is 0', () => ({ maxConnections: 0 }), 'maxConnections', '0'],
    ['backupRetention is 0', () => ({ backupRetention: Duration.days(0) }), 'backupRetention', '0 days'],
    ['rotationInterval is 0 (aws-cdk-lib would silently turn rotation off)', () => ({ rotationInterval: Duration.days(0) }), 'rotationInterval', '0 days'],
    ['rotationInterval is beyond the 1000 days Secrets Manager allows', () => ({ rotationInterval: Duration.days(1001) }), 'rotationInterval', '1001 days'],
    ['rotationInterval is shorter than the 4 hours Secrets Manager allows', () => ({ rotationInterval: Duration.hours(3) }), 'rotationInterval', '3 hours'],
    ['the secondary has no stack', r => ({ secondary: { vpc: vpcWith(r.other, 'Vpc', ISOLATED) } }), 'secondary.stack', 'undefined'],
    ['the secondary has no VPC', r => ({ secondary: { stack: r.other } }), 'secondary.vpc', 'undefined'],
    ['the secondary stack\'s region is not an AWS region', r => {
      const far = r.stackIn('ap-south-9');
      return { secondary: { stack: far, vpc: vpcWith(far, 'Vpc', ISOLATED) } };
    }, 'secondary.stack', '"ap-south-9"'],
    ['the secondary VPC has no isolated subnets', r => ({ secondary: { stack: r.other, vpc: vpcWith(r.other, 'Vpc', PUBLIC, PRIVATE) } }), 'secondary.vpc', '"a VPC without PRIVATE_ISOLATED subnets"'],
    ['secondary.instances is negative', r => secondary(r, { instances: -1 }), 'secondary.instances', '-1'],
    ['globalClusterIdentifier starts with a digit', r => ({ ...secondary(r), globalClusterIdentifier: '1orders' }), 'globalClusterIdentifier', '"1orders"'],
    ['globalClusterIdentifier has two consecutive hyphens', r => ({ ...secondary(r), globalClusterIdentifier: 'orders--global' }), 'globalClusterIdentifier', '"orders--global"'],
    ['globalClusterIdentifier ends with a hyphen', r => ({ ...secondary(r), globalClusterIdentifier: 'orders-' }), 'globalClusterIdentifier', '"orders-"'],
    ['globalClusterIdentifier has an underscore', r => ({ ...secondary(r), globalClusterIdentifier: 'orders_global' }), 'globalClusterIdentifier', '"orders_global"'],
    ['globalClusterIdentifier is empty', r => ({ ...secondary(r), globalClusterIdentifier: '' }), 'globalClusterIdentifier', '""'],
    ['globalClusterIdentifier is longer than 63 characters', r => ({ ...secondary(r), globalClusterIdentifier: 'o'.repeat(64) }), 'globalClusterIdentifier', `"${'o'.repeat(64)}"`],
    ['globalClusterIdentifier leaves no room for the region in the cluster names', r => ({ ...secondary(r), globalClusterIdentifier: 'o'.repeat(60) }), 'globalClusterIdentifier', `"${'o'.repeat(60)}"`],
    ['globalClusterIdentifier is a token', r => ({ ...secondary(r), globalClusterIdentifier: TOKEN }), 'globalClusterIdentifier', '<token>'],
    ['the secondary stack has no explicit region', r => {
      const agnostic = new Stack(r.app, 'Agnostic');
      return { secondary: { stack: agnostic, vpc: vpcWith(agnostic, 'Vpc', ISOLATED) } };
    }, 'secondary.stack', '"<environment-agnostic stack>"'],
    ['vpc is a VPC id instead of a VPC', () => ({ vpc: 'vpc-0123' }), 'vpc', '"vpc-0123"'],
    ['the secondary stack is a region name instead of a stack', r => ({ secondary: { stack: 'us-east-1', vpc: vpcWith(r.other, 'Vpc', ISOLATED) } }), 'secondary.stack', '"us-east-1"'],
    ['the secondary VPC is a VPC id instead of a VPC', r => ({ secondary: { stack: r.other, vpc: 'vpc-0456' } }), 'secondary.vpc', '"vpc-0456"'],
    ['rotationInterval is a number of days instead of a Duration', () => ({ rotationInterval: 30 }), 'rotationInterval', '30'],
    ['globalLagThreshold is a number instead of a Duration', r => ({ ...secondary(r), globalLagThreshold: 60 }), 'globalLagThreshold', '60'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Primary/Db', prop, received);
  });

  test('fails when the primary stack\'s region is not an AWS region (it names the clusters of a global database)', () => {
    expectRejected(build(secondary, 'eu-west-9'), 'Primary/Db', 'scope', '"eu-west-9"');
  });
});

describe('ColdStandbyConfigServer bad inputs', () => {
  const build = (bad: (r: Regions) => Record<string, unknown>, homeRegion = 'eu-west-1') => () => {
    const r = regions(homeRegion, 'us-east-1');
    const props = {
      vpc: vpcWith(r.home, 'Vpc', PUBLIC, PRIVATE),
      image: IMAGE,
      zone: new route53.PublicHostedZone(r.home, 'Zone', { zoneName: 'example.com' }),
      standby: { stack: r.other, vpc: vpcWith(r.other, 'Vpc', PUBLIC, PRIVATE) },
      tableName: 'config-store',
      ...bad(r),
    };
    return new ColdStandbyConfigServer(r.home, 'Config', props as unknown as ColdStandbyConfigServerProps);
  };
  /** A proxy site in a new stack in `region`, with `extra`. */
  const proxyIn = (r: Regions, region: string, extra: Record<string, unknown> = {}) => {
    const stack = r.stackIn(region);
    return { proxySites: [{ stack, vpc: vpcWith(stack, 'Vpc', PUBLIC, PRIVATE), ...extra }] };
  };

  test.each<RegionsRow>([
    ['vpc is missing', () => omit('vpc'), 'vpc', 'undefined'],
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['zone is missing', () => omit('zone'), 'zone', 'undefined'],
    ['standby is missing', () => omit('standby'), 'standby', 'undefined'],
    ['the standby has no stack', r => ({ standby: { vpc: vpcWith(r.other, 'Other', PUBLIC, PRIVATE) } }), 'standby.stack', 'undefined'],
    ['the standby has no VPC', r => ({ standby: { stack: r.other } }), 'standby.vpc', 'undefined'],
    ['a proxy site has no stack', () => ({ proxySites: [{}] }), 'proxySites[0].stack', 'undefined'],
    ['a proxy site has no VPC', r => ({ proxySites: [{ stack: r.stackIn('ap-southeast-2') }] }), 'proxySites[0].vpc', 'undefined'],
    ['the standby stack\'s region is not an AWS region', r => {
      const far = r.stackIn('us-east-8');
      return { standby: { stack: far, vpc: vpcWith(far, 'Vpc', PUBLIC, PRIVATE) } };
    }, 'standby.stack', '"us-east-8"'],
    ['a proxy site\'s region is not an AWS region', r => proxyIn(r, 'ap-southeast-9'), 'proxySites[0].stack', '"ap-southeast-9"'],
    ['the standby stack has no explicit region', r => {
      const agnostic = new Stack(r.app, 'Agnostic');
      return { standby: { stack: agnostic, vpc: vpcWith(agnostic, 'Vpc', PUBLIC, PRIVATE) } };
    }, 'standby.stack', '"<environment-agnostic stack>"'],
    ['vpc is a VPC id instead of a VPC', () => ({ vpc: 'vpc-0123' }), 'vpc', '"vpc-0123"'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'nginx:stable' }), 'image', '"nginx:stable"'],
    ['zone is a zone name instead of a hosted zone', () => ({ zone: 'example.com' }), 'zone', '"example.com"'],
    ['the standby stack is a region name instead of a stack', r => ({ standby: { stack: 'us-east-1', vpc: vpcWith(r.other, 'Other', PUBLIC, PRIVATE) } }), 'standby.stack', '"us-east-1"'],
    ['proxySites is not an array', () => ({ proxySites: {} }), 'proxySites', '{}'],
    ['writerRecordTtl is a number instead of a Duration', () => ({ writerRecordTtl: 30 }), 'writerRecordTtl', '30'],
    ['serverCount is 0', () => ({ serverCount: 0 }), 'serverCount', '0'],
    ['serverCount is negative', () => ({ serverCount: -2 }), 'serverCount', '-2'],
    ['proxyCount is 0', () => ({ proxyCount: 0 }), 'proxyCount', '0'],
    ['containerPort is 0', () => ({ containerPort: 0 }), 'containerPort', '0'],
    ['writerRecordTtl is 0', () => ({ writerRecordTtl: Duration.seconds(0) }), 'writerRecordTtl', '0 seconds'],
    ['replicationLatencyThreshold is 0', () => ({ replicationLatencyThreshold: Duration.seconds(0) }), 'replicationLatencyThreshold', '0 seconds'],
    ['writerRecordName is not a DNS name', () => ({ writerRecordName: 'config writer' }), 'writerRecordName', '"config writer"'],
    ['tableName is shorter than DynamoDB allows', () => ({ tableName: 'cf' }), 'tableName', '"cf"'],
    ['tableName has characters DynamoDB refuses', () => ({ tableName: 'config store' }), 'tableName', '"config store"'],
    ['tableName is a token (the other regions name their replica)', () => ({ tableName: TOKEN }), 'tableName', '<token>'],
    ['the primary VPC has no private subnets with egress', r => ({ vpc: vpcWith(r.home, 'Isolated', PUBLIC, ISOLATED) }), 'vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['the standby VPC has no private subnets with egress', r => ({ standby: { stack: r.other, vpc: vpcWith(r.other, 'Isolated', PUBLIC, ISOLATED) } }), 'standby.vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['a proxy site\'s VPC has no private subnets with egress', r => {
      const stack = r.stackIn('ap-southeast-2');
      return { proxySites: [{ stack, vpc: vpcWith(stack, 'Vpc', PUBLIC, ISOLATED) }] };
    }, 'proxySites[0].vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Primary/Config', prop, received);
  });

  test('fails when the primary stack\'s region is not an AWS region', () => {
    expectRejected(build(() => ({}), 'eu-west-7'), 'Primary/Config', 'scope', '"eu-west-7"');
  });
});

describe('MultiSiteActiveActive bad inputs', () => {
  const build = (bad: (r: Regions) => Record<string, unknown>, homeRegion = 'us-east-1') => () => {
    const r = regions(homeRegion, 'eu-west-1', 'Dns');
    const props = {
      zone: new route53.PublicHostedZone(r.home, 'Zone', { zoneName: 'example.com' }),
      recordName: 'engine',
      image: IMAGE,
      sites: [{ stack: r.other }, { stack: r.stackIn('ap-southeast-2') }],
      ...bad(r),
    };
    return new MultiSiteActiveActive(r.home, 'Engine', props as unknown as MultiSiteActiveActiveProps);
  };
  /** Two sites: one in `r.other` with `extra`, one in ap-southeast-2. */
  const sites = (r: Regions, extra: Record<string, unknown>) => ({ sites: [{ stack: r.other, ...extra }, { stack: r.stackIn('ap-southeast-2') }] });

  test.each<RegionsRow>([
    ['zone is missing', () => omit('zone'), 'zone', 'undefined'],
    ['recordName is missing', () => omit('recordName'), 'recordName', 'undefined'],
    ['image is missing', () => omit('image'), 'image', 'undefined'],
    ['sites is missing', () => omit('sites'), 'sites', 'undefined'],
    ['a site has no stack', r => ({ sites: [{ stack: r.other }, {}] }), 'sites[1].stack', 'undefined'],
    ['a site stack\'s region is not an AWS region', r => ({ sites: [{ stack: r.other }, { stack: r.stackIn('eu-central-5') }] }), 'sites[1].stack', '"eu-central-5"'],
    ['a site stack has no explicit region', r => ({ sites: [{ stack: r.other }, { stack: new Stack(r.app, 'Agnostic') }] }), 'sites[1].stack', '"<environment-agnostic stack>"'],
    ['recordName is not a DNS name', () => ({ recordName: 'engine!' }), 'recordName', '"engine!"'],
    ['a site\'s desiredCount is 0', r => sites(r, { desiredCount: 0 }), 'sites[0].desiredCount', '0'],
    ['a site\'s desiredCount is negative', r => sites(r, { desiredCount: -2 }), 'sites[0].desiredCount', '-2'],
    ['failureThreshold is 0', () => ({ failureThreshold: 0 }), 'failureThreshold', '0'],
    ['failureThreshold is negative', () => ({ failureThreshold: -1 }), 'failureThreshold', '-1'],
    ['containerPort is 0', () => ({ containerPort: 0 }), 'containerPort', '0'],
    ['healthCheckInterval is 0', () => ({ healthCheckInterval: Duration.seconds(0) }), 'healthCheckInterval', '0 seconds'],
    ['a site\'s VPC has no public subnets for its load balancer', r => sites(r, { vpc: vpcWith(r.other, 'Vpc', ISOLATED) }), 'sites[0].vpc', '"a VPC without PUBLIC subnets"'],
    ['a site\'s VPC has no private subnets with egress for its nodes', r => sites(r, { vpc: vpcWith(r.other, 'Vpc', PUBLIC, ISOLATED) }), 'sites[0].vpc', '"a VPC without PRIVATE_WITH_EGRESS subnets"'],
    ['zone is a zone name instead of a hosted zone', () => ({ zone: 'example.com' }), 'zone', '"example.com"'],
    ['image is an image name instead of a ContainerImage', () => ({ image: 'nginx:stable' }), 'image', '"nginx:stable"'],
    ['sites is not an array', () => ({ sites: 'eu-west-1' }), 'sites', '"eu-west-1"'],
    ['a site stack is a region name instead of a stack', r => ({ sites: [{ stack: r.other }, { stack: 'ap-southeast-2' }] }), 'sites[1].stack', '"ap-southeast-2"'],
    ['healthCheckInterval is a number instead of a Duration', () => ({ healthCheckInterval: 10 }), 'healthCheckInterval', '10'],
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Dns/Engine', prop, received);
  });

  test('fails when the pattern\'s stack region is not an AWS region', () => {
    expectRejected(build(() => ({}), 'us-fake-1'), 'Dns/Engine', 'scope', '"a stack in us-fake-1"');
  });
});

describe('HaPattern alarm settings (for patterns built on it)', () => {
  /** A pattern with one alarm, created with `alarm` over valid settings. */
  class ProbePattern extends HaPattern {
    constructor(scope: Construct, id: string, alarm: Record<string, unknown>) {
      super(scope, id, {}, { patternName: 'ProbePattern', detection: 'a probe alarm' });
      this.createAlarm(this, 'ProbeAlarm', {
        metric: new cloudwatch.Metric({ namespace: 'Probe', metricName: 'Up', period: Duration.minutes(1) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        signal: SignalKind.STATUS,
        role: AlarmRole.NOTIFYING,
        description: 'probe',
        ...alarm,
      } as unknown as PatternAlarmProps);
    }
  }
  const build = (alarm: Record<string, unknown>) => () => new ProbePattern(new Stack(testApp(), 'P', { env: testEnv() }), 'Probe', alarm);

  test.each<[string, Record<string, unknown>, string, string]>([
    ['evaluationPeriods is 0', { evaluationPeriods: 0 }, 'ProbeAlarm.evaluationPeriods', '0'],
    ['evaluationPeriods is negative', { evaluationPeriods: -1 }, 'ProbeAlarm.evaluationPeriods', '-1'],
    ['datapointsToAlarm is 0', { datapointsToAlarm: 0 }, 'ProbeAlarm.datapointsToAlarm', '0'],
    ['datapointsToAlarm exceeds evaluationPeriods', { datapointsToAlarm: 4 }, 'ProbeAlarm.datapointsToAlarm', '4'],
    ['the threshold is not a number', { threshold: Number.NaN }, 'ProbeAlarm.threshold', 'NaN'],
  ])('fails when %s', (_what, alarm, prop, received) => {
    expectRejected(build(alarm), 'P/Probe', prop, received);
  });
});

describe('FailoverNotifications bad inputs', () => {
  const build = (props: Record<string, unknown>) => () =>
    new FailoverNotifications(new Stack(testApp(), 'Shared', { env: testEnv() }), 'Notifications', props as FailoverNotificationsProps);

  test.each<[string, Record<string, unknown>, string, string]>([
    ['emails is a single address instead of an array', { emails: 'ops@example.com' }, 'emails', '"ops@example.com"'],
    ['smsNumbers is a single number instead of an array', { smsNumbers: '+4915112345678' }, 'smsNumbers', '"+4915112345678"'],
    ['webhookUrls is a single URL instead of an array', { webhookUrls: 'https://hooks.example.com/ha' }, 'webhookUrls', '"https://hooks.example.com/ha"'],
  ])('fails when %s', (_what, props, prop, received) => {
    expectRejected(build(props), 'Shared/Notifications', prop, received);
  });
});
