/**
 * The fan-out's status records against a real DynamoDB wire protocol
 * (dynalite, started here on 127.0.0.1 port 0); ECS and SSM are mocked.
 */
import { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { fanOut, FanOutConfig, LATEST_KEY } from '../../lib/cells/handler/fan-out';

interface DynaliteServer { listen(port: number, host: string, cb: () => void): void; address(): AddressInfo; close(cb: () => void): void }

const ssmMock = mockClient(SSMClient);
const ecsMock = mockClient(ECSClient);
let server: DynaliteServer;
let raw: DynamoDBClient;
let ddb: DynamoDBDocumentClient;

const cells = ['cell-1', 'cell-2'].map(name => ({ name, parameterName: `/p/${name}`, cluster: `c-${name}`, service: `s-${name}` }));
const config: FanOutConfig = { bucketName: 'b', tableName: 'status', cells, now: () => Date.UTC(2026, 10, 23) };

beforeAll(async () => {
  server = (require('dynalite') as (o: Record<string, number>) => DynaliteServer)({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${server.address().port}`, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  ddb = DynamoDBDocumentClient.from(raw);
  await raw.send(new CreateTableCommand({
    TableName: 'status',
    KeySchema: [{ AttributeName: 'cell', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'cell', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
});

afterAll(async () => {
  raw.destroy();
  await new Promise<void>(resolve => server.close(() => resolve()));
});

beforeEach(() => {
  ssmMock.reset();
  ecsMock.reset();
  ssmMock.on(PutParameterCommand).resolves({});
  ecsMock.on(UpdateServiceCommand).resolves({});
});

const get = async (cell: string) => (await ddb.send(new GetCommand({ TableName: 'status', Key: { cell } }))).Item;

test('an update, a failing cell, a retry run and an idempotent re-run, recorded in a real table', async () => {
  ecsMock.on(UpdateServiceCommand, { service: 's-cell-2' }).rejects(new Error('boom'));
  const first = await fanOut({ ssm: new SSMClient({}), ecs: new ECSClient({}), ddb }, { ...config, maxAttempts: 2 }, { key: 'updates/u1.zip', version: 'v1' });
  expect(first.outcomes.map(o => o.status)).toEqual(['UPDATED', 'FAILED']);
  expect(await get(LATEST_KEY)).toMatchObject({ key: 'updates/u1.zip', version: 'v1', publishedAt: '2026-11-23T00:00:00.000Z' });
  expect(await get('cell-1')).toMatchObject({ status: 'UPDATED', appliedVersion: 'v1', attempts: 1 });
  expect(await get('cell-2')).toMatchObject({ status: 'FAILED', pendingVersion: 'v1', lastError: 'Error: boom', attempts: 2 });
  expect(await get('cell-2')).not.toHaveProperty('appliedVersion');

  ecsMock.reset();
  ecsMock.on(UpdateServiceCommand).resolves({});
  const retry = await fanOut({ ssm: new SSMClient({}), ecs: new ECSClient({}), ddb }, config);
  expect(retry.outcomes.map(o => o.status)).toEqual(['CURRENT', 'UPDATED']);
  expect(await get('cell-2')).toMatchObject({ status: 'UPDATED', appliedVersion: 'v1' });

  const again = await fanOut({ ssm: new SSMClient({}), ecs: new ECSClient({}), ddb }, config);
  expect(again.outcomes.map(o => o.status)).toEqual(['CURRENT', 'CURRENT']);
  expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
});
