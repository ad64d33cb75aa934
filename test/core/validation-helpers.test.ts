/**
 * The validation helpers one by one, at their boundaries, with the exact
 * messages: every pattern's bad-input errors come from here.
 */
import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  isCluster, isContainerImage, isDuration, isHostedZone, isStack, isVpc, requireAccount, requireDefined, requireDurationBetween, requireEnumValue,
  requireFargateSize, requireHealthCheckPath, requireIdentifier, requireInteger, requireLiteral, requireRecordName, requireRegion,
  requireRoute53Interval, requireStackRegion, requireSubnets, requireUnique, seconds,
} from '../../lib/core/validation';
import { testApp, testEnv } from '../harness';

const app = testApp();
const scope = new Stack(app, 'V', { env: testEnv() });
const tokenString = Lazy.string({ produce: () => 'x' });
const tokenNumber = Token.asNumber({ resolve: () => 0 });

describe('requireInteger', () => {
  test('the bounds are inclusive', () => {
    expect(() => requireInteger(scope, 'n', 2, 2, 10)).not.toThrow();
    expect(() => requireInteger(scope, 'n', 10, 2, 10)).not.toThrow();
    expect(() => requireInteger(scope, 'n', 1, 2, 10)).toThrow("V: invalid prop 'n': received 1; expected an integer from 2 to 10");
    expect(() => requireInteger(scope, 'n', 11, 2, 10)).toThrow("V: invalid prop 'n': received 11; expected an integer from 2 to 10");
  });

  test('without a maximum any integer from the minimum passes', () => {
    expect(() => requireInteger(scope, 'n', Number.MAX_SAFE_INTEGER, 1)).not.toThrow();
    expect(() => requireInteger(scope, 'n', Number.NaN, 1)).toThrow("received NaN; expected an integer >= 1");
  });
});

describe('requireDurationBetween', () => {
  test('the bounds are inclusive, in milliseconds', () => {
    expect(() => requireDurationBetween(scope, 'd', Duration.seconds(5), Duration.seconds(5))).not.toThrow();
    expect(() => requireDurationBetween(scope, 'd', Duration.millis(4_999), Duration.seconds(5))).toThrow("V: invalid prop 'd': received 4 seconds 999 millis; expected a duration of at least 5 seconds");
    expect(() => requireDurationBetween(scope, 'd', Duration.millis(60_001), Duration.seconds(0), Duration.seconds(60)))
      .toThrow('expected a duration from 0 seconds to 1 minute');
    expect(() => requireDurationBetween(scope, 'd', Duration.seconds(0), Duration.seconds(0), Duration.seconds(60))).not.toThrow();
  });

  test('undefined and unresolved durations pass', () => {
    expect(() => requireDurationBetween(scope, 'd', undefined, Duration.seconds(5))).not.toThrow();
    expect(() => requireDurationBetween(scope, 'd', Duration.seconds(tokenNumber), Duration.seconds(5), Duration.seconds(6))).not.toThrow();
  });

  test('fails when the value is not a Duration, with an example of one', () => {
    expect(() => requireDurationBetween(scope, 'd', 30 as unknown as Duration, Duration.seconds(5), Duration.seconds(60)))
      .toThrow("V: invalid prop 'd': received 30; expected a Duration such as Duration.seconds(5): a duration from 5 seconds to 1 minute");
    expect(() => requireDurationBetween(scope, 'd', '30s' as unknown as Duration, Duration.seconds(0)))
      .toThrow('expected a Duration such as Duration.seconds(1): a duration of at least 0 seconds');
  });
});

describe('shape checks', () => {
  const s = new Stack(testApp(), 'Shapes', { env: testEnv() });
  const vpc = new ec2.Vpc(s, 'Vpc');
  const cluster = new ecs.Cluster(s, 'Cluster', { vpc });
  const zone = new route53.PublicHostedZone(s, 'Zone', { zoneName: 'example.com' });

  test.each([
    ['isDuration', isDuration, Duration.seconds(1), [30, { toMilliseconds: () => 1 }, { isUnresolved: () => false }, undefined, null]],
    ['isContainerImage', isContainerImage, ecs.ContainerImage.fromRegistry('x'), [{ bind: 'no' }, 'image', undefined, null]],
    ['isVpc', isVpc, vpc, [{ selectSubnets: 1 }, 'vpc-123', undefined, null]],
    ['isHostedZone', isHostedZone, zone, [{ hostedZoneId: 1 }, 'Z123', undefined, null]],
    ['isCluster', isCluster, cluster, [{ vpc, clusterArn: 1 }, { vpc: {}, clusterArn: 'arn' }, { clusterArn: 'arn' }, undefined, null]],
    ['isStack', isStack, s, [vpc, {}, undefined]],
  ] as Array<[string, (v: unknown) => boolean, unknown, unknown[]]>)('%s', (_, is, good, bad) => {
    expect(is(good)).toBe(true);
    for (const b of bad) expect(is(b)).toBe(false);
  });
});

