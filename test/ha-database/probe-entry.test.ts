/**
 * HaDatabase's Lambda entry point (lib/ha-database/handler/index.ts), in the
 * secondary region: the schedule samples the primary writer (a real TCP
 * connection to a local listener standing for the writer, confirmed by the
 * mocked RDS API), its alarm promotes with data loss, a consumer's request
 * switches over, anything else is skipped.
 */
import * as net from 'net';
import { AddressInfo } from 'net';
import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import * as eventsSdk from '@aws-sdk/client-eventbridge';
import * as rdsSdk from '@aws-sdk/client-rds';
import * as ssmSdk from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

const TARGET = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1';
const ENV = {
  PRIMARY_REGION: 'eu-west-1', PRIMARY_CLUSTER_ID: 'orders-eu-west-1', GLOBAL_CLUSTER_ID: 'orders', TARGET_CLUSTER_ARN: TARGET,
  ENDPOINT_PARAMETER: '/orders/writer-endpoint', PROBE_ALARM_NAME: 'writer-probe', PROMOTION_TIMEOUT_SECONDS: '5', PROMOTION_POLL_SECONDS: '1',
  PROBE_INTERVAL_MS: '5', PROBE_TIMEOUT_MS: '200', PROBE_RUN_MS: '12',
};

type Out = { samples: number; unreachable: number; changed?: boolean; mode?: string; skipped?: string };
type Handler = (event: object) => Promise<Out>;
const saved = { ...process.env };
Object.assign(process.env, ENV);
// The entry point reads the primary region and the parameter when it loads: loaded after the environment is set.
const { handler } = require('../../lib/ha-database/handler/index') as { handler: Handler };

/** A listener standing for the primary writer, and a port nothing listens on. */
const writer = net.createServer(socket => socket.destroy());
let openPort = 0;
let closedPort = 0;
beforeAll(async () => {
  await new Promise<void>(resolve => writer.listen(0, '127.0.0.1', () => resolve()));
  openPort = (writer.address() as AddressInfo).port;
  const probe = net.createServer();
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', () => resolve()));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise(resolve => probe.close(resolve));
});
afterAll(async () => {
  process.env = saved;
  await new Promise(resolve => writer.close(resolve));
});

type Primary = { Status?: string; writer?: boolean; port?: number } | 'unreachable';
function aws(primary: Primary, options: { parameter?: string; alarm?: string } = {}) {
  const rds = mockClient(rdsSdk.RDSClient);
  let promoted = false;
  rds.on(rdsSdk.DescribeGlobalClustersCommand).callsFake(() => ({
    GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: promoted ? TARGET : 'arn:primary', IsWriter: true }] }],
  }));
  if (primary === 'unreachable') rds.on(rdsSdk.DescribeDBClustersCommand).rejects(new Error('connect ETIMEDOUT'));
  else {
    rds.on(rdsSdk.DescribeDBClustersCommand).resolves({ DBClusters: [{
      Status: primary.Status ?? 'available', Endpoint: '127.0.0.1', Port: primary.port,
      DBClusterMembers: primary.writer === false ? [] : [{ DBInstanceIdentifier: 'orders-1', IsClusterWriter: true }],
    }] });
  }
  rds.on(rdsSdk.FailoverGlobalClusterCommand).callsFake(() => { promoted = true; return {}; });
  rds.on(rdsSdk.SwitchoverGlobalClusterCommand).callsFake(() => { promoted = true; return {}; });
  const ssm = mockClient(ssmSdk.SSMClient);
  ssm.on(ssmSdk.GetParameterCommand).resolves({ Parameter: { Value: options.parameter ?? 'unknown' } });
  ssm.on(ssmSdk.PutParameterCommand).resolves({});
  const cloudwatch = mockClient(cloudwatchSdk.CloudWatchClient);
  cloudwatch.on(cloudwatchSdk.DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: (options.alarm ?? 'OK') as 'OK' }] });
  const events = mockClient(eventsSdk.EventBridgeClient);
  events.on(eventsSdk.PutEventsCommand).resolves({ FailedEntryCount: 0 });
  return { rds, ssm, cloudwatch, events };
}

afterEach(() => {
  mockClient(rdsSdk.RDSClient).restore();
  mockClient(ssmSdk.SSMClient).restore();
  mockClient(cloudwatchSdk.CloudWatchClient).restore();
  mockClient(eventsSdk.EventBridgeClient).restore();
  jest.restoreAllMocks();
});

