import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CheckpointStore, LeaseClient } from '../../lib/runtime';

/** Error paths that dynalite cannot produce on demand (throttling), with a mocked client. */
describe('LeaseClient error handling (aws-sdk-client-mock)', () => {
  const ddb = mockClient(DynamoDBClient);
  const client = new DynamoDBClient({ region: 'local' });
  const clock = { t: 1_000_000 };
  const make = () => new LeaseClient({ client, tableName: 'T', leaseName: 'l', holderId: 'me', leaseDurationMs: 10_000, maxClockSkewMs: 1_000, clock: () => clock.t });

  beforeEach(() => ddb.reset());

  test('a throttled renewal propagates and keeps the lease until its local validity ends', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({ Attributes: { fencingToken: { N: '7' } } })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const lease = make();
    expect(await lease.acquire()).toBe(true);
    expect(lease.token).toBe(7);
    clock.t += 5_000;
    await expect(lease.acquire()).rejects.toThrow('slow down');
    expect(lease.isValid()).toBe(true); // still within expiry - skew of the last successful write
    clock.t += 4_000;
    expect(lease.isValid()).toBe(false); // 9 s after the acquisition: expiry (10 s) - skew (1 s)
    expect(lease.token).toBe(7);
  });

  test('the acquire request carries the expiry + skew condition and increments the token', async () => {
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'held', $metadata: {} }));
    clock.t = 2_000_000;
    expect(await make().acquire()).toBe(false);
    const input = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(input).toMatchObject({
      TableName: 'T',
      Key: { pk: { S: 'l' } },
      UpdateExpression: 'SET #holder = :me, #exp = :exp ADD #token :one',
      ConditionExpression: 'attribute_not_exists(#exp) OR #exp < :cutoff',
      ExpressionAttributeValues: { ':me': { S: 'me' }, ':exp': { N: '2010000' }, ':cutoff': { N: '1999000' }, ':one': { N: '1' } },
    });
  });

  test('a checkpoint write failing for another reason than the fence propagates and keeps the lease', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({ Attributes: { fencingToken: { N: '1' } } })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const lease = make();
    await lease.acquire();
    await expect(new CheckpointStore({ client, tableName: 'T', lease }).write('s', '1')).rejects.toThrow('slow down');
    expect(lease.token).toBe(1);
  });
});
