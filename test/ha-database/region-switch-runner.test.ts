/**
 * HaDatabase with `failoverRunner: REGION_SWITCH_PLAN`: the secondary region's
 * probe alarm triggers an ARC Region switch plan (in the secondary's stack)
 * whose Aurora Global Database block promotes the secondary; no EventBridge
 * rule. The recovery-path analysis checks the plan as it checks the rule.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HaDatabase, HaDatabasePath, HaDatabaseProps, RegionFailoverRunner } from '../../lib';
import { peeredVpcs } from '../config-server/site-vpc';
import { expectHaValidationError, revokeFromPlanRole, testApp, testEnv } from '../harness';

function build(extra: Partial<HaDatabaseProps> = {}, withSecondary = true) {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1') });
  // The secondary's probe connects to the primary writer: the two VPCs are peered.
  const { primaryVpc, secondaryVpc } = peeredVpcs(primary, secondary);
  const db = new HaDatabase(primary, 'Db', {
    vpc: primaryVpc, globalClusterIdentifier: 'orders-global',
    ...(withSecondary ? { secondary: { stack: secondary, vpc: secondaryVpc } } : {}), ...extra,
  });
  return { app, primary, secondary, db };
}

const arn = (region: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${region}:123456789012:${resource}`]] });

describe('HaDatabase with failoverRunner: REGION_SWITCH_PLAN', () => {
  const library = build();
  const { app, secondary, db } = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN });
  const t2 = Template.fromStack(secondary);
  const plan = () => Object.values(t2.findResources('AWS::ARCRegionSwitch::Plan'))[0].Properties;

  test('no failover rule (only the probe schedule); one plan, in the secondary\'s stack', () => {
    expect(db.failoverRule).toBeUndefined();
    t2.resourceCountIs('AWS::Events::Rule', 1);
    t2.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    t2.resourceCountIs('AWS::ARCRegionSwitch::Plan', 1);
    expect(Stack.of(db.regionSwitchPlan!)).toBe(secondary);
    expect(library.db.regionSwitchPlan).toBeUndefined();
  });

  test('the plan is triggered by the writer probe alarm of the secondary region and activates us-east-1', () => {
    const probeAlarm = secondary.getLogicalId(db.writerProbeAlarm!.node.defaultChild as cloudwatch.CfnAlarm);
    expect(plan()).toMatchObject({ Regions: ['eu-west-1', 'us-east-1'], PrimaryRegion: 'eu-west-1' });
    expect(plan().AssociatedAlarms).toEqual({ 'trigger-1': { AlarmType: 'trigger', ResourceIdentifier: { 'Fn::GetAtt': [probeAlarm, 'Arn'] } } });
    expect(plan().Triggers).toEqual([expect.objectContaining({ Action: 'activate', TargetRegion: 'us-east-1', Conditions: [{ AssociatedAlarmName: 'trigger-1', Condition: 'red' }] })]);
  });

  test('its one step switches the global cluster over to the secondary when run gracefully (no data loss), fails over only ungracefully, naming both clusters', () => {
    expect(plan().Workflows[0].Steps).toEqual([expect.objectContaining({
      ExecutionBlockType: 'AuroraGlobalDatabase',
      ExecutionBlockConfiguration: { GlobalAuroraConfig: {
        Behavior: 'switchoverOnly', Ungraceful: { Ungraceful: 'failover' }, GlobalClusterIdentifier: 'orders-global',
        DatabaseClusterArns: [arn('eu-west-1', 'cluster:orders-global-eu-west-1'), arn('us-east-1', 'cluster:orders-global-us-east-1')],
      } },
    })]);
  });

  test('the plan\'s role may fail the global cluster over; the path counts the Region switch trigger; the plan\'s RTO is the path\'s', () => {
    t2.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: secondary.getLogicalId(db.regionSwitchPlan!.role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
        Resource: [arn('', 'global-cluster:orders-global'), arn('eu-west-1', 'cluster:orders-global-eu-west-1'), arn('us-east-1', 'cluster:orders-global-us-east-1')],
      })]) },
    });
    const path = db.recoveryObjectives.path(HaDatabasePath.CROSS_REGION);
    expect(path.steps[2]).toMatchObject({ component: 'Region switch plan started by the probe alarm' });
    expect(path.total.toSeconds()).toBe(library.db.recoveryObjectives.path(HaDatabasePath.CROSS_REGION).total.toSeconds() - 10 + 60);
    expect(plan().RecoveryTimeObjectiveMinutes).toBe(Math.ceil(path.total.toSeconds() / 60));
  });

  test('the analysis accepts the plan: the cross-region path survives the loss of the primary region', () => {
    expect(() => app.synth()).not.toThrow();
    expect(db.recoveryObjectives.scenarioOutcomes(HaDatabasePath.CROSS_REGION).map(o => [o.scenario, o.survives])).toEqual([['region-loss of eu-west-1', true]]);
  });

  test('a plan role that may not call FailoverGlobalCluster breaks the path: synthesis names the plan and the call', () => {
    const broken = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN });
    revokeFromPlanRole(broken.db.regionSwitchPlan!, 'rds:FailoverGlobalCluster');
    expect(() => broken.app.synth()).toThrow(/Region switch plan \(triggered by the probe alarm\).*calls rds:FailoverGlobalCluster/s);
  });

  test('with autoFailover: false the plan has no trigger and on-call starts it', () => {
    const manual = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN, autoFailover: false });
    const manualPlan = Object.values(Template.fromStack(manual.secondary).findResources('AWS::ARCRegionSwitch::Plan'))[0].Properties;
    expect(manualPlan.Triggers).toBeUndefined();
    expect(manual.db.recoveryObjectives.path(HaDatabasePath.CROSS_REGION).steps[2]).toMatchObject({ component: 'on-call starts the Region switch plan', tuning: 'autoFailover (true)' });
  });

  test('failoverRunner without a secondary warns that it has no effect; an unknown runner is refused', () => {
    const single = build({ failoverRunner: RegionFailoverRunner.REGION_SWITCH_PLAN }, false);
    Annotations.fromStack(single.primary).hasWarning('*', Match.stringLikeRegexp('failoverRunner have no effect without a secondary region'));
    expectHaValidationError(() => build({ failoverRunner: 'manual' as RegionFailoverRunner }), /failoverRunner.*manual.*RegionFailoverRunner/s);
  });
});
