import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ColdStandbyConfigServer, ColdStandbyConfigServerPath, ColdStandbyConfigServerProps, FailoverNotifications, HaDatabase, InterRegionVpcPeering, RegionFailoverRunner,
} from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { expectHaValidationError, formatFindings, gateFindings, revokeFromPlanRole, testApp, testEnv } from '../harness';
import { siteVpc } from './site-vpc';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function build(extra: Partial<ColdStandbyConfigServerProps> = {}, app: App = testApp()) {
  const stack = (id: string, region: string) => new Stack(app, id, { env: testEnv(region), crossRegionReferences: true });
  const primary = stack('Primary', 'eu-west-1');
  const secondary = stack('Secondary', 'us-east-1');
  const zone = new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' });
  const notifications = new FailoverNotifications(primary, 'Notifications', { emails: ['ops@example.com'] });
  const vpc = createHaVpc(primary, 'Vpc');
  const vpc2 = siteVpc(secondary, 'Vpc', '10.1.0.0/16');
  new InterRegionVpcPeering(secondary, 'Peering', { vpc: vpc2, peerVpc: vpc });
  const config = new ColdStandbyConfigServer(primary, 'Config', {
    vpc, image, zone, notifications, standby: { stack: secondary, vpc: vpc2 }, tableName: 'config-store', ...extra,
  });
  return { app, primary, secondary, config };
}

/** The plan's only step, as synthesized. */
function planOf(t: Template) {
  const plans = Object.values(t.findResources('AWS::ARCRegionSwitch::Plan'));
  expect(plans).toHaveLength(1);
  return plans[0].Properties;
}

