/**
 * The configuration server's failback (lib/config-server/handler/fail-back.ts) and the standby's
 * return to cold (return-to-cold.ts), on a fake AWS: two replicas of the store whose flag replicates
 * from the standby's to the primary's after a few reads, a hosted zone, the live and standby services
 * and a global database.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient, SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { failBack, FailBackConfig, FailBackError, HANDOVER } from '../../lib/config-server/handler/fail-back';
import { returnToCold } from '../../lib/config-server/handler/return-to-cold';

const PRIMARY = 'arn:aws:rds:eu-west-1:123456789012:cluster:config-eu';
const SECONDARY = 'arn:aws:rds:us-east-1:123456789012:cluster:config-us';
const config: FailBackConfig = {
  cluster: 'primary-cluster', service: 'primary-server', desiredCount: 2,
  hostedZoneId: 'Z123', recordName: 'config-writer.example.com', targetDnsName: 'internal-primary-9.eu-west-1.elb.amazonaws.com', ttl: 30,
  tableName: 'config', writerKey: '__writer__', region: 'eu-west-1', standbyRegion: 'us-east-1',
  drainSeconds: 30, replicationTimeoutSeconds: 60, pollSeconds: 2,
};
const withDatabase: FailBackConfig = { ...config, drainSeconds: 0, database: { globalClusterIdentifier: 'config', targetClusterArn: PRIMARY, timeoutSeconds: 600 } };

type Item = Record<string, { S: string }>;

/** A fake AWS after a turn-on: the standby writes, the name points to it, the standby database is the writer. */
function fakeAws(opts: { lagReads?: number; switchoverFails?: boolean; writer?: string } = {}) {
  const state = {
    primaryDesired: 0, standbyDesired: 2, record: 'internal-standby-1.us-east-1.elb.amazonaws.com',
    standbyItem: { pk: { S: '__writer__' }, region: { S: opts.writer ?? 'us-east-1' } } as Item | undefined,
    primaryItem: { pk: { S: '__writer__' }, region: { S: opts.writer ?? 'us-east-1' } } as Item | undefined,
    dbWriter: SECONDARY, operation: undefined as string | undefined, slept: [] as number[], log: [] as string[],
  };
  let pendingReads = -1;
  const clients = {
    ecs: new ECSClient({}), route53: new Route53Client({}), rds: new RDSClient({}),
    dynamodb: new DynamoDBClient({ region: 'eu-west-1' }), standbyDynamodb: new DynamoDBClient({ region: 'us-east-1' }),
  };
  const ecs = mockClient(clients.ecs);
  ecs.on(DescribeServicesCommand).callsFake(() => ({ services: [{ desiredCount: state.primaryDesired }] }));
  ecs.on(UpdateServiceCommand).callsFake(input => { state.primaryDesired = input.desiredCount; state.log.push('scale'); return {}; });
  const route53 = mockClient(clients.route53);
  route53.on(ListResourceRecordSetsCommand).callsFake(() => ({
    ResourceRecordSets: [{ Name: 'config-writer.example.com.', Type: 'CNAME', TTL: 30, ResourceRecords: [{ Value: state.record }] }],
  }));
  route53.on(ChangeResourceRecordSetsCommand).callsFake(input => {
    state.record = input.ChangeBatch.Changes[0].ResourceRecordSet.ResourceRecords[0].Value;
    state.log.push(`name ${state.record}`);
    return { ChangeInfo: { Id: 'c', Status: 'PENDING', SubmittedAt: new Date() } };
  });
  // The standby's replica replicates to the primary's after `lagReads` reads of the primary's.
  const standby = mockClient(clients.standbyDynamodb);
  standby.on(GetItemCommand).callsFake(() => ({ Item: state.standbyItem }));
  standby.on(PutItemCommand).callsFake(input => { state.standbyItem = input.Item; state.log.push(`standby flag ${input.Item.region.S}`); pendingReads = opts.lagReads ?? 0; return {}; });
  const primary = mockClient(clients.dynamodb);
  primary.on(GetItemCommand).callsFake(() => {
    if (pendingReads === 0) state.primaryItem = state.standbyItem;
    if (pendingReads >= 0) pendingReads--;
    return { Item: state.primaryItem };
  });
  primary.on(PutItemCommand).callsFake(input => { state.primaryItem = input.Item; state.log.push(`primary flag ${input.Item.region.S}`); state.standbyItem = input.Item; return {}; });
  const rds = mockClient(clients.rds);
  rds.on(DescribeGlobalClustersCommand).callsFake(() => ({
    GlobalClusters: [{
      Status: 'available', GlobalClusterMembers: [{ DBClusterArn: PRIMARY, IsWriter: state.dbWriter === PRIMARY }, { DBClusterArn: SECONDARY, IsWriter: state.dbWriter === SECONDARY }],
      FailoverState: state.operation ? { Status: state.operation, ToDbClusterArn: PRIMARY } : undefined,
    }],
  }));
  rds.on(SwitchoverGlobalClusterCommand).callsFake(() => {
    if (opts.switchoverFails) throw new Error('InvalidGlobalClusterStateFault: the secondary is not caught up');
    state.operation = 'switching-over';
    return {};
  });
  let clock = 0;
  const now = () => new Date(Date.UTC(2026, 0, 1) + clock);
  const sleep = async (ms: number) => {
    state.slept.push(ms / 1000);
    state.log.push(`sleep ${ms / 1000}`);
    clock += ms;
    // The switchover completes after one poll.
    if (state.operation) { state.dbWriter = PRIMARY; state.operation = undefined; }
  };
  return { state, clients, ecs, route53, standby, primary, rds, now, sleep };
}

