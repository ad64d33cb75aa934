import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FailoverNotifications, SingletonDaemon, SingletonDaemonProps } from '../../lib';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

function build(props: Partial<SingletonDaemonProps> = {}, app = testApp()) {
  const stack = new Stack(app, 'S', { env: testEnv() });
  const daemon = new SingletonDaemon(stack, 'Etl', { image, ...props });
  return { app, stack, daemon };
}

describe('SingletonDaemon defaults', () => {
  const { stack, daemon } = build();
  const template = Template.fromStack(stack);

  test('runs exactly one task, never two during a deployment, rolls back a failing deployment', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      LaunchType: 'FARGATE',
      DeploymentConfiguration: {
        MaximumPercent: 100,
        MinimumHealthyPercent: 0,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  test('creates a cluster with Container Insights (enhanced) for the running-tasks metric', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
  });

  test('the lease table: string key pk, on demand, point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('passes the lease table and settings in the environment', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'Daemon',
        Essential: true,
        ReadonlyRootFilesystem: true,
        Environment: Match.arrayWith([
          { Name: 'HA_LEASE_TABLE_NAME', Value: { Ref: Match.stringLikeRegexp('^EtlLeaseTable') } },
          { Name: 'HA_LEASE_NAME', Value: 'singleton' },
          { Name: 'HA_LEASE_DURATION_MS', Value: '30000' },
          { Name: 'HA_LEASE_RENEW_INTERVAL_MS', Value: '10000' },
          { Name: 'HA_LEASE_MAX_CLOCK_SKEW_MS', Value: '1000' },
        ]),
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      })],
    });
  });

  test('grants the task role the lease item only: GetItem and UpdateItem on its key', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^EtlTaskDefinitionTaskRole') }],
      PolicyDocument: {
        Statement: [{
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EtlLeaseTable'), 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['singleton'] } },
        }],
      },
    });
  });

  test('alarms when running tasks != 1 for 5 minutes (metric math on Container Insights)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 5,
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'ABS(FILL(running, 0) - 1)' }),
        Match.objectLike({ Id: 'running', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' }) }) }),
      ]),
    });
  });

  test('alarms when the lease is not renewed (runtime heartbeat metric missing = breaching)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkHaPatterns/Lease',
      MetricName: 'LeaseHeartbeat',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
      Dimensions: Match.arrayWith([{ Name: 'LeaseName', Value: 'singleton' }]),
    });
  });

  test('counts task restarts with an EventBridge rule on stopped tasks of the service', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        'detail': Match.objectLike({ lastStatus: ['STOPPED'] }),
      },
    });
  });

  test('the restarts alarm counts the rule\'s matches with a metric EventBridge publishes: TriggeredRules by RuleName', () => {
    // AWS/Events MatchedEvents has no dimensions (account-wide); per rule, EventBridge publishes
    // TriggeredRules with the dimension RuleName (default bus). Exact namespace, name and dimensions.
    const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: Match.objectLike({ source: ['aws.ecs'] }) },
    }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.absent(),
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
      Statistic: 'Sum',
      Period: 900,
      Threshold: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    // no alarm of the pattern reads MatchedEvents, which never carries a RuleName dimension
    const eventsAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/Events' } }));
    expect(eventsAlarms.map(a => a.Properties.MetricName)).toEqual(['TriggeredRules']);
  });

  test('the failover alarm combines running tasks and lease renewal, not restarts', () => {
    expect(daemon.alarms).toHaveLength(4);
    expect(daemon.failoverTriggers).toHaveLength(2);
    const [composite] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    expect(rule).toContain('RunningTasksAlarm');
    expect(rule).toContain('LeaseNotRenewedAlarm');
    expect(rule).not.toContain('TaskRestartsAlarm');
  });

  test('takeover = lease + 2 x skew + task start + poll = 30 + 2 + 60 + 10 = 102 s', () => {
    expect(daemon.takeoverTime.toSeconds()).toBe(102);
    expect(daemon.recoveryObjectives.rto.toSeconds()).toBe(102);
    expect(daemon.recoveryObjectives.rpo.toSeconds()).toBe(0);
    const [path] = daemon.recoveryObjectives.toReport().paths;
    expect(path.steps.map(s => [s.component, s.seconds])).toEqual([['lease lapse', 32], ['replacement task start (counted after the lapse for a worst case)', 60], ['lease poll', 10]]);
  });
});

