/**
 * The browser failover helper served beside each site (BrowserFailoverHelper):
 * the listener rule, the function and its permission, the settings the start
 * module carries, the deployed asset run as Lambda would run it, and the bad
 * inputs. The server itself (serve.js) is tested in browser-helper-server.test.ts
 * and, in Chromium, in browser-failover.test.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ActiveSpareWebTier, ActiveSpareWebTierProps, BrowserFailoverHelper, BrowserFailoverHelperProps, WebTierSite } from '../../lib';
import { HaValidationError } from '../../lib/core/errors';
import { testApp, testEnv } from '../harness';

/** Expects an HaValidationError from `construct`, on `prop`, its message matching `message`. */
function expectRejected(build: () => unknown, construct: string, prop: string, message: RegExp = /./): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(HaValidationError);
  expect(error).toMatchObject({ constructPath: construct, prop });
  expect((error as Error).message).toMatch(message);
}

function build(props: Partial<ActiveSpareWebTierProps> = {}, app: App = testApp()) {
  const primary = new Stack(app, 'Web-Primary', { env: testEnv('eu-west-1'), crossRegionReferences: true });
  const spare = new Stack(app, 'Web-Spare', { env: testEnv('us-east-1'), crossRegionReferences: true });
  const zone = new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' });
  const tier = new ActiveSpareWebTier(primary, 'Web', {
    spares: [{ stack: spare }], image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    activeCapacity: 2, zone, recordName: 'agents', ...props,
  });
  return { app, primary, spare, tier };
}

const helperFunctions = (t: Template) => t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'serve.handler' } });

describe('ActiveSpareWebTier serves the browser helper on every site', () => {
  const { app, primary, spare, tier } = build({
    healthCheckPath: '/ping',
    browserFailover: { heartbeatInterval: Duration.seconds(4), missedHeartbeats: 2 },
  });

  test('each site\'s listener forwards <prefix>/* (priority 1) to a Lambda target group of its own helper function', () => {
    expect(tier.browserFailoverHelpers.map(h => Stack.of(h))).toEqual([primary, spare]);
    for (const [stack, site] of [[primary, tier.primary], [spare, tier.spares[0]]] as const) {
      const t = Template.fromStack(stack);
      const helper = tier.browserFailoverHelpers[stack === primary ? 0 : 1];
      const tg = stack.getLogicalId(helper.targetGroup.node.defaultChild as elbv2.CfnTargetGroup);
      const fn = stack.getLogicalId(helper.function.node.defaultChild as never);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        ListenerArn: { Ref: stack.getLogicalId(site.listener.node.defaultChild as elbv2.CfnListener) },
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/ha-failover/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: { Ref: tg } }],
      });
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetType: 'lambda',
        Targets: [{ Id: { 'Fn::GetAtt': [fn, 'Arn'] } }],
      });
      expect(Object.keys(helperFunctions(t))).toEqual([fn]);
    }
  });

  test('only this account\'s load balancers may invoke the function, and the target group waits for that permission', () => {
    const t = Template.fromStack(spare);
    const helper = tier.browserFailoverHelpers[1];
    const fn = spare.getLogicalId(helper.function.node.defaultChild as never);
    const permissions = t.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] } } });
    expect(Object.values(permissions).map(p => p.Properties)).toStrictEqual([{
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      Principal: 'elasticloadbalancing.amazonaws.com',
      SourceAccount: spare.account,
    }]);
    const tg = t.toJSON().Resources[spare.getLogicalId(helper.targetGroup.node.defaultChild as elbv2.CfnTargetGroup)];
    expect(tg.DependsOn).toEqual(Object.keys(permissions));
  });

  test('the function serves the tier\'s own settings under the prefix: the heartbeat path and timings the browser path is computed from', () => {
    const t = Template.fromStack(primary);
    const [fn] = Object.values(helperFunctions(t));
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 128, Timeout: 5 });
    const env = fn.Properties.Environment.Variables;
    expect(env.PATH_PREFIX).toBe('/ha-failover');
    expect(env.MAX_AGE_SECONDS).toBe('300');
    expect(JSON.parse(env.FAILOVER_OPTIONS)).toStrictEqual({
      heartbeatPath: '/ping', heartbeatIntervalMs: 4000, heartbeatTimeoutMs: 3000, missedHeartbeats: 2, noticeMs: 2000,
    });
    expect(JSON.parse(env.FAILOVER_OPTIONS)).toStrictEqual({ ...tier.browserFailoverOptions });
    expect(tier.browserFailoverScriptPath).toBe('/ha-failover/start.js');
    expect(tier.browserFailoverHelpers[0].helperPath).toBe('/ha-failover/failover.js');
  });

  test('the deployed asset answers as Lambda runs it: serve.handler loads the helper beside it and the start module', () => {
    const assembly = app.synth();
    const t = Template.fromStack(primary);
    const [fn] = Object.values(helperFunctions(t));
    const key: string = fn.Properties.Code.S3Key;
    const dir = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    expect(fs.readdirSync(dir).sort()).toEqual(expect.arrayContaining(['failover.js', 'serve.js']));
    const env = { ...process.env, ...fn.Properties.Environment.Variables };
    // A separate Node.js process from the asset directory, as the Lambda runtime loads `serve.handler` (CommonJS, no bundling).
    const run = (event: object) => JSON.parse(execFileSync(process.execPath, ['-e', `
      require(${JSON.stringify(path.join(dir, 'serve.js'))}).handler(${JSON.stringify(event)}).then(r => process.stdout.write(JSON.stringify(r)));
    `], { env, cwd: dir, encoding: 'utf8' }));
    const helper = run({ httpMethod: 'GET', path: '/ha-failover/failover.js' });
    expect(helper).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    expect(helper.body).toBe(fs.readFileSync(path.join(__dirname, '../../lib/web-tier/browser/failover.js'), 'utf8'));
    const start = run({ httpMethod: 'GET', path: '/ha-failover/start.js' });
    expect(start.statusCode).toBe(200);
    expect(start.body).toBe("import { startFailover } from './failover.js';\n" +
      `export const failover = startFailover(${JSON.stringify(tier.browserFailoverOptions)});\n`);
  });
});