afterEach(() => {
  mockClient(ECSClient).restore();
  mockClient(Route53Client).restore();
  mockClient(DynamoDBClient).restore();
  mockClient(RDSClient).restore();
});

test('fails back in order: live server up, standby fenced, the fence replicated and drained, name moved, flag set to the primary with failedBackFrom', async () => {
  const aws = fakeAws({ lagReads: 2 });
  const steps = await failBack(aws.clients, config, aws.now, aws.sleep);
  expect(steps.map(s => [s.step, s.changed])).toEqual([
    ['scale-primary', true], ['fence-writes', true], ['wait-for-replication', false], ['move-writer-name', true], ['flip-writer-flag', true],
  ]);
  // The fence is written in the standby's replica: from then on every server refuses writes.
  expect(aws.standby.commandCalls(PutItemCommand)[0].args[0].input.Item).toEqual({
    pk: { S: '__writer__' }, region: { S: HANDOVER }, since: { S: '2026-01-01T00:00:00.000Z' }, from: { S: 'us-east-1' },
  });
  // Two polls until the fence reached the primary's replica, then the drain of the replication bound.
  expect(aws.state.slept).toEqual([2, 2, 30]);
  expect(aws.state.record).toBe(config.targetDnsName);
  expect(aws.state.primaryItem).toEqual(expect.objectContaining({ region: { S: 'eu-west-1' }, failedBackFrom: { S: 'us-east-1' } }));
  expect(aws.state.primaryDesired).toBe(2);
  // The name moves only after the drain, the flag last.
  expect(aws.state.log).toEqual(['scale', `standby flag ${HANDOVER}`, 'sleep 2', 'sleep 2', 'sleep 30', `name ${config.targetDnsName}`, 'primary flag eu-west-1']);
});

test('is idempotent: a second run fences nothing, waits for nothing and writes nothing', async () => {
  const aws = fakeAws();
  await failBack(aws.clients, config, aws.now, aws.sleep);
  const before = { ...aws.state, slept: [...aws.state.slept] };
  const writes = () => [aws.standby.commandCalls(PutItemCommand), aws.primary.commandCalls(PutItemCommand), aws.route53.commandCalls(ChangeResourceRecordSetsCommand),
    aws.ecs.commandCalls(UpdateServiceCommand)].map(c => c.length);
  const written = writes();
  const steps = await failBack(aws.clients, config, aws.now, aws.sleep);
  expect(steps.every(s => !s.changed)).toBe(true);
  expect(writes()).toEqual(written);
  expect(aws.state.slept).toEqual(before.slept);
});

test('a flag never set (the primary always wrote) is not fenced', async () => {
  const aws = fakeAws();
  aws.state.standbyItem = undefined;
  aws.state.primaryItem = undefined;
  aws.state.record = config.targetDnsName;
  const steps = await failBack(aws.clients, config, aws.now, aws.sleep);
  expect(aws.standby.commandCalls(PutItemCommand)).toHaveLength(0);
  expect(steps.find(s => s.step === 'fence-writes')).toMatchObject({ changed: false });
});

