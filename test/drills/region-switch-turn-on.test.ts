/**
 * A graceful Region switch execution never loses data: the configuration
 * server's turn-on, run by a plan (its step's payload, or Region switch's
 * execution metadata), asks the database's one promoter for a switchover
 * only, and the promoter never fails over with data loss on such a request,
 * even with its probe alarm in ALARM. (Region switch's event does not say
 * whether the execution is graceful: the step's payload is what the
 * function knows.) AWS calls mocked with aws-sdk-client-mock.
 */
import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as eventsSdk from '@aws-sdk/client-eventbridge';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import * as rdsSdk from '@aws-sdk/client-rds';
import * as route53Sdk from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { promote, PromoterConfig } from '../../lib/ha-database/handler/promotion';

const OLD = 'arn:aws:rds:eu-west-1:123456789012:cluster:config-eu-west-1';
const TARGET = 'arn:aws:rds:us-east-1:123456789012:cluster:config-us-east-1';
const ENV = {
  PRIMARY_REGION: 'eu-west-1', PRIMARY_CLUSTER: 'primary-cluster', PRIMARY_SERVICE: 'primary-server',
  PROBE_INTERVAL_MS: '5', PROBE_TIMEOUT_MS: '50', PROBE_RUN_MS: '12', WRITER_HEALTH_URL: 'http://127.0.0.1:9/health',
  CLUSTER: 'standby-cluster', SERVICE: 'standby-server', DESIRED_COUNT: '3',
  HOSTED_ZONE_ID: 'Z123', RECORD_NAME: 'config-writer.example.com', TARGET_DNS_NAME: 'standby-lb.us-east-1.elb.amazonaws.com', TTL: '20',
  TABLE_NAME: 'config', WRITER_KEY: '__writer__', AWS_REGION: 'us-east-1',
  GLOBAL_CLUSTER_ID: 'config', TARGET_CLUSTER_ARN: TARGET, PROMOTER_FUNCTION: 'arn:aws:lambda:us-east-1:123456789012:function:promoter',
  PROMOTION_TIMEOUT_SECONDS: '60', PROMOTION_POLL_SECONDS: '1',
};
const saved = { ...process.env };
Object.assign(process.env, ENV);
// The entry point reads the primary region and whether it has a database when it loads.
const entry = require('../../lib/config-server/handler/index') as {
  handler: (event: object) => Promise<unknown>;
  switchoverOnly: (event: object) => boolean;
};
afterAll(() => { process.env = saved; });

/** The payload the plan's turn-on step sends, as Region switch merges its execution metadata into it. */
const REGION_SWITCH_EVENT = {
  action: 'turn-on', promotion: 'switchover-only',
  InvokedBy: 'arc-region-switch', PlanArn: 'arn:aws:arc-region-switch::123456789012:plan/config:abc123', ExecutionId: 'e-1', StepName: 'run-automation',
};

describe('the configuration server\'s turn-on, run by a Region switch plan', () => {
  let restore = () => undefined as unknown;
  afterEach(() => { restore(); jest.restoreAllMocks(); });

  function mocks() {
    const ecs = mockClient(ecsSdk.ECSClient);
    const route53 = mockClient(route53Sdk.Route53Client);
    const dynamodb = mockClient(dynamodbSdk.DynamoDBClient);
    const rds = mockClient(rdsSdk.RDSClient);
    const lambda = mockClient(lambdaSdk.LambdaClient);
    ecs.on(ecsSdk.DescribeServicesCommand).resolves({ services: [{ serviceName: 'x', desiredCount: 0 }] });
    ecs.on(ecsSdk.UpdateServiceCommand).resolves({});
    route53.on(route53Sdk.ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [] });
    route53.on(route53Sdk.ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: 'c', Status: 'PENDING', SubmittedAt: new Date() } });
    dynamodb.on(dynamodbSdk.GetItemCommand).resolves({});
    dynamodb.on(dynamodbSdk.PutItemCommand).resolves({});
    rds.on(rdsSdk.DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: OLD, IsWriter: true }] }] });
    lambda.on(lambdaSdk.InvokeCommand).callsFake(() => {
      rds.on(rdsSdk.DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: TARGET, IsWriter: true }] }] });
      return { StatusCode: 202 };
    });
    restore = () => [ecs, route53, dynamodb, rds, lambda].forEach(m => m.restore());
    return { rds, lambda };
  }

  const promoterRequest = (lambda: ReturnType<typeof mocks>['lambda']) =>
    JSON.parse(Buffer.from(lambda.commandCalls(lambdaSdk.InvokeCommand)[0].args[0].input.Payload as Uint8Array).toString()) as Record<string, unknown>;

  test('asks the promoter for a switchover only (never a failover with data loss), and never calls FailoverGlobalCluster itself', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const aws = mocks();
    await entry.handler(REGION_SWITCH_EVENT);
    expect(promoterRequest(aws.lambda)).toEqual({ action: 'promote', requestedBy: 'configuration server turn-on in us-east-1', switchoverOnly: true });
    expect(aws.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  test.each([
    ['the step\'s payload', { promotion: 'switchover-only' }, true],
    ['Region switch\'s execution metadata alone (a plan built by hand)', { ExecutionId: 'e-2', PlanArn: 'arn:plan' }, true],
    ['the probe alarm\'s rule', { 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'ALARM' } } }, false],
    ['a hand invocation', {}, false],
  ])('switchover only when invoked by %s', (_what, event, expected) => {
    expect(entry.switchoverOnly(event)).toBe(expected);
  });

  test('the probe alarm\'s own turn-on still lets the promoter decide (failover once its alarm confirms the loss)', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const aws = mocks();
    await entry.handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'probe', state: { value: 'ALARM' } } });
    expect(promoterRequest(aws.lambda)).toEqual({ action: 'promote', requestedBy: 'configuration server turn-on in us-east-1' });
  });
});

