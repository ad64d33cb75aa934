/**
 * What the runtime clients send and how they read the answers, request by
 * request (aws-sdk-client-mock): the parts an emulator cannot show (it
 * accepts any well-formed request), the error classification, and the
 * keep-alive loop's timing under fake timers. The protocol's behaviour
 * against a real DynamoDB wire protocol is in lease.test.ts,
 * lease-validity.test.ts and checkpoint.test.ts.
 */
import { hostname } from 'os';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CheckpointFencedError, CheckpointStore, EmfMetricsSink, fencedUpdate, LeaseClient, LeaseLostError, MetricsSink, NoMetricsSink, putResultOnce,
  RUNTIME_METRICS_NAMESPACE, RuntimeMetricNames, uniqueHolderId,
} from '../../lib/runtime';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'local' });
const clock = { t: 1_000_000 };

const TOKEN_1 = { Attributes: { fencingToken: { N: '1' } } };
/** A ConditionalCheckFailedException as another copy of the SDK throws it: same name, other class. */
const foreignConditionFailure = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
const conditionFailure = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function recordingSink() {
  const puts: Array<[string, number, string]> = [];
  const sink: MetricsSink = { put: (name, value, unit) => { puts.push([name, value, unit]); } };
  return { puts, sink };
}

function make(options: { renewIntervalMs?: number; metrics?: MetricsSink } = {}) {
  return new LeaseClient({
    client, tableName: 'T', leaseName: 'l', holderId: 'me', leaseDurationMs: 9_000, maxClockSkewMs: 1_000, clock: () => clock.t, ...options,
  });
}

const updates = () => ddb.commandCalls(UpdateItemCommand).map(c => c.args[0].input);

beforeEach(() => {
  ddb.reset();
  clock.t = 1_000_000;
});

