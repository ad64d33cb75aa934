/**
 * The spare scale-up's decisions at their edges: which events start it, the
 * smallest valid count, a service without a count, and what it logs.
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lib/web-tier/handler/index';
import { isFailoverStart, scaleSpare } from '../../lib/web-tier/handler/scale-spare';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'us-east-1' });
const INPUT = { cluster: 'spare-cluster', service: 'spare-web', desiredCount: 1 };

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(UpdateServiceCommand).resolves({});
});

test.each([
  ['no detail', { 'detail-type': 'CloudWatch Alarm State Change' }],
  ['no state', { 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'a' } }],
  ['no detail type', { detail: { state: { value: 'ALARM' } } }],
])('an event with %s does not start a failover', (_, event) => {
  expect(isFailoverStart(event)).toBe(false);
});

test('a count of 1 is valid; 1.5 and -1 are not', async () => {
  ecsMock.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', desiredCount: 0 }] });
  await expect(scaleSpare(ecs, INPUT)).resolves.toEqual({ previous: 0, desired: 1, changed: true });
  await expect(scaleSpare(ecs, { ...INPUT, desiredCount: 1.5 })).rejects.toThrow('desiredCount must be an integer >= 1, got 1.5');
  await expect(scaleSpare(ecs, { ...INPUT, desiredCount: -1 })).rejects.toThrow('desiredCount must be an integer >= 1, got -1');
  expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(1);
});

test('a service that reports no desired count is at 0', async () => {
  ecsMock.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE' }] });
  await expect(scaleSpare(ecs, { ...INPUT, desiredCount: 2 })).resolves.toEqual({ previous: 0, desired: 2, changed: true });
});

test.each([
  ['no services and no failures', {}],
  ['an empty failure list', { services: [], failures: [] }],
])('a service that is not found, with %s', async (_, answer) => {
  ecsMock.on(DescribeServicesCommand).resolves(answer);
  await expect(scaleSpare(ecs, INPUT)).rejects.toThrow('spare service spare-web in cluster spare-cluster is not active: not found');
});

describe('handler', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    Object.assign(process.env, { CLUSTER_NAME: 'spare-cluster', SERVICE_NAME: 'spare-web', DESIRED_COUNT: '2' });
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test('an event without a state is skipped and says so', async () => {
    await expect(handler({ 'detail-type': 'CloudWatch Alarm State Change' })).resolves.toEqual({ skipped: 'not an ALARM state change (no state)' });
    expect(ecsMock.calls()).toHaveLength(0);
  });

  test('logs the alarm that started it with the result', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', desiredCount: 1 }] });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'Primary/Failover', state: { value: 'ALARM' } } });
      expect(JSON.parse(log.mock.calls[0][0] as string)).toEqual({ alarm: 'Primary/Failover', previous: 1, desired: 2, changed: true });
    } finally {
      log.mockRestore();
    }
  });

  test.each(['CLUSTER_NAME', 'DESIRED_COUNT'])('fails when %s is not set', async key => {
    delete process.env[key];
    await expect(handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'ALARM' } } }))
      .rejects.toThrow(`environment variable ${key} is not set`);
  });
});
