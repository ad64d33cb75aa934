import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
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

test('turns the standby on: scales to 2 tasks, UPSERTs the writer name, then sets the writer flag', async () => {
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

test('a failure in the middle (Route 53 throws) is reported with the completed steps, before the flag; a re-run completes', async () => {
  const aws = fakeAws();
  aws.route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(new Error('Throttling: Rate exceeded'));
  const err = await turnOnStandby(aws.clients, config).catch(e => e);
  expect(err).toBeInstanceOf(TurnOnError);
  expect(err.message).toBe("turning on the standby failed at 'move-writer-name' (completed: scale-standby): Throttling: Rate exceeded. Re-run the automation: every step is idempotent.");
  expect(err.completed.map((c: { step: string }) => c.step)).toEqual(['scale-standby']);
  // the flag is set last: no region has been told to take writes
  expect(aws.state).toEqual({ desired: 2, record: 'internal-primary-9.eu-west-1.elb.amazonaws.com', writer: undefined });

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

describe('with an HaDatabase store: ask its promoter, move the name, wait for the promotion, then the flag', () => {
  const PROMOTER = 'arn:aws:lambda:us-east-1:123456789012:function:promoter';
  const GLOBAL = 'config-global';
  const OLD = 'arn:aws:rds:eu-west-1:123456789012:cluster:config-global-eu-west-1';
  const TARGET = 'arn:aws:rds:us-east-1:123456789012:cluster:config-global-us-east-1';
  const dbConfig: TurnOnConfig = {
    ...config,
    database: { globalClusterIdentifier: GLOBAL, targetClusterArn: TARGET, promoterFunction: PROMOTER, requestedBy: 'config server', timeoutSeconds: 120, pollSeconds: 10 },
  };
  type Answer = { writer?: string; operation?: string; status?: string };
  const globalCluster = (a: Answer) => ({
    GlobalClusterIdentifier: GLOBAL, Status: a.status ?? 'available',
    GlobalClusterMembers: [{ DBClusterArn: OLD, IsWriter: a.writer === OLD }, { DBClusterArn: TARGET, IsWriter: a.writer === TARGET }],
    ...(a.operation ? { FailoverState: { Status: a.operation, FromDbClusterArn: OLD, ToDbClusterArn: TARGET, IsDataLossAllowed: true } } : {}),
  });

  /** The fake AWS, with an RDS whose DescribeGlobalClusters answers come from a list (the last one repeats), and a log of every call in order. */
  function fakeAwsWithDatabase(answers: Answer[]) {
    const aws = fakeAws();
    const rds = mockClient(RDSClient);
    const log: string[] = [];
    let described = 0;
    rds.on(DescribeGlobalClustersCommand).callsFake(() => {
      log.push('DescribeGlobalClusters');
      return { GlobalClusters: [globalCluster(answers[Math.min(described++, answers.length - 1)])] };
    });
    rds.on(FailoverGlobalClusterCommand).callsFake(() => { log.push('FailoverGlobalCluster'); return {}; });
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).callsFake(() => { log.push('Invoke promoter'); return { StatusCode: 202 }; });
    aws.ecs.on(UpdateServiceCommand).callsFake(input => { log.push('UpdateService'); aws.state.desired = input.desiredCount; return {}; });
    aws.dynamodb.on(PutItemCommand).callsFake(input => { log.push('PutItem (writer flag)'); aws.state.writer = input.Item.region.S; return {}; });
    aws.route53.on(ChangeResourceRecordSetsCommand).callsFake(input => {
      log.push('ChangeResourceRecordSets (writer name)');
      aws.state.record = input.ChangeBatch.Changes[0].ResourceRecordSet.ResourceRecords[0].Value;
      return {};
    });
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const slept: number[] = [];
    const now = () => new Date(clock);
    const sleep = async (ms: number) => { slept.push(ms); clock += ms; };
    return { ...aws, rds, lambda, log, slept, now, sleep, clients: { ...aws.clients, rds: new RDSClient({}), lambda: new LambdaClient({}) } };
  }

  afterEach(() => {
    mockClient(RDSClient).restore();
    mockClient(LambdaClient).restore();
  });

  test('order: ask the promoter (an asynchronous invocation; never FailoverGlobalCluster itself), move the name while it runs, wait until the standby cluster is the writer, set the flag', async () => {
    const aws = fakeAwsWithDatabase([
      { writer: OLD }, // before the call
      { writer: OLD, operation: 'pending' }, // right after the call: still the old writer
      { operation: 'failing-over', status: 'failing-over' },
      { writer: TARGET }, // promoted
    ]);
    const steps = await turnOnStandby(aws.clients, dbConfig, aws.now, aws.sleep);
    expect(steps.map(s => [s.step, s.changed])).toEqual([
      ['scale-standby', true], ['request-promotion', true], ['move-writer-name', true], ['wait-for-database', false], ['flip-writer-flag', true],
    ]);
    expect(aws.log).toEqual([
      'UpdateService',
      'DescribeGlobalClusters', 'Invoke promoter',
      'ChangeResourceRecordSets (writer name)',
      'DescribeGlobalClusters', 'DescribeGlobalClusters', 'DescribeGlobalClusters',
      'PutItem (writer flag)',
    ]);
    const invoke = aws.lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect([invoke.FunctionName, invoke.InvocationType, JSON.parse(Buffer.from(invoke.Payload as Uint8Array).toString())])
      .toEqual([PROMOTER, 'Event', { action: 'promote', requestedBy: 'config server' }]);
    expect(aws.rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(aws.slept).toEqual([10000, 10000]);
    expect(steps[3].detail).toBe(`${TARGET} is the writer (waited 20 s)`);
  });

  test('never leaves the name or the flag on a region whose database is not promoted: fails at the wait and moves the name back; a re-run completes without asking again', async () => {
    const aws = fakeAwsWithDatabase([{ writer: OLD }, { writer: OLD, operation: 'pending' }]);
    const err = await turnOnStandby(aws.clients, dbConfig, aws.now, aws.sleep).catch(e => e);
    expect(err).toBeInstanceOf(TurnOnError);
    expect(err.failedStep).toBe('wait-for-database');
    expect(err.message).toBe(`turning on the standby failed at 'wait-for-database' (completed: scale-standby, request-promotion): ${TARGET} is not the writer of ${GLOBAL} after 120 s ` +
      `(writer ${OLD}, operation pending, status available); config-writer.example.com was moved back to internal-primary-9.eu-west-1.elb.amazonaws.com. ` +
      'Re-run the automation: every step is idempotent.');
    expect(aws.dynamodb.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(aws.route53.commandCalls(ChangeResourceRecordSetsCommand).map(c => c.args[0].input.ChangeBatch?.Changes?.[0].ResourceRecordSet?.ResourceRecords?.[0].Value))
      .toEqual([config.targetDnsName, 'internal-primary-9.eu-west-1.elb.amazonaws.com']);
    expect(aws.state).toEqual({ desired: 2, record: 'internal-primary-9.eu-west-1.elb.amazonaws.com', writer: undefined });

    // re-run while the promotion is still under way: no second FailoverGlobalCluster, then done
    const again = fakeAwsWithDatabase([{ operation: 'failing-over' }, { writer: TARGET }]);
    const steps = await turnOnStandby(again.clients, dbConfig, again.now, again.sleep);
    expect(steps.map(s => [s.step, s.changed])).toEqual([
      ['scale-standby', true], ['request-promotion', false], ['move-writer-name', true], ['wait-for-database', false], ['flip-writer-flag', true],
    ]);
    expect(steps[1].detail).toBe(`promotion of ${TARGET} already failing-over`);
    expect(again.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('a name already on the standby is not moved back when the wait fails (an earlier run moved it)', async () => {
    const aws = fakeAwsWithDatabase([{ writer: OLD }, { writer: OLD, operation: 'pending' }]);
    aws.state.record = config.targetDnsName;
    const err = await turnOnStandby(aws.clients, dbConfig, aws.now, aws.sleep).catch(e => e);
    expect(err.failedStep).toBe('wait-for-database');
    expect(aws.route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  test('a database already promoted (its promoter ran first) is not asked again: the server follows', async () => {
    const aws = fakeAwsWithDatabase([{ writer: TARGET }]);
    const steps = await turnOnStandby(aws.clients, dbConfig, aws.now, aws.sleep);
    expect(steps[1]).toEqual({ step: 'request-promotion', changed: false, detail: `${TARGET} is already the writer` });
    expect(aws.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(aws.log.slice(-3)).toEqual(['ChangeResourceRecordSets (writer name)', 'DescribeGlobalClusters', 'PutItem (writer flag)']);
  });

  test('the name moved back says why (the change comment); a failed move back is reported with the wait\'s failure', async () => {
    const aws = fakeAwsWithDatabase([{ writer: OLD }, { writer: OLD, operation: 'pending' }]);
    await turnOnStandby(aws.clients, dbConfig, aws.now, aws.sleep).catch(() => undefined);
    expect(aws.route53.commandCalls(ChangeResourceRecordSetsCommand)[1].args[0].input.ChangeBatch?.Comment)
      .toBe('cold standby turn-on in us-east-1 failed: database not promoted');

    const failing = fakeAwsWithDatabase([{ writer: OLD }, { writer: OLD, operation: 'pending' }]);
    let changes = 0;
    failing.route53.on(ChangeResourceRecordSetsCommand).callsFake(() => {
      if (++changes > 1) throw new Error('Throttling');
      return {};
    });
    const err = await turnOnStandby(failing.clients, dbConfig, failing.now, failing.sleep).catch(e => e);
    expect(err).toBeInstanceOf(TurnOnError);
    expect(err.failedStep).toBe('wait-for-database');
    expect(err.completed.map((c: { step: string }) => c.step)).toEqual(['scale-standby', 'request-promotion', 'move-writer-name']);
    expect(err.reason).toBe(`${TARGET} is not the writer of ${GLOBAL} after 120 s (writer ${OLD}, operation pending, status available); ` +
      'moving config-writer.example.com back to internal-primary-9.eu-west-1.elb.amazonaws.com failed too: Error: Throttling');
  });

  test('a database store without an RDS or Lambda client fails at the request, after the scale-up', async () => {
    const aws = fakeAwsWithDatabase([{ writer: OLD }]);
    const err = await turnOnStandby({ ...aws.clients, rds: undefined }, dbConfig, aws.now, aws.sleep).catch(e => e);
    expect(err).toBeInstanceOf(TurnOnError);
    expect([err.failedStep, err.completed.map((c: { step: string }) => c.step), err.reason]).toEqual(['request-promotion', ['scale-standby'], 'no RDS or Lambda client for the database store']);
    const noLambda = await turnOnStandby({ ...aws.clients, lambda: undefined }, dbConfig, aws.now, aws.sleep).catch(e => e);
    expect(noLambda.reason).toBe('no RDS or Lambda client for the database store');
  });

  test('without a sleep of its own, the wait polls in real time (every pollSeconds)', async () => {
    const aws = fakeAwsWithDatabase([{ writer: OLD }, { writer: OLD, operation: 'pending' }, { writer: TARGET }]);
    const started = Date.now();
    const steps = await turnOnStandby(aws.clients, { ...dbConfig, database: { ...dbConfig.database!, pollSeconds: 0.05 } }, aws.now);
    expect(steps.map(st => st.step)).toContain('flip-writer-flag');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  test('a refused request (the promoter cannot be invoked) stops the turn-on before the flag and the name', async () => {
    const aws = fakeAwsWithDatabase([{ writer: OLD }]);
    aws.lambda.on(InvokeCommand).rejects(new Error('AccessDeniedException'));
    const err = await turnOnStandby(aws.clients, dbConfig, aws.now, aws.sleep).catch(e => e);
    expect(err.failedStep).toBe('request-promotion');
    expect(aws.state).toEqual({ desired: 2, record: 'internal-primary-9.eu-west-1.elb.amazonaws.com', writer: undefined });
  });
});
