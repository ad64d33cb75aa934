/**
 * The lease-holder drills (SingletonDaemon, HotStandbyConsumer) stop the
 * task that holds the lease when they run, not a service chosen at
 * synthesis: the clients record their task on the lease item, and the
 * drill's SSM Automation runbook reads the item and stops that task. The
 * runbook is run here step by step (its `aws:executeAwsApi` calls sent with
 * the AWS SDK) against a real DynamoDB wire protocol (dynalite) holding a
 * lease taken over by a second contender, with ECS mocked.
 */
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { Drills, FaultExperiment, HaPattern, HotStandbyConsumer, SingletonDaemon } from '../../lib';
import { ecsTaskArn, LeaseAttributes, LeaseClient } from '../../lib/runtime';
import { testApp } from '../harness';
import { FIXTURES } from '../pattern-fixtures';
import { LocalDynamoDb, startLocalDynamoDb } from '../runtime/local-dynamodb';
import { permissions, permissionsOf } from './statements';

const partition = { Ref: 'AWS::Partition' };
const arn = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', partition, ...parts]] });

function drilled<T extends HaPattern>(name: string) {
  const app = testApp();
  const pattern = FIXTURES[name](app) as T;
  const drills = new Drills(Stack.of(pattern), 'Drills', {});
  const stack = Stack.of(pattern);
  const experiment = drills.experiments.find(e => e.purpose.scenario.startsWith('task-loss'))!;
  return { pattern, stack, experiment, template: Template.fromStack(stack) };
}

/** A resolved value as plain JSON (what the template holds). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function logicalId(stack: Stack, role: iam.IRole): string {
  return stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId) as string;
}

/** The SSM document of the experiment's lease-holder action, as synthesized. */
function runbookOf(stack: Stack, template: Template, experiment: FaultExperiment): RunbookContent {
  const id = stack.resolve((experiment.node.findChild('Step1StopLeaseHolder').node.defaultChild as CfnResource).logicalId) as string;
  return JSON.parse(JSON.stringify((template.toJSON().Resources[id] as { Properties: { Content: RunbookContent } }).Properties.Content)) as RunbookContent;
}

