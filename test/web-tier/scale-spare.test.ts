import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lib/web-tier/handler/index';
import { isFailoverStart, scaleBack, scaleSpare } from '../../lib/web-tier/handler/scale-spare';

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

describe('scaleBack (the failback, in the spare\'s region)', () => {
  const BACK = { cluster: 'spare-cluster', service: 'spare-web', spareCount: 1, checks: 3 };
  const healthy = async () => ({ healthy: 1 as const, detail: 'HTTP 200' });

  test('once the primary answers 3 times in a row, scales the spare back to its own count', async () => {
    serviceAt(3);
    const check = jest.fn(healthy);
    await expect(scaleBack(ecs, check, BACK)).resolves.toEqual({ previous: 3, desired: 1, changed: true, primary: ['HTTP 200', 'HTTP 200', 'HTTP 200'] });
    expect(check).toHaveBeenCalledTimes(3);
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'spare-cluster', service: 'spare-web', desiredCount: 1 });
  });

  test('a primary that fails one check keeps the spare as it is, and the step fails naming what it saw', async () => {
    serviceAt(3);
    const answers = [{ healthy: 1 as const, detail: 'HTTP 200' }, { healthy: 0 as const, detail: 'no answer in 5000 ms' }];
    const check = jest.fn(async () => answers.shift()!);
    await expect(scaleBack(ecs, check, BACK)).rejects.toThrow('the primary site is not healthy (HTTP 200, no answer in 5000 ms): the spare spare-web keeps its tasks');
    expect(check).toHaveBeenCalledTimes(2);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  test.each([[1], [0]])('a spare already at or below its count (%i tasks) is left alone', async desired => {
    serviceAt(desired);
    await expect(scaleBack(ecs, healthy, BACK)).resolves.toMatchObject({ previous: desired, desired, changed: false });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('a pilot light goes back to 0 tasks; a bad count fails before any call', async () => {
    serviceAt(3);
    await expect(scaleBack(ecs, healthy, { ...BACK, spareCount: 0 })).resolves.toMatchObject({ desired: 0, changed: true });
    ecsMock.reset();
    await expect(scaleBack(ecs, healthy, { ...BACK, spareCount: -1 })).rejects.toThrow('spareCount must be an integer >= 0, got -1');
    expect(ecsMock.calls()).toHaveLength(0);
  });

  test('checks at least once, even when told 0 checks', async () => {
    serviceAt(3);
    const check = jest.fn(healthy);
    await scaleBack(ecs, check, { ...BACK, checks: 0 });
    expect(check).toHaveBeenCalledTimes(1);
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

  test('{ action: scale-back } probes the primary\'s health URL from its environment and scales back to SPARE_COUNT', async () => {
    Object.assign(process.env, { SPARE_COUNT: '1', PROBE_URL: 'https://agents.eu-west-1.example.com/health', PROBE_TIMEOUT_MS: '5000' });
    serviceAt(3);
    const fetched: string[] = [];
    const fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(async url => { fetched.push(String(url)); return new Response('', { status: 200 }); });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(handler({ action: 'scale-back' })).resolves.toMatchObject({ previous: 3, desired: 1, changed: true });
    fetchSpy.mockRestore();
    log.mockRestore();
    expect(fetched).toEqual(Array(3).fill('https://agents.eu-west-1.example.com/health'));
  });

  test('fails when its environment is incomplete', async () => {
    delete process.env.SERVICE_NAME;
    await expect(handler({ 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'ALARM' } } }))
      .rejects.toThrow('environment variable SERVICE_NAME is not set');
  });
});
