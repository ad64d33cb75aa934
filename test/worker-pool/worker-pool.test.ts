import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FailoverNotifications, WorkerPool, WorkerPoolProps } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { JobEnvironment, JobHeartbeat } from '../../lib/runtime';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

const IMAGE = 'public.ecr.aws/docker/library/busybox:stable';

function build(app: App, props: Partial<WorkerPoolProps> = {}) {
  const stack = new Stack(app, 'Pool', { env: testEnv() });
  const vpc = createHaVpc(stack, 'Vpc');
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
  const pool = new WorkerPool(stack, 'Builders', {
    vpc,
    image: ecs.ContainerImage.fromRegistry(IMAGE),
    notifications,
    ...props,
  });
  return { stack, pool, vpc };
}

describe('WorkerPool defaults', () => {
  const { stack, pool } = build(testApp());
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  pool.grantSubmitJobs(producer);
  const template = Template.fromStack(stack);
  const withGrant = template;

  test('the job queue is encrypted, TLS-only, retained, with a dead-letter queue after 3 deliveries', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResource('AWS::SQS::Queue', {
      Properties: {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 60,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildersDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 3 },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::SQS::Queue', {
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600, RedrivePolicy: Match.absent() },
      DeletionPolicy: 'Retain',
    });
    // enforceSSL: a deny on aws:SecureTransport false, on both queues.
    const policies = template.findResources('AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const p of Object.values(policies)) {
      expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  test('scales between 1 and 10 workers on the backlog, in steps', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 10 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({
        StepAdjustments: Match.arrayWith([Match.objectLike({ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 90, ScalingAdjustment: 1 })]),
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({
      MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 10, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
  });

  test('workers run on Fargate in private subnets with circuit-breaker rollback, with the queue URL in their environment', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: Match.arrayWith([
          Match.objectLike({ Name: 'QUEUE_NAME' }),
          { Name: 'QUEUE_URL', Value: { Ref: Match.stringLikeRegexp('^BuildersQueue') } },
        ]),
      })],
    });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  test('the workers get the job timings, and JobHeartbeat.fromEnvironment reads them as the pool holds them', () => {
    const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const environment = taskDefinition.Properties.ContainerDefinitions[0].Environment as Array<{ Name: string; Value: unknown }>;
    expect(environment).toEqual(expect.arrayContaining([
      { Name: 'HA_JOB_VISIBILITY_TIMEOUT_MS', Value: '60000' },
      { Name: 'HA_JOB_HEARTBEAT_INTERVAL_MS', Value: '20000' },
      { Name: 'HA_JOB_MAX_DURATION_MS', Value: '600000' },
    ]));
    const env = Object.fromEntries(environment.map(e => [e.Name, typeof e.Value === 'string' ? e.Value : 'https://sqs.example/queue']));
    const heartbeat = JobHeartbeat.fromEnvironment({ send: async () => ({}) }, env);
    expect([heartbeat.visibilityTimeoutMs, heartbeat.heartbeatIntervalMs, heartbeat.maxJobDurationMs]).toEqual([
      pool.visibilityTimeout.toMilliseconds(), pool.heartbeatInterval.toMilliseconds(), pool.maxJobDuration.toMilliseconds(),
    ]);
    expect(env[JobEnvironment.QUEUE_URL]).toBeDefined();
  });

  test('the worker task role may extend the visibility of the job queue\'s messages, and of no other queue\'s', () => {
    const taskRole = Object.keys(template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })] } },
    })).find(id => id.includes('TaskRole'))!;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter(st => ([] as string[]).concat(st.Action).includes('sqs:ChangeMessageVisibility'));
    expect(statements).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BuildersQueue[0-9A-F]{8}$/), 'Arn'] } })]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: taskRole }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:ChangeMessageVisibility']) })]) },
    });
  });

  test('the workers may receive and delete jobs; grantSubmitJobs lets a producer send them', () => {
    const policies = JSON.stringify(withGrant.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('sqs:ReceiveMessage');
    expect(policies).toContain('sqs:DeleteMessage');
    withGrant.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Producer') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) })]) },
    });
  });

  test('alarms when jobs wait with no running worker (metric math over backlog and running tasks)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(FILL(backlog, 0) > 0 AND FILL(running, 0) < 1, 1, 0)', ReturnData: true }),
        Match.objectLike({ Id: 'backlog', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' }) }) }),
        Match.objectLike({ Id: 'running', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' }) }) }),
      ]),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('alarms on the age of the oldest job (15 min) and on a non-empty dead-letter queue, both notifying', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900, ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BuildersDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Notifications') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Notifications') }],
    });
  });

  test('the failover alarm is a composite over no-healthy-workers and oldest-job-age, not the dead-letter alarm', () => {
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    expect(pool.failoverTriggers).toHaveLength(2);
    expect(pool.alarms).toHaveLength(4);
    const [composite] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    expect(rule).toContain('NoHealthyWorkersAlarm');
    expect(rule).toContain('OldestJobAgeAlarm');
    expect(rule).not.toContain('DeadLetterQueueAlarm');
  });

  test('a dead worker\'s job is taken again within 2 minutes: the 60 s visibility timeout plus a task start', () => {
    expect(pool.jobRecoveryTime.toSeconds()).toBe(60 + 60);
    expect(pool.jobRecoveryTime.toSeconds()).toBeLessThanOrEqual(120);
    const report = pool.recoveryObjectives.toReport();
    expect(report.paths[0].steps.map(s => s.seconds)).toEqual([60, 60]);
    expect(report.rpoSeconds).toBe(0);
  });

  test('the fastest configuration is the 10 s visibility timeout floor and a running second worker', () => {
    const path = pool.recoveryObjectives.path('dead-worker');
    expect(path.fastest.toSeconds()).toBe(10);
    expect(path.steps.map(s => s.tuning)).toEqual([
      'visibilityTimeout (10 s to 12 h, heartbeatInterval below it)', 'minWorkers (2 or more: a running worker takes the job)',
    ]);
    expect(path.steps[0].derivation).toBe('visibility timeout of the queue 60 s, each heartbeat extends it by 60 s (HA_JOB_VISIBILITY_TIMEOUT_MS): ' +
      'a dead worker\'s job reappears at most 60 s after its last receipt or heartbeat');
  });
});

