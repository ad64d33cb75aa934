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

const cells = ['cell-1', 'cell-2', 'cell-3'].map(name => ({
  name,
  parameterName: `/cells/${name}/update`,
  cluster: `arn:aws:ecs:eu-west-1:123456789012:cluster/${name}`,
  service: `arn:aws:ecs:eu-west-1:123456789012:service/${name}/app`,
}));
const config: FanOutConfig = { bucketName: 'updates-bucket', tableName: 'status', cells, now: () => 0 };
const update = { key: 'updates/workflows-v2.zip', version: 'v2' };

/** An in-memory status table behind the mocked document client, so re-runs see earlier writes. */
function statusTable(initial: Record<string, Record<string, unknown>> = {}): Record<string, Record<string, unknown>> {
  const items = { ...initial };
  ddbMock.on(GetCommand).callsFake(input => ({ Item: items[input.Key.cell as string] }));
  ddbMock.on(PutCommand).callsFake(input => { items[input.Item.cell as string] = input.Item; return {}; });
  return items;
}

beforeEach(() => {
  ssmMock.reset();
  ecsMock.reset();
  ddbMock.reset();
  ssmMock.on(PutParameterCommand).resolves({ Version: 2 });
  ecsMock.on(UpdateServiceCommand).resolves({});
});

describe('fanOut', () => {
  test('updates every cell: writes its parameter, redeploys its service, records the version', async () => {
    const items = statusTable();
    const result = await fanOut(clients, config, update);

    expect(result.cellsBehind).toBe(0);
    expect(result.outcomes.map(o => [o.cell, o.status, o.attempts])).toEqual([['cell-1', 'UPDATED', 1], ['cell-2', 'UPDATED', 1], ['cell-3', 'UPDATED', 1]]);
    expect(ssmMock.commandCalls(PutParameterCommand).map(c => c.args[0].input)).toEqual(cells.map(c => ({
      Name: c.parameterName,
      Value: JSON.stringify({ bucket: 'updates-bucket', key: update.key, version: 'v2' }),
      Overwrite: true,
    })));
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input)).toEqual(cells.map(c => ({
      cluster: c.cluster, service: c.service, forceNewDeployment: true,
    })));
    expect(items[LATEST_KEY]).toMatchObject({ key: update.key, version: 'v2' });
    for (const c of cells) expect(items[c.name]).toMatchObject({ status: 'UPDATED', appliedVersion: 'v2', appliedKey: update.key });
  });

  test('reports a failing cell after retrying it, and still updates the others', async () => {
    const items = statusTable({ 'cell-2': { cell: 'cell-2', status: 'UPDATED', appliedVersion: 'v1' } });
    ecsMock.on(UpdateServiceCommand, { service: cells[1].service }).rejects(Object.assign(new Error('service is draining'), { name: 'ServiceNotActiveException' }));

    const result = await fanOut(clients, { ...config, maxAttempts: 3 }, update);

    expect(result.cellsBehind).toBe(1);
    expect(result.outcomes[1]).toEqual({ cell: 'cell-2', status: 'FAILED', attempts: 3, error: 'ServiceNotActiveException: service is draining' });
    expect(result.outcomes.filter(o => o.status === 'UPDATED').map(o => o.cell)).toEqual(['cell-1', 'cell-3']);
    expect(ecsMock.commandCalls(UpdateServiceCommand, { service: cells[1].service })).toHaveLength(3);
    // The failed cell keeps its last applied version and records the error and the version it is missing.
    expect(items['cell-2']).toMatchObject({ status: 'FAILED', appliedVersion: 'v1', pendingVersion: 'v2', lastError: 'ServiceNotActiveException: service is draining' });
  });

  test('a failed cell is retried by the next (scheduled) run, which reads the latest update from the table', async () => {
    const items = statusTable();
    ecsMock.on(UpdateServiceCommand, { service: cells[0].service }).rejects(new Error('throttled'));
    expect((await fanOut(clients, config, update)).cellsBehind).toBe(1);

    ecsMock.reset();
    ecsMock.on(UpdateServiceCommand).resolves({});
    const rerun = await fanOut(clients, config);

    expect(rerun.update).toEqual(update);
    expect(rerun.cellsBehind).toBe(0);
    expect(rerun.outcomes.map(o => o.status)).toEqual(['UPDATED', 'CURRENT', 'CURRENT']);
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.service)).toEqual([cells[0].service]);
    expect(items['cell-1']).toMatchObject({ status: 'UPDATED', appliedVersion: 'v2' });
  });

  test('re-running with the same update is idempotent: no parameter write, no redeployment', async () => {
    statusTable();
    await fanOut(clients, config, update);
    ssmMock.resetHistory();
    ecsMock.resetHistory();

    const again = await fanOut(clients, config, update);

    expect(again.outcomes.map(o => o.status)).toEqual(['CURRENT', 'CURRENT', 'CURRENT']);
    expect(again.cellsBehind).toBe(0);
    expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('a scheduled run before any update was published does nothing', async () => {
    statusTable();
    expect(await fanOut(clients, config)).toEqual({ outcomes: [], cellsBehind: 0 });
    expect(ssmMock.calls()).toHaveLength(0);
  });
});

describe('updateFromEvent', () => {
  test('reads key and version id of an S3 Object Created event', () => {
    expect(updateFromEvent({ 'detail-type': 'Object Created', 'detail': { object: { 'key': 'updates/a.zip', 'etag': 'e1', 'version-id': 'v9' } } }))
      .toEqual({ key: 'updates/a.zip', version: 'v9' });
  });
  test('falls back to the ETag of an unversioned object', () => {
    expect(updateFromEvent({ 'detail-type': 'Object Created', 'detail': { object: { key: 'updates/a.zip', etag: 'e1' } } }))
      .toEqual({ key: 'updates/a.zip', version: 'e1' });
  });
  test('a scheduled event announces no update', () => {
    expect(updateFromEvent({ 'detail-type': 'Scheduled Event', 'detail': {} })).toBeUndefined();
  });
});

test('the metric line is CloudWatch embedded metric format with CellsBehind per fan-out', () => {
  const line = JSON.parse(cellsBehindMetricLine('ns', 'fan', { outcomes: [], cellsBehind: 2 }, 1000));
  expect(line._aws.CloudWatchMetrics[0]).toEqual({ Namespace: 'ns', Dimensions: [['FanOut']], Metrics: [{ Name: 'CellsBehind', Unit: 'Count' }] });
  expect(line).toMatchObject({ FanOut: 'fan', CellsBehind: 2 });
});