describe('browser helper options', () => {
  test('serveHelper: false serves nothing: no rule, no function, no script path', () => {
    const { primary, spare, tier } = build({ browserFailover: { serveHelper: false } });
    expect(tier.browserFailoverHelpers).toEqual([]);
    expect(tier.browserFailoverScriptPath).toBeUndefined();
    for (const stack of [primary, spare]) {
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
      expect(helperFunctions(t)).toEqual({});
    }
  });

  test('helperPathPrefix moves the rule and what the function serves', () => {
    const { spare, tier } = build({ browserFailover: { helperPathPrefix: '/static/ha' } });
    const t = Template.fromStack(spare);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/static/ha/*'] } }],
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Handler: 'serve.handler', Environment: { Variables: Match.objectLike({ PATH_PREFIX: '/static/ha' }) } });
    expect(tier.browserFailoverScriptPath).toBe('/static/ha/start.js');
  });

  test('on a single site: any listener, its own priority and cache duration', () => {
    const stack = new Stack(testApp(), 'Site', { env: testEnv('eu-west-1') });
    const site = new WebTierSite(stack, 'Site', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), activeCapacity: 2 });
    const helper = new BrowserFailoverHelper(stack, 'Helper', {
      listener: site.listener, priority: 7, cacheDuration: Duration.seconds(30),
      options: { heartbeatPath: '/health', heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 3000, missedHeartbeats: 3, noticeMs: 2000 },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 7 });
    t.hasResourceProperties('AWS::Lambda::Function', { Handler: 'serve.handler', Environment: { Variables: Match.objectLike({ MAX_AGE_SECONDS: '30' }) } });
    expect(helper.startPath).toBe('/ha-failover/start.js');
  });

  test('on an imported listener: the rule names its ARN', () => {
    const stack = new Stack(testApp(), 'Site', { env: testEnv('eu-west-1') });
    const listenerArn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/0123456789abcdef/0123456789abcdef';
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Listener', {
      listenerArn, securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0'),
    });
    new BrowserFailoverHelper(stack, 'Helper', {
      listener, options: { heartbeatPath: '/health', heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 3000, missedHeartbeats: 3, noticeMs: 2000 },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: listenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/ha-failover/*'] } }],
    });
  });

  test('cacheDuration in whole seconds, rounded down (Cache-Control\'s unit): 1.5 s is 1, 0 turns caching off', () => {
    for (const [duration, seconds] of [[Duration.millis(1500), '1'], [Duration.seconds(0), '0'], [Duration.hours(1), '3600']] as const) {
      const stack = new Stack(testApp(), 'Site', { env: testEnv('eu-west-1') });
      const site = new WebTierSite(stack, 'Site', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), activeCapacity: 2 });
      new BrowserFailoverHelper(stack, 'Helper', {
        listener: site.listener, cacheDuration: duration,
        options: { heartbeatPath: '/health', heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 3000, missedHeartbeats: 3, noticeMs: 2000 },
      });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'serve.handler', Environment: { Variables: Match.objectLike({ MAX_AGE_SECONDS: seconds }) },
      });
    }
  });
});

describe('bad browser helper input', () => {
  test.each([
    ['ha-failover', 'no leading /'],
    ['/ha-failover/', 'a trailing /'],
    ['/ha failover', 'a space'],
    ['/', 'the root'],
    [`/${'a'.repeat(126)}`, 'longer than the path condition holds'],
  ])('helperPathPrefix %j (%s)', prefix => {
    expectRejected(() => build({ browserFailover: { helperPathPrefix: prefix } }), 'Web-Primary/Web', 'browserFailover.helperPathPrefix',
      new RegExp(`received "${prefix}"`));
  });

  test('a health path under the prefix would send the load balancer\'s health checks to the helper', () => {
    expectRejected(() => build({ healthCheckPath: '/ha-failover/health' }), 'Web-Primary/Web', 'browserFailover.helperPathPrefix',
      /health path \(\/ha-failover\/health\)/);
    expectRejected(() => build({ healthCheckPath: '/ops', browserFailover: { helperPathPrefix: '/ops' } }), 'Web-Primary/Web', 'browserFailover.helperPathPrefix');
    expect(() => build({ healthCheckPath: '/ha-failover-health' })).not.toThrow();
  });

  test('a prefix with serveHelper: false would be silently unused', () => {
    expectRejected(() => build({ browserFailover: { serveHelper: false, helperPathPrefix: '/x' } }), 'Web-Primary/Web', 'browserFailover.helperPathPrefix',
      /serveHelper is false/);
  });

  test.each([
    ['no listener', { listener: undefined }, 'listener'],
    ['a listener that is no application listener', { listener: {} }, 'listener'],
    ['no options', { options: undefined }, 'options'],
    ['options that are no object', { options: 'x' }, 'options'],
    ['priority 0', { priority: 0 }, 'priority'],
    ['priority 50001', { priority: 50001 }, 'priority'],
    ['priority 1.5', { priority: 1.5 }, 'priority'],
    ['cacheDuration of 2 days', { cacheDuration: Duration.days(2) }, 'cacheDuration'],
  ] as unknown as Array<[string, Partial<BrowserFailoverHelperProps>, string]>)('BrowserFailoverHelper: %s', (_label, props, prop) => {
    const stack = new Stack(testApp(), 'Site', { env: testEnv('eu-west-1') });
    const site = new WebTierSite(stack, 'Site', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), activeCapacity: 2 });
    expectRejected(() => new BrowserFailoverHelper(stack, 'Helper', {
      listener: site.listener, options: { heartbeatPath: '/health', heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 3000, missedHeartbeats: 3, noticeMs: 2000 }, ...props,
    }), 'Site/Helper', prop);
  });
});