describe('LeaseClient requests', () => {
  test('take: sets holder and expiry, adds 1 to the token, returns the new item', async () => {
    ddb.on(UpdateItemCommand).resolves(TOKEN_1);
    expect(await make().acquire()).toBe(true);
    expect(updates()).toEqual([{
      TableName: 'T',
      Key: { pk: { S: 'l' } },
      UpdateExpression: 'SET #holder = :me, #exp = :exp ADD #token :one',
      ConditionExpression: 'attribute_not_exists(#exp) OR #exp < :cutoff',
      ExpressionAttributeNames: { '#exp': 'expiresAt', '#holder': 'holder', '#token': 'fencingToken' },
      ExpressionAttributeValues: { ':me': { S: 'me' }, ':exp': { N: '1009000' }, ':cutoff': { N: '999000' }, ':one': { N: '1' } },
      ReturnValues: 'ALL_NEW',
    }]);
  });

  test('renew: extends the expiry from the renewal time, only for this holder and token', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({ Attributes: { fencingToken: { N: '4' } } }).resolves({});
    const lease = make();
    await lease.acquire();
    clock.t += 3_000;
    expect(await lease.renew()).toBe(true);
    expect(updates()[1]).toEqual({
      TableName: 'T',
      Key: { pk: { S: 'l' } },
      UpdateExpression: 'SET #exp = :exp',
      ConditionExpression: '#holder = :me AND #token = :token',
      ExpressionAttributeNames: { '#exp': 'expiresAt', '#holder': 'holder', '#token': 'fencingToken' },
      ExpressionAttributeValues: { ':exp': { N: '1012000' }, ':me': { S: 'me' }, ':token': { N: '4' } },
    });
    expect(lease.validUntilMs).toBe(1_003_000 + 9_000 - 1_000);
  });

  test('release: zeroes the expiry and removes the holder, only for this holder and token', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({ Attributes: { fencingToken: { N: '4' } } }).resolves({});
    const lease = make();
    await lease.acquire();
    await lease.release();
    expect(updates()[1]).toEqual({
      TableName: 'T',
      Key: { pk: { S: 'l' } },
      UpdateExpression: 'SET #exp = :zero REMOVE #holder',
      ConditionExpression: '#holder = :me AND #token = :token',
      ExpressionAttributeNames: { '#exp': 'expiresAt', '#holder': 'holder', '#token': 'fencingToken' },
      ExpressionAttributeValues: { ':zero': { N: '0' }, ':me': { S: 'me' }, ':token': { N: '4' } },
    });
  });

  test('a release refused by the condition (taken over meanwhile) is no error', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce(TOKEN_1).rejects(conditionFailure());
    const lease = make();
    await lease.acquire();
    await expect(lease.release()).resolves.toBeUndefined();
    expect(lease.token).toBeUndefined();
  });

  test('a take answered without the item holds nothing', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    const lease = make();
    expect(await lease.acquire()).toBe(false);
    expect(lease.token).toBeUndefined();
    expect(lease.isValid()).toBe(false);
  });

  test.each([
    ['the SDK\'s class', conditionFailure],
    ['another SDK copy (by name)', foreignConditionFailure],
  ])('a failed condition from %s is a refusal, not an error (take and renew)', async (_, failure) => {
    ddb.on(UpdateItemCommand).rejects(failure());
    expect(await make().acquire()).toBe(false);
    ddb.reset();
    ddb.on(UpdateItemCommand).resolvesOnce(TOKEN_1).rejects(failure());
    const lease = make();
    await lease.acquire();
    expect(await lease.renew()).toBe(false);
    expect(lease.token).toBeUndefined();
  });

  test('any other error of a take propagates', async () => {
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('no such table'), { name: 'ResourceNotFoundException' }));
    await expect(make().acquire()).rejects.toThrow('no such table');
  });

  test('fails when the lease duration is not more than twice the skew; one millisecond more is accepted', () => {
    const build = (leaseDurationMs: number) => new LeaseClient({ client, tableName: 'T', leaseName: 'l', holderId: 'me', leaseDurationMs, maxClockSkewMs: 1_000 });
    expect(() => build(2_000)).toThrow('leaseDurationMs (2000) must exceed twice maxClockSkewMs (1000)');
    expect(() => build(2_001)).not.toThrow();
  });

  test('the default clock is Date.now', async () => {
    ddb.on(UpdateItemCommand).resolves(TOKEN_1);
    const lease = new LeaseClient({ client, tableName: 'T', leaseName: 'l', holderId: 'me', leaseDurationMs: 9_000, maxClockSkewMs: 1_000 });
    const before = Date.now();
    await lease.acquire();
    const exp = Number(updates()[0].ExpressionAttributeValues![':exp'].N);
    expect(exp).toBeGreaterThanOrEqual(before + 9_000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 9_000);
    expect(lease.isValid()).toBe(true);
  });

  test('LeaseLostError names the lease and says not to act', () => {
    const lease = make();
    let error: unknown;
    try {
      lease.assertValid();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error).toMatchObject({ name: 'LeaseLostError', message: 'lease \'l\' is not held (lost, expired or never acquired): do not act' });
  });
});

describe('LeaseClient.fromEnvironment', () => {
  const ENV = { HA_LEASE_TABLE_NAME: 'T', HA_LEASE_NAME: 'l', HA_LEASE_DURATION_MS: '9000', HA_LEASE_MAX_CLOCK_SKEW_MS: '1000' };

  test.each(Object.keys(ENV))('fails when %s is missing or empty', key => {
    expect(() => LeaseClient.fromEnvironment(client, 'me', { ...ENV, [key]: undefined })).toThrow(`environment variable ${key} is not set`);
    expect(() => LeaseClient.fromEnvironment(client, 'me', { ...ENV, [key]: '' })).toThrow(`environment variable ${key} is not set`);
  });

  test('reads table, name, duration and skew; publishes EMF lines on stdout by default, with the table and lease as dimensions', async () => {
    ddb.on(UpdateItemCommand).resolves(TOKEN_1);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const lease = LeaseClient.fromEnvironment(client, 'me', ENV);
      expect(lease.leaseName).toBe('l');
      expect(lease.holderId).toBe('me');
      await lease.acquire();
      const exp = Number(updates()[0].ExpressionAttributeValues![':exp'].N);
      const cutoff = Number(updates()[0].ExpressionAttributeValues![':cutoff'].N);
      expect(exp - cutoff).toBe(9_000 + 1_000);
      expect(updates()[0].TableName).toBe('T');
      const lines = write.mock.calls.map(c => String(c[0]));
      expect(lines.every(l => l.endsWith('\n'))).toBe(true);
      const docs = lines.map(l => JSON.parse(l));
      expect(docs.map(d => d._aws.CloudWatchMetrics[0].Metrics[0].Name)).toEqual([RuntimeMetricNames.ACQUIRED, RuntimeMetricNames.HEARTBEAT, RuntimeMetricNames.HELD]);
      expect(docs[0]).toMatchObject({ TableName: 'T', LeaseName: 'l', _aws: { CloudWatchMetrics: [{ Namespace: RUNTIME_METRICS_NAMESPACE, Dimensions: [['TableName', 'LeaseName']] }] } });
    } finally {
      write.mockRestore();
    }
  });

  test('a given sink replaces the EMF default', async () => {
    ddb.on(UpdateItemCommand).resolves(TOKEN_1);
    const m = recordingSink();
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await LeaseClient.fromEnvironment(client, 'me', ENV, m.sink).acquire();
      expect(write).not.toHaveBeenCalled();
      expect(m.puts).toHaveLength(3);
    } finally {
      write.mockRestore();
    }
  });
});

