import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  DrillKind, DrillPurpose, GlobalDatabaseBehavior, HaDatabase, HaValidationError, RecoveryApproach, RegionSwitchPlan, RegionSwitchPlanProps, RegionSwitchStep, RegionToRun,
} from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { testApp, testEnv } from '../harness';
import { FIXTURES } from '../pattern-fixtures';
import { permissions, permissionsOf } from './statements';

const purpose: DrillPurpose = { paths: ['cross-region-failover'], scenario: 'region-loss of eu-west-1', proves: 'the secondary takes over', passes: 'it does' };
const partition = { Ref: 'AWS::Partition' };
const arn = (...parts: string[]) => ({ 'Fn::Join': ['', ['arn:', partition, ...parts]] });

function database() {
  const app = testApp();
  const db = FIXTURES.HaDatabase(app) as HaDatabase;
  const secondary = Stack.of(db.secondary!);
  return { app, db, secondary };
}

function logicalId(template: Template, type: string, prefix: string): string {
  const found = Object.keys(template.findResources(type)).find(k => k.startsWith(prefix));
  if (!found) throw new Error(`no ${type} ${prefix}*`);
  return found;
}

function outputId(template: Template, prefix: string): string {
  const found = Object.keys(template.findOutputs('*')).find(k => k.startsWith(prefix));
  if (!found) throw new Error(`no output ${prefix}*`);
  return found;
}

function fn(stack: Stack, id = 'Fn'): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
}

