/**
 * HaDatabase's cross-region failover lives in the secondary region: a probe of
 * the primary writer (a TCP connection from the secondary VPC, confirmed by the
 * primary region's RDS API, every 5 s), its high-resolution alarm, the rule and
 * the function (the global cluster's one promoter) that promote the secondary.
 * The probe needs a route between the VPCs: the tests peer them. Figures are read from the synthesized alarm and function; the
 * failure analysis checks every link survives the loss of the primary region.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import { HaDatabase, HaDatabasePath, HaDatabaseProps } from '../../lib';
import { renderedProperties } from '../../lib/private/rendered';
import { peeredVpcs, siteVpc } from '../config-server/site-vpc';
import { testApp, testEnv } from '../harness';

function build(extra: Partial<HaDatabaseProps> = {}, { peered = true } = {}) {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1') });
  // The probe connects from the secondary VPC to the writer: the two VPCs are peered unless a test removes the route.
  const { primaryVpc, secondaryVpc, peering } = peered
    ? peeredVpcs(primary, secondary)
    : { primaryVpc: siteVpc(primary, 'Vpc', '10.0.0.0/16'), secondaryVpc: siteVpc(secondary, 'Vpc', '10.1.0.0/16'), peering: undefined };
  const db = new HaDatabase(primary, 'Db', {
    vpc: primaryVpc, secondary: { stack: secondary, vpc: secondaryVpc }, globalClusterIdentifier: 'orders-global', ...extra,
  });
  return { app, primary, secondary, db, primaryVpc, secondaryVpc, peering };
}

const PRIMARY_CLUSTER_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:cluster:orders-global-eu-west-1']] };
const SECONDARY_CLUSTER_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-east-1:123456789012:cluster:orders-global-us-east-1']] };
const GLOBAL_CLUSTER_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds::123456789012:global-cluster:orders-global']] };
const DEFAULT_BUS_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/default']] };

type Statement = { Action: string | string[]; Resource: unknown };
const actionsOf = (st: Statement) => [st.Action].flat();

/** The statements of the writer probe's (the promoter's) role, in the secondary stack. */
function promoterStatements(t: Template): Statement[] {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter(p => JSON.stringify(p.Properties.Roles).includes('WriterProbe'))
    .flatMap(p => p.Properties.PolicyDocument.Statement as Statement[]);
}