describe('SingletonDaemon options', () => {
  test('recovery figures follow escape-hatch overrides of the container environment', () => {
    const { daemon } = build();
    const cfn = daemon.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    cfn.addPropertyOverride('ContainerDefinitions.0.Environment.2.Value', '60000'); // HA_LEASE_DURATION_MS (table name, lease name, duration, ...)
    expect(daemon.takeoverTime.toSeconds()).toBe(132);
  });

  test('entryPoint and command reach the daemon\'s container (an image whose entry point is not a shell)', () => {
    const { stack } = build({ entryPoint: ['sh', '-c'], command: ['echo started; sleep 60'] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'Daemon', EntryPoint: ['sh', '-c'], Command: ['echo started; sleep 60'] })],
    });
    Template.fromStack(build().stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'Daemon', EntryPoint: Match.absent(), Command: Match.absent() })],
    });
  });

  test('custom lease settings, removal policy and given cluster', () => {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: testEnv() });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const notifications = new FailoverNotifications(stack, 'N', { emails: ['ops@example.com'] });
    const daemon = new SingletonDaemon(stack, 'D', {
      image, cluster, notifications, leaseName: 'etl', leaseDuration: Duration.seconds(20), renewInterval: Duration.seconds(5),
      maxClockSkew: Duration.millis(500), removalPolicy: RemovalPolicy.DESTROY,
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ECS::Cluster', 1);
    t.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    t.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^N') }], OKActions: [{ Ref: Match.stringLikeRegexp('^N') }] });
    expect(daemon.takeoverTime.toMilliseconds()).toBe(20_000 + 1_000 + 60_000 + 5_000);
    // the given cluster has no Container Insights: the running-tasks alarm would lack its metric
    Annotations.fromStack(stack).hasWarning('/S/D', Match.stringLikeRegexp('Container Insights is not visibly on for cluster S/Cluster'));
  });

  test('warns when the lease leaves room for a single renewal', () => {
    const { stack } = build({ leaseDuration: Duration.seconds(15), renewInterval: Duration.seconds(10) });
    Annotations.fromStack(stack).hasWarning('/S/Etl', Match.stringLikeRegexp('leaves room for a single renewal'));
    Annotations.fromStack(stack).hasNoWarning('/S/Etl', Match.stringLikeRegexp('Container Insights'));
  });

  test.each([
    ['desiredCount', { desiredCount: 2 }, "S/Etl: invalid prop 'desiredCount': received 2; expected exactly 1: a singleton daemon runs one task"],
    ['desiredCount 0', { desiredCount: 0 }, "invalid prop 'desiredCount': received 0"],
    ['leaseDuration', { leaseDuration: Duration.seconds(5), renewInterval: Duration.seconds(10) },
      "S/Etl: invalid prop 'leaseDuration': received 5 seconds; expected a duration longer than renewInterval (10 seconds) + 2 x maxClockSkew (1 second) = 12000 ms"],
    ['leaseDuration equal', { leaseDuration: Duration.seconds(12) }, "invalid prop 'leaseDuration': received 12 seconds"],
    ['renewInterval', { renewInterval: Duration.millis(100) }, "invalid prop 'renewInterval': received 100 millis; expected a duration from 1 second to 5 minutes"],
    ['leaseName', { leaseName: 'has space' }, "invalid prop 'leaseName': received \"has space\""],
    ['cpu', { cpu: 100 }, "invalid prop 'cpu': received 100; expected an integer >= 256"],
  ])('fails when %s is invalid', (_name, props, message) => {
    expect(() => build(props as Partial<SingletonDaemonProps>)).toThrow(message);
  });
});

describe('SingletonDaemon gates', () => {
  test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    const app = testApp({ validation: true });
    build({}, app);
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});