describe('keepAlive (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('renews every third of the lease duration by default', async () => {
    ddb.on(UpdateItemCommand).resolves(TOKEN_1);
    const loop = make().keepAlive();
    await jest.advanceTimersByTimeAsync(0);
    expect(updates()).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(2_999);
    expect(updates()).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(updates()).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(updates()).toHaveLength(3);
    await loop.stop(false);
  });

  test('HA_LEASE_RENEW_INTERVAL_MS sets the period', async () => {
    ddb.on(UpdateItemCommand).resolves(TOKEN_1);
    const lease = LeaseClient.fromEnvironment(client, 'me', {
      HA_LEASE_TABLE_NAME: 'T', HA_LEASE_NAME: 'l', HA_LEASE_DURATION_MS: '9000', HA_LEASE_MAX_CLOCK_SKEW_MS: '1000', HA_LEASE_RENEW_INTERVAL_MS: '500',
    }, new NoMetricsSink());
    const loop = lease.keepAlive();
    await jest.advanceTimersByTimeAsync(499);
    expect(updates()).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(updates()).toHaveLength(2);
    await loop.stop(false);
  });

  test('an error goes to onError and the next interval tries again', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(new Error('throttled')).resolves(TOKEN_1);
    const errors: unknown[] = [];
    const lease = make({ renewIntervalMs: 100 });
    const loop = lease.keepAlive(e => errors.push(e));
    await jest.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([expect.objectContaining({ message: 'throttled' })]);
    expect(lease.isValid()).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    expect(lease.isValid()).toBe(true);
    await loop.stop(false);
  });

  test('errors go to console.error by default', async () => {
    ddb.on(UpdateItemCommand).rejects(new Error('throttled'));
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const loop = make().keepAlive();
      await jest.advanceTimersByTimeAsync(0);
      expect(log).toHaveBeenCalledWith(expect.objectContaining({ message: 'throttled' }));
      await loop.stop(false);
    } finally {
      log.mockRestore();
    }
  });

  test('stop() waits for the renewal in flight, schedules no other, then releases', async () => {
    let answer: (v: typeof TOKEN_1) => void = () => undefined;
    ddb.on(UpdateItemCommand).callsFakeOnce(() => new Promise(resolve => { answer = resolve; })).resolves({});
    const lease = make({ renewIntervalMs: 100 });
    const loop = lease.keepAlive();
    let stopped = false;
    const stopping = loop.stop().then(() => { stopped = true; });
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false); // the take is still in flight
    expect(updates()).toHaveLength(1);
    answer(TOKEN_1);
    await stopping;
    expect(jest.getTimerCount()).toBe(0); // no renewal left scheduled to keep the process alive
    expect(updates().map(u => u.UpdateExpression)).toEqual(['SET #holder = :me, #exp = :exp ADD #token :one', 'SET #exp = :zero REMOVE #holder']);
    expect(lease.token).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(updates()).toHaveLength(2);
  });

  test('stop() between renewals cancels the next one; stop(false) releases nothing', async () => {
    ddb.on(UpdateItemCommand).resolves(TOKEN_1);
    const lease = make({ renewIntervalMs: 100 });
    const loop = lease.keepAlive();
    await jest.advanceTimersByTimeAsync(50);
    expect(jest.getTimerCount()).toBe(1);
    await loop.stop(false);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(updates()).toHaveLength(1);
    expect(lease.token).toBe(1);
    expect(lease.isValid()).toBe(true);
  });
});