describe('WorkerPool recovery figure from the synthesized settings', () => {
  test('an escape-hatch override of the queue\'s visibility timeout counts', () => {
    const { pool } = build(testApp(), { minWorkers: 2 });
    (pool.queue.node.defaultChild as import('aws-cdk-lib/aws-sqs').CfnQueue).visibilityTimeout = 120;
    expect(pool.jobRecoveryTime.toSeconds()).toBe(120);
  });

  test('an escape-hatch override of the heartbeat extension in the container environment counts', () => {
    const { pool } = build(testApp(), { minWorkers: 2 });
    (pool.processing.taskDefinition.node.defaultChild as import('aws-cdk-lib/aws-ecs').CfnTaskDefinition)
      .addPropertyOverride('ContainerDefinitions.0.Environment', [{ Name: 'HA_JOB_VISIBILITY_TIMEOUT_MS', Value: '90000' }]);
    expect(pool.jobRecoveryTime.toSeconds()).toBe(90);
  });

  test.each<[string, number, number, number, Partial<WorkerPoolProps>]>([
    ['the defaults', 60, 20, 120, {}],
    ['a 30 s timeout', 30, 10, 90, { visibilityTimeout: Duration.seconds(30) }],
    ['a 10 s timeout and 2 workers', 10, 3, 10, { visibilityTimeout: Duration.seconds(10), minWorkers: 2 }],
    ['a 45 s timeout, a 15 s heartbeat', 45, 15, 105, { visibilityTimeout: Duration.seconds(45), heartbeatInterval: Duration.seconds(15) }],
  ])('%s: visibility %d s, heartbeat %d s, dead-worker path %d s', (_name, visibility, heartbeat, total, props) => {
    const { stack, pool } = build(testApp(), props);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: visibility, RedrivePolicy: Match.anyValue() });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'HA_JOB_HEARTBEAT_INTERVAL_MS', Value: String(heartbeat * 1000) }]) })],
    });
    expect(pool.jobRecoveryTime.toSeconds()).toBe(total);
  });
});