describe('requireUnique', () => {
  test('distinct keys and token keys pass; the second occurrence fails', () => {
    expect(() => requireUnique(scope, 'sites', ['a', 'b', 'c'], x => x, 'site')).not.toThrow();
    expect(() => requireUnique(scope, 'sites', [tokenString, tokenString], x => x, 'site')).not.toThrow();
    expect(() => requireUnique(scope, 'sites', ['a', 'b', 'a'], x => x, 'site')).toThrow("received \"a\"; expected each site at most once (it appears twice)");
  });
});

test('seconds of a duration', () => {
  expect(seconds(Duration.minutes(2))).toBe(120);
});

describe('requireDefined', () => {
  test('returns the value; fails on undefined, null, or a value of the wrong shape', () => {
    expect(requireDefined(scope, 'vpc', 0, 'a number')).toBe(0);
    expect(requireDefined(scope, 'vpc', '', 'a string')).toBe('');
    expect(() => requireDefined(scope, 'vpc', undefined, 'an ec2.IVpc')).toThrow("V: invalid prop 'vpc': received undefined; expected an ec2.IVpc");
    expect(() => requireDefined(scope, 'vpc', null, 'an ec2.IVpc')).toThrow("received undefined; expected an ec2.IVpc");
    expect(() => requireDefined(scope, 'vpc', 'vpc-1', 'an ec2.IVpc', isVpc)).toThrow("received \"vpc-1\"; expected an ec2.IVpc");
    expect(requireDefined(scope, 'sites', [], 'an array', Array.isArray)).toEqual([]);
  });
});

describe('requireHealthCheckPath', () => {
  test('paths starting with / pass; undefined, null and tokens pass', () => {
    for (const p of ['/', '/health', undefined, null, tokenString]) expect(() => requireHealthCheckPath(scope, 'p', p as string)).not.toThrow();
  });

  test('fails on a relative path, suggesting it with a slash; on a non-string, suggesting /health', () => {
    expect(() => requireHealthCheckPath(scope, 'p', 'health')).toThrow("V: invalid prop 'p': received \"health\"; expected a path starting with \"/\", e.g. \"/health\"");
    expect(() => requireHealthCheckPath(scope, 'p', 'ping')).toThrow('e.g. "/ping"');
    expect(() => requireHealthCheckPath(scope, 'p', 42 as unknown as string)).toThrow('received 42; expected a path starting with "/", e.g. "/health"');
  });
});

test('requireLiteral: a token fails, a literal passes', () => {
  expect(() => requireLiteral(scope, 'name', 'abc', 'name')).not.toThrow();
  expect(() => requireLiteral(scope, 'name', tokenString, 'table name')).toThrow(
    "V: invalid prop 'name': received <token>; expected a literal table name (a token is resolved only at deployment, too late for this pattern)");
});

describe('regions and accounts', () => {
  test('requireRegion: known names pass; unknown, missing and token regions fail', () => {
    expect(() => requireRegion(scope, 'region', 'eu-west-1')).not.toThrow();
    expect(() => requireRegion(scope, 'region', 'eu-west-9')).toThrow(
      "V: invalid prop 'region': received \"eu-west-9\"; expected an AWS region name such as eu-west-1 (one aws-cdk-lib's region facts know)");
    expect(() => requireRegion(scope, 'region', undefined)).toThrow('received undefined; expected an AWS region name such as eu-west-1');
    expect(() => requireRegion(scope, 'region', tokenString)).toThrow('expected a literal region name such as eu-west-1 (give the stack an explicit env)');
  });

  test('requireStackRegion: the region of an explicit stack; environment-agnostic stacks and non-constructs fail', () => {
    const a = testApp();
    expect(requireStackRegion(scope, 'stack', new Stack(a, 'Explicit', { env: testEnv('us-east-1') }))).toBe('us-east-1');
    const inner = new Construct(new Stack(a, 'Inner', { env: testEnv('ap-southeast-2') }), 'C');
    expect(requireStackRegion(scope, 'stack', inner)).toBe('ap-southeast-2');
    expect(() => requireStackRegion(scope, 'stack', new Stack(a, 'Agnostic'))).toThrow(
      "V: invalid prop 'stack': received \"<environment-agnostic stack>\"; expected a stack with an explicit region (env: { account, region })");
    expect(() => requireStackRegion(scope, 'stack', { region: 'eu-west-1' } as unknown as Stack)).toThrow(
      "received {\"region\":\"eu-west-1\"}; expected a stack with an explicit region (env: { account, region })");
  });

  test('requireAccount: 12 digits or a token', () => {
    expect(() => requireAccount(scope, 'account', '123456789012')).not.toThrow();
    expect(() => requireAccount(scope, 'account', tokenString)).not.toThrow();
    for (const bad of ['12345678901', '1234567890123', '12345678901a', ' 123456789012']) {
      expect(() => requireAccount(scope, 'account', bad)).toThrow(`V: invalid prop 'account': received ${JSON.stringify(bad)}; expected a 12-digit AWS account id`);
    }
    expect(() => requireAccount(scope, 'account', undefined)).toThrow('received undefined; expected a 12-digit AWS account id');
  });
});

