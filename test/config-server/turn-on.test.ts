import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { TurnOnConfig, TurnOnError, turnOnStandby } from '../../lib/config-server/handler/turn-on';

const config: TurnOnConfig = {
  cluster: 'standby-cluster', service: 'standby-server', desiredCount: 2,
  hostedZoneId: 'Z123', recordName: 'config-writer.example.com', targetDnsName: 'internal-standby-123.us-east-1.elb.amazonaws.com', ttl: 30,
  tableName: 'config', writerKey: '__writer__', region: 'us-east-1',
};

/** A tiny fake AWS: the mocks read and write this state, so a second run sees the first run's effects. */
function fakeAws() {
  const state = { desired: 0, record: 'internal-primary-9.eu-west-1.elb.amazonaws.com', writer: undefined as string | undefined };
  const ecs = mockClient(ECSClient);
  const route53 = mockClient(Route53Client);
  const dynamodb = mockClient(DynamoDBClient);
  ecs.on(DescribeServicesCommand).callsFake(() => ({ services: [{ serviceName: config.service, desiredCount: state.desired }] }));
  ecs.on(UpdateServiceCommand).callsFake(input => { state.desired = input.desiredCount; return {}; });
  route53.on(ListResourceRecordSetsCommand).callsFake(() => ({
    ResourceRecordSets: [{ Name: 'config-writer.example.com.', Type: 'CNAME', TTL: 30, ResourceRecords: [{ Value: state.record }] }],
  }));
  route53.on(ChangeResourceRecordSetsCommand).callsFake(input => {
    state.record = input.ChangeBatch.Changes[0].ResourceRecordSet.ResourceRecords[0].Value;
    return { ChangeInfo: { Id: 'c', Status: 'PENDING', SubmittedAt: new Date() } };
  });
  dynamodb.on(GetItemCommand).callsFake(() => ({ Item: state.writer ? { pk: { S: '__writer__' }, region: { S: state.writer } } : undefined }));
  dynamodb.on(PutItemCommand).callsFake(input => { state.writer = input.Item.region.S; return {}; });
  const clients = { ecs: new ECSClient({}), route53: new Route53Client({}), dynamodb: new DynamoDBClient({}) };
  return { state, ecs, route53, dynamodb, clients };
}

afterEach(() => {
  mockClient(ECSClient).restore();
  mockClient(Route53Client).restore();
  mockClient(DynamoDBClient).restore();
});

test('turns the standby on: scales to 2 tasks, UPSERTs the writer name, sets the writer flag', async () => {
  const aws = fakeAws();
  const steps = await turnOnStandby(aws.clients, config, () => new Date('2026-01-01T00:00:00Z'));
  expect(steps.map(s => [s.step, s.changed])).toEqual([['scale-standby', true], ['move-writer-name', true], ['flip-writer-flag', true]]);
  expect(aws.ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'standby-cluster', service: 'standby-server', desiredCount: 2 });
  expect(aws.route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input).toEqual({
    HostedZoneId: 'Z123',
    ChangeBatch: {
      Comment: 'cold standby turned on in us-east-1',
      Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'config-writer.example.com.', Type: 'CNAME', TTL: 30, ResourceRecords: [{ Value: config.targetDnsName }] } }],
    },
  });
  expect(aws.dynamodb.commandCalls(PutItemCommand)[0].args[0].input).toEqual({
    TableName: 'config', Item: { pk: { S: '__writer__' }, region: { S: 'us-east-1' }, since: { S: '2026-01-01T00:00:00.000Z' } },
  });
  expect(aws.state).toEqual({ desired: 2, record: config.targetDnsName, writer: 'us-east-1' });
});

test('is idempotent: a second run changes nothing and makes no write calls', async () => {
  const aws = fakeAws();
  await turnOnStandby(aws.clients, config);
  const second = await turnOnStandby(aws.clients, config);
  expect(second.every(s => !s.changed)).toBe(true);
  expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  expect(aws.route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  expect(aws.dynamodb.commandCalls(PutItemCommand)).toHaveLength(1);
  expect(aws.state).toEqual({ desired: 2, record: config.targetDnsName, writer: 'us-east-1' });
});

test('does not scale down a standby already running more tasks', async () => {
  const aws = fakeAws();
  aws.state.desired = 4;
  const [scale] = await turnOnStandby(aws.clients, config);
  expect(scale).toEqual({ step: 'scale-standby', changed: false, detail: 'already at 4 task(s)' });
  expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
});

test('a failure in the middle (Route 53 throws) is reported with the completed steps; a re-run completes', async () => {
  const aws = fakeAws();
  aws.route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(new Error('Throttling: Rate exceeded'));
  const err = await turnOnStandby(aws.clients, config).catch(e => e);
  expect(err).toBeInstanceOf(TurnOnError);
  expect(err.message).toBe("turning on the standby failed at 'move-writer-name' (completed: scale-standby): Throttling: Rate exceeded. Re-run the automation: every step is idempotent.");
  expect(err.completed.map((c: { step: string }) => c.step)).toEqual(['scale-standby']);
  expect(aws.state).toEqual({ desired: 2, record: 'internal-primary-9.eu-west-1.elb.amazonaws.com', writer: undefined });
  expect(aws.dynamodb.commandCalls(PutItemCommand)).toHaveLength(0); // the flag is not flipped before the name moved

  aws.route53.on(ChangeResourceRecordSetsCommand).callsFake(input => {
    aws.state.record = input.ChangeBatch.Changes[0].ResourceRecordSet.ResourceRecords[0].Value;
    return {};
  });
  const rerun = await turnOnStandby(aws.clients, config);
  expect(rerun.map(s => [s.step, s.changed])).toEqual([['scale-standby', false], ['move-writer-name', true], ['flip-writer-flag', true]]);
  expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  expect(aws.state).toEqual({ desired: 2, record: config.targetDnsName, writer: 'us-east-1' });
});

test('fails clearly when the standby service does not exist', async () => {
  const aws = fakeAws();
  aws.ecs.on(DescribeServicesCommand).resolves({ services: [] });
  await expect(turnOnStandby(aws.clients, config)).rejects.toThrow("turning on the standby failed at 'scale-standby' (completed: none): service standby-server not found in cluster standby-cluster");
});