describe('fencedUpdate', () => {
  test('fences on the fencingToken attribute by default, or on the one given', () => {
    expect(fencedUpdate(7)).toEqual({
      conditionExpression: '(attribute_not_exists(#haFence) OR #haFence <= :haFence)',
      setExpression: '#haFence = :haFence',
      expressionAttributeNames: { '#haFence': 'fencingToken' },
      expressionAttributeValues: { ':haFence': { N: '7' } },
    });
    expect(fencedUpdate(7, 'leaderToken').expressionAttributeNames).toEqual({ '#haFence': 'leaderToken' });
  });
});

test('uniqueHolderId: host name, process id and a random UUID', () => {
  const id = uniqueHolderId();
  const [host, pid, uuid] = id.split('/');
  expect(host).toBe(hostname());
  expect(pid).toBe(String(process.pid));
  expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(uniqueHolderId()).not.toBe(id);
});

describe('CheckpointStore requests', () => {
  async function held(metrics?: MetricsSink) {
    ddb.on(UpdateItemCommand).resolvesOnce({ Attributes: { fencingToken: { N: '3' } } });
    const lease = make();
    await lease.acquire();
    return { lease, store: new CheckpointStore({ client, tableName: 'T', lease, clock: () => clock.t, metrics }) };
  }

  test('read is a strongly consistent read of the lease item', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { 'pk': { S: 'l' }, 'checkpoint:shard-0': { S: '42' } } });
    const { store } = await held();
    expect(await store.read('shard-0')).toBe('42');
    expect(await store.read('shard-1')).toBeUndefined();
    expect(ddb.commandCalls(GetItemCommand)[0].args[0].input).toEqual({ TableName: 'T', Key: { pk: { S: 'l' } }, ConsistentRead: true });
  });

  test('read of a lease item that does not exist yet', async () => {
    ddb.on(GetItemCommand).resolves({});
    const { store } = await held();
    expect(await store.read('shard-0')).toBeUndefined();
  });

  test('write sets the shard\'s attribute, fenced on this holder and token', async () => {
    const { store } = await held();
    ddb.on(UpdateItemCommand).resolves({});
    await store.write('shard-0', '42');
    expect(updates()[1]).toEqual({
      TableName: 'T',
      Key: { pk: { S: 'l' } },
      UpdateExpression: 'SET #cp = :seq',
      ConditionExpression: '#holder = :me AND #token = :token',
      ExpressionAttributeNames: { '#cp': 'checkpoint:shard-0', '#holder': 'holder', '#token': 'fencingToken' },
      ExpressionAttributeValues: { ':seq': { S: '42' }, ':me': { S: 'me' }, ':token': { N: '3' } },
    });
  });

  test.each([
    ['the SDK\'s class', conditionFailure],
    ['another SDK copy (by name)', foreignConditionFailure],
  ])('a fenced write (%s) abandons the lease and throws CheckpointFencedError naming the token', async (_, failure) => {
    const { lease, store } = await held();
    ddb.on(UpdateItemCommand).rejects(failure());
    const error = await store.write('shard-0', '42').catch(e => e);
    expect(error).toBeInstanceOf(CheckpointFencedError);
    expect(error).toMatchObject({
      name: 'CheckpointFencedError',
      message: 'checkpoint of lease \'l\' rejected: token 3 is not the current leader\'s token; stop processing',
    });
    expect(lease.token).toBeUndefined();
  });

  test('a lapsed lease writes nothing', async () => {
    const { store } = await held();
    clock.t += 8_000; // exactly the end of the window (duration 9 s - skew 1 s)
    await expect(store.write('shard-0', '42')).rejects.toThrow('token 3 is not the current leader\'s token');
    expect(updates()).toHaveLength(1);
  });

  test('the checkpoint lag: now minus the record\'s arrival, never negative, none without an arrival time', async () => {
    const m = recordingSink();
    const { store } = await held(m.sink);
    ddb.on(UpdateItemCommand).resolves({});
    await store.write('shard-0', '1', clock.t - 250);
    await store.write('shard-0', '2', clock.t + 250); // a clock behind the producer's
    await store.write('shard-0', '3');
    expect(m.puts).toEqual([[RuntimeMetricNames.CHECKPOINT_LAG, 250, 'Milliseconds'], [RuntimeMetricNames.CHECKPOINT_LAG, 0, 'Milliseconds']]);
  });

  test('the default clock is Date.now', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({ Attributes: { fencingToken: { N: '3' } } }).resolves({});
    const lease = new LeaseClient({ client, tableName: 'T', leaseName: 'l', holderId: 'me', leaseDurationMs: 9_000, maxClockSkewMs: 1_000 });
    await lease.acquire();
    const m = recordingSink();
    await new CheckpointStore({ client, tableName: 'T', lease, metrics: m.sink }).write('s', '1', Date.now() - 60_000);
    expect(m.puts[0][1]).toBeGreaterThanOrEqual(60_000);
    expect(m.puts[0][1]).toBeLessThan(70_000);
  });
});

