/**
 * Inputs that used to be accepted without a word and failed later (at
 * deployment, or by doing nothing): each now fails with an
 * `HaValidationError` naming the prop, or warns `cdk-ha-patterns:<slug>`.
 */
import { App, CfnParameter, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ActiveSpareWebTier, ActiveSpareWebTierProps, BrowserFailoverHelper, BrowserFailoverOptions, Drills, FailoverNotifications, FailoverNotificationsProps,
  HaDatabase, HaValidationError,
} from '../../lib';
import { testApp, testEnv } from '../harness';
import { FIXTURES } from '../pattern-fixtures';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Asserts an `HaValidationError` of `path` naming `prop`, with `received` and every fragment of `expected` in order. */
function expectRejected(build: () => unknown, path: string, prop: string, received: string, ...expected: string[]): void {
  expect(build).toThrow(HaValidationError);
  expect(build).toThrow(new RegExp(`^${escape(path)}: invalid prop '${escape(prop)}': received ${escape(received)}; expected .*${expected.map(escape).join('.*')}`));
}

/** A VPC with public, private-with-egress and isolated subnets in two zones. */
function vpcIn(stack: Stack, id = 'Vpc'): ec2.Vpc {
  return new ec2.Vpc(stack, id, {
    maxAzs: 2, natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
}

describe('a VPC of another region', () => {
  /** A tier in eu-west-1 (Primary) with one spare in us-east-1 (Spare). */
  const tier = (vpcs: (s: { app: App; primary: Stack; spare: Stack }) => Partial<ActiveSpareWebTierProps>) => () => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const spare = new Stack(app, 'Spare', { env: testEnv('us-east-1') });
    const zone = route53.PublicHostedZone.fromHostedZoneAttributes(primary, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const { spares, ...rest } = vpcs({ app, primary, spare });
    return new ActiveSpareWebTier(primary, 'Web', { spares: spares ?? [{ stack: spare }], image: IMAGE, activeCapacity: 2, zone, recordName: 'agents', ...rest });
  };

  test('fails when a spare\'s vpc is the primary region\'s, naming both regions', () => {
    expectRejected(tier(({ primary, spare }) => ({ spares: [{ stack: spare, vpc: vpcIn(primary) }] })),
      'Primary/Web', 'spares[0].vpc', '"Primary/Vpc, a VPC in eu-west-1"', 'a VPC in us-east-1, the region of the spare site of spares[0].stack');
  });

  test('fails when the primary\'s vpc is a spare region\'s', () => {
    expectRejected(tier(({ spare }) => ({ vpc: vpcIn(spare) })),
      'Primary/Web', 'vpc', '"Spare/Vpc, a VPC in us-east-1"', 'a VPC in eu-west-1, the region of the primary site');
  });

  test('fails when a spare\'s vpc is imported with another region', () => {
    expectRejected(tier(({ spare }) => ({
      spares: [{
        stack: spare,
        vpc: ec2.Vpc.fromVpcAttributes(spare, 'Imported', {
          vpcId: 'vpc-0123456789abcdef0', region: 'eu-central-1', availabilityZones: ['us-east-1a', 'us-east-1b'],
          publicSubnetIds: ['subnet-1', 'subnet-2'], privateSubnetIds: ['subnet-3', 'subnet-4'],
        }),
      }],
    })), 'Primary/Web', 'spares[0].vpc', '"Spare/Imported, a VPC in eu-central-1"', 'a VPC in us-east-1');
  });

  test('a VPC of each site\'s own region passes', () => {
    expect(tier(({ primary, spare }) => ({ vpc: vpcIn(primary), spares: [{ stack: spare, vpc: vpcIn(spare) }] }))).not.toThrow();
  });

  test('fails when a database\'s secondary.vpc is the primary region\'s', () => {
    expectRejected(() => {
      const app = testApp();
      const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
      const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1') });
      const vpc = vpcIn(primary);
      return new HaDatabase(primary, 'Db', { vpc, secondary: { stack: secondary, vpc } });
    }, 'Primary/Db', 'secondary.vpc', '"Primary/Vpc, a VPC in eu-west-1"', 'a VPC in us-east-1, the region of the secondary cluster (secondary.stack)');
  });
});

describe('Drills and the order of construction', () => {
  test('fails when created before any pattern (it would build nothing)', () => {
    expectRejected(() => new Drills(new Stack(testApp(), 'Ops', { env: testEnv() }), 'Drills'), 'Ops/Drills', 'patterns', 'undefined',
      'the app has no HaPattern yet', 'Create Drills after the patterns, or pass them');
  });

  test('warns, naming them, about the patterns constructed after it (not their parts)', () => {
    const app = testApp();
    FIXTURES.SingletonDaemon(app);
    const ops = new Stack(app, 'Ops', { env: testEnv() });
    new Drills(ops, 'Drills');
    FIXTURES.ActiveSpareWebTier(app);
    app.synth();
    Annotations.fromStack(ops).hasWarning('/Ops/Drills', Match.stringLikeRegexp(
      '^Primary/Web was constructed after Ops/Drills and has no drills: .*Create Drills last, or pass `patterns`.*cdk-ha-patterns:drills-patterns-after-drills'));
  });

  test('no warning when every pattern is constructed before it, nor when the patterns are given', () => {
    const app = testApp();
    const daemon = FIXTURES.SingletonDaemon(app);
    const ops = new Stack(app, 'Ops', { env: testEnv() });
    new Drills(ops, 'Drills');
    new Drills(ops, 'Given', { patterns: [daemon] });
    FIXTURES.ActiveSpareWebTier(app);
    app.synth();
    const warnings = Annotations.fromStack(ops).findWarning('*', Match.stringLikeRegexp('drills-patterns-after-drills'));
    expect(warnings.map(w => w.id)).toEqual(['/Ops/Drills']);
    const before = testApp();
    FIXTURES.SingletonDaemon(before);
    const stack = new Stack(before, 'Ops', { env: testEnv() });
    new Drills(stack, 'Drills');
    before.synth();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('drills-patterns-after-drills'));
  });
});

describe('BrowserFailoverHelper options and listener', () => {
  const OPTIONS: BrowserFailoverOptions = { heartbeatPath: '/health', heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 3000, missedHeartbeats: 3, noticeMs: 2000 };
  function listener(): { stack: Stack; listener: elbv2.ApplicationListener } {
    const stack = new Stack(testApp(), 'Site', { env: testEnv() });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: vpcIn(stack), internetFacing: true });
    return { stack, listener: alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(200) }) };
  }
  const helper = (options: Partial<BrowserFailoverOptions>, pathPrefix?: string) => () => {
    const { stack, listener: l } = listener();
    return new BrowserFailoverHelper(stack, 'Helper', { listener: l, options: { ...OPTIONS, ...options }, pathPrefix });
  };

  test.each<[string, Partial<BrowserFailoverOptions>, string, string, string]>([
    ['the heartbeat path has no leading slash', { heartbeatPath: 'health' }, 'options.heartbeatPath', '"health"', 'a path starting with "/", e.g. "/health"'],
    ['the heartbeat path is under the helper\'s prefix', { heartbeatPath: '/ha-failover/ping' }, 'options.heartbeatPath', '"/ha-failover/ping"', 'a path outside pathPrefix (/ha-failover)'],
    ['the heartbeat interval is 5 ms', { heartbeatIntervalMs: 5 }, 'options.heartbeatIntervalMs', '5', 'an integer from 100 to 3600000'],
    ['the heartbeat interval is not a whole number of ms', { heartbeatIntervalMs: 2500.5 }, 'options.heartbeatIntervalMs', '2500.5', 'an integer'],
    ['the timeout is as long as the interval', { heartbeatTimeoutMs: 5000 }, 'options.heartbeatTimeoutMs', '5000', 'a timeout below options.heartbeatIntervalMs (5000)'],
    ['the timeout is 0', { heartbeatTimeoutMs: 0 }, 'options.heartbeatTimeoutMs', '0', 'an integer from 1 to 3600000'],
    ['no heartbeat may be missed', { missedHeartbeats: 0 }, 'options.missedHeartbeats', '0', 'an integer from 1 to 100'],
    ['the notice is negative', { noticeMs: -1 }, 'options.noticeMs', '-1', 'an integer from 0 to 3600000'],
    ['an option is missing', { noticeMs: undefined }, 'options.noticeMs', 'undefined', 'milliseconds the notice shows'],
    ['an option is a string', { missedHeartbeats: '3' as unknown as number }, 'options.missedHeartbeats', '"3"', 'consecutive missed heartbeats'],
  ])('fails when %s', (_what, options, prop, received, expected) => {
    expectRejected(helper(options), 'Site/Helper', prop, received, expected);
  });

  test('a token passes (its value is known only at deployment)', () => {
    expect(helper({ heartbeatIntervalMs: Token.asNumber({ resolve: () => 5000 }) })).not.toThrow();
  });

  describe('a second helper on the web tier\'s listener', () => {
    const build = (extra: { pathPrefix?: string; priority?: number }) => {
      const app = testApp();
      const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
      const spare = new Stack(app, 'Spare', { env: testEnv('us-east-1') });
      const zone = route53.PublicHostedZone.fromHostedZoneAttributes(primary, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
      const web = new ActiveSpareWebTier(primary, 'Web', { spares: [{ stack: spare }], image: IMAGE, activeCapacity: 2, zone, recordName: 'agents' });
      const second = new BrowserFailoverHelper(primary, 'MyHelper', { listener: web.primary.listener, options: web.browserFailoverOptions, ...extra });
      return { primary, web, second };
    };

    test('fails, naming pathPrefix and the tier\'s helper, when it serves the same prefix', () => {
      expectRejected(() => build({}), 'Primary/MyHelper', 'pathPrefix', '"/ha-failover"',
        'a prefix no other helper serves on Primary/Web/Site/LoadBalancer/Https: Primary/Web/Site/BrowserFailoverHelper serves /ha-failover/* there',
        'use tier.browserFailoverHelpers');
    });

    test('fails, naming priority and the rule that has it, when it takes the same priority', () => {
      expectRejected(() => build({ pathPrefix: '/ha-failover-2' }), 'Primary/MyHelper', 'priority', '1',
        'a priority no other rule of Primary/Web/Site/LoadBalancer/Https has', 'Primary/Web/Site/LoadBalancer/Https/BrowserFailoverHelperRule has 1');
    });

    test('with its own prefix and priority it gets its own rule', () => {
      const { primary, second } = build({ pathPrefix: '/ha-failover-2', priority: 2 });
      expect(second.startPath).toBe('/ha-failover-2/start.js');
      const template = Template.fromStack(primary);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Priority: 2,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/ha-failover-2/*'] } }],
      });
    });
  });
});

describe('FailoverNotifications subscribers', () => {
  const build = (props: FailoverNotificationsProps) => {
    const stack = new Stack(testApp(), 'Shared', { env: testEnv() });
    new FailoverNotifications(stack, 'Notifications', props);
    return stack;
  };

  test('warns when two email addresses differ only in case, naming both', () => {
    const stack = build({ emails: ['ops@example.com', 'Ops@Example.com'] });
    Annotations.fromStack(stack).hasWarning('/Shared/Notifications', Match.stringLikeRegexp(
      '^emails\\[1\\] \\(Ops@Example.com\\) and emails\\[0\\] \\(ops@example.com\\) differ only in case: .*every notification twice.*cdk-ha-patterns:notifications-duplicate-email'));
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 2);
  });

  test('distinct addresses do not warn', () => {
    const stack = build({ emails: ['ops@example.com', 'oncall@example.com'] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('notifications-duplicate-email'));
  });

  test('fails when the email list is a token (it would become one subscription to the whole list)', () => {
    expectRejected(() => {
      const stack = new Stack(testApp(), 'Shared', { env: testEnv() });
      const emails = new CfnParameter(stack, 'Emails', { type: 'CommaDelimitedList' }).valueAsList;
      return new FailoverNotifications(stack, 'Notifications', { emails });
    }, 'Shared/Notifications', 'emails', '"<list token>"', 'a literal array');
  });

  test('a single address given as a string token passes', () => {
    const stack = new Stack(testApp(), 'Shared', { env: testEnv() });
    const email = new CfnParameter(stack, 'Email').valueAsString;
    new FailoverNotifications(stack, 'Notifications', { emails: [email] });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'Email' } });
  });

  test('warns, without repeating them, when a webhook URL carries credentials', () => {
    const stack = build({ webhookUrls: ['https://alice:s3cret@hooks.example.com/ha'] });
    Annotations.fromStack(stack).hasWarning('/Shared/Notifications', Match.stringLikeRegexp(
      '^webhookUrls\\[0\\] \\(https://\\*\\*\\*@hooks.example.com/ha\\) carries credentials: .*clear text.*cdk-ha-patterns:notifications-webhook-credentials'));
    const messages = JSON.stringify(Annotations.fromStack(stack).findWarning('*', Match.anyValue()));
    expect(messages).not.toContain('s3cret');
  });

  test('an invalid webhook URL with credentials fails without showing them', () => {
    const build2 = () => build({ webhookUrls: ['http://alice:s3cret@hooks.example.com/ha'] });
    expectRejected(build2, 'Shared/Notifications', 'webhookUrls[0]', '"http://***@hooks.example.com/ha"', 'an https:// URL');
    expect(build2).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });

  test('a replica in another region repeats no warning', () => {
    const app = testApp();
    const shared = new Stack(app, 'Shared', { env: testEnv() });
    const notifications = new FailoverNotifications(shared, 'Notifications', { emails: ['ops@example.com', 'OPS@example.com'] });
    const other = new Stack(app, 'Other', { env: testEnv('us-east-1') });
    notifications.inRegionOf(other);
    Annotations.fromStack(other).hasNoWarning('*', Match.stringLikeRegexp('notifications-duplicate-email'));
    Annotations.fromStack(shared).hasWarning('/Shared/Notifications', Match.stringLikeRegexp('notifications-duplicate-email'));
  });
});
