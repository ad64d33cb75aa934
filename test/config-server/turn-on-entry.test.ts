/**
 * The configuration server's Lambda entry point (lib/config-server/handler/index.ts):
 * which event does what, with the settings read from the environment the
 * construct sets. The AWS calls are mocked (aws-sdk-client-mock); the turn-on's
 * own steps are tested in turn-on.test.ts.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import * as rdsSdk from '@aws-sdk/client-rds';
import * as route53Sdk from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';

/** The live server's health check and CloudFormation's response URL: a local HTTP server whose health status a test sets. */
const local = { health: 200, responses: [] as Array<Record<string, unknown>> };
const server = http.createServer((req, res) => {
  if (req.method === 'PUT') {
    let body = '';
    req.on('data', chunk => { body += chunk; });
    req.on('end', () => { local.responses.push(JSON.parse(body)); res.end(); });
    return;
  }
  res.writeHead(local.health);
  res.end();
});
let base = '';
beforeAll(async () => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ENV.WRITER_HEALTH_URL = `${base}/health`;
});
afterAll(() => new Promise(resolve => server.close(resolve)));

const TARGET = 'arn:aws:rds:us-east-1:123456789012:cluster:config-us-east-1';
const ENV = {
  PRIMARY_REGION: 'eu-west-1', PRIMARY_CLUSTER: 'primary-cluster', PRIMARY_SERVICE: 'primary-server',
  PROBE_INTERVAL_MS: '5', PROBE_TIMEOUT_MS: '50', PROBE_RUN_MS: '12',
  CLUSTER: 'standby-cluster', SERVICE: 'standby-server', DESIRED_COUNT: '3',
  HOSTED_ZONE_ID: 'Z123', RECORD_NAME: 'config-writer.example.com', TARGET_DNS_NAME: 'standby-lb.us-east-1.elb.amazonaws.com', TTL: '20',
  TABLE_NAME: 'config', WRITER_KEY: '__writer__', AWS_REGION: 'us-east-1', WRITER_HEALTH_URL: '',
};
const DATABASE_ENV = {
  GLOBAL_CLUSTER_ID: 'config', TARGET_CLUSTER_ARN: TARGET, PROMOTER_FUNCTION: 'arn:aws:lambda:us-east-1:123456789012:function:promoter', PROMOTION_TIMEOUT_SECONDS: '60', PROMOTION_POLL_SECONDS: '1',
};

/** What the failback function's environment adds (the construct sets it in the primary region). */
const FAIL_BACK_ENV = {
  FAIL_BACK: 'true', AWS_REGION: 'eu-west-1', CLUSTER: 'primary-cluster', SERVICE: 'primary-server', TARGET_DNS_NAME: 'primary-lb.eu-west-1.elb.amazonaws.com',
  STANDBY_REGION: 'us-east-1', DRAIN_SECONDS: '0', REPLICATION_TIMEOUT_SECONDS: '10', POLL_SECONDS: '1',
};

type Out = { steps: Array<{ step: string }>; samples: number; unreachable: number; skipped?: string };
type Handler = (event?: object) => Promise<Out>;
type Sdk = { ecs: typeof ecsSdk; route53: typeof route53Sdk; dynamodb: typeof dynamodbSdk; rds: typeof rdsSdk; lambda: typeof lambdaSdk };

// What the entry point reads when it loads: the primary region (its probe's client) and whether it has a
// database store (its RDS client). Everything else it reads per invocation; `load` sets it per describe.
process.env.PRIMARY_REGION = ENV.PRIMARY_REGION;
process.env.GLOBAL_CLUSTER_ID = DATABASE_ENV.GLOBAL_CLUSTER_ID;
const { handler: entryPoint } = require('../../lib/config-server/handler/index') as { handler: Handler };
const SDK: Sdk = { ecs: ecsSdk, route53: route53Sdk, dynamodb: dynamodbSdk, rds: rdsSdk, lambda: lambdaSdk };

/** The entry point, invoked with `env` as its environment (what the construct sets), and the SDK modules to mock. */
function load(env: Record<string, string>): { handler: Handler; sdk: Sdk } {
  const handler: Handler = async event => {
    for (const key of [...Object.keys(ENV), ...Object.keys(DATABASE_ENV), ...Object.keys(FAIL_BACK_ENV)]) delete process.env[key];
    Object.assign(process.env, env, overrides);
    for (const key of removed) delete process.env[key];
    return entryPoint(event);
  };
  return { handler, sdk: SDK };
}
/** Settings a test changes or removes for its own invocations. */
let overrides: Record<string, string> = {};
let removed: string[] = [];

