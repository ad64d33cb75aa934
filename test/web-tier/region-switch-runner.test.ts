/**
 * ActiveSpareWebTier with `failoverRunner: REGION_SWITCH_PLAN`: each spare
 * that does not run N+1 already is scaled up by an ARC Region switch plan in
 * its own stack, triggered by its probe of the primary; no scale-up rule and
 * no forwarding of the primary's alarm. Route 53 moves the name either way.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ActiveSpareWebTier, ActiveSpareWebTierPath, ActiveSpareWebTierProps, DnsRoutingPolicy, RegionFailoverRunner, SpareMode } from '../../lib';
import { expectHaValidationError, revokeFromPlanRole, testApp, testEnv } from '../harness';

function build(props: Partial<ActiveSpareWebTierProps> = {}, spareRegions = ['us-east-1', 'us-west-2'], app: App = testApp()) {
  const stack = (id: string, region: string) => new Stack(app, id, { env: testEnv(region), crossRegionReferences: true });
  const primary = stack('Web-Primary', 'eu-west-1');
  const zone = new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' });
  const spares = spareRegions.map((r, i) => ({ stack: stack(`Web-Spare${i + 1}`, r) }));
  const tier = new ActiveSpareWebTier(primary, 'Web', {
    spares, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), activeCapacity: 2, zone, recordName: 'agents',
    dnsStack: stack('Web-Dns', 'us-east-1'),
    // Route 53 failover routing has one secondary: two spares need latency routing.
    routingPolicy: spareRegions.length > 1 ? DnsRoutingPolicy.LATENCY : DnsRoutingPolicy.FAILOVER, ...props,
  });
  return { app, primary, tier, spares: spares.map(s => s.stack) };
}

const planOf = (stack: Stack) => {
  const plans = Object.values(Template.fromStack(stack).findResources('AWS::ARCRegionSwitch::Plan'));
  expect(plans).toHaveLength(1);
  return plans[0].Properties;
};

describe('ActiveSpareWebTier with failoverRunner: REGION_SWITCH_PLAN (two warm spares)', () => {
  const library = build();
  const { app, primary, tier, spares } = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN });

  test('each spare\'s stack has its plan and only the probe schedule; nothing forwards the primary\'s alarm', () => {
    expect(tier.regionSwitchPlans.map(p => Stack.of(p))).toEqual(spares);
    for (const spare of spares) {
      const t = Template.fromStack(spare);
      t.resourceCountIs('AWS::Events::Rule', 1);
      t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    }
    Template.fromStack(primary).resourceCountIs('AWS::Events::Rule', 0);
    Template.fromStack(library.primary).resourcePropertiesCountIs('AWS::Events::Rule', { Description: Match.stringLikeRegexp('^Forwards the primary') }, 2);
    expect(library.tier.regionSwitchPlans).toEqual([]);
  });

  test('each plan activates its spare\'s region from eu-west-1, triggered by that spare\'s probe alarm (red)', () => {
    spares.forEach((spare, i) => {
      const plan = planOf(spare);
      const region = spare.region;
      expect(plan).toMatchObject({ Regions: ['eu-west-1', region], PrimaryRegion: 'eu-west-1' });
      const probe = spare.getLogicalId(tier.primaryProbeAlarms[i].node.defaultChild as cloudwatch.CfnAlarm);
      expect(plan.AssociatedAlarms).toEqual({ 'trigger-1': { AlarmType: 'trigger', ResourceIdentifier: { 'Fn::GetAtt': [probe, 'Arn'] } } });
      expect(plan.Triggers).toEqual([expect.objectContaining({ Action: 'activate', TargetRegion: region, Conditions: [{ AssociatedAlarmName: 'trigger-1', Condition: 'red' }] })]);
    });
  });

  test('the step invokes that spare\'s scale-up function with an ALARM state change (what the function scales on)', () => {
    spares.forEach((spare, i) => {
      const [step] = planOf(spare).Workflows[0].Steps;
      expect(step.ExecutionBlockType).toBe('CustomActionLambda');
      const [lambdaCall] = step.ExecutionBlockConfiguration.CustomActionLambdaConfig.Lambdas;
      expect(lambdaCall.Arn).toEqual(spare.resolve(tier.scaleUpFunctions[i].functionArn));
      expect(JSON.parse(lambdaCall.Payload)).toMatchObject({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'ALARM' } } });
    });
  });

  test('each plan fails back: activating eu-west-1, the spare\'s own function runs in the region left (the spare\'s) and scales it back to its count', () => {
    spares.forEach((spare, i) => {
      const workflows = planOf(spare).Workflows;
      expect(workflows).toHaveLength(2);
      expect(workflows[1]).toMatchObject({ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'eu-west-1' });
      expect(workflows[1].Steps).toEqual([expect.objectContaining({
        Name: 'scale-back-spare', ExecutionBlockType: 'CustomActionLambda',
        ExecutionBlockConfiguration: { CustomActionLambdaConfig: expect.objectContaining({
          Lambdas: [{ Arn: spare.resolve(tier.scaleUpFunctions[i].functionArn), Payload: JSON.stringify({ action: 'scale-back' }) }], RegionToRun: 'deactivatingRegion',
        }) },
      })]);
      // Its own count: what the function scales back to (a warm spare's running tasks).
      Template.fromStack(spare).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SPARE_COUNT: String(tier.spares[i].runningTasks), DESIRED_COUNT: '3' }) },
      });
      expect(tier.regionSwitchPlans[i].failbackCommand).toMatch(/--target-region eu-west-1 --action activate --mode graceful/);
    });
    expect(Annotations.fromStack(spares[0]).findWarning('*', Match.stringLikeRegexp('no failback workflow'))).toEqual([]);
  });

  test('a warm spare serves at once: the DNS path is unchanged; the plans\' RTO is the DNS path\'s', () => {
    expect(tier.dnsFailoverTime.toSeconds()).toBe(library.tier.dnsFailoverTime.toSeconds());
    for (const spare of spares) expect(planOf(spare).RecoveryTimeObjectiveMinutes).toBe(Math.ceil(tier.dnsFailoverTime.toSeconds() / 60));
  });

  test('the analysis accepts the plans: both paths survive the loss of the primary region', () => {
    expect(() => app.synth()).not.toThrow();
    for (const path of [ActiveSpareWebTierPath.DNS, ActiveSpareWebTierPath.BROWSER]) {
      expect(tier.recoveryObjectives.scenarioOutcomes(path).map(o => [o.scenario, o.survives])).toEqual([['region-loss of eu-west-1', true]]);
    }
  });

  test('a plan role that may not invoke its scale-up function breaks both paths, naming the plan', () => {
    const broken = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN });
    revokeFromPlanRole(broken.tier.regionSwitchPlans[1], 'lambda:InvokeFunction');
    expect(() => broken.app.synth()).toThrow(/recovery path 'dns' does not survive region-loss of eu-west-1: .*Region switch plan \(triggered by the probe alarm\) \(Web-Spare2\/.*calls lambda:InvokeFunction/s);
  });
});

describe('ActiveSpareWebTier failoverRunner with other spare modes', () => {
  test('pilot light: the path counts the plan\'s start (60 s) where the rule counts 10 s', () => {
    const rule = build({ spareMode: SpareMode.PILOT_LIGHT }, ['us-east-1']);
    const plan = build({ spareMode: SpareMode.PILOT_LIGHT, failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN }, ['us-east-1']);
    const step = (t: ActiveSpareWebTier) => t.recoveryObjectives.path(ActiveSpareWebTierPath.DNS).steps[4];
    expect([step(rule.tier).component, step(rule.tier).duration.toSeconds()]).toEqual(['scale-up function (EventBridge rule in us-east-1)', 10]);
    expect([step(plan.tier).component, step(plan.tier).duration.toSeconds()]).toEqual(['Region switch plan started by the probe alarm', 60]);
    expect(plan.tier.dnsFailoverTime.minus(rule.tier.dnsFailoverTime).toSeconds()).toBe(50);
    expect(Duration.minutes(planOf(plan.spares[0]).RecoveryTimeObjectiveMinutes).toSeconds()).toBeGreaterThanOrEqual(plan.tier.dnsFailoverTime.toSeconds());
  });

  test('a hot spare has nothing to scale: no plan, and a warning says the runner has no effect', () => {
    const { tier, primary } = build({ spareMode: SpareMode.HOT, failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN }, ['us-east-1']);
    expect(tier.regionSwitchPlans).toEqual([]);
    Annotations.fromStack(primary).hasWarning('*', Match.stringLikeRegexp('failoverRunner has no effect'));
  });

  test('an unknown runner is refused, naming the prop', () => {
    expectHaValidationError(() => build({ failoverRunner: 'lambda' as RegionFailoverRunner }), /failoverRunner.*lambda.*RegionFailoverRunner/s);
  });
});