describe('RegionSwitchPlan of an Aurora Global Database', () => {
  const { db, secondary } = database();
  const plan = new RegionSwitchPlan(secondary, 'Plan', {
    regions: ['eu-west-1', 'us-east-1'], steps: [RegionSwitchStep.auroraGlobalDatabase(db)], recoveryTime: Duration.seconds(170), purpose,
  });
  const template = Template.fromStack(secondary);
  const globalArn = arn(':rds::123456789012:global-cluster:orders');
  const clusterArns = [arn(':rds:eu-west-1:123456789012:cluster:orders-eu-west-1'), arn(':rds:us-east-1:123456789012:cluster:orders-us-east-1')];

  test('activates the secondary region: promotes its cluster (switchover, failover when run ungracefully), RTO rounded up to whole minutes; fails back by a switchover', () => {
    const step = {
      Name: 'promote-database',
      ExecutionBlockType: 'AuroraGlobalDatabase',
      Description: Match.anyValue(),
      ExecutionBlockConfiguration: {
        GlobalAuroraConfig: { Behavior: 'switchoverOnly', GlobalClusterIdentifier: 'orders', DatabaseClusterArns: clusterArns, Ungraceful: { Ungraceful: 'failover' } },
      },
    };
    template.hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      RecoveryApproach: 'activePassive',
      Regions: ['eu-west-1', 'us-east-1'],
      PrimaryRegion: 'eu-west-1',
      RecoveryTimeObjectiveMinutes: 3,
      Workflows: [{
        WorkflowTargetAction: 'activate',
        WorkflowTargetRegion: 'us-east-1',
        WorkflowDescription: Match.stringLikeRegexp('^Promotes the secondary cluster of Primary/Db'),
        Steps: [step],
      }, {
        WorkflowTargetAction: 'activate',
        WorkflowTargetRegion: 'eu-west-1',
        WorkflowDescription: Match.stringLikeRegexp('^Failback to eu-west-1: Promotes the secondary cluster of Primary/Db'),
        Steps: [step],
      }],
      AssociatedAlarms: Match.absent(),
      Triggers: Match.absent(),
    });
  });

  test('names both clusters by literal ARNs: the plan\'s stack does not reference the primary\'s', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('Fn::ImportValue');
    expect(json).not.toMatch(/"Fn::GetAtt":\["Db/);
  });

  test('writes each execution\'s report to its own bucket, under the plan\'s prefix; the reports are kept, overwritten versions expire', () => {
    template.hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      ReportConfiguration: { ReportOutput: [{ S3Configuration: {
        BucketPath: { 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('^PlanReports') }, `/region-switch/${plan.planName}`]] },
        BucketOwner: '123456789012',
      } }] },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [{
        Id: 'OverwrittenReports', Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }] },
    });
  });

  test('its role, assumed by Region switch for this account only, may promote this global database, read itself and write its reports: nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'arc-region-switch.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }] },
    });
    expect(plan.planName).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/);
    expect(permissionsOf(template, 'PlanRole')).toEqual(permissions(
      { actions: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'], resources: [globalArn, ...clusterArns] },
      { actions: ['rds:DescribeGlobalClusters'], resources: [globalArn] },
      { actions: ['rds:DescribeDBClusters'], resources: clusterArns },
      { actions: ['arc-region-switch:GetPlan', 'arc-region-switch:GetPlanExecution', 'arc-region-switch:ListPlanExecutions'], resources: [arn(`:arc-region-switch::123456789012:plan/${plan.planName}/*`)] },
      { actions: ['iam:SimulatePrincipalPolicy'], resources: [{ 'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'PlanRole'), 'Arn'] }] },
      { actions: ['s3:PutObject'], resources: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(template, 'AWS::S3::Bucket', 'PlanReports'), 'Arn'] }, `/region-switch/${plan.planName}/*`]] }] },
    ));
  });

  test('outputs its ARN, a graceful start command for the region it activates and a failback command; no ungraceful command unless allowed', () => {
    template.hasOutput(outputId(template, 'PlanPlanArn'), { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Plan'), 'Arn'] } });
    template.hasOutput(outputId(template, 'PlanStartCommand'), { Value: { 'Fn::Join': ['', [
      'aws arc-region-switch start-plan-execution --region us-east-1 --plan-arn ', { 'Fn::GetAtt': [Match.stringLikeRegexp('^Plan'), 'Arn'] },
      " --target-region us-east-1 --action activate --mode graceful --comment 'cdk-ha-patterns drill (graceful, no data loss): region-loss of eu-west-1'",
    ]] }, Description: Match.stringLikeRegexp('a real switch \\(Region switch has no practice mode\\), no data loss') });
    template.hasOutput(outputId(template, 'PlanFailbackCommand'), { Value: { 'Fn::Join': ['', [
      'aws arc-region-switch start-plan-execution --region eu-west-1 --plan-arn ', { 'Fn::GetAtt': [Match.stringLikeRegexp('^Plan'), 'Arn'] },
      " --target-region eu-west-1 --action activate --mode graceful --comment 'cdk-ha-patterns failback: region-loss of eu-west-1'",
    ]] }, Description: Match.stringLikeRegexp('the database switches back, no data loss') });
    expect(Object.keys(template.findOutputs('*')).filter(k => k.includes('Ungraceful'))).toEqual([]);
    expect(plan.ungracefulStartCommand).toBeUndefined();
    expect(plan.description).toMatchObject({ kind: DrillKind.REGION_SWITCH, region: 'us-east-1', paths: ['cross-region-failover'] });
    expect(plan.description.startCommand).toMatch(/^aws arc-region-switch start-plan-execution --region us-east-1 --plan-arn "\$\(aws cloudformation describe-stacks --region us-east-1 --stack-name Secondary .*--output text\)" --target-region us-east-1 --action activate --mode graceful --comment '[^']+'$/);
  });

  test('outputs a separate ungraceful start command, described as data-losing, only with allowUngraceful', () => {
    const s = database();
    const ungraceful = new RegionSwitchPlan(s.secondary, 'Plan', {
      regions: ['eu-west-1', 'us-east-1'], steps: [RegionSwitchStep.auroraGlobalDatabase(s.db)], recoveryTime: Duration.seconds(170), purpose, allowUngraceful: true,
    });
    const t = Template.fromStack(s.secondary);
    t.hasOutput(outputId(t, 'PlanUngracefulStartCommand'), {
      Value: { 'Fn::Join': ['', [Match.anyValue(), Match.anyValue(), Match.stringLikeRegexp('--action activate --mode ungraceful ')]] },
      Description: Match.stringLikeRegexp('^DATA-LOSING: .*fails over with data loss'),
    });
    expect(ungraceful.ungracefulStartCommand).toMatch(/--mode ungraceful --comment 'cdk-ha-patterns recovery \(ungraceful, may lose data\)/);
    expect(ungraceful.startCommand).toMatch(/--mode graceful /);
  });
});

describe('RegionSwitchPlan alarms and steps', () => {
  test('runs its steps in the order given (database, then capacity) with a Lambda block in the activating region', () => {
    const { db, secondary } = database();
    const scaleUp = fn(secondary);
    new RegionSwitchPlan(secondary, 'Plan', {
      regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(2), purpose,
      steps: [RegionSwitchStep.auroraGlobalDatabase(db, GlobalDatabaseBehavior.FAILOVER), RegionSwitchStep.invokeFunction(scaleUp, { payload: '{"a":1}', retryInterval: Duration.minutes(2), timeout: Duration.seconds(90) })],
    });
    const template = Template.fromStack(secondary);
    template.hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      Workflows: [{ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'us-east-1', WorkflowDescription: Match.anyValue(), Steps: [
        Match.objectLike({ Name: 'promote-database', ExecutionBlockConfiguration: { GlobalAuroraConfig: Match.objectLike({ Behavior: 'failover', Ungraceful: Match.absent() }) } }),
        Match.objectLike({ Name: 'run-automation', ExecutionBlockType: 'CustomActionLambda', ExecutionBlockConfiguration: { CustomActionLambdaConfig: {
          Lambdas: [{ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] }, Payload: '{"a":1}' }],
          RegionToRun: 'activatingRegion', RetryIntervalMinutes: 2, TimeoutMinutes: 2,
        } } }),
      ] }, {
        // The failback runs what can run for either region: the function is only in us-east-1.
        WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'eu-west-1', WorkflowDescription: Match.anyValue(),
        Steps: [Match.objectLike({ Name: 'promote-database' })],
      }],
    });
    expect(permissionsOf(template, 'PlanRole')).toEqual(expect.arrayContaining(permissions(
      { actions: ['lambda:GetFunction', 'lambda:InvokeFunction'], resources: [{ 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'Fn'), 'Arn'] }] },
    )));
  });

  test('associates trigger and application-health alarms: literal ARNs for alarms of other regions; triggers only when asked', () => {
    const { db, secondary } = database();
    const primary = Stack.of(db);
    const named = new cloudwatch.Alarm(primary, 'Named', { alarmName: 'orders-down', metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 });
    const local = new cloudwatch.Alarm(secondary, 'Local', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 });
    new RegionSwitchPlan(secondary, 'Plan', {
      regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(2), purpose, steps: [RegionSwitchStep.auroraGlobalDatabase(db)],
      triggerAlarms: [named], healthAlarms: [local], automaticExecution: true,
    });
    const template = Template.fromStack(secondary);
    const namedArn = arn(':cloudwatch:eu-west-1:123456789012:alarm:orders-down');
    template.hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      AssociatedAlarms: {
        'trigger-1': { AlarmType: 'trigger', ResourceIdentifier: namedArn },
        'health-1': { AlarmType: 'applicationHealth', ResourceIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Local'), 'Arn'] } },
      },
      Triggers: [{ Action: 'activate', TargetRegion: 'us-east-1', MinDelayMinutesBetweenExecutions: 60, Description: Match.anyValue(), Conditions: [{ AssociatedAlarmName: 'trigger-1', Condition: 'red' }] }],
    });
    expect(permissionsOf(template, 'PlanRole')).toEqual(expect.arrayContaining(permissions(
      { actions: ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'], resources: [namedArn, { 'Fn::GetAtt': [logicalId(template, 'AWS::CloudWatch::Alarm', 'Local'), 'Arn'] }] },
    )));
  });

  test('an active/active plan has a deactivate and an activate workflow (ARC requires both) and names no primary region', () => {
    const { db, secondary } = database();
    const plan = new RegionSwitchPlan(secondary, 'Plan', {
      recoveryApproach: RecoveryApproach.ACTIVE_ACTIVE, regions: ['eu-west-1', 'us-east-1'], targetRegion: 'eu-west-1', recoveryTime: Duration.minutes(1), purpose,
      steps: [RegionSwitchStep.auroraGlobalDatabase(db)],
    });
    Template.fromStack(secondary).hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      RecoveryApproach: 'activeActive', PrimaryRegion: Match.absent(),
      Workflows: [
        Match.objectLike({ WorkflowTargetAction: 'deactivate', WorkflowTargetRegion: Match.absent() }),
        Match.objectLike({ WorkflowTargetAction: 'activate', WorkflowTargetRegion: Match.absent() }),
      ],
    });
    expect(plan.startCommand).toMatch(/--target-region eu-west-1 --action deactivate --mode graceful /);
    expect(plan.failbackCommand).toMatch(/--target-region eu-west-1 --action activate --mode graceful /);
  });

  test('warns, with no failback command, when no step runs for the primary region', () => {
    const { secondary } = database();
    const plan = new RegionSwitchPlan(secondary, 'Plan', {
      regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(1), purpose, steps: [RegionSwitchStep.invokeFunction(fn(secondary))],
    });
    Annotations.fromStack(secondary).hasWarning('/Secondary/Plan', Match.stringLikeRegexp('has no failback workflow.*failbackSteps'));
    Template.fromStack(secondary).hasResourceProperties('AWS::ARCRegionSwitch::Plan', { Workflows: [Match.objectLike({ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'us-east-1' })] });
    expect(plan.failbackCommand).toBeUndefined();
  });
});

