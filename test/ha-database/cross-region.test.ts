/**
 * HaDatabase's cross-region failover lives in the secondary region: a probe of
 * the primary writer (through the primary region's RDS endpoint, every 5 s),
 * its high-resolution alarm, the rule and function that promote the
 * secondary. Figures are read from the synthesized alarm and function; the
 * failure analysis checks every link survives the loss of the primary region.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HaDatabase, HaDatabasePath, HaDatabaseProps } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { renderedProperties } from '../../lib/private/rendered';
import { testApp, testEnv } from '../harness';

function build(extra: Partial<HaDatabaseProps> = {}) {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1') });
  const db = new HaDatabase(primary, 'Db', {
    vpc: createHaVpc(primary, 'Vpc'), secondary: { stack: secondary, vpc: createHaVpc(secondary, 'Vpc') }, globalClusterIdentifier: 'orders-global', ...extra,
  });
  return { app, primary, secondary, db };
}

const PRIMARY_CLUSTER_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:cluster:orders-global-eu-west-1']] };

describe('HaDatabase cross-region failover, defaults', () => {
  const { app, primary, secondary, db } = build();
  const t2 = Template.fromStack(secondary);

  test('the probe alarm is in the secondary region: 10 s periods of the high-resolution probe metric, every sample failing 3 periods in a row', () => {
    t2.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkHaPatterns/HaDatabase', MetricName: 'PrimaryWriterUnreachable',
      Dimensions: [{ Name: 'Cluster', Value: 'orders-global-eu-west-1' }],
      Statistic: 'Minimum', Period: 10, EvaluationPeriods: 3, DatapointsToAlarm: Match.absent(),
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    expect(Stack.of(db.writerProbeAlarm!)).toBe(secondary);
  });

  test('a probe that stops publishing pages (SampleCount below 1 for 3 minutes, missing data breaching)', () => {
    t2.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'PrimaryWriterUnreachable', Statistic: 'SampleCount', Period: 60, EvaluationPeriods: 3,
      Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
    });
  });

  test('the probe function samples every 5 s with a 2 s timeout for 55 s, started every minute; it knows the primary cluster and what to promote', () => {
    t2.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 69,
      Environment: { Variables: Match.objectLike({
        PRIMARY_REGION: 'eu-west-1', PRIMARY_CLUSTER_ID: 'orders-global-eu-west-1', GLOBAL_CLUSTER_ID: 'orders-global',
        TARGET_CLUSTER_ARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-east-1:123456789012:cluster:orders-global-us-east-1']] },
        PROBE_INTERVAL_MS: '5000', PROBE_TIMEOUT_MS: '2000', PROBE_RUN_MS: '55000',
      }) },
    });
    t2.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WriterProbe'), 'Arn'] } })] });
    Template.fromStack(primary).resourcePropertiesCountIs('AWS::Events::Rule', {}, 0);
  });

  test('the failover rule, in the secondary region, invokes the function when the probe alarm enters ALARM', () => {
    t2.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('WriterProbeAlarm'), 'Arn'] }],
        'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 } })],
    });
  });

  test('the function may describe the primary cluster (in its region, by literal ARN) and fail over this global cluster only', () => {
    const statements = Object.values(t2.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes('WriterProbe'))
      .flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    expect(statements.find(st => st.Action === 'rds:DescribeDBClusters')?.Resource).toEqual(PRIMARY_CLUSTER_ARN);
    expect(statements.find(st => st.Action === 'rds:FailoverGlobalCluster')?.Resource).toHaveLength(3);
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
  });

  test('the cross-region path: every figure read from the synthesized settings, 117 s worst case, 97 s at the fastest settings', () => {
    const path = db.recoveryObjectives.path(HaDatabasePath.CROSS_REGION);
    expect(path.steps.map(s => [s.component, s.duration.toSeconds()])).toEqual([
      ['writer probe sampling', 12],
      ['writer probe alarm', 30],
      ['failover function (EventBridge rule in us-east-1)', 10],
      ['FailoverGlobalCluster: the secondary promoted', 60],
      ['secondary writer instance', 0],
      ['cluster endpoint DNS of the promoted cluster in us-east-1', 5],
    ]);
    expect(path.steps[0].derivation).toBe('up to one 10 s alarm period before the first period in which every sample (one every 5000 ms) fails, + the last sample\'s 2000 ms timeout');
    expect(path.steps[1].derivation).toBe('3 x 10 s evaluation periods');
    expect(path.steps[3].derivation).toMatch(/under a minute \(Amazon Aurora User Guide/);
    expect(path.total.toSeconds()).toBe(117);
    expect(path.fastest.toSeconds()).toBe(97);
  });

  test('the defaults survive their scenarios: cross-region the loss of the primary region, in-region the loss of the writer or its zone', () => {
    expect(() => app.synth()).not.toThrow();
    expect(db.recoveryObjectives.scenarioOutcomes(HaDatabasePath.CROSS_REGION)).toEqual([
      { scenario: 'region-loss of eu-west-1', path: 'cross-region-failover', survives: true, brokenLinks: [], acknowledged: undefined },
    ]);
    expect(db.recoveryObjectives.scenarioOutcomes(HaDatabasePath.IN_REGION).map(o => [o.scenario, o.survives])).toEqual([
      ['database-writer-loss of eu-west-1', true], ['zone-loss of eu-west-1', true],
    ]);
  });
});

describe('HaDatabase cross-region failover, settings', () => {
  test('failoverDetectionPeriods: 1 fires on one 10 s period without an answer (97 s)', () => {
    const { secondary, db } = build({ failoverDetectionPeriods: 1 });
    Template.fromStack(secondary).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'PrimaryWriterUnreachable', Statistic: 'Minimum', EvaluationPeriods: 1 });
    expect(db.crossRegionRto?.toSeconds()).toBe(97);
  });

  test('an escape-hatch change of the alarm counts: 6 periods make the path 147 s', () => {
    const { db } = build();
    (db.writerProbeAlarm!.node.defaultChild as cloudwatch.CfnAlarm).evaluationPeriods = 6;
    expect(db.crossRegionRto?.toSeconds()).toBe(147);
  });

  test('autoFailover: false leaves no failover rule; the runbook is the automation, after an assumed 5-minute on-call response', () => {
    const { app, secondary, db } = build({ autoFailover: false });
    expect(db.failoverRule).toBeUndefined();
    Template.fromStack(secondary).resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.anyValue() }, 0);
    const path = db.recoveryObjectives.path(HaDatabasePath.CROSS_REGION);
    expect(path.steps[2]).toMatchObject({ component: 'on-call runs the Failover runbook', tuning: 'autoFailover (true)' });
    expect(path.total.toSeconds()).toBe(407);
    expect(() => app.synth()).not.toThrow();
  });

  test('a 2-minute target on the cross-region path is met by the defaults', () => {
    const { app } = build({ recoveryTargets: { paths: [{ path: HaDatabasePath.CROSS_REGION, rto: Duration.minutes(2) }] } });
    expect(() => app.synth()).not.toThrow();
  });

  test.each([[0], [7], [1.5]])('fails when failoverDetectionPeriods is %p', periods => {
    expect(() => build({ failoverDetectionPeriods: periods })).toThrow(/invalid prop 'failoverDetectionPeriods'.*expected an integer from 1 to 6/);
  });

  test('fails when the probe\'s samples are further apart than its alarm period (escape hatch on the function\'s environment)', () => {
    const { app, db } = build();
    (db.writerProbeFunction!.node.defaultChild as lambda.CfnFunction).addPropertyOverride('Environment.Variables.PROBE_INTERVAL_MS', '15000');
    expect(() => app.synth()).toThrow(/invalid prop 'writerProbeFunction environment': received "a sample every 15000 ms with a 2000 ms timeout, alarm period 10 s"/);
  });
});

describe('HaDatabase failure analysis: a broken link fails synthesis, naming the path, the link and the scenario', () => {
  test('the failover function may no longer call FailoverGlobalCluster (escape hatch on its policy)', () => {
    const { app, db } = build();
    const policy = db.node.findAll().concat(db.secondary!.node.findAll())
      .find(c => c instanceof iam.CfnPolicy && c.node.path.includes('WriterProbe')) as iam.CfnPolicy;
    const statements = (renderedProperties(policy).PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement;
    const i = statements.findIndex(st => st.Action === 'rds:FailoverGlobalCluster');
    policy.addPropertyOverride(`PolicyDocument.Statement.${i}.Action`, 'rds:DescribeGlobalClusters');
    expect(() => app.synth()).toThrow(new RegExp(
      "recovery path 'cross-region-failover' does not survive region-loss of eu-west-1: its automation failover function " +
      '\\(Secondary/PrimaryDb[0-9A-F]{8}/Secondary/WriterProbe\\) calls rds:FailoverGlobalCluster on .*global-cluster:orders-global.*, which its role does not allow'));
  });
});