function mocks(sdk: Sdk, runningCount = 2) {
  const ecs = mockClient(sdk.ecs.ECSClient);
  const route53 = mockClient(sdk.route53.Route53Client);
  const dynamodb = mockClient(sdk.dynamodb.DynamoDBClient);
  const rds = mockClient(sdk.rds.RDSClient);
  ecs.on(sdk.ecs.DescribeServicesCommand).resolves({ services: [{ serviceName: 'x', desiredCount: 0, runningCount }] });
  ecs.on(sdk.ecs.UpdateServiceCommand).resolves({});
  route53.on(sdk.route53.ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [] });
  route53.on(sdk.route53.ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: 'c', Status: 'PENDING', SubmittedAt: new Date() } });
  dynamodb.on(sdk.dynamodb.GetItemCommand).resolves({});
  dynamodb.on(sdk.dynamodb.PutItemCommand).resolves({});
  rds.on(sdk.rds.DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: 'arn:old', IsWriter: true }] }] });
  const lambda = mockClient(sdk.lambda.LambdaClient);
  lambda.on(sdk.lambda.InvokeCommand).callsFake(() => {
    // The promoter promotes at once: the next describe sees the target as the writer.
    rds.on(sdk.rds.DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: TARGET, IsWriter: true }] }] });
    return { StatusCode: 202 };
  });
  restore = () => [ecs, route53, dynamodb, rds, lambda].forEach(m => m.restore());
  return { ecs, route53, dynamodb, rds, lambda };
}

let restore = () => undefined as unknown;
const env = { ...process.env };
afterEach(() => {
  restore();
  jest.restoreAllMocks();
  overrides = {};
  removed = [];
  local.health = 200;
  local.responses = [];
});
afterAll(() => { process.env = env; });

describe('config server entry point with a DynamoDB store', () => {
  const { handler, sdk } = load(ENV);
  const { DescribeServicesCommand, UpdateServiceCommand } = sdk.ecs;
  const { ChangeResourceRecordSetsCommand } = sdk.route53;
  const { PutItemCommand } = sdk.dynamodb;

  test('an ALARM state change turns the standby on with the environment\'s settings; no database call', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const aws = mocks(sdk);
    const out = await handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'probe', state: { value: 'ALARM' } } });
    expect(JSON.parse(log.mock.calls[0][0] as string)).toEqual({ message: 'cold standby turned on', cause: 'probe', steps: out.steps });
    expect(out.steps.map(s => s.step)).toEqual(['scale-standby', 'move-writer-name', 'flip-writer-flag']);
    expect(aws.ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual([{ cluster: 'standby-cluster', service: 'standby-server', desiredCount: 3 }]);
    const change = aws.route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input;
    expect(change.HostedZoneId).toBe('Z123');
    expect(change.ChangeBatch!.Changes![0].ResourceRecordSet).toEqual({
      Name: 'config-writer.example.com.', Type: 'CNAME', TTL: 20, ResourceRecords: [{ Value: 'standby-lb.us-east-1.elb.amazonaws.com' }],
    });
    expect(aws.dynamodb.commandCalls(PutItemCommand)[0].args[0].input).toMatchObject({ TableName: 'config', Item: { pk: { S: '__writer__' }, region: { S: 'us-east-1' } } });
    expect(aws.rds.calls()).toHaveLength(0);
    expect(aws.lambda.calls()).toHaveLength(0);
  });

  test('an event that is neither a schedule nor an alarm (by hand, a Region switch plan) turns the standby on too', async () => {
    const aws = mocks(sdk);
    const out = await handler({});
    expect(out.steps).toHaveLength(3);
    expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect((await handler()).steps).toHaveLength(3);
  });

  test('an alarm state change other than ALARM does nothing and says which state it was', async () => {
    const aws = mocks(sdk);
    expect(await handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'OK' } } })).toEqual({ skipped: 'alarm state OK' });
    expect(await handler({ 'detail-type': 'CloudWatch Alarm State Change' })).toEqual({ skipped: 'alarm state unknown' });
    expect(aws.ecs.calls()).toHaveLength(0);
  });

  test('the schedule samples the live server (its health check, confirmed by the primary\'s ECS endpoint) and publishes each sample; no turn-on', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    local.health = 503;
    const aws = mocks(sdk, 0);
    const down = await handler({ 'detail-type': 'Scheduled Event' });
    expect(down.samples).toBeGreaterThanOrEqual(1);
    expect(down.unreachable).toBe(down.samples);
    expect(aws.ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'primary-cluster', services: ['primary-server'] });
    // through the primary region's endpoint, one attempt per sample (a timeout is the answer)
    const client = aws.ecs.commandCalls(DescribeServicesCommand)[0].thisValue as ecsSdk.ECSClient;
    expect([await client.config.region(), await client.config.maxAttempts()]).toEqual(['eu-west-1', 1]);
    expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    const lines = log.mock.calls.map(c => JSON.parse(c[0] as string));
    expect(lines[0]).toMatchObject({ PrimaryServerUnreachable: 1, Service: 'primary-server' });

    restore();
    mocks(sdk, 2);
    const partition = await handler({ 'detail-type': 'Scheduled Event' });
    expect(partition.unreachable).toBe(0);

    restore();
    mocks(sdk, 0);
    local.health = 200;
    const healthy = await handler({ 'detail-type': 'Scheduled Event' });
    expect(healthy.unreachable).toBe(0);
  });

  test('the standby\'s initial count (a CloudFormation custom resource): 0 at creation, answered at the response URL', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const aws = mocks(sdk);
    aws.ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'standby-server', desiredCount: 1, status: 'ACTIVE' }] });
    await handler({
      RequestType: 'Create', ResponseURL: `${base}/response`, StackId: 'stack', RequestId: 'r1', LogicalResourceId: 'InitialDesiredCount',
      ResourceProperties: { Cluster: 'standby-cluster', Service: 'standby-server', DesiredCount: '0' },
    });
    expect(aws.ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual([{ cluster: 'standby-cluster', service: 'standby-server', desiredCount: 0 }]);
    expect(local.responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', RequestId: 'r1', LogicalResourceId: 'InitialDesiredCount' })]);
    expect(aws.route53.calls()).toHaveLength(0);
  });

  test('the schedule returns the standby to cold after a failback from this region (the flag says so), then samples as always', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const aws = mocks(sdk, 2);
    aws.dynamodb.on(sdk.dynamodb.GetItemCommand).resolves({ Item: { pk: { S: '__writer__' }, region: { S: 'eu-west-1' }, failedBackFrom: { S: 'us-east-1' } } });
    aws.ecs.on(DescribeServicesCommand, { cluster: 'standby-cluster' }).resolves({ services: [{ desiredCount: 3 }] });
    const out = await handler({ 'detail-type': 'Scheduled Event' }) as Out & { cold: { changed: boolean } };
    expect(aws.ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual([{ cluster: 'standby-cluster', service: 'standby-server', desiredCount: 0 }]);
    expect(out.cold).toMatchObject({ changed: true });
    expect(out.samples).toBeGreaterThanOrEqual(1);
  });

  test('the failback function (FAIL_BACK): any event fails back, fencing the flag in the standby region\'s replica', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const aws = mocks(sdk, 2);
    aws.dynamodb.on(sdk.dynamodb.GetItemCommand).resolves({ Item: { pk: { S: '__writer__' }, region: { S: 'us-east-1' } } });
    // The fence replicates at once: the primary's replica reads the handover on its first read.
    aws.dynamodb.on(sdk.dynamodb.PutItemCommand).callsFake(input => {
      aws.dynamodb.on(sdk.dynamodb.GetItemCommand).resolves({ Item: input.Item });
      return {};
    });
    overrides = FAIL_BACK_ENV;
    const out = await handler({ action: 'fail-back' } as object);
    expect(out.steps.map(s => s.step)).toEqual(['scale-primary', 'fence-writes', 'wait-for-replication', 'move-writer-name', 'flip-writer-flag']);
    const puts = aws.dynamodb.commandCalls(sdk.dynamodb.PutItemCommand);
    expect(await (puts[0].thisValue as dynamodbSdk.DynamoDBClient).config.region()).toBe('us-east-1');
    expect(puts.map(c => c.args[0].input.Item!.region.S)).toEqual(['handover', 'eu-west-1']);
    expect(aws.ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual([{ cluster: 'primary-cluster', service: 'primary-server', desiredCount: 3 }]);
  });

  test('a missing setting fails with its name', async () => {
    mocks(sdk);
    removed = ['TABLE_NAME'];
    await expect(handler({})).rejects.toThrow('missing environment variable TABLE_NAME');
  });
});

