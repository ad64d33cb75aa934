/**
 * HaDatabase's Lambda entry point (lib/ha-database/handler/index.ts), in the
 * secondary region: the schedule samples the primary writer, an ALARM state
 * change promotes the secondary, anything else is skipped. The AWS calls are
 * mocked (aws-sdk-client-mock).
 */
import * as rdsSdk from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';

const TARGET = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1';
const ENV = {
  PRIMARY_REGION: 'eu-west-1', PRIMARY_CLUSTER_ID: 'orders-eu-west-1', GLOBAL_CLUSTER_ID: 'orders', TARGET_CLUSTER_ARN: TARGET,
  PROBE_INTERVAL_MS: '5', PROBE_TIMEOUT_MS: '50', PROBE_RUN_MS: '12',
};

type Handler = (event: object) => Promise<{ samples: number; unreachable: number; changed?: boolean; skipped?: string }>;
const saved = { ...process.env };
Object.assign(process.env, ENV);
// The entry point reads the primary region when it loads (its probe's client): loaded after the environment is set.
const { handler } = require('../../lib/ha-database/handler/index') as { handler: Handler };
const sdk = rdsSdk;
afterAll(() => { process.env = saved; });

function rds(primary: { Status?: string; writer?: boolean } | 'unreachable', globalWriter = 'arn:primary') {
  const mock = mockClient(sdk.RDSClient);
  mock.on(sdk.DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: globalWriter, IsWriter: true }] }] });
  if (primary === 'unreachable') mock.on(sdk.DescribeDBClustersCommand).rejects(new Error('connect ETIMEDOUT'));
  else {
    mock.on(sdk.DescribeDBClustersCommand).resolves({ DBClusters: [{
      Status: primary.Status, DBClusterMembers: primary.writer === false ? [] : [{ DBInstanceIdentifier: 'orders-1', IsClusterWriter: true }],
    }] });
  }
  mock.on(sdk.FailoverGlobalClusterCommand).resolves({});
  return mock;
}

afterEach(() => {
  mockClient(sdk.RDSClient).restore();
  jest.restoreAllMocks();
});

describe('HaDatabase probe entry point', () => {
  test('the schedule samples the primary cluster by its identifier and publishes each sample as PrimaryWriterUnreachable', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const mock = rds({ Status: 'available' });
    const out = await handler({ 'detail-type': 'Scheduled Event' });
    expect(out.samples).toBeGreaterThanOrEqual(1);
    expect(out.unreachable).toBe(0);
    expect(mock.commandCalls(sdk.DescribeDBClustersCommand)[0].args[0].input).toEqual({ DBClusterIdentifier: 'orders-eu-west-1' });
    // through the primary region's endpoint, one attempt per sample (a timeout is the answer)
    const client = mock.commandCalls(sdk.DescribeDBClustersCommand)[0].thisValue as rdsSdk.RDSClient;
    expect([await client.config.region(), await client.config.maxAttempts()]).toEqual(['eu-west-1', 1]);
    expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ PrimaryWriterUnreachable: 0, Cluster: 'orders-eu-west-1' });
    expect(mock.commandCalls(sdk.FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  test('every sample fails while the primary region does not answer, or its cluster has no writer or a status Aurora does not repair', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    for (const primary of ['unreachable', { Status: 'available', writer: false }, { Status: 'stopped' }] as const) {
      rds(primary);
      const out = await handler({ 'detail-type': 'Scheduled Event' });
      expect([primary, out.unreachable]).toEqual([primary, out.samples]);
      mockClient(sdk.RDSClient).restore();
    }
    // A cluster without a reported status but with a writer serves.
    rds({});
    expect((await handler({ 'detail-type': 'Scheduled Event' })).unreachable).toBe(0);
  });

  test('an ALARM state change promotes the secondary with data loss allowed, and logs what it did', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const mock = rds('unreachable');
    const out = await handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'probe', state: { value: 'ALARM' } } });
    expect(out.changed).toBe(true);
    expect(JSON.parse(log.mock.calls[0][0] as string)).toEqual({ alarm: 'probe', ...out });
    expect(mock.commandCalls(sdk.FailoverGlobalClusterCommand).map(c => c.args[0].input)).toEqual([
      { GlobalClusterIdentifier: 'orders', TargetDbClusterIdentifier: TARGET, AllowDataLoss: true },
    ]);
    expect(mock.commandCalls(sdk.DescribeGlobalClustersCommand)[0].args[0].input).toEqual({ GlobalClusterIdentifier: 'orders' });
  });

  test('an OK state change or an unknown event is skipped, naming what it was', async () => {
    const mock = rds('unreachable');
    expect(await handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'OK' } } }))
      .toEqual({ skipped: 'not a schedule or an ALARM state change (CloudWatch Alarm State Change)' });
    expect(await handler({})).toEqual({ skipped: 'not a schedule or an ALARM state change (no detail-type)' });
    // An ALARM state in an event of another kind is no alarm state change either.
    expect(await handler({ 'detail-type': 'Custom Drill', 'detail': { state: { value: 'ALARM' } } }))
      .toEqual({ skipped: 'not a schedule or an ALARM state change (Custom Drill)' });
    expect(mock.calls()).toHaveLength(0);
  });

  test('a missing setting fails with its name', async () => {
    delete process.env.TARGET_CLUSTER_ARN;
    try {
      await expect(handler({})).rejects.toThrow('environment variable TARGET_CLUSTER_ARN is not set');
    } finally {
      process.env.TARGET_CLUSTER_ARN = TARGET;
    }
  });
});
