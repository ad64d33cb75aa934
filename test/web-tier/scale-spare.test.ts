import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lib/web-tier/handler/index';
import { isFailoverStart, scaleSpare } from '../../lib/web-tier/handler/scale-spare';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'us-east-1' });
const INPUT = { cluster: 'spare-cluster', service: 'spare-web', desiredCount: 3 };

function serviceAt(desiredCount: number, status = 'ACTIVE'): void {
  ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'spare-web', status, desiredCount }] });
}

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(UpdateServiceCommand).resolves({});
});

describe('scaleSpare', () => {
  test('scales a warm or pilot-light spare up to N+1', async () => {
    serviceAt(1);
    await expect(scaleSpare(ecs, INPUT)).resolves.toEqual({ previous: 1, desired: 3, changed: true });
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'spare-cluster', services: ['spare-web'] });
    const updates = ecsMock.commandCalls(UpdateServiceCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0].args[0].input).toEqual({ cluster: 'spare-cluster', service: 'spare-web', desiredCount: 3 });
  });

  test.each([3, 5])('is idempotent and never scales down (service at %i tasks)', async current => {
    serviceAt(current);
    await expect(scaleSpare(ecs, INPUT)).resolves.toEqual({ previous: current, desired: current, changed: false });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('a second alarm after scaling changes nothing', async () => {
    serviceAt(0);
    await scaleSpare(ecs, INPUT);
    serviceAt(3);
    await expect(scaleSpare(ecs, INPUT)).resolves.toMatchObject({ changed: false });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  test('fails when the spare service is not active', async () => {
    serviceAt(0, 'DRAINING');
    await expect(scaleSpare(ecs, INPUT)).rejects.toThrow('spare service spare-web in cluster spare-cluster is not active: DRAINING');
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    await expect(scaleSpare(ecs, INPUT)).rejects.toThrow('is not active: MISSING');
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('fails when the desired count is not a positive integer', async () => {
    await expect(scaleSpare(ecs, { ...INPUT, desiredCount: 0 })).rejects.toThrow('desiredCount must be an integer >= 1, got 0');
  });
});

describe('isFailoverStart', () => {
  test.each([
    ['ALARM', true],
    ['OK', false],
    ['INSUFFICIENT_DATA', false],
  ])('an alarm state change to %s -> %s', (value, expected) => {
    expect(isFailoverStart({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value } } })).toBe(expected);
  });

  test('other events are ignored', () => {
    expect(isFailoverStart({ 'detail-type': 'Scheduled Event', 'detail': { state: { value: 'ALARM' } } })).toBe(false);
  });
});

describe('handler', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    Object.assign(process.env, { CLUSTER_NAME: 'spare-cluster', SERVICE_NAME: 'spare-web', DESIRED_COUNT: '3' });
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test('scales the service named in its environment on ALARM', async () => {
    serviceAt(1);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { alarmName: 'p', state: { value: 'ALARM' } } }))
      .resolves.toEqual({ previous: 1, desired: 3, changed: true });
    log.mockRestore();
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'spare-cluster', service: 'spare-web', desiredCount: 3 });
  });

  test('does nothing when the alarm returns to OK (no automatic scale-down)', async () => {
    await expect(handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'OK' } } }))
      .resolves.toEqual({ skipped: 'not an ALARM state change (OK)' });
    expect(ecsMock.calls()).toHaveLength(0);
  });

  test('fails when its environment is incomplete', async () => {
    delete process.env.SERVICE_NAME;
    await expect(handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'ALARM' } } }))
      .rejects.toThrow('environment variable SERVICE_NAME is not set');
  });
});
