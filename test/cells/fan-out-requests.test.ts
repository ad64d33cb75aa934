/**
 * The fan-out's requests and its bookkeeping, call by call
 * (aws-sdk-client-mock): strongly consistent reads of the status table,
 * the retry budget, what a failed cell records, and the event parsing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { cellsBehindMetricLine, fanOut, FanOutConfig, LATEST_KEY, updateFromEvent } from '../../lib/cells/handler/fan-out';

const ssmMock = mockClient(SSMClient);
const ecsMock = mockClient(ECSClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const clients = { ssm: new SSMClient({}), ecs: new ECSClient({}), ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})) };

const cells = ['cell-1', 'cell-2'].map(name => ({ name, parameterName: `/p/${name}`, cluster: `c-${name}`, service: `s-${name}` }));
const NOW = Date.UTC(2026, 10, 23, 12);
const config: FanOutConfig = { bucketName: 'b', tableName: 'status', cells, now: () => NOW };
const update = { key: 'updates/u.zip', version: 'v2' };

const puts = () => ddbMock.commandCalls(PutCommand).map(c => c.args[0].input);

beforeEach(() => {
  ssmMock.reset();
  ecsMock.reset();
  ddbMock.reset();
  ssmMock.on(PutParameterCommand).resolves({});
  ecsMock.on(UpdateServiceCommand).resolves({});
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(PutCommand).resolves({});
});

describe('fanOut requests', () => {
  test('a published update is recorded as the latest with its time; each cell\'s state is read strongly consistently', async () => {
    await fanOut(clients, config, update);
    expect(puts()[0]).toEqual({ TableName: 'status', Item: { cell: LATEST_KEY, key: 'updates/u.zip', version: 'v2', publishedAt: '2026-11-23T12:00:00.000Z' } });
    expect(ddbMock.commandCalls(GetCommand).map(c => c.args[0].input)).toEqual([
      { TableName: 'status', Key: { cell: 'cell-1' }, ConsistentRead: true },
      { TableName: 'status', Key: { cell: 'cell-2' }, ConsistentRead: true },
    ]);
  });

  test('the scheduled run reads the latest update strongly consistently', async () => {
    ddbMock.on(GetCommand, { Key: { cell: LATEST_KEY } }).resolves({ Item: { cell: LATEST_KEY, key: 'updates/u.zip', version: 'v2' } });
    const result = await fanOut(clients, config);
    expect(ddbMock.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: 'status', Key: { cell: LATEST_KEY }, ConsistentRead: true });
    expect(result.update).toEqual(update);
    expect(puts().map(p => p.Item!.cell)).toEqual(['cell-1', 'cell-2']); // the latest is not written again
  });

  test('an applied cell records key, version, attempts and time', async () => {
    await fanOut(clients, config, update);
    expect(puts()[1]).toEqual({
      TableName: 'status',
      Item: { cell: 'cell-1', status: 'UPDATED', appliedKey: 'updates/u.zip', appliedVersion: 'v2', attempts: 1, updatedAt: '2026-11-23T12:00:00.000Z' },
    });
  });

  test('the clock defaults to Date.now', async () => {
    jest.useFakeTimers({ now: NOW + 1_000 });
    try {
      await fanOut(clients, { ...config, now: undefined }, update);
    } finally {
      jest.useRealTimers();
    }
    expect(puts()[0].Item!.publishedAt).toBe('2026-11-23T12:00:01.000Z');
  });

  test('three attempts by default; a parameter write that fails redeploys nothing in that attempt', async () => {
    ssmMock.on(PutParameterCommand, { Name: '/p/cell-2' }).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const result = await fanOut(clients, config, update);
    expect(ssmMock.commandCalls(PutParameterCommand, { Name: '/p/cell-2' })).toHaveLength(3);
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.service)).toEqual(['s-cell-1']);
    expect(result.outcomes[1]).toEqual({ cell: 'cell-2', status: 'FAILED', attempts: 3, error: 'ThrottlingException: throttled' });
    expect(result.cellsBehind).toBe(1);
  });

  test('a cell whose status write fails is retried, then recorded as failed (no earlier state to keep)', async () => {
    ddbMock.on(PutCommand, { Item: { cell: 'cell-1', status: 'UPDATED' } }).rejects(new Error('table busy'));
    const result = await fanOut(clients, { ...config, maxAttempts: 2 }, update);
    expect(result.outcomes[0]).toEqual({ cell: 'cell-1', status: 'FAILED', attempts: 2, error: 'Error: table busy' });
    expect(puts().filter(p => p.Item!.cell === 'cell-1' && p.Item!.status === 'FAILED')).toEqual([{
      TableName: 'status',
      Item: { cell: 'cell-1', status: 'FAILED', pendingVersion: 'v2', lastError: 'Error: table busy', attempts: 2, updatedAt: '2026-11-23T12:00:00.000Z' },
    }]);
  });

  test('with no attempt allowed nothing is called, and each cell is recorded as failed, saying so', async () => {
    const result = await fanOut(clients, { ...config, maxAttempts: 0 }, update);
    expect(result.outcomes[0]).toEqual({ cell: 'cell-1', status: 'FAILED', attempts: 0, error: 'no attempt made (maxAttempts 0)' });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('a thrown value that is not an Error is recorded as text', async () => {
    // The SDK wraps what a mock throws in an Error: a client of our own rejects with a plain string.
    const ecs = { send: () => Promise.reject('quota exceeded') } as unknown as ECSClient;
    const result = await fanOut({ ...clients, ecs }, { ...config, maxAttempts: 1 }, update);
    expect(result.outcomes.map(o => o.error)).toEqual(['quota exceeded', 'quota exceeded']);
    expect(result.cellsBehind).toBe(2);
  });

  test('a cell already at the version is current whatever its status says, and counts as not behind', async () => {
    ddbMock.on(GetCommand, { Key: { cell: 'cell-1' } }).resolves({ Item: { cell: 'cell-1', status: 'FAILED', appliedVersion: 'v2', pendingVersion: 'v3' } });
    const result = await fanOut(clients, config, update);
    expect(result.outcomes).toEqual([{ cell: 'cell-1', status: 'CURRENT', attempts: 0 }, { cell: 'cell-2', status: 'UPDATED', attempts: 1 }]);
    expect(result.cellsBehind).toBe(0);
  });
});

describe('updateFromEvent', () => {
  test.each([
    ['no detail', { 'detail-type': 'Object Created' }],
    ['no object key', { 'detail-type': 'Object Created', 'detail': { object: { etag: 'e' } } }],
    ['another detail type with an object', { 'detail-type': 'Object Deleted', 'detail': { object: { key: 'updates/u.zip', etag: 'e' } } }],
    ['no detail type', { detail: { object: { key: 'updates/u.zip', etag: 'e' } } }],
  ])('%s: no update', (_, event) => {
    expect(updateFromEvent(event)).toBeUndefined();
  });

  test('fails when the object has neither a version id nor an ETag', () => {
    expect(() => updateFromEvent({ 'detail-type': 'Object Created', 'detail': { object: { key: 'updates/u.zip' } } }))
      .toThrow('object updates/u.zip has neither a version id nor an ETag');
  });
});

test('the metric line carries its timestamp and the outcomes', () => {
  const outcomes = [{ cell: 'cell-1', status: 'FAILED' as const, attempts: 3, error: 'x' }];
  const line = JSON.parse(cellsBehindMetricLine('ns', 'fan', { outcomes, cellsBehind: 1 }, 1234));
  expect(line).toEqual({
    _aws: { Timestamp: 1234, CloudWatchMetrics: [{ Namespace: 'ns', Dimensions: [['FanOut']], Metrics: [{ Name: 'CellsBehind', Unit: 'Count' }] }] },
    FanOut: 'fan', CellsBehind: 1, outcomes,
  });
});

describe('the entry point', () => {
  const ENV = { BUCKET_NAME: 'b', TABLE_NAME: 't', CELLS: JSON.stringify(cells), METRIC_NAMESPACE: 'ns', FAN_OUT_NAME: 'fan' };
  const saved = { ...process.env };
  let log: jest.SpyInstance;
  beforeEach(() => {
    Object.assign(process.env, ENV);
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    log.mockRestore();
    for (const k of Object.keys(ENV)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  const load = () => (require('../../lib/cells/handler/index') as typeof import('../../lib/cells/handler/index')).handler;

  test.each(Object.keys(ENV))('fails when %s is not set', async key => {
    delete process.env[key];
    await expect(load()({})).rejects.toThrow(`environment variable ${key} is not set`);
  });

  test('a scheduled run with nothing published succeeds and logs 0 cells behind', async () => {
    await expect(load()({ 'detail-type': 'Scheduled Event' })).resolves.toEqual({ outcomes: [], cellsBehind: 0 });
    expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ FanOut: 'fan', CellsBehind: 0, _aws: { CloudWatchMetrics: [{ Namespace: 'ns' }] } });
  });

  test('names every cell behind with its error', async () => {
    ecsMock.on(UpdateServiceCommand).rejects(new Error('nope'));
    await expect(load()({ 'detail-type': 'Object Created', 'detail': { object: { 'key': 'updates/u.zip', 'version-id': 'v9' } } }))
      .rejects.toThrow('update updates/u.zip not applied to cell-1 (Error: nope), cell-2 (Error: nope)');
  });
});