describe('requireSubnets', () => {
  const s = new Stack(testApp(), 'Subnets', { env: testEnv() });
  const publicOnly = new ec2.Vpc(s, 'Public', { subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PUBLIC }] });
  const full = new ec2.Vpc(s, 'Full');

  test('a VPC with the subnets passes', () => {
    expect(() => requireSubnets(scope, 'vpc', full, ec2.SubnetType.PRIVATE_WITH_EGRESS, 'tasks run there')).not.toThrow();
    expect(() => requireSubnets(scope, 'vpc', publicOnly, ec2.SubnetType.PUBLIC, 'load balancers')).not.toThrow();
  });

  test.each([
    [ec2.SubnetType.PRIVATE_WITH_EGRESS, 'PRIVATE_WITH_EGRESS'],
    [ec2.SubnetType.PRIVATE_ISOLATED, 'PRIVATE_ISOLATED'],
  ])('fails on a VPC without %s subnets, naming the type and the reason', (type, name) => {
    expect(() => requireSubnets(scope, 'vpc', publicOnly, type, 'the database lives there')).toThrow(
      `V: invalid prop 'vpc': received "a VPC without ${name} subnets"; expected a VPC with SubnetType.${name} subnets in at least two zones ` +
      '(add them to its subnetConfiguration): the database lives there');
  });

  test('fails on a value that is not a VPC', () => {
    expect(() => requireSubnets(scope, 'vpc', {} as ec2.IVpc, ec2.SubnetType.PUBLIC, 'x')).toThrow(
      "received {}; expected an ec2.IVpc, e.g. new ec2.Vpc(...) or ec2.Vpc.fromLookup(...)");
  });

  test('subnet types it does not know are not checked', () => {
    expect(() => requireSubnets(scope, 'vpc', publicOnly, ec2.SubnetType.PRIVATE_WITH_NAT, 'x')).not.toThrow();
  });
});

