import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

const ssmMock = mockClient(SSMClient);
const ecsMock = mockClient(ECSClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

const cells = [{ name: 'cell-1', parameterName: '/p/1', cluster: 'c1', service: 's1' }, { name: 'cell-2', parameterName: '/p/2', cluster: 'c2', service: 's2' }];
Object.assign(process.env, { BUCKET_NAME: 'b', TABLE_NAME: 't', CELLS: JSON.stringify(cells), METRIC_NAMESPACE: 'ns', FAN_OUT_NAME: 'fan' });
const { handler } = require('../../lib/cells/handler/index') as typeof import('../../lib/cells/handler/index');

const event = { 'detail-type': 'Object Created', 'detail': { object: { 'key': 'updates/u.zip', 'version-id': 'v7' } } };

beforeEach(() => {
  ssmMock.reset(); ecsMock.reset(); ddbMock.reset();
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(PutCommand).resolves({});
  ssmMock.on(PutParameterCommand).resolves({});
  ecsMock.on(UpdateServiceCommand).resolves({});
});

test('the entry point fans an S3 event out to the configured cells and logs the CellsBehind metric', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const result = await handler(event);
  expect(result.outcomes.map(o => o.status)).toEqual(['UPDATED', 'UPDATED']);
  expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.service)).toEqual(['s1', 's2']);
  expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ FanOut: 'fan', CellsBehind: 0 });
  log.mockRestore();
});

test('the entry point fails while a cell is behind, so Lambda retries the event', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  ecsMock.on(UpdateServiceCommand, { service: 's2' }).rejects(new Error('nope'));
  await expect(handler(event)).rejects.toThrow('update updates/u.zip not applied to cell-2 (Error: nope)');
  expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ CellsBehind: 1 });
  log.mockRestore();
});