describe('putResultOnce', () => {
  test('writes the item only if no item with its key exists', async () => {
    ddb.on(PutItemCommand).resolves({});
    expect(await putResultOnce(client, 'Results', { id: { S: 'shard-0/42' } }, 'id')).toBe(true);
    expect(await putResultOnce(client, 'Results', { pk: { S: 'shard-0/43' } })).toBe(true);
    expect(ddb.commandCalls(PutItemCommand).map(c => c.args[0].input)).toEqual([
      { TableName: 'Results', Item: { id: { S: 'shard-0/42' } }, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': 'id' } },
      { TableName: 'Results', Item: { pk: { S: 'shard-0/43' } }, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': 'pk' } },
    ]);
  });

  test.each([
    ['the SDK\'s class', conditionFailure],
    ['another SDK copy (by name)', foreignConditionFailure],
  ])('an existing result (%s) is false, not an error', async (_, failure) => {
    ddb.on(PutItemCommand).rejects(failure());
    expect(await putResultOnce(client, 'Results', { pk: { S: 'x' } })).toBe(false);
  });

  test('any other error propagates', async () => {
    ddb.on(PutItemCommand).rejects(new Error('throttled'));
    await expect(putResultOnce(client, 'Results', { pk: { S: 'x' } })).rejects.toThrow('throttled');
  });
});

describe('metric sinks', () => {
  test('EmfMetricsSink: one JSON line per value with the timestamp, namespace, dimensions and unit', () => {
    const lines: string[] = [];
    new EmfMetricsSink({ A: 'a', B: 'b' }, l => lines.push(l), () => 1234, 'Custom/Ns').put('M', 5, 'Count');
    expect(JSON.parse(lines[0])).toEqual({
      _aws: { Timestamp: 1234, CloudWatchMetrics: [{ Namespace: 'Custom/Ns', Dimensions: [['A', 'B']], Metrics: [{ Name: 'M', Unit: 'Count' }] }] },
      A: 'a', B: 'b', M: 5,
    });
  });

  test('EmfMetricsSink defaults: the runtime namespace and Date.now', () => {
    const lines: string[] = [];
    const before = Date.now();
    new EmfMetricsSink({}, l => lines.push(l)).put('M', 1, 'Count');
    const doc = JSON.parse(lines[0]);
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('CdkHaPatterns/Lease');
    expect(doc._aws.Timestamp).toBeGreaterThanOrEqual(before);
    expect(doc._aws.Timestamp).toBeLessThanOrEqual(Date.now());
  });

  test('NoMetricsSink discards', () => {
    expect(new NoMetricsSink().put()).toBeUndefined();
  });
});