describe('config server entry point with an HaDatabase store', () => {
  test('asks the database\'s promoter (never FailoverGlobalCluster itself) before the flag, and waits for it', async () => {
    const { handler, sdk } = load({ ...ENV, ...DATABASE_ENV });
    const aws = mocks(sdk);
    const out = await handler({});
    expect(out.steps.map(s => s.step)).toEqual(['scale-standby', 'request-promotion', 'move-writer-name', 'wait-for-database', 'flip-writer-flag']);
    const invoke = aws.lambda.commandCalls(sdk.lambda.InvokeCommand)[0].args[0].input;
    expect([invoke.FunctionName, invoke.InvocationType, JSON.parse(Buffer.from(invoke.Payload as Uint8Array).toString())]).toEqual([
      DATABASE_ENV.PROMOTER_FUNCTION, 'Event', { action: 'promote', requestedBy: 'configuration server turn-on in us-east-1' },
    ]);
    expect(aws.rds.commandCalls(sdk.rds.FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  test('the promoter\'s announcement (the database was promoted on its own) turns the standby on: the server follows the writer', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { handler, sdk } = load({ ...ENV, ...DATABASE_ENV });
    const aws = mocks(sdk);
    aws.rds.on(sdk.rds.DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: TARGET, IsWriter: true }] }] });
    const out = await handler({ 'source': 'cdk-ha-patterns', 'detail-type': 'HaDatabase Promoted', 'detail': {} });
    expect(out.steps.map(s => s.step)).toEqual(['scale-standby', 'request-promotion', 'move-writer-name', 'wait-for-database', 'flip-writer-flag']);
    expect(aws.lambda.calls()).toHaveLength(0);
    expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ cause: 'the database was promoted to this region' });
  });
});
