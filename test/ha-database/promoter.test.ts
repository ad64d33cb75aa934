/**
 * The one promoter of a global database (handler logic, AWS SDK mocked):
 * which mode it picks (a failover with data loss only on its alarm's
 * data-plane confirmation), that it waits for the promotion and announces it
 * for the writer's consumers, and that it never starts a doomed switchover.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, FailoverStatus, RDSClient, SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { promote, PROMOTED_EVENT, PromoterConfig } from '../../lib/ha-database/handler/promotion';

const OLD = 'arn:aws:rds:eu-west-1:123456789012:cluster:orders-eu-west-1';
const TARGET = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1';
const config: PromoterConfig = { globalClusterIdentifier: 'orders', targetClusterArn: TARGET, probeAlarmName: 'probe', timeoutSeconds: 60, pollSeconds: 5 };

/** A global cluster whose writer moves `after` describes once a promotion was started. */
function fakeAws(options: { alarm?: string; sample?: 0 | 1; after?: number; initialWriter?: string; operation?: FailoverStatus } = {}) {
  const state = { writer: options.initialWriter ?? OLD, started: false, describes: 0 };
  const rds = mockClient(RDSClient);
  rds.on(DescribeGlobalClustersCommand).callsFake(() => {
    if (state.started && ++state.describes > (options.after ?? 1)) state.writer = TARGET;
    const moving = state.started && state.writer !== TARGET;
    return { GlobalClusters: [{
      GlobalClusterIdentifier: 'orders',
      GlobalClusterMembers: [{ DBClusterArn: OLD, IsWriter: state.writer === OLD }, { DBClusterArn: TARGET, IsWriter: state.writer === TARGET }],
      ...(moving ? { FailoverState: { Status: options.operation ?? 'failing-over', ToDbClusterArn: TARGET } } : {}),
    }] };
  });
  rds.on(FailoverGlobalClusterCommand).callsFake(() => { state.started = true; return {}; });
  rds.on(SwitchoverGlobalClusterCommand).callsFake(() => { state.started = true; return {}; });
  const cloudwatch = mockClient(CloudWatchClient);
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'probe', StateValue: (options.alarm ?? 'OK') as 'OK' }] });
  const events = mockClient(EventBridgeClient);
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  const samples: number[] = [];
  const clients = {
    rds: new RDSClient({}), cloudwatch: new CloudWatchClient({}), events: new EventBridgeClient({}),
    sample: () => { samples.push(1); return Promise.resolve({ unreachable: options.sample ?? 0, detail: options.sample ? 'refused, API error' : 'accepts' }); },
  };
  let clock = 0;
  const now = () => clock;
  const sleep = (ms: number) => { clock += ms; return Promise.resolve(); };
  return { state, rds, cloudwatch, events, clients, now, sleep, samples };
}

afterEach(() => {
  mockClient(RDSClient).restore();
  mockClient(CloudWatchClient).restore();
  mockClient(EventBridgeClient).restore();
});

describe('promote', () => {
  test('invoked by its probe alarm: a failover with data loss, without asking the alarm again; waits; announces the new writer', async () => {
    const aws = fakeAws({ after: 2 });
    const result = await promote(aws.clients, config, 'alarm', 'alarm probe', aws.now, aws.sleep);
    expect(result).toMatchObject({ mode: 'failover', changed: true, waitedSeconds: 10 });
    expect(aws.rds.commandCalls(FailoverGlobalClusterCommand).map(c => c.args[0].input)).toEqual([
      { GlobalClusterIdentifier: 'orders', TargetDbClusterIdentifier: TARGET, AllowDataLoss: true },
    ]);
    expect(aws.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
    expect(aws.cloudwatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
    const entry = aws.events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
    expect(entry).toEqual({
      Source: PROMOTED_EVENT.source, DetailType: PROMOTED_EVENT.detailType, Resources: [TARGET],
      Detail: JSON.stringify({ globalClusterIdentifier: 'orders', targetClusterArn: TARGET, mode: 'failover', requestedBy: 'alarm probe' }),
    });
  });

  test('asked by a consumer while its alarm is in ALARM: a failover with data loss', async () => {
    const aws = fakeAws({ alarm: 'ALARM' });
    expect((await promote(aws.clients, config, 'request', 'config server', aws.now, aws.sleep)).mode).toBe('failover');
    expect(aws.cloudwatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toEqual({ AlarmNames: ['probe'], AlarmTypes: ['MetricAlarm'] });
    expect(aws.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
    expect(aws.samples).toEqual([]);
  });

  test('asked by a consumer while the writer serves (a live server lost, a brownout): a switchover, never data loss', async () => {
    const aws = fakeAws({ alarm: 'OK', sample: 0 });
    const result = await promote(aws.clients, config, 'request', 'config server', aws.now, aws.sleep);
    expect(result.mode).toBe('switchover');
    expect(aws.rds.commandCalls(SwitchoverGlobalClusterCommand).map(c => c.args[0].input)).toEqual([
      { GlobalClusterIdentifier: 'orders', TargetDbClusterIdentifier: TARGET },
    ]);
    expect(aws.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(JSON.parse(aws.events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0].Detail!)).toMatchObject({ mode: 'switchover', requestedBy: 'config server' });
  });

  test('asked while the writer looks lost but the alarm has not confirmed it: deferred to the alarm, no call, no announcement', async () => {
    const aws = fakeAws({ alarm: 'OK', sample: 1 });
    const result = await promote(aws.clients, config, 'request', 'config server', aws.now, aws.sleep);
    expect(result).toMatchObject({ mode: 'deferred', changed: false });
    expect(result.detail).toMatch(/refused, API error.*probe alarm has not confirmed it/);
    expect(aws.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
    expect(aws.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(aws.events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  test('already the writer: no call, announced again (a consumer that missed it follows)', async () => {
    const aws = fakeAws({ initialWriter: TARGET });
    const result = await promote(aws.clients, config, 'request', 'config server', aws.now, aws.sleep);
    expect(result).toMatchObject({ mode: 'switchover', changed: false });
    expect(aws.samples).toEqual([]);
    expect(aws.rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
    expect(aws.events.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  test('a promotion under way towards the target is waited for, not started twice (the alarm and a request at once)', async () => {
    const aws = fakeAws({ operation: 'failing-over' });
    aws.state.started = true;
    const result = await promote(aws.clients, config, 'alarm', 'alarm probe', aws.now, aws.sleep);
    expect(result).toMatchObject({ mode: 'failover', changed: false });
    expect(aws.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  test('a promotion that does not complete in time fails, saying what it saw; a switchover says the alarm takes over', async () => {
    const aws = fakeAws({ after: 1000 });
    await expect(promote(aws.clients, config, 'request', 'config server', aws.now, aws.sleep))
      .rejects.toThrow(/is not the writer of orders after 60 s \(writer .*\); a switchover needs the primary region: if it is lost, its probe alarm starts a failover/);
    const again = fakeAws({ after: 1000 });
    await expect(promote(again.clients, config, 'alarm', 'alarm probe', again.now, again.sleep)).rejects.toThrow(/after 60 s .*; re-run the promoter$/);
    expect(again.events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