describe('HaDatabase cross-region failover, defaults', () => {
  const { app, primary, secondary, db, secondaryVpc } = build();
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
      Environment: { Variables: Match.objectLike({
        PRIMARY_REGION: 'eu-west-1', PRIMARY_CLUSTER_ID: 'orders-global-eu-west-1', GLOBAL_CLUSTER_ID: 'orders-global',
        TARGET_CLUSTER_ARN: SECONDARY_CLUSTER_ARN,
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

  test('the function may describe the primary cluster (in its region, by literal ARN) and promote this global cluster only', () => {
    const statements = promoterStatements(t2);
    expect(statements.find(st => st.Action === 'rds:DescribeDBClusters')?.Resource).toEqual(PRIMARY_CLUSTER_ARN);
    // Lambda's VPC access (network interfaces) is the only statement on '*'.
    expect(statements.filter(st => JSON.stringify(st.Resource) === '"*"').flatMap(actionsOf).every(a => a.startsWith('ec2:'))).toBe(true);
  });

  test('the promoter: attached to the secondary VPC\'s private subnets with egress, 14 minutes (a promotion is waited for, at most 720 s), its environment', () => {
    const fn = t2.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('the global cluster\'s promoter') } });
    expect(Object.keys(fn)).toHaveLength(1);
    const props = Object.values(fn)[0].Properties;
    expect(props.Timeout).toBe(14 * 60);
    expect(props.VpcConfig.SubnetIds).toEqual(secondary.resolve(secondaryVpc.privateSubnets.map(sn => sn.subnetId)));
    expect(secondaryVpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds).toEqual(secondaryVpc.privateSubnets.map(sn => sn.subnetId));
    expect(props.VpcConfig.SecurityGroupIds).toHaveLength(1);
    const [sgId] = Object.keys(t2.findResources('AWS::EC2::SecurityGroup', { Properties: { VpcId: secondary.resolve(secondaryVpc.vpcId) } }))
      .filter(id => id.includes('WriterProbe'));
    expect(sgId).toBeDefined();
    expect(props.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
    const [parameterId] = Object.keys(t2.findResources('AWS::SSM::Parameter', { Properties: { Value: 'unknown' } }));
    expect(props.Environment.Variables).toMatchObject({
      ENDPOINT_PARAMETER: { Ref: parameterId },
      PROBE_ALARM_NAME: { Ref: secondary.resolve((db.writerProbeAlarm!.node.defaultChild as cloudwatch.CfnAlarm).logicalId) },
      PROMOTION_TIMEOUT_SECONDS: '720',
      PROMOTION_POLL_SECONDS: '5',
    });
    // Within the function's timeout: the promotion's wait plus the probe's minute.
    expect(Number(props.Environment.Variables.PROMOTION_TIMEOUT_SECONDS)).toBeLessThan(props.Timeout);
  });

  test('the promoter\'s role: switchover and failover on exactly the global cluster and its two clusters, PutEvents on the default bus, its alarm, its parameter', () => {
    const statements = promoterStatements(t2);
    const promoting = statements.filter(st => actionsOf(st).some(a => /^rds:(Failover|Switchover)GlobalCluster$/.test(a)));
    expect(promoting).toHaveLength(1);
    expect(actionsOf(promoting[0]).sort()).toEqual(['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster']);
    expect(promoting[0].Resource).toEqual([GLOBAL_CLUSTER_ARN, PRIMARY_CLUSTER_ARN, SECONDARY_CLUSTER_ARN]);
    expect(statements.find(st => st.Action === 'rds:DescribeGlobalClusters')?.Resource).toEqual(GLOBAL_CLUSTER_ARN);
    expect(statements.filter(st => actionsOf(st).includes('events:PutEvents'))).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: DEFAULT_BUS_ARN }]);
    const alarmId = secondary.resolve((db.writerProbeAlarm!.node.defaultChild as cloudwatch.CfnAlarm).logicalId);
    expect(statements.filter(st => actionsOf(st).includes('cloudwatch:DescribeAlarms')))
      .toEqual([{ Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: { 'Fn::GetAtt': [alarmId, 'Arn'] } }]);
    const [parameterId] = Object.keys(t2.findResources('AWS::SSM::Parameter', { Properties: { Value: 'unknown' } }));
    const ssmStatements = statements.filter(st => actionsOf(st).some(a => a.startsWith('ssm:')));
    expect(ssmStatements).toHaveLength(1);
    expect(actionsOf(ssmStatements[0])).toEqual(expect.arrayContaining(['ssm:GetParameter', 'ssm:PutParameter']));
    expect(ssmStatements[0].Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter/', { Ref: parameterId }]] });
  });

  test('the writer endpoint parameter lives in the secondary region; the writer admits the secondary VPC\'s CIDR on the database port (5432)', () => {
    t2.resourceCountIs('AWS::SSM::Parameter', 1);
    t2.hasResourceProperties('AWS::SSM::Parameter', { Type: 'String', Value: 'unknown', Description: Match.stringLikeRegexp('primary writer endpoint') });
    const t1 = Template.fromStack(primary);
    const clusterId = primary.resolve((db.cluster!.node.defaultChild as rds.CfnDBCluster).logicalId);
    const writerSg = primary.resolve(db.connections.securityGroups[0].securityGroupId);
    const ingress = Object.values(t1.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { CidrIp: '10.1.0.0/16' } }));
    expect(ingress.map(r => r.Properties)).toEqual([expect.objectContaining({
      GroupId: writerSg, IpProtocol: 'tcp',
      FromPort: { 'Fn::GetAtt': [clusterId, 'Endpoint.Port'] }, ToPort: { 'Fn::GetAtt': [clusterId, 'Endpoint.Port'] },
    })]);
    // That port is the cluster's 5432, the one the path's network link declares.
    expect(t1.findResources('AWS::RDS::DBCluster')[clusterId].Properties.Port).toBe(5432);
    expect(db.secondary!.port).toBe(5432);
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
    const statements = (renderedProperties(policy).PolicyDocument as { Statement: Statement[] }).Statement;
    const i = statements.findIndex(st => actionsOf(st).includes('rds:FailoverGlobalCluster'));
    expect(i).toBeGreaterThanOrEqual(0);
    // The switchover stays: only the failover (the promotion with data loss) is taken away.
    policy.addPropertyOverride(`PolicyDocument.Statement.${i}.Action`, ['rds:SwitchoverGlobalCluster']);
    expect(() => app.synth()).toThrow(new RegExp(
      "recovery path 'cross-region-failover' does not survive region-loss of eu-west-1: its automation failover function " +
      '\\(Secondary/PrimaryDb[0-9A-F]{8}/Secondary/WriterProbe\\) calls rds:FailoverGlobalCluster on .*global-cluster:orders-global.*, which its role does not allow'));
  });

  test('no route between the VPCs (the peering removed): synthesis fails, naming both VPCs, the port and the fix', () => {
    const { app } = build({}, { peered: false });
    expect(() => app.synth()).toThrow(new RegExp(
      "recovery path 'cross-region-failover' does not survive region-loss of eu-west-1: its network link the writer probe in us-east-1 connects to the primary writer " +
      '\\(its data-plane signal\\) needs Secondary/Vpc \\(us-east-1\\) to reach Primary/Vpc \\(eu-west-1\\) on port 5432, and no route connects them: ' +
      'peer them with new InterRegionVpcPeering\\(.*\\), or declare the route you manage .*NetworkRoute\\.declare'));
  });
});

describe('HaDatabase writer probe: the writer must admit it', () => {
  test('fails when the secondary VPC\'s CIDR is not known (the writer could not admit the probe, whose every connection would fail)', () => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const secondary = new Stack(app, 'Secondary', { env: testEnv('us-east-1') });
    const imported = ec2.Vpc.fromVpcAttributes(secondary, 'Imported', {
      vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-1', 'subnet-2'], isolatedSubnetIds: ['subnet-3', 'subnet-4'],
    });
    expect(() => new HaDatabase(primary, 'Db', {
      vpc: siteVpc(primary, 'Vpc', '10.0.0.0/16'), secondary: { stack: secondary, vpc: imported }, globalClusterIdentifier: 'orders-global',
    })).toThrow("Primary/Db: invalid prop 'secondary.vpc': received \"Secondary/Imported\"; expected a VPC whose IPv4 CIDR is known at synthesis");
  });
});
