/**
 * The standby region's probe of the live configuration server (handler logic,
 * AWS SDK mocked): serving while the primary region's ECS endpoint answers
 * with a running task; anything else is a failed sample.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { checkPrimaryServer } from '../../lib/config-server/handler/server-probe';
import { SERVER_PROBE_METRIC } from '../../lib/config-server/server-probe-metric';
import { sampleMetricLine } from '../../lib/failover/sampling';

const config = { cluster: 'config-primary', service: 'config-server', timeoutMs: 50 };
afterEach(() => mockClient(ECSClient).restore());

test('serving while the live server runs at least one task; the call names the cluster and service', async () => {
  const ecs = mockClient(ECSClient);
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'config-server', runningCount: 1, desiredCount: 2 }] });
  expect(await checkPrimaryServer(new ECSClient({}), config)).toEqual({ unreachable: 0, detail: 'config-server: 1 running task(s)' });
  expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'config-primary', services: ['config-server'] });
});

test.each([
  ['no running task', () => Promise.resolve({ services: [{ serviceName: 'config-server', runningCount: 0, desiredCount: 2 }] }), 'config-server: no running task (desired 2)'],
  ['the service is gone', () => Promise.resolve({ services: [] }), 'config-server not found in config-primary'],
  ['the region does not answer in time', () => new Promise(() => undefined), 'no answer in 50 ms'],
  ['the endpoint fails', () => Promise.reject(new Error('connect ECONNREFUSED')), 'connect ECONNREFUSED'],
])('a failed sample when %s', async (_name, answer, detail) => {
  mockClient(ECSClient).on(DescribeServicesCommand).callsFake(answer as () => Promise<unknown>);
  expect(await checkPrimaryServer(new ECSClient({}), config)).toEqual({ unreachable: 1, detail });
});

test('a call that does not answer in time is aborted, not left open (a lost region would pile up connections, sample after sample)', async () => {
  const ecs = mockClient(ECSClient);
  ecs.on(DescribeServicesCommand).callsFake(() => new Promise(() => undefined));
  expect(await checkPrimaryServer(new ECSClient({}), config)).toEqual({ unreachable: 1, detail: 'no answer in 50 ms' });
  expect(((ecs.commandCalls(DescribeServicesCommand)[0].args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal?.aborted).toBe(true);
});

test('its samples are published under the config server\'s namespace, by service', () => {
  expect(JSON.parse(sampleMetricLine(SERVER_PROBE_METRIC, 'config-server', { unreachable: 0, detail: 'ok' }, 0))).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: 'CdkHaPatterns/ConfigServer', Dimensions: [['Service']], Metrics: [{ Name: 'PrimaryServerUnreachable', StorageResolution: 1 }] }] },
    Service: 'config-server', PrimaryServerUnreachable: 0,
  });
});
