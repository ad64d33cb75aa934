import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FailoverNotifications, SingletonDaemon, SingletonDaemonPath, SingletonDaemonProps } from '../../lib';
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

  test('runs the lease holder and a hot standby: two one-task services pinned to two different availability zones', () => {
    const services = template.findResources('AWS::ECS::Service');
    expect(Object.keys(services)).toHaveLength(2);
    const subnets = Object.values(services).map(s => s.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets as unknown[]);
    expect(subnets.map(s => s.length)).toEqual([1, 1]);
    expect(JSON.stringify(subnets[0])).not.toEqual(JSON.stringify(subnets[1]));
    for (const s of Object.values(services)) {
      expect(s.Properties).toMatchObject({
        DesiredCount: 1,
        LaunchType: 'FARGATE',
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      });
    }
    expect(daemon.services).toEqual([daemon.service, daemon.standbyService]);
  });

  test('a deployment never stops both contenders: each starts its new task first, with rollback, and the standby deploys after the first', () => {
    const services = template.findResources('AWS::ECS::Service');
    for (const s of Object.values(services)) {
      expect(s.Properties.DeploymentConfiguration).toEqual({
        MaximumPercent: 200,
        MinimumHealthyPercent: 100,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      });
    }
    const first = Object.keys(services).find(id => id.startsWith('EtlService'))!;
    const standby = Object.keys(services).find(id => id.startsWith('EtlStandbyService'))!;
    expect(services[standby].DependsOn).toContain(first);
    expect(services[first].DependsOn ?? []).not.toContain(standby);
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

  test('alarms when running tasks != 2 (holder and standby) for 5 minutes (metric math on Container Insights of both services)', () => {
    const services = Object.keys(template.findResources('AWS::ECS::Service'));
    const metricOf = (service: string) => Match.objectLike({ Metric: {
      Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount',
      Dimensions: Match.arrayWith([{ Name: 'ServiceName', Value: { 'Fn::GetAtt': [service, 'Name'] } }]),
    } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 5,
      TreatMissingData: 'breaching',
      AlarmDescription: Match.stringLikeRegexp('has not been 2 for 5 minutes \\(the lease holder and its standby\\)'),
      Metrics: [
        Match.objectLike({ Expression: 'ABS(FILL(running, 0) + FILL(standby, 0) - 2)' }),
        Match.objectLike({ Id: 'running', MetricStat: metricOf(services.find(id => id.startsWith('EtlService'))!) }),
        Match.objectLike({ Id: 'standby', MetricStat: metricOf(services.find(id => id.startsWith('EtlStandbyService'))!) }),
      ],
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

  test('counts task restarts with an EventBridge rule on stopped tasks of both services', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        'detail': Match.objectLike({
          lastStatus: ['STOPPED'],
          group: [
            { 'Fn::Join': ['', ['service:', { 'Fn::GetAtt': [Match.stringLikeRegexp('^EtlService'), 'Name'] }]] },
            { 'Fn::Join': ['', ['service:', { 'Fn::GetAtt': [Match.stringLikeRegexp('^EtlStandbyService'), 'Name'] }]] },
          ],
        }),
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
      // two stops per task: one deployment (a stop per service) does not page
      Threshold: 4,
      AlarmDescription: Match.stringLikeRegexp('4 or more tasks stopped within 15 minutes \\(restart loop, or repeated deployments: a deployment stops one task per service\\)'),
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

  test('takeover = lease + 2 x skew + standby poll = 30 + 2 + 10 = 42 s: no task start on the path', () => {
    expect(daemon.takeoverTime.toSeconds()).toBe(42);
    expect(daemon.recoveryObjectives.rto.toSeconds()).toBe(42);
    expect(daemon.recoveryObjectives.rpo.toSeconds()).toBe(0);
    const [path] = daemon.recoveryObjectives.toReport().paths;
    expect(path.steps.map(s => [s.component, s.seconds, s.fastestSeconds])).toEqual([['lease lapse', 32, 2], ['standby poll', 10, 1]]);
    expect(path.steps[0].derivation).toBe('lease 30000 ms after the last renewal + 2 x clock skew 1000 ms ' +
      '(a contender waits the skew past the expiry, by a clock up to the skew behind the holder\'s)');
  });

  test('the task-failure path exists for the loss of a task and of a zone, and survives both', () => {
    expect(daemon.recoveryObjectives.scenarioOutcomes(SingletonDaemonPath.TASK_FAILURE)).toEqual([
      { scenario: 'task-loss of eu-west-1', path: 'task-failure', survives: true, brokenLinks: [], acknowledged: undefined },
      { scenario: 'zone-loss of eu-west-1', path: 'task-failure', survives: true, brokenLinks: [], acknowledged: undefined },
    ]);
  });
});

describe('SingletonDaemon failure analysis', () => {
  test('fails synthesis when the standby service runs no task (escape hatch), naming the path, the link and the scenario', () => {
    const { app, daemon } = build();
    (daemon.standbyService!.node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 0);
    expect(() => app.synth()).toThrow(
      "[S/Etl] recovery path 'task-failure' does not survive task-loss of eu-west-1: its capacity standby contender in the second zone " +
      "(takes the lease when the first zone's task is lost) (S/Etl/StandbyService) serves 0 after failover; the load needs 1.");
    expect(() => app.synth()).toThrow(/recovery path 'task-failure' does not survive zone-loss of eu-west-1: its capacity standby contender/);
  });

  test('fails synthesis when the first contender runs no task either way round', () => {
    const { app, daemon } = build();
    (daemon.service.node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 0);
    expect(() => app.synth()).toThrow(/does not survive task-loss of eu-west-1: its capacity contender in the first zone .* \(S\/Etl\/Service\) serves 0 after failover; the load needs 1/);
  });

  test('the defaults synthesize: every path survives its scenarios', () => {
    const { app } = build();
    expect(() => app.synth()).not.toThrow();
  });
});

describe('SingletonDaemon options', () => {
  test('recovery figures follow escape-hatch overrides of the container environment', () => {
    const { daemon } = build();
    const cfn = daemon.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    cfn.addPropertyOverride('ContainerDefinitions.0.Environment.2.Value', '60000'); // HA_LEASE_DURATION_MS (table name, lease name, duration, ...)
    expect(daemon.takeoverTime.toSeconds()).toBe(60 + 2 + 10);
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
    expect(daemon.takeoverTime.toMilliseconds()).toBe(20_000 + 1_000 + 5_000);
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

describe('SingletonDaemon lease timing', () => {
  test('the documented fast setting (lease 15 s, renew 5 s) reaches the environment and takes over in 15 + 2 + 5 = 22 s, without warning', () => {
    const { stack, daemon } = build({ leaseDuration: Duration.seconds(15), renewInterval: Duration.seconds(5) });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: Match.arrayWith([
          { Name: 'HA_LEASE_DURATION_MS', Value: '15000' },
          { Name: 'HA_LEASE_RENEW_INTERVAL_MS', Value: '5000' },
          { Name: 'HA_LEASE_MAX_CLOCK_SKEW_MS', Value: '1000' },
        ]),
      })],
    });
    expect(daemon.takeoverTime.toSeconds()).toBe(22);
    Annotations.fromStack(stack).hasNoWarning('/S/Etl', Match.anyValue());
  });

  test('just above renewInterval + 2 x maxClockSkew the lease is accepted, with the single-renewal warning', () => {
    const { stack, daemon } = build({ leaseDuration: Duration.millis(12_001) });
    expect(daemon.takeoverTime.toMilliseconds()).toBe(12_001 + 2_000 + 10_000);
    Annotations.fromStack(stack).hasWarning('/S/Etl', Match.stringLikeRegexp('leaves room for a single renewal attempt'));
  });

  test.each([
    ['the lease equals renewInterval + 2 x maxClockSkew', { leaseDuration: Duration.seconds(12) },
      "S/Etl: invalid prop 'leaseDuration': received 12 seconds; expected a duration longer than renewInterval (10 seconds) + 2 x maxClockSkew (1 second) = 12000 ms, " +
      'or the holder loses its lease between two renewals'],
    ['a larger clock skew eats the renewal margin', { maxClockSkew: Duration.seconds(10) },
      "S/Etl: invalid prop 'leaseDuration': received 30 seconds; expected a duration longer than renewInterval (10 seconds) + 2 x maxClockSkew (10 seconds) = 30000 ms"],
    ['the fast setting with a 5 s skew', { leaseDuration: Duration.seconds(15), renewInterval: Duration.seconds(5), maxClockSkew: Duration.seconds(5) },
      "S/Etl: invalid prop 'leaseDuration': received 15 seconds; expected a duration longer than renewInterval (5 seconds) + 2 x maxClockSkew (5 seconds) = 15000 ms"],
    ['the skew exceeds a minute', { maxClockSkew: Duration.minutes(2), leaseDuration: Duration.minutes(10) }, "S/Etl: invalid prop 'maxClockSkew': received 2 minutes"],
  ])('fails when %s: a holder could not renew before its lease lapses, and a standby could act beside it', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe('SingletonDaemon with standby: false', () => {
  const { app, stack, daemon } = build({ standby: false });
  const template = Template.fromStack(stack);

  test('runs exactly one task, never two during a deployment, rolls back a failing deployment', () => {
    template.resourceCountIs('AWS::ECS::Service', 1);
    expect(daemon.standbyService).toBeUndefined();
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

  test('pages on 2 stopped tasks within 15 minutes (one task: every stop counts)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TriggeredRules', Threshold: 2, AlarmDescription: Match.stringLikeRegexp('2 or more tasks stopped') });
  });

  test('alarms when running tasks != 1 for 5 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('has not been 1 for 5 minutes\\.$'),
      Metrics: [Match.objectLike({ Expression: 'ABS(FILL(running, 0) - 1)' }), Match.objectLike({ Id: 'running' })],
    });
  });

  test('takeover = lease + 2 x skew + task start + poll = 30 + 2 + 60 + 10 = 102 s; no setting reaches a minute (the Fargate start alone is 60 s)', () => {
    const path = daemon.recoveryObjectives.path(SingletonDaemonPath.TASK_FAILURE);
    expect(path.steps.map(s => [s.component, s.duration.toSeconds(), s.fastest.toSeconds()])).toEqual([
      ['lease lapse', 32, 2], ['replacement task start (counted after the lapse for a worst case)', 60, 60], ['lease poll', 10, 1],
    ]);
    expect(path.total.toSeconds()).toBe(102);
    expect(path.fastest.toSeconds()).toBe(63);
  });

  test('handles the loss of the task and of its zone (its subnets span two zones): ECS starts the replacement elsewhere', () => {
    expect(() => app.synth()).not.toThrow();
    expect(daemon.recoveryObjectives.scenarioOutcomes(SingletonDaemonPath.TASK_FAILURE).map(o => [o.scenario, o.survives]))
      .toEqual([['task-loss of eu-west-1', true], ['zone-loss of eu-west-1', true]]);
  });

  test('fails synthesis when the service runs no task (escape hatch), naming the path, the link and the scenario', () => {
    const b = build({ standby: false });
    (b.daemon.service.node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 0);
    expect(() => b.app.synth()).toThrow(
      "[S/Etl] recovery path 'task-failure' does not survive task-loss of eu-west-1: its capacity the daemon service (ECS starts a replacement task) " +
      '(S/Etl/Service) serves 0 after failover; the load needs 1.');
  });
});

describe('SingletonDaemon placement', () => {
  function oneZone(props: Partial<SingletonDaemonProps>) {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: testEnv() });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    return { app, daemon: () => new SingletonDaemon(stack, 'Etl', { image, vpc, vpcSubnets: { availabilityZones: ['eu-west-1a'], subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, ...props }) };
  }

  test('fails when the selected subnets are in one zone: the holder and its standby would fall with it', () => {
    expect(oneZone({}).daemon).toThrow("S/Etl: invalid prop 'vpcSubnets': received [\"eu-west-1a\"]; expected the selected subnets in at least 2 availability zones: " +
      'the lease holder and its standby must not share a zone; or run one task with standby: false');
  });

  test('with standby: false one zone is accepted, and the path handles the loss of the task only', () => {
    const { app, daemon } = oneZone({ standby: false });
    const d = daemon();
    expect(() => app.synth()).not.toThrow();
    expect(d.recoveryObjectives.scenarioOutcomes(SingletonDaemonPath.TASK_FAILURE).map(o => o.scenario)).toEqual(['task-loss of eu-west-1']);
  });
});

describe('SingletonDaemon gates', () => {
  test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    const app = testApp({ validation: true });
    build({}, app);
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});