describe('RegionSwitchPlan with a function in each region', () => {
  const failBackArn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-failback';

  test('one custom action block lists both regions\' functions (each with its payload) and runs in both workflows: the failback activates the primary with its function', () => {
    const { secondary } = database();
    const turnOn = fn(secondary);
    const plan = new RegionSwitchPlan(secondary, 'Plan', {
      regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(3), purpose,
      steps: [RegionSwitchStep.invokeFunctionInEachRegion([
        { functionArn: turnOn.functionArn, region: 'us-east-1', payload: '{"action":"turn-on"}' },
        { functionArn: failBackArn, region: 'eu-west-1' },
      ], { payload: '{"action":"default"}', timeout: Duration.minutes(14) })],
    });
    const template = Template.fromStack(secondary);
    const step = {
      Name: 'run-automation', ExecutionBlockType: 'CustomActionLambda', Description: Match.anyValue(),
      ExecutionBlockConfiguration: { CustomActionLambdaConfig: {
        Lambdas: [{ Arn: { 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'Fn'), 'Arn'] }, Payload: '{"action":"turn-on"}' }, { Arn: failBackArn, Payload: '{"action":"default"}' }],
        RegionToRun: 'activatingRegion', RetryIntervalMinutes: 1, TimeoutMinutes: 14,
      } },
    };
    template.hasResourceProperties('AWS::ARCRegionSwitch::Plan', {
      Workflows: [
        Match.objectLike({ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'us-east-1', Steps: [step] }),
        Match.objectLike({ WorkflowTargetAction: 'activate', WorkflowTargetRegion: 'eu-west-1', Steps: [step] }),
      ],
    });
    expect(permissionsOf(template, 'PlanRole')).toEqual(expect.arrayContaining(permissions(
      { actions: ['lambda:GetFunction', 'lambda:InvokeFunction'], resources: [{ 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'Fn'), 'Arn'] }, failBackArn] },
    )));
    expect(plan.failbackCommand).toMatch(/--target-region eu-west-1 --action activate --mode graceful/);
    expect(Annotations.fromStack(secondary).findWarning('*', Match.stringLikeRegexp('no failback workflow'))).toEqual([]);
  });

  test.each([
    ['one function', () => [{ functionArn: failBackArn, region: 'eu-west-1' }], /invalid prop 'steps\[0\]'.*expected one function in each of the plan's two regions \(received 1 in eu-west-1\)/],
    ['two functions in one region', () => [{ functionArn: failBackArn, region: 'eu-west-1' }, { functionArn: failBackArn, region: 'eu-west-1' }],
      /expected one function in each of the plan's two regions \(received 2 in eu-west-1, eu-west-1\)/],
    ['functions in regions other than the plan\'s', () => [{ functionArn: failBackArn, region: 'eu-west-1' }, { functionArn: failBackArn, region: 'us-west-2' }],
      /invalid prop 'steps': received \["eu-west-1","us-west-2"\]; expected a function in each of the plan's regions \(eu-west-1, us-east-1\): none runs when us-east-1 is activated/],
  ])('fails on %s', (_name, functions, message) => {
    const { secondary } = database();
    expect(() => new RegionSwitchPlan(secondary, 'Plan', {
      regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(3), purpose, steps: [RegionSwitchStep.invokeFunctionInEachRegion(functions())],
    })).toThrow(message);
  });

  test('takes the options a one-function step takes: its name is checked the same way', () => {
    const { secondary } = database();
    const both = [{ functionArn: failBackArn, region: 'eu-west-1' }, { functionArn: failBackArn, region: 'us-east-1' }];
    expect(() => new RegionSwitchPlan(secondary, 'Plan', {
      regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(3), purpose, steps: [RegionSwitchStep.invokeFunctionInEachRegion(both, { name: 'turn on!' })],
    })).toThrow(/expected a step name of 1 to 64 letters, digits, hyphens and underscores \(name: "turn on!"\)/);
  });
});

describe('RegionSwitchPlan validation', () => {
  const build = (change: (s: ReturnType<typeof database>) => Partial<RegionSwitchPlanProps>) => () => {
    const s = database();
    new RegionSwitchPlan(s.secondary, 'Plan', {
      regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(2), purpose, steps: [RegionSwitchStep.auroraGlobalDatabase(s.db)], ...change(s),
    });
  };

  test.each([
    ['one region', () => ({ regions: ['eu-west-1'] }), /invalid prop 'regions': received \["eu-west-1"\]; expected two different regions/],
    ['the same region twice', () => ({ regions: ['eu-west-1', 'eu-west-1'] }), /invalid prop 'regions'.*expected two different regions/],
    ['an unknown region', () => ({ regions: ['eu-west-1', 'mars-1'] }), /invalid prop 'regions\[1\]': received "mars-1"/],
    ['a plan name Region switch rejects', () => ({ planName: 'orders plan!' }), /invalid prop 'planName': received "orders plan!"; expected a Region switch plan name AWS accepts: 1 to 32 letters, digits and hyphens/],
    ['a plan name ending in a hyphen (the API\'s PlanName pattern)', () => ({ planName: 'orders-' }), /invalid prop 'planName': received "orders-"; expected a Region switch plan name AWS accepts: .*not starting or ending with a hyphen/],
    ['no step', () => ({ steps: [] }), /invalid prop 'steps': received \[\]; expected at least one RegionSwitchStep/],
    ['a target region that is the primary', () => ({ targetRegion: 'eu-west-1' }), /invalid prop 'targetRegion': received "eu-west-1"; expected the region to activate, other than the primary region/],
    ['a target region outside the plan', () => ({ targetRegion: 'us-west-2' }), /invalid prop 'targetRegion': received "us-west-2"; expected one of the plan's regions/],
    ['a primary region in an active/active plan', () => ({ recoveryApproach: RecoveryApproach.ACTIVE_ACTIVE, primaryRegion: 'eu-west-1' }), /invalid prop 'primaryRegion'.*no primary region in an active\/active plan/],
    ['a recovery time of 0', () => ({ recoveryTime: Duration.seconds(0) }), /invalid prop 'recoveryTime': received 0 seconds; expected a duration longer than 0/],
    ['a retry interval under a minute', (s: ReturnType<typeof database>) => ({ steps: [RegionSwitchStep.invokeFunction(fn(s.secondary), { retryInterval: Duration.seconds(30) })] }),
      /invalid prop 'steps\[0\]\.retryInterval': received 30 seconds; expected at least 1 minute/],
    ['a function step name Region switch would not take', (s: ReturnType<typeof database>) => ({ steps: [RegionSwitchStep.invokeFunction(fn(s.secondary), { name: 'scale back!' })] }),
      /invalid prop 'steps\[0\]': received "Secondary\/Fn"; expected a step name of 1 to 64 letters, digits, hyphens and underscores \(name: "scale back!"\)/],
    ['an unknown regionToRun', (s: ReturnType<typeof database>) => ({ steps: [RegionSwitchStep.invokeFunction(fn(s.secondary), { regionToRun: 'inactiveRegion' as RegionToRun })] }),
      /invalid prop 'steps\[0\]': received "Secondary\/Fn"; expected a RegionToRun value \(regionToRun: "inactiveRegion"\)/],
    ['an alarm of another region with a generated name', (s: ReturnType<typeof database>) => ({ triggerAlarms: [s.db.failoverAlarm] }),
      /invalid prop 'triggerAlarms\[0\]': received "Primary\/Db\/FailoverAlarm"; expected an alarm in the plan's stack \(Secondary\) or with a literal name/],
  ])('fails on %s', (_name, change, message) => {
    expect(build(change as (s: ReturnType<typeof database>) => Partial<RegionSwitchPlanProps>)).toThrow(message);
  });

  test('fails when the database has no secondary region', () => {
    const app = testApp();
    const stack = new Stack(app, 'P', { env: testEnv() });
    const db = new HaDatabase(stack, 'Db', { vpc: createHaVpc(stack, 'Vpc') });
    const other = new Stack(app, 'S', { env: testEnv('us-east-1') });
    expect(() => new RegionSwitchPlan(other, 'Plan', { regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(2), purpose, steps: [RegionSwitchStep.auroraGlobalDatabase(db)] }))
      .toThrow(HaValidationError);
    expect(() => new RegionSwitchPlan(other, 'Plan2', { regions: ['eu-west-1', 'us-east-1'], recoveryTime: Duration.minutes(2), purpose, steps: [RegionSwitchStep.auroraGlobalDatabase(db)] }))
      .toThrow(/invalid prop 'steps\[0\]': received "P\/Db"; expected an HaDatabase with a secondary region/);
  });
});
