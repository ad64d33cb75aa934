/**
 * "Already current" is decided by the object version, not by its key: the
 * same key published again with a new version reaches every cell. Status
 * records in a real DynamoDB wire protocol (dynalite); ECS and SSM mocked.
 */
import { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { fanOut, FanOutConfig, LATEST_KEY, updateFromEvent } from '../../lib/cells/handler/fan-out';

interface DynaliteServer { listen(port: number, host: string, cb: () => void): void; address(): AddressInfo; close(cb: () => void): void }

const ssmMock = mockClient(SSMClient);
const ecsMock = mockClient(ECSClient);
let server: DynaliteServer;
let raw: DynamoDBClient;
let ddb: DynamoDBDocumentClient;
let table = 0;

const cells = ['cell-1', 'cell-2', 'cell-3'].map(name => ({ name, parameterName: `/p/${name}`, cluster: `c-${name}`, service: `s-${name}` }));

beforeAll(async () => {
  server = (require('dynalite') as (o: Record<string, number>) => DynaliteServer)({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${server.address().port}`, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  ddb = DynamoDBDocumentClient.from(raw);
});

afterAll(async () => {
  raw.destroy();
  await new Promise<void>(resolve => server.close(() => resolve()));
});

/** A fresh status table per test. */
async function freshConfig(): Promise<FanOutConfig> {
  const tableName = `status-${++table}`;
  await raw.send(new CreateTableCommand({
    TableName: tableName,
    KeySchema: [{ AttributeName: 'cell', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'cell', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  return { bucketName: 'b', tableName, cells, now: () => Date.UTC(2026, 10, 23) };
}

const clients = () => ({ ssm: new SSMClient({}), ecs: new ECSClient({}), ddb });
const get = async (config: FanOutConfig, cell: string) => (await ddb.send(new GetCommand({ TableName: config.tableName, Key: { cell } }))).Item;
const parameterVersions = () => ssmMock.commandCalls(PutParameterCommand).map(c => JSON.parse(c.args[0].input.Value!).version);

beforeEach(() => {
  ssmMock.reset();
  ecsMock.reset();
  ssmMock.on(PutParameterCommand).resolves({});
  ecsMock.on(UpdateServiceCommand).resolves({});
});

test('the same key republished with a new version is applied to every cell, then is current', async () => {
  const config = await freshConfig();
  const key = 'updates/workflows.zip';
  await fanOut(clients(), config, { key, version: 'v1' });
  ssmMock.resetHistory();
  ecsMock.resetHistory();

  const republished = await fanOut(clients(), config, { key, version: 'v2' });

  expect(republished.outcomes.map(o => [o.cell, o.status, o.attempts])).toEqual([['cell-1', 'UPDATED', 1], ['cell-2', 'UPDATED', 1], ['cell-3', 'UPDATED', 1]]);
  expect(parameterVersions()).toEqual(['v2', 'v2', 'v2']);
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(3);
  for (const c of cells) expect(await get(config, c.name)).toMatchObject({ appliedKey: key, appliedVersion: 'v2' });
  expect(await get(config, LATEST_KEY)).toMatchObject({ key, version: 'v2' });

  ssmMock.resetHistory();
  const again = await fanOut(clients(), config, { key, version: 'v2' });
  expect(again.outcomes.map(o => o.status)).toEqual(['CURRENT', 'CURRENT', 'CURRENT']);
  expect(again.outcomes.map(o => o.attempts)).toEqual([0, 0, 0]);
  expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
});

test('the scheduled re-run brings a cell that missed the new version of the same key up to it', async () => {
  const config = await freshConfig();
  const key = 'updates/workflows.zip';
  await fanOut(clients(), config, { key, version: 'v1' });
  ecsMock.on(UpdateServiceCommand, { service: 's-cell-3' }).rejects(new Error('draining'));
  const republished = await fanOut(clients(), { ...config, maxAttempts: 1 }, { key, version: 'v2' });
  expect(republished.cellsBehind).toBe(1);
  expect(await get(config, 'cell-3')).toMatchObject({ status: 'FAILED', appliedKey: key, appliedVersion: 'v1', pendingVersion: 'v2', attempts: 1 });

  ecsMock.reset();
  ecsMock.on(UpdateServiceCommand).resolves({});
  ssmMock.resetHistory();
  const rerun = await fanOut(clients(), config);
  expect(rerun.update).toEqual({ key, version: 'v2' });
  expect(rerun.outcomes.map(o => o.status)).toEqual(['CURRENT', 'CURRENT', 'UPDATED']);
  expect(parameterVersions()).toEqual(['v2']);
  expect(await get(config, 'cell-3')).toMatchObject({ status: 'UPDATED', appliedVersion: 'v2' });
});

test('S3 events of the same key with two versions are two updates', async () => {
  const config = await freshConfig();
  const event = (version: string) => ({ 'detail-type': 'Object Created', 'detail': { object: { 'key': 'updates/u.zip', 'etag': 'same-etag', 'version-id': version } } });
  await fanOut(clients(), config, updateFromEvent(event('111')));
  ssmMock.resetHistory();
  const second = await fanOut(clients(), config, updateFromEvent(event('222')));
  expect(second.outcomes.map(o => o.status)).toEqual(['UPDATED', 'UPDATED', 'UPDATED']);
  expect(parameterVersions()).toEqual(['222', '222', '222']);
});

test('unversioned objects: a new ETag of the same key is a new update', async () => {
  const config = await freshConfig();
  const event = (etag: string) => ({ 'detail-type': 'Object Created', 'detail': { object: { key: 'updates/u.zip', etag } } });
  await fanOut(clients(), config, updateFromEvent(event('e1')));
  const same = await fanOut(clients(), config, updateFromEvent(event('e1')));
  expect(same.outcomes.map(o => o.status)).toEqual(['CURRENT', 'CURRENT', 'CURRENT']);
  const changed = await fanOut(clients(), config, updateFromEvent(event('e2')));
  expect(changed.outcomes.map(o => o.status)).toEqual(['UPDATED', 'UPDATED', 'UPDATED']);
});