describe.each(['SingletonDaemon', 'HotStandbyConsumer'])('the task-loss drill of a %s', name => {
  const { pattern, stack, experiment, template } = drilled<SingletonDaemon | HotStandbyConsumer>(name);
  const runbook = runbookOf(stack, template, experiment);
  const tableArn = stack.resolve(pattern.leaseTable.table.tableArn);
  const clusterArn = stack.resolve(pattern.cluster.clusterArn);
  const automationRole = experiment.node.findChild('Step1StopLeaseHolder').node.findChild('Role') as iam.Role;

  test('runs the runbook (no target chosen at synthesis), then waits for its stop condition to act', () => {
    const json = stack.resolve(experiment.template.actions) as Record<string, { actionId: string; parameters?: Record<string, string> }>;
    expect(Object.values(json).map(a => a.actionId)).toEqual(['aws:ssm:start-automation-execution', 'aws:fis:wait']);
    expect(stack.resolve(experiment.template.targets)).toEqual({});
  });

  test('the runbook reads the lease item (consistent) and stops the task it names, in the contenders\' cluster', () => {
    expect(runbook.assumeRole).toEqual(stack.resolve(automationRole.roleArn));
    expect(runbook.mainSteps.map(s => [s.name, s.action, s.inputs.Service, s.inputs.Api])).toEqual([
      ['ReadLease', 'aws:executeAwsApi', 'dynamodb', 'GetItem'],
      ['StopHolder', 'aws:executeAwsApi', 'ecs', 'StopTask'],
    ]);
    expect(runbook.mainSteps[0].inputs).toEqual({
      Service: 'dynamodb', Api: 'GetItem', TableName: plain(stack.resolve(pattern.leaseTable.table.tableName)), Key: { pk: { S: pattern.leaseName } }, ConsistentRead: true,
    });
    expect(runbook.mainSteps[0].outputs).toContainEqual({ Name: 'HolderTask', Selector: `$.Item.${LeaseAttributes.HOLDER_TASK}.S`, Type: 'String' });
    expect(runbook.mainSteps[1].inputs).toEqual({
      Service: 'ecs', Api: 'StopTask', cluster: plain(stack.resolve(pattern.cluster.clusterName)), task: '{{ ReadLease.HolderTask }}', reason: expect.stringContaining('FIS drill'),
    });
  });

  test('the runbook\'s role may read that lease item and stop tasks of the cluster: nothing else', () => {
    expect(permissionsOf(template, logicalId(stack, automationRole))).toEqual(permissions(
      { actions: ['dynamodb:GetItem'], resources: [tableArn], condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [pattern.leaseName] } } },
      {
        actions: ['ecs:StopTask'],
        resources: [arn(':ecs:eu-west-1:123456789012:task/', stack.resolve(pattern.cluster.clusterName), '/*')],
        condition: { ArnEquals: { 'ecs:cluster': clusterArn } },
      },
    ));
  });

  test('the runbook\'s role is assumed by Systems Manager for automations of this account and region only', () => {
    const trust = stack.resolve((automationRole.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument) as { Statement: unknown[] };
    expect(trust.Statement).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': arn(':ssm:eu-west-1:123456789012:automation-execution/*') },
      },
    }]);
  });

  test('the experiment\'s role may start that runbook, follow and stop its executions, and pass its role to SSM only', () => {
    const docName = stack.resolve((experiment.node.findChild('Step1StopLeaseHolder').node.defaultChild as CfnResource).ref);
    const fis = permissionsOf(template, logicalId(stack, experiment.role));
    expect(fis).toEqual(expect.arrayContaining(permissions(
      { actions: ['ssm:StartAutomationExecution'], resources: [arn(':ssm:eu-west-1:123456789012:automation-definition/', docName, ':*')] },
      { actions: ['ssm:GetAutomationExecution', 'ssm:StopAutomationExecution'], resources: [arn(':ssm:eu-west-1:123456789012:automation-execution/*')] },
      { actions: ['iam:PassRole'], resources: [stack.resolve(automationRole.roleArn)], condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } },
    )));
    // Besides those and the log delivery, nothing: no ECS call of its own.
    expect(fis.filter(p => !p.actions[0].startsWith('logs:')).length).toBe(4);
  });
});

// ---- the runbook, run

interface RunbookStep {
  readonly name: string;
  readonly action: string;
  readonly inputs: Record<string, unknown> & { Service: string; Api: string };
  readonly outputs?: Array<{ Name: string; Selector: string; Type: string }>;
}

interface RunbookContent {
  readonly assumeRole: unknown;
  readonly mainSteps: RunbookStep[];
}

/**
 * Runs an Automation runbook made of `aws:executeAwsApi` steps as SSM
 * does: each step's inputs with `{{ Step.Output }}` replaced by earlier
 * outputs, sent with the AWS SDK (the input names are the API's), outputs
 * picked by their `$.a.b` selector. A reference to an output that was not
 * found fails the step, as a step whose input cannot be resolved fails.
 */
async function runRunbook(content: RunbookContent, clients: { dynamodb: DynamoDBClient; ecs: ECSClient }): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  for (const step of content.mainSteps) {
    expect(step.action).toBe('aws:executeAwsApi');
    const { Service, Api, ...input } = JSON.parse(JSON.stringify(step.inputs).replace(/\{\{ *([A-Za-z]+\.[A-Za-z]+) *\}\}/g, (_, ref: string) => {
      if (!(ref in outputs)) throw new Error(`step ${step.name}: ${ref} is not an output of an earlier step`);
      return outputs[ref];
    })) as RunbookStep['inputs'];
    let answer: unknown;
    if (Service === 'dynamodb' && Api === 'GetItem') answer = await clients.dynamodb.send(new GetItemCommand(input as never));
    else if (Service === 'ecs' && Api === 'StopTask') answer = await clients.ecs.send(new StopTaskCommand(input as never));
    else throw new Error(`unexpected call ${Service}.${Api}`);
    for (const out of step.outputs ?? []) {
      const value = out.Selector.replace(/^\$\./, '').split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], answer);
      if (typeof value === 'string') outputs[`${step.name}.${out.Name}`] = value;
    }
  }
  return outputs;
}