describe('requireRecordName', () => {
  test.each(['agents', 'agents.eu-west-1', 'a', '_dmarc', 'x-1.y_2', 'agents.example.com.', 'a'.repeat(63), `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`])(
    'accepts %s', name => {
      expect(() => requireRecordName(scope, 'recordName', name)).not.toThrow();
    });

  test.each(['-agents', 'agents-', 'a..b', '', 'a'.repeat(64), 'agents!', 'a b', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`])(
    'rejects %j', name => {
      expect(() => requireRecordName(scope, 'recordName', name)).toThrow(
        "V: invalid prop 'recordName': received " + JSON.stringify(name) + '; expected a DNS name relative to the zone, such as "agents": labels of letters, ' +
        'digits and hyphens (1 to 63 characters, no hyphen at either end) separated by dots');
    });

  test('undefined and tokens pass; a non-string fails', () => {
    expect(() => requireRecordName(scope, 'recordName', undefined)).not.toThrow();
    expect(() => requireRecordName(scope, 'recordName', tokenString)).not.toThrow();
    expect(() => requireRecordName(scope, 'recordName', 42 as unknown as string)).toThrow('received 42; expected a DNS name');
  });
});

describe('requireIdentifier', () => {
  const pattern = /^[a-z][a-z0-9-]{0,62}$/;
  test('a matching literal passes; undefined passes', () => {
    expect(() => requireIdentifier(scope, 'id', 'global-db', 'cluster identifier', pattern, 'lowercase')).not.toThrow();
    expect(() => requireIdentifier(scope, 'id', undefined, 'cluster identifier', pattern, 'lowercase')).not.toThrow();
  });

  test('fails on a mismatch, naming what AWS accepts; on a token, asking for a literal', () => {
    expect(() => requireIdentifier(scope, 'id', 'Global_DB', 'cluster identifier', pattern, 'lowercase letters, digits and hyphens')).toThrow(
      "V: invalid prop 'id': received \"Global_DB\"; expected a cluster identifier AWS accepts: lowercase letters, digits and hyphens");
    expect(() => requireIdentifier(scope, 'id', tokenString, 'cluster identifier', pattern, 'x')).toThrow('expected a literal cluster identifier');
    expect(() => requireIdentifier(scope, 'id', 7 as unknown as string, 'cluster identifier', pattern, 'x')).toThrow('received 7; expected a cluster identifier AWS accepts');
  });

  test('a value that is no string fails even when its text would match (a JavaScript caller passing a list)', () => {
    expect(() => requireIdentifier(scope, 'id', ['global-db'] as unknown as string, 'cluster identifier', pattern, 'x')).toThrow(
      /V: invalid prop 'id': received .*global-db.*; expected a cluster identifier AWS accepts: x/);
  });
});

test('requireEnumValue: values pass, names and others fail listing the members', () => {
  enum Color { RED = 'red', BLUE = 'blue' }
  expect(() => requireEnumValue(scope, 'color', 'red', Color, 'Color')).not.toThrow();
  expect(() => requireEnumValue(scope, 'color', undefined, Color, 'Color')).not.toThrow();
  expect(() => requireEnumValue(scope, 'color', 'RED', Color, 'Color')).toThrow("V: invalid prop 'color': received \"RED\"; expected one of Color.RED, Color.BLUE");
});

describe('requireFargateSize', () => {
  test.each([
    [256, 512], [256, 2048], [512, 1024], [512, 4096], [1024, 2048], [1024, 8192], [2048, 4096], [2048, 16384],
    [4096, 8192], [4096, 30720], [8192, 16384], [8192, 61440], [16384, 32768], [16384, 122880],
  ])('%i CPU units with %i MiB is valid', (cpu, memory) => {
    expect(() => requireFargateSize(scope, 'cpu', 'memoryLimitMiB', cpu, memory)).not.toThrow();
  });

  test.each([
    [256, 3072, 'a memory size Fargate supports with 256 CPU units: 512 to 2048 MiB in steps of 512 MiB'],
    [512, 512, 'a memory size Fargate supports with 512 CPU units: 1024 to 4096 MiB in steps of 1024 MiB'],
    [1024, 9216, 'a memory size Fargate supports with 1024 CPU units: 2048 to 8192 MiB in steps of 1024 MiB'],
    [2048, 17408, 'a memory size Fargate supports with 2048 CPU units: 4096 to 16384 MiB in steps of 1024 MiB'],
    [4096, 31744, 'a memory size Fargate supports with 4096 CPU units: 8192 to 30720 MiB in steps of 1024 MiB'],
    [8192, 17408, 'a memory size Fargate supports with 8192 CPU units: 16384 to 61440 MiB in steps of 4096 MiB'],
    [16384, 36864, 'a memory size Fargate supports with 16384 CPU units: 32768 to 122880 MiB in steps of 8192 MiB'],
  ])('%i CPU units with %i MiB fails', (cpu, memory, expected) => {
    expect(() => requireFargateSize(scope, 'cpu', 'memoryLimitMiB', cpu, memory)).toThrow(`V: invalid prop 'memoryLimitMiB': received ${memory}; expected ${expected}`);
  });

  test('an unknown CPU size fails listing the sizes; tokens pass', () => {
    expect(() => requireFargateSize(scope, 'cpu', 'memoryLimitMiB', 768, 2048)).toThrow(
      "V: invalid prop 'cpu': received 768; expected one of Fargate's CPU sizes: 256, 512, 1024, 2048, 4096, 8192, 16384");
    expect(() => requireFargateSize(scope, 'cpu', 'memoryLimitMiB', tokenNumber, 3)).not.toThrow();
    expect(() => requireFargateSize(scope, 'cpu', 'memoryLimitMiB', 768, tokenNumber)).not.toThrow();
  });
});

describe('requireRoute53Interval', () => {
  test('10 s, 30 s, undefined, null and tokens pass', () => {
    for (const i of [Duration.seconds(10), Duration.seconds(30), undefined, null, Duration.seconds(tokenNumber)]) {
      expect(() => requireRoute53Interval(scope, 'interval', i as Duration)).not.toThrow();
    }
  });

  test.each([Duration.seconds(20), Duration.minutes(1), 10 as unknown as Duration])('fails on %s', i => {
    expect(() => requireRoute53Interval(scope, 'interval', i)).toThrow(/V: invalid prop 'interval': received .*; expected 10 seconds \(fast\) or 30 seconds, the intervals Route 53 supports/);
  });
});
