import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { HotStandbyConsumer, HotStandbyConsumerPath, HotStandbyConsumerProps } from '../../lib';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

function build(props: Partial<HotStandbyConsumerProps> = {}, app = testApp()) {
  const stack = new Stack(app, 'S', { env: testEnv() });
  const consumer = new HotStandbyConsumer(stack, 'Aggregator', { image, ...props });
  return { app, stack, consumer };
}

describe('HotStandbyConsumer defaults', () => {
  const { stack, consumer } = build();
  const template = Template.fromStack(stack);

  test('creates an encrypted, retained input stream', () => {
    template.hasResource('AWS::Kinesis::Stream', {
      Properties: Match.objectLike({ ShardCount: 1, RetentionPeriodHours: 24, StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } }),
      DeletionPolicy: 'Retain',
    });
  });

  test('runs two one-task services in two different availability zones', () => {
    template.resourceCountIs('AWS::ECS::Service', 2);
    const services = Object.values(template.findResources('AWS::ECS::Service'));
    const subnets = services.map(s => JSON.stringify(s.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets));
    expect(subnets[0]).not.toEqual(subnets[1]);
    for (const s of services) {
      expect(s.Properties.DesiredCount).toBe(1);
      expect(s.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets).toHaveLength(1);
    }
    expect(consumer.availabilityZones).toHaveLength(2);
    expect(new Set(consumer.availabilityZones).size).toBe(2);
  });

  test('a deployment never stops both consumers: each starts its new task before stopping the old one, with rollback', () => {
    const services = template.findResources('AWS::ECS::Service');
    expect(Object.keys(services)).toHaveLength(2);
    for (const s of Object.values(services)) {
      expect(s.Properties.DeploymentConfiguration).toEqual({
        MaximumPercent: 200,
        MinimumHealthyPercent: 100,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      });
    }
  });

  test('consumer B deploys after consumer A: its service depends on A\'s, and A on nothing of B', () => {
    const services = template.findResources('AWS::ECS::Service');
    const a = Object.keys(services).find(id => id.startsWith('AggregatorConsumerA'))!;
    const b = Object.keys(services).find(id => id.startsWith('AggregatorConsumerB'))!;
    expect([a, b]).toEqual([expect.any(String), expect.any(String)]);
    expect(services[b].DependsOn).toContain(a);
    expect(services[a].DependsOn ?? []).not.toContain(b);
  });

  test('passes the stream, the lease table and settings in the environment', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'Consumer',
        Environment: Match.arrayWith([
          { Name: 'HA_LEASE_TABLE_NAME', Value: { Ref: Match.stringLikeRegexp('^AggregatorLeaseTable') } },
          { Name: 'HA_LEASE_NAME', Value: 'leader' },
          { Name: 'HA_LEASE_DURATION_MS', Value: '15000' },
          { Name: 'HA_LEASE_RENEW_INTERVAL_MS', Value: '5000' },
          { Name: 'HA_LEASE_MAX_CLOCK_SKEW_MS', Value: '1000' },
          { Name: 'HA_STREAM_NAME', Value: { Ref: Match.stringLikeRegexp('^AggregatorStream') } },
        ]),
      })],
    });
  });

  test('grants the task role the lease item and reading the stream', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AggregatorTaskDefinitionTaskRole') }] },
    }));
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Condition?: unknown }>;
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['leader'] } },
    }));
    const actions = statements.flatMap(s => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator']));
    expect(actions).not.toContain('kinesis:PutRecord');
    expect(actions).not.toContain('dynamodb:PutItem');
  });

  test.each([
    ['no leader', { Namespace: 'CdkHaPatterns/Lease', MetricName: 'LeaseHeld', Statistic: 'Maximum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' }],
    ['iterator age', { Namespace: 'AWS/Kinesis', MetricName: 'GetRecords.IteratorAgeMilliseconds', Statistic: 'Maximum', Threshold: 60_000, ComparisonOperator: 'GreaterThanThreshold' }],
    ['checkpoint lag', { Namespace: 'CdkHaPatterns/Lease', MetricName: 'CheckpointLag', Statistic: 'Maximum', Threshold: 300_000, ComparisonOperator: 'GreaterThanThreshold' }],
  ])('alarms on %s', (_name, props) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', props);
  });

  test('the failover alarm combines the three alarms', () => {
    expect(consumer.failoverTriggers).toHaveLength(3);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
  });

  test('takeover = lease + 2 x skew + poll = 15 + 2 + 5 = 22 s; RPO 0 by design', () => {
    expect(consumer.takeoverTime.toSeconds()).toBe(22);
    expect(consumer.recoveryObjectives.rpo.toSeconds()).toBe(0);
    const report = consumer.recoveryObjectives.toReport();
    expect(report.paths[0].steps.map(s => [s.component, s.seconds])).toEqual([['lease lapse', 17], ['standby poll', 5]]);
    expect(report.dataLoss[0].derivation).toContain('fenced by the leader token');
  });

  test('the leader-failure path exists for the loss of a task and of a zone, and survives both', () => {
    expect(consumer.recoveryObjectives.scenarioOutcomes(HotStandbyConsumerPath.LEADER_FAILURE)).toEqual([
      { scenario: 'task-loss of eu-west-1', path: 'leader-failure', survives: true, brokenLinks: [], acknowledged: undefined },
      { scenario: 'zone-loss of eu-west-1', path: 'leader-failure', survives: true, brokenLinks: [], acknowledged: undefined },
    ]);
  });
});

