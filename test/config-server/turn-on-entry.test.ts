/**
 * The configuration server's Lambda entry point (lib/config-server/handler/index.ts):
 * which event does what, with the settings read from the environment the
 * construct sets. The AWS calls are mocked (aws-sdk-client-mock); the turn-on's
 * own steps are tested in turn-on.test.ts.
 */
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as rdsSdk from '@aws-sdk/client-rds';
import * as route53Sdk from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';

const TARGET = 'arn:aws:rds:us-east-1:123456789012:cluster:config-us-east-1';
const ENV = {
  PRIMARY_REGION: 'eu-west-1', PRIMARY_CLUSTER: 'primary-cluster', PRIMARY_SERVICE: 'primary-server',
  PROBE_INTERVAL_MS: '5', PROBE_TIMEOUT_MS: '50', PROBE_RUN_MS: '12',
  CLUSTER: 'standby-cluster', SERVICE: 'standby-server', DESIRED_COUNT: '3',
  HOSTED_ZONE_ID: 'Z123', RECORD_NAME: 'config-writer.example.com', TARGET_DNS_NAME: 'standby-lb.us-east-1.elb.amazonaws.com', TTL: '20',
  TABLE_NAME: 'config', WRITER_KEY: '__writer__', AWS_REGION: 'us-east-1',
};
const DATABASE_ENV = {
  GLOBAL_CLUSTER_ID: 'config', TARGET_CLUSTER_ARN: TARGET, ALLOW_DATA_LOSS: 'true', PROMOTION_TIMEOUT_SECONDS: '60', PROMOTION_POLL_SECONDS: '1',
};

type Out = { steps: Array<{ step: string }>; samples: number; unreachable: number; skipped?: string };
type Handler = (event?: object) => Promise<Out>;
type Sdk = { ecs: typeof ecsSdk; route53: typeof route53Sdk; dynamodb: typeof dynamodbSdk; rds: typeof rdsSdk };

// What the entry point reads when it loads: the primary region (its probe's client) and whether it has a
// database store (its RDS client). Everything else it reads per invocation; `load` sets it per describe.
process.env.PRIMARY_REGION = ENV.PRIMARY_REGION;
process.env.GLOBAL_CLUSTER_ID = DATABASE_ENV.GLOBAL_CLUSTER_ID;
const { handler: entryPoint } = require('../../lib/config-server/handler/index') as { handler: Handler };
const SDK: Sdk = { ecs: ecsSdk, route53: route53Sdk, dynamodb: dynamodbSdk, rds: rdsSdk };

/** The entry point, invoked with `env` as its environment (what the construct sets), and the SDK modules to mock. */
function load(env: Record<string, string>): { handler: Handler; sdk: Sdk } {
  const handler: Handler = async event => {
    for (const key of [...Object.keys(ENV), ...Object.keys(DATABASE_ENV)]) delete process.env[key];
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
  rds.on(sdk.rds.FailoverGlobalClusterCommand).callsFake(() => {
    // Promoted at once: the next describe sees the target as the writer.
    rds.on(sdk.rds.DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: TARGET, IsWriter: true }] }] });
    return {};
  });
  restore = () => [ecs, route53, dynamodb, rds].forEach(m => m.restore());
  return { ecs, route53, dynamodb, rds };
}

let restore = () => undefined as unknown;
const env = { ...process.env };
afterEach(() => {
  restore();
  jest.restoreAllMocks();
  overrides = {};
  removed = [];
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
    expect(JSON.parse(log.mock.calls[0][0] as string)).toEqual({ message: 'cold standby turned on', alarm: 'probe', steps: out.steps });
    expect(out.steps.map(s => s.step)).toEqual(['scale-standby', 'move-writer-name', 'flip-writer-flag']);
    expect(aws.ecs.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual([{ cluster: 'standby-cluster', service: 'standby-server', desiredCount: 3 }]);
    const change = aws.route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input;
    expect(change.HostedZoneId).toBe('Z123');
    expect(change.ChangeBatch!.Changes![0].ResourceRecordSet).toEqual({
      Name: 'config-writer.example.com.', Type: 'CNAME', TTL: 20, ResourceRecords: [{ Value: 'standby-lb.us-east-1.elb.amazonaws.com' }],
    });
    expect(aws.dynamodb.commandCalls(PutItemCommand)[0].args[0].input).toMatchObject({ TableName: 'config', Item: { pk: { S: '__writer__' }, region: { S: 'us-east-1' } } });
    expect(aws.rds.calls()).toHaveLength(0);
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

  test('the schedule samples the live server through the primary\'s ECS endpoint and publishes each sample; no turn-on', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
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
    const up = await handler({ 'detail-type': 'Scheduled Event' });
    expect(up.unreachable).toBe(0);
  });

  test('a missing setting fails with its name', async () => {
    mocks(sdk);
    removed = ['TABLE_NAME'];
    await expect(handler({})).rejects.toThrow('missing environment variable TABLE_NAME');
  });
});

describe('config server entry point with an HaDatabase store', () => {
  test('promotes the database (AllowDataLoss as set) before the flag, and waits for it', async () => {
    const { handler, sdk } = load({ ...ENV, ...DATABASE_ENV });
    const aws = mocks(sdk);
    const out = await handler({});
    expect(out.steps.map(s => s.step)).toEqual(['scale-standby', 'promote-database', 'move-writer-name', 'wait-for-database', 'flip-writer-flag']);
    expect(aws.rds.commandCalls(sdk.rds.FailoverGlobalClusterCommand)[0].args[0].input).toEqual({
      GlobalClusterIdentifier: 'config', TargetDbClusterIdentifier: TARGET, AllowDataLoss: true,
    });
  });

  test('ALLOW_DATA_LOSS other than "true" fails over without data loss', async () => {
    const { handler, sdk } = load({ ...ENV, ...DATABASE_ENV, ALLOW_DATA_LOSS: 'false' });
    const aws = mocks(sdk);
    await handler({});
    expect(aws.rds.commandCalls(sdk.rds.FailoverGlobalClusterCommand)[0].args[0].input.AllowDataLoss).toBe(false);
  });
});
