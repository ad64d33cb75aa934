/**
 * The standby region's probe of the live configuration server (handler logic,
 * AWS SDK mocked, the health check injected): a sample fails only when the
 * writer's health check fails and the primary region's ECS API does not say
 * the server runs.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { checkPrimaryServer } from '../../lib/config-server/handler/server-probe';
import { SERVER_PROBE_METRIC } from '../../lib/config-server/server-probe-metric';
import { DataPlaneResult } from '../../lib/failover/data-plane';
import { sampleMetricLine } from '../../lib/failover/sampling';

const URL = 'http://config-writer.example.com/health';
const config = { cluster: 'config-primary', service: 'config-server', url: URL, timeoutMs: 50 };
afterEach(() => mockClient(ECSClient).restore());

/** A health check that answers `ok`, and records the URL and timeout it was asked for. */
function health(ok: boolean) {
  const asked: Array<[string, number]> = [];
  const check = (url: string, timeoutMs: number): Promise<DataPlaneResult> => {
    asked.push([url, timeoutMs]);
    return Promise.resolve(ok ? { ok, detail: `${url} answered 200` } : { ok, detail: `${url}: no answer in 50 ms` });
  };
  return { check, asked };
}

test('serving while the health check answers; both checks name what they watch', async () => {
  const ecs = mockClient(ECSClient);
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'config-server', runningCount: 1, desiredCount: 2 }] });
  const h = health(true);
  expect(await checkPrimaryServer(new ECSClient({}), config, h.check)).toEqual({
    unreachable: 0, detail: `data plane: ${URL} answered 200; control plane: config-server: 1 running task(s)`,
  });
  expect(h.asked).toEqual([[URL, 50]]);
  expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'config-primary', services: ['config-server'] });
});

test.each([
  ['the ECS endpoint fails', () => Promise.reject(new Error('connect ECONNREFUSED'))],
  ['the ECS API does not answer in time', () => new Promise(() => undefined)],
  ['the ECS API says no task runs (a stale answer)', () => Promise.resolve({ services: [{ serviceName: 'config-server', runningCount: 0, desiredCount: 2 }] })],
])('an ECS API brownout alone never fails a sample: %s while the health check answers', async (_name, answer) => {
  mockClient(ECSClient).on(DescribeServicesCommand).callsFake(answer as () => Promise<unknown>);
  expect((await checkPrimaryServer(new ECSClient({}), config, health(true).check)).unreachable).toBe(0);
});

test.each([
  ['no running task', () => Promise.resolve({ services: [{ serviceName: 'config-server', runningCount: 0, desiredCount: 2 }] }), 'config-server: no running task (desired 2)'],
  ['the service is gone', () => Promise.resolve({ services: [] }), 'config-server not found in config-primary'],
  ['the region does not answer in time', () => new Promise(() => undefined), 'no answer in 50 ms'],
  ['the endpoint fails', () => Promise.reject(new Error('connect ECONNREFUSED')), 'connect ECONNREFUSED'],
])('a failed sample when the health check fails and %s', async (_name, answer, detail) => {
  mockClient(ECSClient).on(DescribeServicesCommand).callsFake(answer as () => Promise<unknown>);
  expect(await checkPrimaryServer(new ECSClient({}), config, health(false).check)).toEqual({
    unreachable: 1, detail: `data plane failed (${URL}: no answer in 50 ms); control plane: ${detail}`,
  });
});

test('a failed health check while ECS says the server runs (a partition between the regions) is not a loss', async () => {
  mockClient(ECSClient).on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'config-server', runningCount: 2 }] });
  const sample = await checkPrimaryServer(new ECSClient({}), config, health(false).check);
  expect(sample.unreachable).toBe(0);
  expect(sample.detail).toMatch(/a partition or brownout, not an outage$/);
});

test('a call that does not answer in time is aborted, not left open (a lost region would pile up connections, sample after sample)', async () => {
  const ecs = mockClient(ECSClient);
  ecs.on(DescribeServicesCommand).callsFake(() => new Promise(() => undefined));
  expect((await checkPrimaryServer(new ECSClient({}), config, health(false).check)).unreachable).toBe(1);
  expect(((ecs.commandCalls(DescribeServicesCommand)[0].args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal?.aborted).toBe(true);
});

test('its samples are published under the config server\'s namespace, by service', () => {
  expect(JSON.parse(sampleMetricLine(SERVER_PROBE_METRIC, 'config-server', { unreachable: 0, detail: 'ok' }, 0))).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: 'CdkHaPatterns/ConfigServer', Dimensions: [['Service']], Metrics: [{ Name: 'PrimaryServerUnreachable', StorageResolution: 1 }] }] },
    Service: 'config-server', PrimaryServerUnreachable: 0,
  });
});
