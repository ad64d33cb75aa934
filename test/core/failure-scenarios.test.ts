/**
 * The failure-scenario analysis: every link of a recovery path must live
 * outside what its scenario takes down, every automation's role must allow
 * the calls it makes, and the capacity after failover must carry the load.
 * A broken path fails synthesis naming the path, the link, its region, the
 * scenario and the fix, unless acknowledged.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  ActiveSpareWebTier, ActiveSpareWebTierPath, AlarmRole, buildResilienceReport, FailureKind, FailureScenario, HaPattern, HaPatternProps, PathLink,
  renderResilienceReportMarkdown, RecoveryStep, SignalKind, SpareMode,
} from '../../lib';
import { testApp, testEnv } from '../harness';

/** A pattern whose one path has the links a test gives it. */
class Probe extends HaPattern {
  constructor(scope: Construct, id: string, props: HaPatternProps & { links: (p: Probe) => PathLink[]; scenario: FailureScenario }) {
    super(scope, id, props, { patternName: 'Probe', detection: 'a test alarm' });
    this.createAlarm(this, 'Trigger', {
      metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Up', period: Duration.minutes(1), statistic: 'Minimum' }),
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 1,
      signal: SignalKind.STATUS, role: AlarmRole.FAILOVER_TRIGGER, description: 'test',
    });
    this.recoveryObjectives.addRecoveryPath('failover', [RecoveryStep.constant('test', Duration.seconds(10), 'test')], {
      description: 'test path', scenarios: [props.scenario], links: props.links(this),
    });
    this.createFailoverAlarm();
  }
}

/** A role Lambda may assume, with `inlinePolicies` if given. */
function lambdaRole(scope: Construct, id: string, inlinePolicies?: Record<string, iam.PolicyDocument>): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), inlinePolicies });
}

/** The analysis' error for an automation whose role does not allow the service update it calls. */
const UPDATE_NOT_ALLOWED = /calls ecs:UpdateService on arn:aws:ecs:us-west-2:123456789012:service\/c\/s, which its role does not allow/;

function probeApp(links: (p: Probe, other: Stack) => PathLink[], scenario = FailureScenario.regionLoss('eu-west-1')) {
  const app = testApp();
  const home = new Stack(app, 'Home', { env: testEnv('eu-west-1') });
  const other = new Stack(app, 'Other', { env: testEnv('us-west-2') });
  const probe = new Probe(home, 'Probe', { links: p => links(p, other), scenario });
  return { app, home, other, probe };
}

describe('FailureScenario', () => {
  test.each([
    [FailureScenario.regionLoss('eu-west-1'), FailureKind.REGION_LOSS, 'region-loss of eu-west-1', true],
    [FailureScenario.zoneLoss('eu-west-1'), FailureKind.ZONE_LOSS, 'zone-loss of eu-west-1', false],
    [FailureScenario.taskLoss('eu-west-1'), FailureKind.TASK_LOSS, 'task-loss of eu-west-1', false],
    [FailureScenario.databaseWriterLoss('eu-west-1'), FailureKind.DATABASE_WRITER_LOSS, 'database-writer-loss of eu-west-1', false],
    [FailureScenario.primaryServerLoss('eu-west-1'), FailureKind.PRIMARY_SERVER_LOSS, 'primary-server-loss of eu-west-1', false],
  ])('%s: kind, description, and whether it takes down its region', (scenario, kind, description, takesDown) => {
    expect(scenario.kind).toBe(kind);
    expect(scenario.description).toBe(description);
    expect(scenario.takesDownRegion('eu-west-1')).toBe(takesDown);
    expect(scenario.takesDownRegion('us-east-1')).toBe(false);
  });
});