describe('HaDatabase promoter entry point', () => {
  // Runs first: the endpoint is kept in memory once learnt.
  test('with no writer endpoint known yet, API errors alone never fail a sample', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const mock = aws('unreachable');
    const out = await handler({ 'detail-type': 'Scheduled Event' });
    expect([out.samples > 0, out.unreachable]).toEqual([true, 0]);
    expect(mock.ssm.commandCalls(ssmSdk.GetParameterCommand)[0].args[0].input).toEqual({ Name: '/orders/writer-endpoint' });
  });

  test('the schedule connects to the writer the primary\'s API names, keeps its endpoint and publishes each sample as PrimaryWriterUnreachable', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const mock = aws({ port: openPort });
    const out = await handler({ 'detail-type': 'Scheduled Event' });
    expect(out.unreachable).toBe(0);
    expect(mock.rds.commandCalls(rdsSdk.DescribeDBClustersCommand)[0].args[0].input).toEqual({ DBClusterIdentifier: 'orders-eu-west-1' });
    // through the primary region's endpoint, one attempt per sample (a timeout is the answer)
    const client = mock.rds.commandCalls(rdsSdk.DescribeDBClustersCommand)[0].thisValue as rdsSdk.RDSClient;
    expect([await client.config.region(), await client.config.maxAttempts()]).toEqual(['eu-west-1', 1]);
    expect(mock.ssm.commandCalls(ssmSdk.PutParameterCommand)[0].args[0].input).toEqual({
      Name: '/orders/writer-endpoint', Value: `127.0.0.1:${openPort}`, Overwrite: true, Type: 'String',
    });
    expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ PrimaryWriterUnreachable: 0, Cluster: 'orders-eu-west-1' });
    expect(mock.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  test('every sample fails while the writer refuses connections and the primary\'s API says it cannot serve', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    aws({ port: closedPort, Status: 'stopped' });
    const out = await handler({ 'detail-type': 'Scheduled Event' });
    expect(out.unreachable).toBe(out.samples);
  });

  test('a writer that accepts connections is serving even when the primary\'s API fails (a brownout)', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    aws({ port: openPort });
    await handler({ 'detail-type': 'Scheduled Event' });
    mockClient(rdsSdk.RDSClient).restore();
    aws('unreachable');
    expect((await handler({ 'detail-type': 'Scheduled Event' })).unreachable).toBe(0);
  });

  test('an ALARM state change fails over with data loss, waits for the promotion and announces it', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const mock = aws('unreachable');
    const out = await handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'writer-probe', state: { value: 'ALARM' } } });
    expect(out).toMatchObject({ mode: 'failover', changed: true });
    expect(mock.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand).map(c => c.args[0].input)).toEqual([
      { GlobalClusterIdentifier: 'orders', TargetDbClusterIdentifier: TARGET, AllowDataLoss: true },
    ]);
    expect(mock.events.commandCalls(eventsSdk.PutEventsCommand)).toHaveLength(1);
    expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ requestedBy: 'alarm writer-probe', mode: 'failover' });
  });

  test('a consumer\'s request while the alarm is OK and the writer serves: a switchover, no data loss', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const mock = aws({ port: openPort });
    const out = await handler({ action: 'promote', requestedBy: 'config server' });
    expect(out).toMatchObject({ mode: 'switchover', changed: true });
    expect(mock.cloudwatch.commandCalls(cloudwatchSdk.DescribeAlarmsCommand)[0].args[0].input).toEqual({ AlarmNames: ['writer-probe'], AlarmTypes: ['MetricAlarm'] });
    expect(mock.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  test('an OK state change or an unknown event is skipped, naming what it was', async () => {
    const mock = aws('unreachable');
    const skipped = (what: string) => ({ skipped: `not a schedule, an ALARM state change or a promotion request (${what})` });
    expect(await handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'OK' } } })).toEqual(skipped('CloudWatch Alarm State Change'));
    expect(await handler({})).toEqual(skipped('no detail-type'));
    expect(await handler({ action: 'drop' })).toEqual(skipped('drop'));
    // An ALARM state in an event of another kind is no alarm state change either.
    expect(await handler({ 'detail-type': 'Custom Drill', 'detail': { state: { value: 'ALARM' } } })).toEqual(skipped('Custom Drill'));
    expect(mock.rds.calls()).toHaveLength(0);
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
