/**
 * Bad inputs of every pattern, as a JavaScript caller (or an `as` cast) can
 * pass them: each fails with an `HaValidationError` that names the construct
 * path, the prop and the value received, never with a TypeError or a
 * ValidationError from inside aws-cdk-lib.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  HaValidationError, HotStandbyConsumer, HotStandbyConsumerProps, LatencyDns, LatencyDnsProps, SingletonDaemon, SingletonDaemonProps,
  WebTierSite, WebTierSiteProps, WorkerPool, WorkerPoolProps,
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
    ['a site has no target', () => ({ sites: [site({ target: undefined })] }), 'sites[0].target', 'undefined'],
    ['a site has no region', () => ({ sites: [site({ region: undefined })] }), 'sites[0].region', 'undefined'],
    ['a site region is not an AWS region', () => ({ sites: [site({ region: 'eu-north-9' })] }), 'sites[0].region', '"eu-north-9"'],
    ['a site region is a token', () => ({ sites: [site({ region: TOKEN })] }), 'sites[0].region', '<token>'],
    ['failureThreshold is 0', () => ({ failureThreshold: 0 }), 'failureThreshold', '0'],
    ['failureThreshold is negative', () => ({ failureThreshold: -2 }), 'failureThreshold', '-2'],
    ['a site port is 0', () => ({ sites: [site({ port: 0 })] }), 'sites[0].port', '0'],
    ['recordName is not a DNS name', () => ({ recordName: 'agents!' }), 'recordName', '"agents!"'],
    ['recordName has a label ending in a hyphen', () => ({ recordName: 'agents-.eu' }), 'recordName', '"agents-.eu"'],
    ['a site record name is not a DNS name', () => ({ sites: [site({ siteRecordName: 'agents..eu-west-1' })] }), 'sites[0].siteRecordName', '"agents..eu-west-1"'],
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
    ['cpu is 0', () => ({ cpu: 0 }), 'cpu', '0'],
    ['cpu is not a Fargate size', () => ({ cpu: 1000 }), 'cpu', '1000'],
    ['memoryLimitMiB is negative', () => ({ memoryLimitMiB: -512 }), 'memoryLimitMiB', '-512'],
    ['memoryLimitMiB does not fit the cpu on Fargate', () => ({ cpu: 1024, memoryLimitMiB: 1024 }), 'memoryLimitMiB', '1024'],
    ['leaseName has a space', () => ({ leaseName: 'the leader' }), 'leaseName', '"the leader"'],
    ['renewInterval is 0', () => ({ renewInterval: Duration.seconds(0) }), 'renewInterval', '0 seconds'],
    ['iteratorAgeThreshold is 0', () => ({ iteratorAgeThreshold: Duration.seconds(0) }), 'iteratorAgeThreshold', '0 seconds'],
    ['checkpointLagThreshold is 0', () => ({ checkpointLagThreshold: Duration.seconds(0) }), 'checkpointLagThreshold', '0 seconds'],
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
  ])('fails when %s', (_what, bad, prop, received) => {
    expectRejected(build(bad), 'Pool/B', prop, received);
  });
});
