/**
 * The database promoter's entry point (lib/ha-database/handler/index.ts) takes
 * the turn-on's switchover-only request as such: with its probe alarm in
 * ALARM, a plain request fails over with data loss, a switchover-only one
 * (what a Region switch plan's turn-on sends) never does. AWS mocked.
 */
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
const saved = { ...process.env };
Object.assign(process.env, ENV);
// The entry point reads the primary region and the parameter when it loads.
const { handler } = require('../../lib/ha-database/handler/index') as { handler: (event: object) => Promise<{ mode?: string; changed?: boolean; detail?: string }> };
afterAll(() => { process.env = saved; });

/** The primary region is unreachable and the probe alarm is in ALARM: the confirmed loss a plain request fails over on. */
function lostPrimary() {
  const rds = mockClient(rdsSdk.RDSClient);
  let promoted = false;
  rds.on(rdsSdk.DescribeGlobalClustersCommand).callsFake(() => ({
    GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: promoted ? TARGET : 'arn:primary', IsWriter: true }] }],
  }));
  rds.on(rdsSdk.DescribeDBClustersCommand).rejects(new Error('connect ETIMEDOUT'));
  rds.on(rdsSdk.FailoverGlobalClusterCommand).callsFake(() => { promoted = true; return {}; });
  rds.on(rdsSdk.SwitchoverGlobalClusterCommand).callsFake(() => { promoted = true; return {}; });
  const ssm = mockClient(ssmSdk.SSMClient);
  ssm.on(ssmSdk.GetParameterCommand).resolves({ Parameter: { Value: 'unknown' } });
  ssm.on(ssmSdk.PutParameterCommand).resolves({});
  const cloudwatch = mockClient(cloudwatchSdk.CloudWatchClient);
  cloudwatch.on(cloudwatchSdk.DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: 'ALARM' }] });
  const events = mockClient(eventsSdk.EventBridgeClient);
  events.on(eventsSdk.PutEventsCommand).resolves({ FailedEntryCount: 0 });
  return { rds };
}

afterEach(() => {
  mockClient(rdsSdk.RDSClient).restore();
  mockClient(ssmSdk.SSMClient).restore();
  mockClient(cloudwatchSdk.CloudWatchClient).restore();
  mockClient(eventsSdk.EventBridgeClient).restore();
  jest.restoreAllMocks();
});

test('a switchover-only request (a plan\'s turn-on) never fails over with data loss, even with the probe alarm in ALARM', async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const aws = lostPrimary();
  const out = await handler({ action: 'promote', requestedBy: 'configuration server turn-on in us-east-1', switchoverOnly: true });
  // The probe's one sample cannot confirm the loss (an API error alone never does): a switchover, which loses nothing.
  expect(out).toMatchObject({ mode: 'switchover' });
  expect(aws.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand)).toHaveLength(0);
  expect(aws.rds.commandCalls(rdsSdk.SwitchoverGlobalClusterCommand)).toHaveLength(1);
});

test('a plain request with the probe alarm in ALARM fails over with data loss (the promoter decides, as before)', async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const aws = lostPrimary();
  const out = await handler({ action: 'promote', requestedBy: 'config server' });
  expect(out).toMatchObject({ mode: 'failover', changed: true });
  expect(aws.rds.commandCalls(rdsSdk.FailoverGlobalClusterCommand).map(c => c.args[0].input.AllowDataLoss)).toEqual([true]);
});