describe('ColdStandbyConfigServer with failoverRunner: REGION_SWITCH_PLAN', () => {
  const library = build();
  const s = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN });
  const t2 = Template.fromStack(s.secondary);

  test('no turn-on rule: the standby region keeps only the probe schedule, and the plan lives there', () => {
    expect(s.config.turnOnRule).toBeUndefined();
    t2.resourceCountIs('AWS::Events::Rule', 1);
    t2.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    expect(Stack.of(s.config.regionSwitchPlan!)).toBe(s.secondary);
    expect(library.config.regionSwitchPlan).toBeUndefined();
    Template.fromStack(library.secondary).resourceCountIs('AWS::ARCRegionSwitch::Plan', 0);
  });

  test('the plan activates the standby region; its trigger is the standby region\'s probe alarm in ALARM (red)', () => {
    const plan = planOf(t2);
    expect(plan).toMatchObject({ Regions: ['eu-west-1', 'us-east-1'], PrimaryRegion: 'eu-west-1', RecoveryApproach: 'activePassive' });
    const probeAlarm = s.secondary.getLogicalId(s.config.serverProbeAlarm.node.defaultChild as cloudwatch.CfnAlarm);
    expect(plan.AssociatedAlarms).toEqual({ 'trigger-1': { AlarmType: 'trigger', ResourceIdentifier: { 'Fn::GetAtt': [probeAlarm, 'Arn'] } } });
    expect(plan.Triggers).toEqual([expect.objectContaining({ Action: 'activate', TargetRegion: 'us-east-1', Conditions: [{ AssociatedAlarmName: 'trigger-1', Condition: 'red' }] })]);
  });

  test('its one step invokes the activated region\'s function: the turn-on for the standby, the failback (by its literal ARN) for the primary; the role may invoke exactly those two', () => {
    const plan = planOf(t2);
    const turnOn = s.secondary.resolve(s.config.turnOnFunction.functionArn);
    const failBackName = s.primary.resolve((s.config.failBackFunction.node.defaultChild as lambda.CfnFunction).functionName);
    expect(failBackName).toMatch(/^[A-Za-z0-9-]{1,55}-failback$/);
    const failBack = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:lambda:eu-west-1:123456789012:function:${failBackName}`]] };
    const step = expect.objectContaining({
      ExecutionBlockType: 'CustomActionLambda',
      // The payload asks for a switchover only: a graceful execution never fails the database over with data loss.
      ExecutionBlockConfiguration: { CustomActionLambdaConfig: expect.objectContaining({
        Lambdas: [
          { Arn: turnOn, Payload: JSON.stringify({ action: 'turn-on', promotion: 'switchover-only' }) },
          { Arn: failBack, Payload: JSON.stringify({ action: 'fail-back' }) },
        ],
        RegionToRun: 'activatingRegion', TimeoutMinutes: 5,
      }) },
    });
    expect(plan.Workflows).toEqual([
      expect.objectContaining({ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'us-east-1', Steps: [step] }),
      expect.objectContaining({ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'eu-west-1', Steps: [step] }),
    ]);
    const invoke = Object.values(t2.findResources('AWS::IAM::Policy'))
      .flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter(st => ([] as string[]).concat(st.Action).includes('lambda:InvokeFunction'));
    expect(invoke).toEqual([expect.objectContaining({ Resource: [turnOn, failBack] })]);
    expect(s.config.regionSwitchPlan!.failbackCommand).toMatch(/--target-region eu-west-1 --action activate --mode graceful/);
  });

  test('the writes path counts the Region switch trigger instead of the rule, and the plan\'s RTO is the path\'s, in whole minutes', () => {
    const steps = s.config.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES).steps;
    expect(steps[2]).toMatchObject({ component: 'Region switch plan started by the probe alarm' });
    expect(steps[2].duration.toSeconds()).toBe(60);
    const libraryRto = library.config.writeRto.toSeconds();
    expect(s.config.writeRto.toSeconds()).toBe(libraryRto - 10 + 60);
    expect(planOf(t2).RecoveryTimeObjectiveMinutes).toBe(Math.ceil(s.config.writeRto.toSeconds() / 60));
  });

  test('the analysis accepts the plan: the writes path survives the loss of the primary region and of the live server', () => {
    expect(() => s.app.synth()).not.toThrow();
    expect(s.config.recoveryObjectives.scenarioOutcomes(ColdStandbyConfigServerPath.WRITES).map(o => [o.scenario, o.survives])).toEqual([
      ['region-loss of eu-west-1', true], ['primary-server-loss of eu-west-1', true],
    ]);
  });

  test('with a database store, the server\'s and the database\'s plans pass cdk-nag AwsSolutions and the CloudFormation validation (the database\'s plan started by on-call: its promoter, asked by the turn-on, is the one automatic promoter)', () => {
    const app = testApp({ validation: true });
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1'), crossRegionReferences: true });
    const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1'), crossRegionReferences: true });
    const vpc = createHaVpc(primary, 'Vpc');
    const vpc2 = siteVpc(secondary, 'Vpc', '10.1.0.0/16');
    new InterRegionVpcPeering(secondary, 'Peering', { vpc: vpc2, peerVpc: vpc });
    const failoverRunner = RegionFailoverRunner.REGION_SWITCH_PLAN;
    const database = new HaDatabase(primary, 'Db', {
      vpc, secondary: { stack: secondary, vpc: vpc2 }, globalClusterIdentifier: 'config-db', failoverRunner, autoFailover: false,
    });
    const config = new ColdStandbyConfigServer(primary, 'Config', {
      vpc, image, zone: new route53.PublicHostedZone(primary, 'Zone', { zoneName: 'example.com' }),
      standby: { stack: secondary, vpc: vpc2 }, tableName: 'config-store', database, failoverRunner,
    });
    expect([database.regionSwitchPlan, config.regionSwitchPlan].map(p => Stack.of(p!))).toEqual([secondary, secondary]);
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });

  test('with autoTurnOn: false the plan has no trigger and the path counts on-call starting it', () => {
    const manual = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN, autoTurnOn: false });
    const plan = planOf(Template.fromStack(manual.secondary));
    expect(plan.Triggers).toBeUndefined();
    expect(plan.AssociatedAlarms['trigger-1']).toBeDefined();
    const step = manual.config.recoveryObjectives.path(ColdStandbyConfigServerPath.WRITES).steps[2];
    expect(step).toMatchObject({ component: 'on-call starts the Region switch plan', tuning: 'autoTurnOn (true)' });
    expect(step.duration.toMinutes()).toBe(5);
  });

  test('a plan role without lambda:InvokeFunction on the turn-on function breaks the path: synthesis names the plan and the call', () => {
    const broken = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN });
    revokeFromPlanRole(broken.config.regionSwitchPlan!, 'lambda:InvokeFunction');
    expect(() => broken.app.synth()).toThrow(/Region switch plan \(triggered by the probe alarm\).*calls lambda:InvokeFunction/s);
  });

  test('an unknown runner is refused, naming the prop and the values it accepts', () => {
    expectHaValidationError(() => build({ failoverRunner: 'step-functions' as RegionFailoverRunner }), /failoverRunner.*step-functions.*RegionFailoverRunner/s);
  });
});
