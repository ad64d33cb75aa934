import { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { assertWriter, activeWriterRegion, WRITER_FLAG_KEY, WritesRefusedError } from '../../lib/config-server/writer-guard';
// A real DynamoDB wire protocol (dynalite), started by the test.
const dynalite = require('dynalite');

describe('writer guard against dynalite', () => {
  let server: { listen(port: number, host: string, cb: () => void): void; close(cb: () => void): void; address(): AddressInfo };
  let client: DynamoDBClient;
  const opts = { tableName: 'config', region: 'us-east-1', primaryRegion: 'eu-west-1' };

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${server.address().port}`, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await client.send(new CreateTableCommand({
      TableName: 'config', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }));
  });
  afterAll(async () => {
    client.destroy();
    await new Promise<void>(resolve => server.close(() => resolve()));
  });

  test('degraded mode: with no flag the primary region is the writer, and the standby region refuses writes clearly', async () => {
    expect(await activeWriterRegion(client, opts)).toBe('eu-west-1');
    await expect(assertWriter(client, { ...opts, region: 'eu-west-1' })).resolves.toBeUndefined();
    const err = await assertWriter(client, opts).catch(e => e);
    expect(err).toBeInstanceOf(WritesRefusedError);
    expect(err.message).toBe('configuration writes are refused in us-east-1: the active writer region is eu-west-1. ' +
      'Reads keep working from the local replica. If that region is lost, turn on the cold standby (its TurnOn function) to accept writes here.');
  });

  test('once the turn-on automation sets the flag, the standby region writes and the old primary refuses', async () => {
    await client.send(new PutItemCommand({ TableName: 'config', Item: { pk: { S: WRITER_FLAG_KEY }, region: { S: 'us-east-1' } } }));
    await expect(assertWriter(client, opts)).resolves.toBeUndefined();
    await expect(assertWriter(client, { ...opts, region: 'eu-west-1' })).rejects.toThrow('configuration writes are refused in eu-west-1: the active writer region is us-east-1.');
  });
});