/** The runbook of the SingletonDaemon's drill with the table and cluster names a test picks. */
function singletonRunbook(tableName: string, clusterName: string): RunbookContent {
  const { stack, experiment, template } = drilled<SingletonDaemon>('SingletonDaemon');
  const content = runbookOf(stack, template, experiment);
  return JSON.parse(JSON.stringify(content), (key, value) => {
    if (key === 'TableName') return tableName;
    if (key === 'cluster') return clusterName;
    return value;
  }) as RunbookContent;
}

describe('the lease-holder runbook, run against a lease taken over', () => {
  const ecs = mockClient(ECSClient);
  const TABLE = 'leases';
  const taskA = 'arn:aws:ecs:eu-west-1:123456789012:task/etl/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const taskB = 'arn:aws:ecs:eu-west-1:123456789012:task/etl/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  let db: LocalDynamoDb;
  const clock = { t: 1_000_000 };
  const contender = (holderId: string, task: string | undefined) => new LeaseClient({
    client: db.client, tableName: TABLE, leaseName: 'singleton', holderId, leaseDurationMs: 30_000, maxClockSkewMs: 1_000,
    clock: () => clock.t, taskArn: async () => task,
  });

  beforeAll(async () => {
    db = await startLocalDynamoDb();
    await db.createTable(TABLE);
  });
  afterAll(async () => db.stop());
  beforeEach(() => {
    ecs.reset();
    ecs.on(StopTaskCommand).callsFake(input => ({ task: { taskArn: (input as { task: string }).task, desiredStatus: 'STOPPED' } }));
  });

  test('after a takeover, it stops the new holder\'s task (the standby that took over), not the first contender\'s', async () => {
    const a = contender('a', taskA);
    const b = contender('b', taskB);
    expect(await a.acquire()).toBe(true);
    expect(await runRunbook(singletonRunbook(TABLE, 'etl'), { dynamodb: db.client, ecs: new ECSClient({ region: 'eu-west-1' }) })).toMatchObject({ 'StopHolder.StoppedTask': taskA });
    clock.t += 32_000; // a's lease lapsed (its task died): b takes it
    expect(await b.acquire()).toBe(true);
    ecs.resetHistory();
    const outputs = await runRunbook(singletonRunbook(TABLE, 'etl'), { dynamodb: db.client, ecs: new ECSClient({ region: 'eu-west-1' }) });
    expect(outputs).toMatchObject({ 'ReadLease.Holder': 'b', 'ReadLease.HolderTask': taskB, 'StopHolder.StoppedTask': taskB });
    expect(ecs.commandCalls(StopTaskCommand).map(c => c.args[0].input)).toEqual([
      { cluster: 'etl', task: taskB, reason: expect.stringContaining('FIS drill') },
    ]);
  });

  test('fails, stopping nothing, when the lease is released (the item names no task)', async () => {
    const b = contender('b2', taskB);
    clock.t += 100_000;
    expect(await b.acquire()).toBe(true);
    await b.release();
    const item = await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'singleton' } }, ConsistentRead: true }));
    expect(item.Item?.[LeaseAttributes.HOLDER_TASK]).toBeUndefined();
    await expect(runRunbook(singletonRunbook(TABLE, 'etl'), { dynamodb: db.client, ecs: new ECSClient({ region: 'eu-west-1' }) }))
      .rejects.toThrow(/ReadLease.HolderTask is not an output/);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
  });

  test('a holder that does not know its task removes a dead holder\'s task from the item: the drill never stops a stale task', async () => {
    const a = contender('a3', taskA);
    clock.t += 100_000;
    expect(await a.acquire()).toBe(true); // a dies without releasing
    clock.t += 32_000;
    expect(await contender('c3', undefined).acquire()).toBe(true);
    await expect(runRunbook(singletonRunbook(TABLE, 'etl'), { dynamodb: db.client, ecs: new ECSClient({ region: 'eu-west-1' }) }))
      .rejects.toThrow(/ReadLease.HolderTask is not an output/);
    expect(ecs.commandCalls(StopTaskCommand)).toEqual([]);
  });
});

// ---- recording the task