describe('the analysis', () => {
  test('a link in the region the scenario takes down fails synthesis, naming the path, the link, its region, the scenario and the fix', () => {
    const { app } = probeApp(p => [PathLink.alarm(p.failoverTriggers[0], 'trigger alarm')]);
    expect(() => app.synth()).toThrow(
      "[Home/Probe] recovery path 'failover' does not survive region-loss of eu-west-1: its alarm trigger alarm (Home/Probe/Trigger) lives in eu-west-1, " +
      'which region-loss of eu-west-1 takes down. Place the link where the failure does not reach, grant the calls, or add capacity; ' +
      "or accept the gap with recoveryObjectives.acknowledgeBrokenPath('failover', reason).");
  });

  test('every broken link of a path is named, one after the other', () => {
    const { app } = probeApp(p => [PathLink.eventRule(p, 'first link'), PathLink.automation(p.node.scope!, 'second link', new iam.Role(p, 'Role', { assumedBy: new iam.AccountRootPrincipal() }), [])]);
    expect(() => app.synth()).toThrow(/its event rule first link \(Home\/Probe\) lives in eu-west-1, which region-loss of eu-west-1 takes down; its automation second link \(Home\) lives in eu-west-1/);
  });

  test('the same link survives a failure that does not take down its region', () => {
    const { app, probe } = probeApp(p => [PathLink.alarm(p.failoverTriggers[0], 'trigger alarm')], FailureScenario.taskLoss('eu-west-1'));
    expect(() => app.synth()).not.toThrow();
    expect(probe.recoveryObjectives.scenarioOutcomes('failover')).toEqual([{ scenario: 'task-loss of eu-west-1', path: 'failover', survives: true, brokenLinks: [], acknowledged: undefined }]);
  });

  test('links in another region, and Route 53 (global) links anywhere, survive', () => {
    const { app } = probeApp((p, other) => {
      const zone = route53.HostedZone.fromHostedZoneAttributes(p, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
      return [
        PathLink.dns(new route53.CnameRecord(p, 'Record', { zone, recordName: 'x', domainName: 'y.example.com' }), 'record in the failed region\'s stack'),
        PathLink.eventRule(new Construct(other, 'Rule'), 'rule elsewhere'),
      ];
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('a signal lives where it is published: a probe in the surviving region\'s stack that samples the failed region survives; one published there does not', () => {
    const probed = (region?: string) => probeApp((_p, other) => [PathLink.signal(new Construct(other, 'Probe'), 'probe', region)]);
    expect(PathLink.signal(new Construct(new Stack(testApp(), 'S', { env: testEnv('us-west-2') }), 'P'), 'p', 'eu-west-1').region).toBe('eu-west-1');
    expect(() => probed().app.synth()).not.toThrow();
    expect(() => probed('eu-west-1').app.synth()).toThrow(/its signal probe \(Other\/Probe\) lives in eu-west-1, which region-loss of eu-west-1 takes down/);
  });

  test('an automation whose role does not allow a call it makes breaks the path', () => {
    const { app } = probeApp((_p, other) => {
      const role = lambdaRole(other, 'Role');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: ['arn:aws:ecs:us-west-2:123456789012:service/c/s'] }));
      return [PathLink.automation(role, 'scaler', role, [{ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resource: 'arn:aws:ecs:us-west-2:123456789012:service/c/s' }])];
    });
    expect(() => app.synth()).toThrow(/its automation scaler \(Other\/Role\) calls ecs:UpdateService on arn:aws:ecs:us-west-2:123456789012:service\/c\/s, which its role does not allow/);
  });

  test.each([
    ['the exact action and resource', ['ecs:UpdateService'], ['arn:aws:ecs:us-west-2:123456789012:service/c/s']],
    ['a service wildcard', ['ecs:*'], ['arn:aws:ecs:us-west-2:123456789012:service/c/s']],
    ['a resource wildcard', ['ecs:UpdateService'], ['arn:aws:ecs:us-west-2:123456789012:service/c/*']],
    ['any resource', ['ecs:UpdateService'], ['*']],
  ])('a role allows a call by %s', (_name, actions, resources) => {
    const { app } = probeApp((_p, other) => {
      const role = lambdaRole(other, 'Role');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
      return [PathLink.automation(role, 'scaler', role, [{ actions: ['ecs:UpdateService'], resource: 'arn:aws:ecs:us-west-2:123456789012:service/c/s' }])];
    });
    expect(() => app.synth()).not.toThrow();
  });

  const call = [{ actions: ['ecs:UpdateService'], resource: 'arn:aws:ecs:us-west-2:123456789012:service/c/s' }];
  const allowUpdate = new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: ['*'] });

  test('a policy attached to several roles, this one among them, allows', () => {
    const { app } = probeApp((_p, other) => {
      const role = lambdaRole(other, 'Role');
      const colleague = lambdaRole(other, 'Colleague');
      new iam.Policy(other, 'Shared', { statements: [allowUpdate], roles: [colleague, role] });
      return [PathLink.automation(role, 'scaler', role, call)];
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('one allowing document among the role\'s policies is enough; a policy whose document an escape hatch removed allows nothing', () => {
    const build = (allowing: boolean) => probeApp((_p, other) => {
      const role = lambdaRole(other, 'Role');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: ['*'] }));
      const policy = new iam.Policy(other, 'Update', { statements: [allowUpdate], roles: [role] });
      if (!allowing) (policy.node.defaultChild as iam.CfnPolicy).addPropertyDeletionOverride('PolicyDocument');
      return [PathLink.automation(role, 'scaler', role, call)];
    }).app;
    expect(() => build(true).synth()).not.toThrow();
    expect(() => build(false).synth()).toThrow(UPDATE_NOT_ALLOWED);
  });

  test('the role\'s own inline policy allows; another role\'s does not', () => {
    const build = (inlineOnOwnRole: boolean) => probeApp((_p, other) => {
      const inline = { update: new iam.PolicyDocument({ statements: [allowUpdate] }) };
      const role = lambdaRole(other, 'Role', inlineOnOwnRole ? inline : undefined);
      lambdaRole(other, 'Colleague', inlineOnOwnRole ? undefined : inline);
      return [PathLink.automation(role, 'scaler', role, call)];
    }).app;
    expect(() => build(true).synth()).not.toThrow();
    expect(() => build(false).synth()).toThrow(UPDATE_NOT_ALLOWED);
  });

  test.each([
    ['an action in other letter case (IAM reads actions case-insensitively)', ['ECS:updateservice'], ['*'], 'ecs:UpdateService', 'arn:aws:ecs:us-west-2:123456789012:service/c/s'],
    ['a resource pattern with dots, read as dots', ['s3:PutObject'], ['arn:aws:s3:::config.example.com/*'], 's3:PutObject', 'arn:aws:s3:::config.example.com/writer'],
  ])('a role allows a call by %s', (_name, actions, resources, action, resource) => {
    const { app } = probeApp((_p, other) => {
      const role = lambdaRole(other, 'Role');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
      return [PathLink.automation(role, 'writer', role, [{ actions: [action], resource }])];
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('a dot in a resource pattern matches a dot only', () => {
    const { app } = probeApp((_p, other) => {
      const role = lambdaRole(other, 'Role');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::config.example.com/*'] }));
      return [PathLink.automation(role, 'writer', role, [{ actions: ['s3:PutObject'], resource: 'arn:aws:s3:::configxexample.com/writer' }])];
    });
    expect(() => app.synth()).toThrow(/calls s3:PutObject on arn:aws:s3:::configxexample.com\/writer, which its role does not allow/);
  });

  test('a statement for the action on another resource does not allow it', () => {
    const { app } = probeApp((_p, other) => {
      const role = lambdaRole(other, 'Role');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: ['arn:aws:ecs:us-west-2:123456789012:service/c/other'] }));
      return [PathLink.automation(role, 'scaler', role, call)];
    });
    expect(() => app.synth()).toThrow(UPDATE_NOT_ALLOWED);
  });

  test('a Deny statement does not count as allowing', () => {
    const { app } = probeApp((_p, other) => {
      const role = lambdaRole(other, 'Role');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['ecs:UpdateService'], resources: ['*'] }));
      return [PathLink.automation(role, 'scaler', role, [{ actions: ['ecs:UpdateService'], resource: '*' }])];
    });
    expect(() => app.synth()).toThrow(/calls ecs:UpdateService on \*, which its role does not allow/);
  });

  test('capacity below the load after failover breaks the path', () => {
    const { app } = probeApp((_p, other) => [PathLink.capacity(new Construct(other, 'Service'), 'spare service', { serving: 2, required: 3 })]);
    expect(() => app.synth()).toThrow(/its capacity spare service \(Other\/Service\) serves 2 after failover; the load needs 3/);
  });

  test('an acknowledged broken path synthesizes, and the report shows the reason instead of "survives"', () => {
    const { app, probe } = probeApp(p => [PathLink.alarm(p.failoverTriggers[0], 'trigger alarm')]);
    probe.recoveryObjectives.acknowledgeBrokenPath('failover', 'the test accepts that its alarm dies with the region');
    expect(() => app.synth()).not.toThrow();
    const markdown = renderResilienceReportMarkdown([buildResilienceReport(app, 'test')]);
    expect(markdown).toContain('| region-loss of eu-west-1 | failover: 10 s / 0 s, acknowledged: the test accepts that its alarm dies with the region |');
  });

  test('an acknowledgement needs a reason and a known path', () => {
    const { probe } = probeApp(() => []);
    expect(() => probe.recoveryObjectives.acknowledgeBrokenPath('failover', 'ok')).toThrow(
      "Home/Probe: invalid prop 'reason': received \"ok\"; expected a reason a reviewer would accept (at least a sentence)");
    // ten characters is the least; spaces around do not count
    expect(() => probe.recoveryObjectives.acknowledgeBrokenPath('failover', '   too short   ')).toThrow(/prop 'reason'/);
    expect(() => probe.recoveryObjectives.acknowledgeBrokenPath('failover', 'ten chars.')).not.toThrow();
    expect(() => probe.recoveryObjectives.acknowledgeBrokenPath('nope', 'a long enough reason')).toThrow(/one of the pattern's path ids: 'failover'/);
  });
});

describe('the web tier under the loss of its primary region', () => {
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
  function tierIn(spareRegion: string, dnsRegion: string | undefined, spareMode = SpareMode.WARM) {
    const app = testApp();
    const zoneIn = (s: Stack) => route53.HostedZone.fromHostedZoneAttributes(s, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const spare = new Stack(app, 'Spare', { env: testEnv(spareRegion) });
    const dnsStack = dnsRegion ? new Stack(app, 'Dns', { env: testEnv(dnsRegion) }) : undefined;
    const tier = new ActiveSpareWebTier(primary, 'Web', { spares: [{ stack: spare }], dnsStack, image, activeCapacity: 2, spareMode, zone: zoneIn(primary), recordName: 'agents' });
    return { app, tier, spare };
  }

  test.each([
    ['us-east-1', undefined],
    ['eu-central-1', 'us-east-1'],
    ['us-west-2', 'us-east-1'],
  ])('with the spare in %s (DNS stack in %s) every path survives', (spareRegion, dnsRegion) => {
    const { app, tier } = tierIn(spareRegion, dnsRegion);
    expect(() => app.synth()).not.toThrow();
    for (const path of [ActiveSpareWebTierPath.DNS, ActiveSpareWebTierPath.BROWSER]) {
      expect(tier.recoveryObjectives.scenarioOutcomes(path)).toEqual([{ scenario: 'region-loss of eu-west-1', path, survives: true, brokenLinks: [], acknowledged: undefined }]);
    }
  });

  test('breaking the scale-up function\'s permission (escape hatch) fails synthesis, naming the path, the call and the function', () => {
    const { app, tier } = tierIn('eu-central-1', 'us-east-1', SpareMode.PILOT_LIGHT);
    const policy = tier.spares[0].node.findAll().find(c => c instanceof iam.CfnPolicy && c.node.path.includes('ScaleUp')) as iam.CfnPolicy;
    policy.addPropertyOverride('PolicyDocument.Statement.1.Action', ['ecs:DescribeServices']);
    expect(() => app.synth()).toThrow(/recovery path 'dns' does not survive region-loss of eu-west-1: its automation scale-up function \(Spare\/.*\/Site\/ScaleUp\) calls ecs:UpdateService on .*, which its role does not allow/);
  });
});