describe('the promoter, asked for a switchover only', () => {
  const config: PromoterConfig = { globalClusterIdentifier: 'config', targetClusterArn: TARGET, probeAlarmName: 'probe', timeoutSeconds: 30, pollSeconds: 5 };
  let restore = () => undefined as unknown;
  afterEach(() => restore());

  function fake(sample: 0 | 1) {
    const state = { writer: OLD };
    const rds = mockClient(rdsSdk.RDSClient);
    rds.on(rdsSdk.DescribeGlobalClustersCommand).callsFake(() => ({
      GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: OLD, IsWriter: state.writer === OLD }, { DBClusterArn: TARGET, IsWriter: state.writer === TARGET }] }],
    }));
    rds.on(rdsSdk.SwitchoverGlobalClusterCommand).callsFake(() => { state.writer = TARGET; return {}; });
    rds.on(rdsSdk.FailoverGlobalClusterCommand).callsFake(() => { state.writer = TARGET; return {}; });
    // The probe alarm is in ALARM: a plain request would fail over with data loss.
    const cloudwatch = mockClient(cloudwatchSdk.CloudWatchClient);
    cloudwatch.on(cloudwatchSdk.DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'probe', StateValue: 'ALARM' }] });
    const events = mockClient(eventsSdk.EventBridgeClient);
    events.on(eventsSdk.PutEventsCommand).resolves({ FailedEntryCount: 0 });
    restore = () => [rds, cloudwatch, events].forEach(m => m.restore());
    const clients = {
      rds: new rdsSdk.RDSClient({}), cloudwatch: new cloudwatchSdk.CloudWatchClient({}), events: new eventsSdk.EventBridgeClient({}),
      sample: () => Promise.resolve({ unreachable: sample, detail: sample ? 'refused' : 'accepts' }),
    };
    let clock = 0;
    return { rds, clients, now: () => clock, sleep: (ms: number) => { clock += ms; return Promise.resolve(); } };
  }

  test('with its probe alarm in ALARM and the writer serving: a switchover, never a failover with data loss', async () => {
    const aws = fake(0);
    const result = await promote(aws.clients, config, 'switchover-request', 'plan', aws.now, aws.sleep);
    expect(result).toMatchObject({ mode: 'switchover', changed: true });
    expect(aws.rds.commandCalls(rdsSdk.SwitchoverGlobalClusterCommand)).toHaveLength(1);
    expect(aws.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  test('with the writer lost: nothing (deferred to the alarm\'s own failover or the runbook), never a failover with data loss', async () => {
    const aws = fake(1);
    const result = await promote(aws.clients, config, 'switchover-request', 'plan', aws.now, aws.sleep);
    expect(result).toMatchObject({ mode: 'deferred', changed: false, detail: expect.stringMatching(/never fails over with data loss/) });
    expect(aws.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(aws.rds.commandCalls(rdsSdk.SwitchoverGlobalClusterCommand)).toHaveLength(0);
  });

  test('a plain request with the alarm in ALARM still fails over (the promoter decides): the switchover-only request is what keeps graceful runs safe', async () => {
    const aws = fake(0);
    const result = await promote(aws.clients, config, 'request', 'consumer', aws.now, aws.sleep);
    expect(result).toMatchObject({ mode: 'failover' });
    expect(aws.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand).map(c => c.args[0].input.AllowDataLoss)).toEqual([true]);
  });
});