test('with a database: switches over to the primary cluster (never a failover), waits until it is the writer, and does not drain', async () => {
  const aws = fakeAws();
  const steps = await failBack(aws.clients, withDatabase, aws.now, aws.sleep);
  expect(steps.map(s => s.step)).toEqual(['scale-primary', 'fence-writes', 'wait-for-replication', 'switch-over-database', 'move-writer-name', 'flip-writer-flag']);
  expect(aws.rds.commandCalls(SwitchoverGlobalClusterCommand)[0].args[0].input).toEqual({ GlobalClusterIdentifier: 'config', TargetDbClusterIdentifier: PRIMARY });
  expect(aws.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  expect(aws.state.dbWriter).toBe(PRIMARY);
  expect(aws.state.slept).toEqual([2]);
});

test('a failed switchover puts the flag back to the standby and leaves the name: the standby takes writes again', async () => {
  const aws = fakeAws({ switchoverFails: true });
  const error = await failBack(aws.clients, withDatabase, aws.now, aws.sleep).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FailBackError);
  expect((error as FailBackError).failedStep).toBe('switch-over-database');
  expect((error as Error).message).toMatch(/not caught up; the writer flag is us-east-1 again\. Re-run the failback/);
  expect(aws.state.standbyItem).toEqual(expect.objectContaining({ region: { S: 'us-east-1' } }));
  expect(aws.route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
});

test('a fence that does not replicate in time is undone, naming the lag', async () => {
  const aws = fakeAws({ lagReads: 1000 });
  const error = await failBack(aws.clients, config, aws.now, aws.sleep).catch((e: unknown) => e);
  expect((error as FailBackError).failedStep).toBe('wait-for-replication');
  expect((error as Error).message).toMatch(/eu-west-1's replica still reads us-east-1 after 60 s: replication from us-east-1 is behind; the writer flag is us-east-1 again/);
  expect(aws.state.standbyItem).toEqual(expect.objectContaining({ region: { S: 'us-east-1' } }));
});

test('a run that finds its own fence (an earlier run stopped) goes on, and still undoes to the writer the fence names', async () => {
  const aws = fakeAws({ switchoverFails: true });
  aws.state.standbyItem = { pk: { S: '__writer__' }, region: { S: HANDOVER }, from: { S: 'us-east-1' } };
  aws.state.primaryItem = aws.state.standbyItem;
  await expect(failBack(aws.clients, withDatabase, aws.now, aws.sleep)).rejects.toThrow(/the writer flag is us-east-1 again/);
  expect(aws.standby.commandCalls(PutItemCommand)).toHaveLength(1);
});

describe('the standby returns to cold', () => {
  const cold = { cluster: 'standby-cluster', service: 'standby-server', tableName: 'config', writerKey: '__writer__', primaryRegion: 'eu-west-1', region: 'us-east-1' };
  function standbyAws(item: Item | undefined, desired: number) {
    const clients = { ecs: new ECSClient({}), dynamodb: new DynamoDBClient({}) };
    const ecs = mockClient(clients.ecs);
    ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: desired }] });
    ecs.on(UpdateServiceCommand).resolves({});
    mockClient(clients.dynamodb).on(GetItemCommand).resolves({ Item: item });
    return { clients, ecs };
  }

  test('after a failback from this region: the standby is scaled to 0', async () => {
    const aws = standbyAws({ pk: { S: '__writer__' }, region: { S: 'eu-west-1' }, failedBackFrom: { S: 'us-east-1' } }, 2);
    await expect(returnToCold(aws.clients, cold)).resolves.toMatchObject({ changed: true });
    expect(aws.ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'standby-cluster', service: 'standby-server', desiredCount: 0 });
  });

  test.each([
    ['no flag (never turned on)', undefined],
    ['the standby writes (turned on)', { pk: { S: '__writer__' }, region: { S: 'us-east-1' } }],
    ['a handover under way', { pk: { S: '__writer__' }, region: { S: HANDOVER }, from: { S: 'us-east-1' } }],
    ['the primary set by hand, not by a failback', { pk: { S: '__writer__' }, region: { S: 'eu-west-1' } }],
    ['a failback from another region', { pk: { S: '__writer__' }, region: { S: 'eu-west-1' }, failedBackFrom: { S: 'ap-southeast-2' } }],
  ])('%s: the standby is left as it is', async (_, item) => {
    const aws = standbyAws(item, 2);
    await expect(returnToCold(aws.clients, cold)).resolves.toMatchObject({ changed: false });
    expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('an already cold standby is not updated', async () => {
    const aws = standbyAws({ pk: { S: '__writer__' }, region: { S: 'eu-west-1' }, failedBackFrom: { S: 'us-east-1' } }, 0);
    await expect(returnToCold(aws.clients, cold)).resolves.toEqual({ changed: false, detail: 'standby already at 0 tasks' });
    expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});