describe('HotStandbyConsumer failure analysis', () => {
  test('the defaults synthesize: the path survives its scenarios', () => {
    const { app } = build();
    expect(() => app.synth()).not.toThrow();
  });

  test('fails synthesis when consumer B runs no task (escape hatch), naming the path, the link and the scenario', () => {
    const { app, consumer } = build();
    (consumer.services[1].node.defaultChild as ecs.CfnService).addPropertyOverride('DesiredCount', 0);
    const [a, b] = consumer.availabilityZones;
    expect(() => app.synth()).toThrow(
      `[S/Aggregator] recovery path 'leader-failure' does not survive task-loss of eu-west-1: its capacity consumer B in ${b} ` +
      `(leads when consumer A's task or zone is lost) (S/Aggregator/ConsumerB) serves 0 after failover; the load needs 1.`);
    expect(() => app.synth()).toThrow(/does not survive zone-loss of eu-west-1: its capacity consumer B/);
    expect(a).not.toBe(b);
  });
});

describe('HotStandbyConsumer options', () => {
  test('uses a given stream and cluster, custom thresholds and removal policy', () => {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: testEnv() });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const stream = new kinesis.Stream(stack, 'Input', { encryption: kinesis.StreamEncryption.MANAGED });
    const consumer = new HotStandbyConsumer(stack, 'C', {
      image, stream, cluster, iteratorAgeThreshold: Duration.seconds(30), removalPolicy: RemovalPolicy.DESTROY,
      leaseDuration: Duration.seconds(10), renewInterval: Duration.seconds(2), maxClockSkew: Duration.millis(500),
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Kinesis::Stream', 1);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GetRecords.IteratorAgeMilliseconds', Threshold: 30_000 });
    t.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    expect(consumer.stream).toBe(stream);
    expect(consumer.takeoverTime.toMilliseconds()).toBe(10_000 + 1_000 + 2_000);
  });

  test('entryPoint and command reach the consumers\' container', () => {
    const { stack } = build({ entryPoint: ['sh', '-c'], command: ['echo started; sleep 60'] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'Consumer', EntryPoint: ['sh', '-c'], Command: ['echo started; sleep 60'] })],
    });
  });

  test('fails when the VPC has subnets in one availability zone only', () => {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: testEnv() });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
    expect(() => new HotStandbyConsumer(stack, 'C', { image, vpc }))
      .toThrow("S/C: invalid prop 'vpc': received [\"eu-west-1a\"]; expected Private subnets in at least 2 availability zones: the lease holder and its standby must not share a zone");
  });

  test.each([
    ['leaseDuration', { leaseDuration: Duration.seconds(4) }, "S/Aggregator: invalid prop 'leaseDuration': received 4 seconds; expected a duration longer than renewInterval (5 seconds) + 2 x maxClockSkew (1 second) = 7000 ms"],
    ['maxClockSkew', { maxClockSkew: Duration.minutes(2) }, "invalid prop 'maxClockSkew': received 2 minutes; expected a duration from 0 millis to 1 minute"],
    ['iteratorAgeThreshold', { iteratorAgeThreshold: Duration.millis(10) }, "invalid prop 'iteratorAgeThreshold': received 10 millis; expected a duration of at least 1 second"],
    ['memoryLimitMiB', { memoryLimitMiB: 128 }, "invalid prop 'memoryLimitMiB': received 128; expected an integer >= 512"],
  ])('fails when %s is invalid', (_name, props, message) => {
    expect(() => build(props as Partial<HotStandbyConsumerProps>)).toThrow(message);
  });
});

describe('HotStandbyConsumer gates', () => {
  test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    const app = testApp({ validation: true });
    build({}, app);
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});