describe('LeaseClient records its ECS task on the lease item', () => {
  // Mocked in this block only: the runbook above talks to dynalite through the same client class.
  let ddb: ReturnType<typeof mockClient>;
  const client = new DynamoDBClient({ region: 'local' });
  beforeAll(() => {
    ddb = mockClient(DynamoDBClient);
  });
  afterAll(() => ddb.restore());
  const make = (taskArn?: () => Promise<string | undefined>) => new LeaseClient({
    client, tableName: 'T', leaseName: 'l', holderId: 'me', leaseDurationMs: 9_000, maxClockSkewMs: 1_000, clock: () => 1_000_000, taskArn,
  });
  const updates = () => ddb.commandCalls(UpdateItemCommand).map(c => (c.args[0] as UpdateItemCommand).input);
  beforeEach(() => {
    ddb.reset();
    ddb.on(UpdateItemCommand).resolves({ Attributes: { fencingToken: { N: '1' } } } as never);
  });

  test('a client that knows its task sets holderTask with the holder, and removes it on release', async () => {
    const lease = make(async () => 'arn:aws:ecs:eu-west-1:1:task/c/t');
    await lease.acquire();
    await lease.release();
    expect(updates().map(u => [u.UpdateExpression, u.ExpressionAttributeNames?.['#task'], u.ExpressionAttributeValues?.[':task']])).toEqual([
      ['SET #holder = :me, #exp = :exp, #task = :task ADD #token :one', 'holderTask', { S: 'arn:aws:ecs:eu-west-1:1:task/c/t' }],
      ['SET #exp = :zero REMOVE #holder, #task', 'holderTask', undefined],
    ]);
  });

  test('a client whose task cannot be read removes a stale holderTask when it takes the lease', async () => {
    await make(async () => { throw new Error('metadata endpoint down'); }).acquire();
    expect(updates()[0].UpdateExpression).toBe('SET #holder = :me, #exp = :exp ADD #token :one REMOVE #task');
  });

  test('a client without a task (outside ECS) sends the requests it always sent', async () => {
    const lease = make();
    await lease.acquire();
    await lease.release();
    expect(updates().map(u => u.UpdateExpression)).toEqual(['SET #holder = :me, #exp = :exp ADD #token :one', 'SET #exp = :zero REMOVE #holder']);
    expect(updates().every(u => !('#task' in (u.ExpressionAttributeNames ?? {})))).toBe(true);
  });

  test('fromEnvironment reads the task from the ECS task metadata endpoint in an ECS task, and not elsewhere', async () => {
    const env = {
      HA_LEASE_TABLE_NAME: 'T', HA_LEASE_NAME: 'l', HA_LEASE_DURATION_MS: '9000', HA_LEASE_MAX_CLOCK_SKEW_MS: '1000',
    };
    const outside = LeaseClient.fromEnvironment(client, 'me', env, { put: () => undefined });
    await outside.acquire();
    expect(updates()[0].UpdateExpression).toBe('SET #holder = :me, #exp = :exp ADD #token :one');
    const inside = LeaseClient.fromEnvironment(client, 'me', { ...env, ECS_CONTAINER_METADATA_URI_V4: 'http://127.0.0.1:1/v4/x' }, { put: () => undefined });
    await inside.acquire(); // no endpoint here: the read fails, so the client removes any stale task
    expect(updates()[1].UpdateExpression).toBe('SET #holder = :me, #exp = :exp ADD #token :one REMOVE #task');
  });

  test('ecsTaskArn: reads TaskARN from $ECS_CONTAINER_METADATA_URI_V4/task once, retries after a failure, nothing outside ECS', async () => {
    const urls: string[] = [];
    let up = false;
    const get = async (url: string) => {
      urls.push(url);
      return { ok: up, json: async () => ({ TaskARN: 'arn:aws:ecs:eu-west-1:1:task/c/t', Cluster: 'c' }) };
    };
    const read = ecsTaskArn({ ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/abc' }, get);
    expect(await read()).toBeUndefined();
    up = true;
    expect(await read()).toBe('arn:aws:ecs:eu-west-1:1:task/c/t');
    expect(await read()).toBe('arn:aws:ecs:eu-west-1:1:task/c/t');
    expect(urls).toEqual(['http://169.254.170.2/v4/abc/task', 'http://169.254.170.2/v4/abc/task']);
    expect(await ecsTaskArn({}, get)()).toBeUndefined();
    expect(urls.length).toBe(2);
  });
});
