/**
 * The fast takeover function: when a task of the primary server stops and
 * no other primary task runs, it starts the runbook that points the stable
 * listeners at the secondary; when another primary task runs (a deployment,
 * a replacement of an unhealthy task), it does nothing.
 */
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { TakeoverConfig, takeOverIfPrimaryGone, TaskStateChangeEvent } from '../../lib/warm-standby/handler/takeover';

const ecsMock = mockClient(ECSClient);
const ssmMock = mockClient(SSMClient);
const clients = { ecs: new ECSClient({}), ssm: new SSMClient({}) };
const config: TakeoverConfig = { cluster: 'pair-cluster', primaryService: 'primary-svc', runbook: 'Pair-SwitchToSecondary' };
const STOPPING = 'arn:aws:ecs:eu-west-1:123456789012:task/pair-cluster/old';
const OTHER = 'arn:aws:ecs:eu-west-1:123456789012:task/pair-cluster/new';

function stopping(detail: Partial<NonNullable<TaskStateChangeEvent['detail']>> = {}): TaskStateChangeEvent {
  return { detail: { taskArn: STOPPING, group: 'service:primary-svc', desiredStatus: 'STOPPED', lastStatus: 'RUNNING', stopCode: 'EssentialContainerExited', ...detail } };
}

/** The primary service's tasks with desired status RUNNING, by last status. */
function primaryTasks(tasks: Record<string, string>) {
  ecsMock.on(ListTasksCommand).resolves({ taskArns: Object.keys(tasks) });
  ecsMock.on(DescribeTasksCommand).callsFake(input => ({ tasks: (input.tasks as string[]).map(arn => ({ taskArn: arn, lastStatus: tasks[arn] })) }));
}

beforeEach(() => {
  ecsMock.reset();
  ssmMock.reset();
  ssmMock.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: 'exec-1' });
});

test('the only primary task stops: it starts the takeover runbook ($DEFAULT version)', async () => {
  primaryTasks({});
  const decision = await takeOverIfPrimaryGone(clients, config, stopping());
  expect(decision).toEqual({
    switched: true,
    executionId: 'exec-1',
    reason: `no other task of the primary runs while ${STOPPING} stops (EssentialContainerExited: no reason yet): started Pair-SwitchToSecondary to point the listeners at the secondary`,
  });
  expect(ecsMock.commandCalls(ListTasksCommand)[0].args[0].input).toEqual({ cluster: 'pair-cluster', serviceName: 'primary-svc', desiredStatus: 'RUNNING' });
  expect(ssmMock.commandCalls(StartAutomationExecutionCommand).map(c => c.args[0].input)).toEqual([{ DocumentName: 'Pair-SwitchToSecondary', DocumentVersion: '$DEFAULT' }]);
});

test('the replacement ECS is starting does not count: it serves nothing until it runs and passes its health checks', async () => {
  primaryTasks({ [OTHER]: 'PENDING' });
  const decision = await takeOverIfPrimaryGone(clients, config, stopping({ lastStatus: 'DEACTIVATING' }));
  expect(decision.switched).toBe(true);
  expect(ecsMock.commandCalls(DescribeTasksCommand)[0].args[0].input).toEqual({ cluster: 'pair-cluster', tasks: [OTHER] });
});

test('the stopping task itself listed does not count', async () => {
  primaryTasks({ [STOPPING]: 'RUNNING' });
  expect((await takeOverIfPrimaryGone(clients, config, stopping())).switched).toBe(true);
  expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0);
});

test('another primary task runs (a deployment stopping the old task, ECS replacing an unhealthy one): no takeover', async () => {
  primaryTasks({ [OTHER]: 'RUNNING' });
  const decision = await takeOverIfPrimaryGone(clients, config, stopping({ stopCode: 'ServiceSchedulerInitiated' }));
  expect(decision).toEqual({ switched: false, reason: `the primary still runs ${OTHER} while ${STOPPING} stops: no takeover` });
  expect(ssmMock.commandCalls(StartAutomationExecutionCommand)).toHaveLength(0);
});

test.each([
  ['a task of another service', stopping({ group: 'service:secondary-svc' })],
  ['a task starting', stopping({ desiredStatus: 'RUNNING' })],
  ['an event without a task', { detail: { group: 'service:primary-svc', desiredStatus: 'STOPPED' } }],
  ['an empty event', {}],
])('%s: no call at all', async (_name, event) => {
  const decision = await takeOverIfPrimaryGone(clients, config, event);
  expect(decision.switched).toBe(false);
  expect(decision.reason).toMatch(/^not a stopping task of the primary service primary-svc/);
  expect(ecsMock.calls()).toHaveLength(0);
  expect(ssmMock.calls()).toHaveLength(0);
});

test('a failing ECS call fails the invocation (EventBridge retries it), and starts nothing', async () => {
  ecsMock.on(ListTasksCommand).rejects(new Error('throttled'));
  await expect(takeOverIfPrimaryGone(clients, config, stopping())).rejects.toThrow('throttled');
  expect(ssmMock.commandCalls(StartAutomationExecutionCommand)).toHaveLength(0);
});

test('the entry point reads its configuration from the environment and logs its decision', async () => {
  Object.assign(process.env, { CLUSTER: 'pair-cluster', PRIMARY_SERVICE: 'primary-svc', RUNBOOK: 'Pair-SwitchToSecondary' });
  const { handler } = require('../../lib/warm-standby/handler/index') as typeof import('../../lib/warm-standby/handler/index');
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  primaryTasks({});
  const decision = await handler(stopping());
  expect(decision.switched).toBe(true);
  expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ message: 'takeover started', switched: true, executionId: 'exec-1' });
  log.mockRestore();
});

test('two other primary tasks run: both are named; ECS listing no task at all takes over, naming a missing stop code and reason', async () => {
  const THIRD = 'arn:aws:ecs:eu-west-1:123456789012:task/pair-cluster/third';
  primaryTasks({ [OTHER]: 'RUNNING', [THIRD]: 'RUNNING' });
  expect((await takeOverIfPrimaryGone(clients, config, stopping())).reason).toBe(`the primary still runs ${OTHER}, ${THIRD} while ${STOPPING} stops: no takeover`);
  ecsMock.reset();
  ecsMock.on(ListTasksCommand).resolves({});
  const decision = await takeOverIfPrimaryGone(clients, config, stopping({ stopCode: undefined }));
  expect(decision.reason).toBe(`no other task of the primary runs while ${STOPPING} stops (no stop code: no reason yet): started Pair-SwitchToSecondary to point the listeners at the secondary`);
  expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(0);
});

test('the entry point logs "no takeover" when it does nothing, and names a missing setting', async () => {
  Object.assign(process.env, { CLUSTER: 'pair-cluster', PRIMARY_SERVICE: 'primary-svc', RUNBOOK: 'Pair-SwitchToSecondary' });
  const { handler } = require('../../lib/warm-standby/handler/index') as typeof import('../../lib/warm-standby/handler/index');
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  primaryTasks({ [OTHER]: 'RUNNING' });
  await handler(stopping());
  expect(JSON.parse(log.mock.calls[0][0] as string)).toMatchObject({ message: 'no takeover', switched: false });
  delete process.env.RUNBOOK;
  await expect(handler(stopping())).rejects.toThrow('missing environment variable RUNBOOK');
  log.mockRestore();
});