describe('WorkerPool options', () => {
  test.each([
    [{}, 1, 10],
    [{ minWorkers: 0, maxWorkers: 4 }, 0, 4],
    [{ minWorkers: 3, maxWorkers: 3 }, 3, 3],
  ])('scaling bounds %j give min %d, max %d', (props, min, max) => {
    const { stack } = build(testApp(), props);
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: min, MaxCapacity: max });
  });

  test('a pool that scales to zero wakes on a backlog of one job, and warns', () => {
    const { stack, pool } = build(testApp(), { minWorkers: 0 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({
      MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
    Annotations.fromStack(stack).hasWarning('/Pool/Builders', Match.stringLikeRegexp('minWorkers is 0'));
    expect(pool.jobRecoveryTime.toSeconds()).toBe(120);
  });

  test('removalPolicy DESTROY deletes the queues with the stack', () => {
    const { stack } = build(testApp(), { removalPolicy: RemovalPolicy.DESTROY });
    const queues = Template.fromStack(stack).findResources('AWS::SQS::Queue');
    expect(Object.values(queues).map(q => q.DeletionPolicy)).toEqual(['Delete', 'Delete']);
  });
});

describe('WorkerPool bad inputs', () => {
  test.each([
    [{ minWorkers: 5, maxWorkers: 2 }, "Pool/Builders: invalid prop 'maxWorkers': received 2; expected at least minWorkers (5): the pool cannot scale between a maximum below its minimum"],
    [{ minWorkers: -1 }, "Pool/Builders: invalid prop 'minWorkers': received -1; expected an integer >= 0"],
    [{ maxWorkers: 0, minWorkers: 0 }, "Pool/Builders: invalid prop 'maxWorkers': received 0; expected an integer >= 1"],
    [{ minWorkers: 1.5 }, "Pool/Builders: invalid prop 'minWorkers': received 1.5; expected an integer >= 0"],
    [{ maxReceiveCount: 0 }, "Pool/Builders: invalid prop 'maxReceiveCount': received 0; expected an integer from 1 to 1000"],
    [{ visibilityTimeout: Duration.hours(13) }, "Pool/Builders: invalid prop 'visibilityTimeout': received 13 hours; expected a duration from 10 seconds to 12 hours"],
    [{ visibilityTimeout: Duration.seconds(5) }, "Pool/Builders: invalid prop 'visibilityTimeout': received 5 seconds; expected a duration from 10 seconds to 12 hours"],
    [{ visibilityTimeout: Duration.millis(30500) }, "Pool/Builders: invalid prop 'visibilityTimeout': received 30 seconds 500 millis; expected whole seconds, e.g. Duration.seconds(60): SQS takes the visibility timeout in seconds"],
    [{ heartbeatInterval: Duration.seconds(60) }, "Pool/Builders: invalid prop 'heartbeatInterval': received 1 minute; expected less than visibilityTimeout (1 minute), ideally at most half of it: " +
      'each heartbeat must extend the job before its visibility ends, or the job reappears while its worker still runs it; shorten heartbeatInterval or lengthen visibilityTimeout'],
    [{ visibilityTimeout: Duration.seconds(30), heartbeatInterval: Duration.seconds(45) }, "Pool/Builders: invalid prop 'heartbeatInterval': received 45 seconds; expected less than visibilityTimeout (30 seconds)"],
    [{ heartbeatInterval: Duration.millis(500) }, "Pool/Builders: invalid prop 'heartbeatInterval': received 500 millis; expected a duration of at least 1 second"],
    [{ maxJobDuration: Duration.hours(13) }, "Pool/Builders: invalid prop 'maxJobDuration': received 13 hours; expected a duration from 1 second to 12 hours"],
    [{ jobsPerWorker: 0 }, "Pool/Builders: invalid prop 'jobsPerWorker': received 0; expected an integer >= 1"],
  ])('fails when %j', (props, message) => {
    expect(() => build(testApp(), props)).toThrow(message);
  });
});

describe('WorkerPool job timing warnings', () => {
  test('warns when the heartbeat leaves less than half the visibility timeout as margin', () => {
    const { stack } = build(testApp(), { heartbeatInterval: Duration.seconds(40) });
    Annotations.fromStack(stack).hasWarning('/Pool/Builders', Match.stringLikeRegexp(
      '^Pool/Builders: heartbeatInterval \\(40 seconds\\) is more than half of visibilityTimeout \\(1 minute\\): one slow or retried .*cdk-ha-patterns:worker-pool-heartbeat-margin'));
  });

  test('warns when a job may run longer than the age that raises OldestJobAgeAlarm', () => {
    const { stack } = build(testApp(), { maxJobDuration: Duration.minutes(30) });
    Annotations.fromStack(stack).hasWarning('/Pool/Builders', Match.stringLikeRegexp(
      'maxJobDuration \\(30 minutes\\) is not below maxJobAge \\(15 minutes\\): SQS counts running jobs .*cdk-ha-patterns:worker-pool-job-outlives-age-alarm'));
  });

  test('no job timing warning with the defaults', () => {
    const { stack } = build(testApp());
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('worker-pool-(heartbeat-margin|job-outlives-age-alarm)'));
  });
});

describe('WorkerPool gates', () => {
  test('passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
    const app = testApp({ validation: true });
    build(app);
    expect(formatFindings(gateFindings(app))).toEqual([]);
  });
});
