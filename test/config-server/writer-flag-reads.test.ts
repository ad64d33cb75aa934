/**
 * The writer flag decides which region accepts configuration writes, so it
 * is read strongly consistently wherever it is read: by the servers' guard
 * and by the turn-on automation before it flips it. DynamoDB emulators always
 * read consistently, so only the request shows it (aws-sdk-client-mock).
 * Also the turn-on steps' details and the automation's entry point.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client, RRType } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { TurnOnConfig, turnOnStandby } from '../../lib/config-server/handler/turn-on';
import { activeWriterRegion, assertWriter, WRITER_FLAG_KEY, WritesRefusedError } from '../../lib/config-server/writer-guard';

const ddb = mockClient(DynamoDBClient);
const ecs = mockClient(ECSClient);
const route53 = mockClient(Route53Client);
const clients = { ecs: new ECSClient({}), route53: new Route53Client({}), dynamodb: new DynamoDBClient({}) };

const config: TurnOnConfig = {
  cluster: 'standby-cluster', service: 'standby-server', desiredCount: 2,
  hostedZoneId: 'Z123', recordName: 'config-writer.example.com', targetDnsName: 'standby-lb.us-east-1.elb.amazonaws.com', ttl: 30,
  tableName: 'config', writerKey: '__writer__', region: 'us-east-1',
};

function record(value?: string, name = 'config-writer.example.com.', type: RRType = 'CNAME') {
  route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: value === undefined ? [] : [{ Name: name, Type: type, TTL: 30, ResourceRecords: [{ Value: value }] }] });
}

beforeEach(() => {
  ddb.reset();
  ecs.reset();
  route53.reset();
  ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: 0 }] });
  ecs.on(UpdateServiceCommand).resolves({});
  record('primary-lb.eu-west-1.elb.amazonaws.com');
  route53.on(ChangeResourceRecordSetsCommand).resolves({});
  ddb.on(GetItemCommand).resolves({});
  ddb.on(PutItemCommand).resolves({});
});

describe('the writer guard', () => {
  const options = { tableName: 'config', region: 'us-east-1', primaryRegion: 'eu-west-1' };

  test('reads the flag item strongly consistently', async () => {
    await activeWriterRegion(new DynamoDBClient({}), options);
    expect(ddb.commandCalls(GetItemCommand).map(c => c.args[0].input)).toEqual([
      { TableName: 'config', Key: { pk: { S: WRITER_FLAG_KEY } }, ConsistentRead: true },
    ]);
    expect(WRITER_FLAG_KEY).toBe('__writer__');
  });

  test('the flag names the writer; without a flag (or its region) the primary region writes', async () => {
    const client = new DynamoDBClient({});
    expect(await activeWriterRegion(client, options)).toBe('eu-west-1');
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: WRITER_FLAG_KEY } } });
    expect(await activeWriterRegion(client, options)).toBe('eu-west-1');
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: WRITER_FLAG_KEY }, region: { S: 'us-east-1' } } });
    expect(await activeWriterRegion(client, options)).toBe('us-east-1');
    await expect(assertWriter(client, options)).resolves.toBeUndefined();
    const refused = await assertWriter(client, { ...options, region: 'eu-west-1' }).catch(e => e);
    expect(refused).toBeInstanceOf(WritesRefusedError);
    expect(refused).toMatchObject({ name: 'WritesRefusedError', region: 'eu-west-1', writerRegion: 'us-east-1' });
  });
});

describe('turn-on', () => {
  test('reads the flag strongly consistently before flipping it', async () => {
    await turnOnStandby(clients, config, () => new Date('2026-01-01T00:00:00Z'));
    expect(ddb.commandCalls(GetItemCommand).map(c => c.args[0].input)).toEqual([
      { TableName: 'config', Key: { pk: { S: '__writer__' } }, ConsistentRead: true },
    ]);
  });

  test('each step says what it changed', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: '__writer__' }, region: { S: 'eu-west-1' } } });
    const steps = await turnOnStandby(clients, config, () => new Date('2026-01-01T00:00:00Z'));
    expect(steps).toEqual([
      { step: 'scale-standby', changed: true, detail: '0 -> 2 task(s)' },
      { step: 'move-writer-name', changed: true, detail: 'config-writer.example.com: primary-lb.eu-west-1.elb.amazonaws.com -> standby-lb.us-east-1.elb.amazonaws.com' },
      { step: 'flip-writer-flag', changed: true, detail: 'writer eu-west-1 -> us-east-1' },
    ]);
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'standby-cluster', services: ['standby-server'] });
    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'Z123', StartRecordName: 'config-writer.example.com.', StartRecordType: 'CNAME', MaxItems: 1,
    });
  });

  test('nothing there yet: a service without a count, no record, no flag', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{}] });
    record(undefined);
    const steps = await turnOnStandby(clients, config);
    expect(steps.map(s => s.detail)).toEqual([
      '0 -> 2 task(s)',
      'config-writer.example.com: (none) -> standby-lb.us-east-1.elb.amazonaws.com',
      'writer (unset) -> us-east-1',
    ]);
  });

  test('the standby already at exactly the count is left alone', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: 2 }] });
    const [scale] = await turnOnStandby(clients, config);
    expect(scale).toEqual({ step: 'scale-standby', changed: false, detail: 'already at 2 task(s)' });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('a name already pointing at the standby (with or without a trailing dot) is left alone', async () => {
    for (const value of ['standby-lb.us-east-1.elb.amazonaws.com.', 'standby-lb.us-east-1.elb.amazonaws.com']) {
      route53.resetHistory();
      record(value);
      const [, move] = await turnOnStandby(clients, { ...config, targetDnsName: 'standby-lb.us-east-1.elb.amazonaws.com.' });
      expect(move).toEqual({ step: 'move-writer-name', changed: false, detail: 'config-writer.example.com already points to standby-lb.us-east-1.elb.amazonaws.com.' });
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    }
  });

  test('a record of another name or type listed first is not the writer\'s name', async () => {
    for (const [name, type] of [['other.example.com.', 'CNAME'], ['config-writer.example.com.', 'TXT']] as Array<[string, RRType]>) {
      route53.resetHistory();
      record('standby-lb.us-east-1.elb.amazonaws.com', name, type);
      const [, move] = await turnOnStandby(clients, config);
      expect(move.changed).toBe(true);
      expect(move.detail).toBe('config-writer.example.com: (none) -> standby-lb.us-east-1.elb.amazonaws.com');
    }
  });

  test('the writer\'s name listed without values (an alias record) does not point to the standby', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ Name: 'config-writer.example.com.', Type: 'CNAME', ResourceRecords: [] }] });
    const [, move] = await turnOnStandby(clients, config);
    expect(move).toEqual({ step: 'move-writer-name', changed: true, detail: 'config-writer.example.com: (none) -> standby-lb.us-east-1.elb.amazonaws.com' });
  });

  test('a flag item without a region counts as unset', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: '__writer__' } } });
    const [, , flip] = await turnOnStandby(clients, config);
    expect(flip).toEqual({ step: 'flip-writer-flag', changed: true, detail: 'writer (unset) -> us-east-1' });
  });

  test('the flag already naming this region is left alone', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: '__writer__' }, region: { S: 'us-east-1' } } });
    const [, , flip] = await turnOnStandby(clients, config);
    expect(flip).toEqual({ step: 'flip-writer-flag', changed: false, detail: 'writer already us-east-1' });
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  test('the flag\'s time defaults to now', async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 2) });
    try {
      await turnOnStandby(clients, config);
    } finally {
      jest.useRealTimers();
    }
    expect(ddb.commandCalls(PutItemCommand)[0].args[0].input.Item!.since).toEqual({ S: '2026-01-02T00:00:00.000Z' });
  });

  test('a failure that is not an Error is reported as text', async () => {
    ecs.on(DescribeServicesCommand).callsFake(() => { throw 'denied'; });
    await expect(turnOnStandby(clients, config)).rejects.toMatchObject({
      name: 'TurnOnError', failedStep: 'scale-standby', completed: [],
      message: 'turning on the standby failed at \'scale-standby\' (completed: none): denied. Re-run the automation: every step is idempotent.',
    });
  });

  test('a failure of the last step names both completed steps', async () => {
    ddb.on(PutItemCommand).rejects(new Error('replica unavailable'));
    await expect(turnOnStandby(clients, config)).rejects.toThrow(
      'turning on the standby failed at \'flip-writer-flag\' (completed: scale-standby, move-writer-name): replica unavailable.');
  });
});
