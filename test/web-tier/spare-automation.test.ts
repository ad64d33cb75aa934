/**
 * The spare's automation beyond scaling: the probe of the primary site and
 * the initial desired count (a custom resource, since the count is left out
 * of the spare service's template).
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { applyInitialCount, customResourceResponse, InitialCountRequest } from '../../lib/failover/initial-count';
import { handler } from '../../lib/web-tier/handler/index';
import { FetchLike, probeMetricLine, probeSite } from '../../lib/web-tier/handler/probe-site';
import { SITE_PROBE_METRIC } from '../../lib/web-tier/site-probe-metric';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'us-east-1' });
const URL = 'https://agents.eu-west-1.example.com/health';

const answering = (status: number): FetchLike => () => Promise.resolve({ status });

describe('probeSite', () => {
  test.each([200, 204, 299])('a %i answer is healthy', async status => {
    await expect(probeSite(answering(status), { url: URL, timeoutMs: 1000 })).resolves.toEqual({ healthy: 1, detail: `HTTP ${status}` });
  });

  test.each([199, 300, 301, 302, 404, 500, 503])('a %i answer is unhealthy (a redirect included: the health path must answer itself)', async status => {
    await expect(probeSite(answering(status), { url: URL, timeoutMs: 1000 })).resolves.toEqual({ healthy: 0, detail: `HTTP ${status}` });
  });

  test('requests the URL with GET, without following redirects, abortable', async () => {
    const calls: Array<[string, { method: string; redirect: string; signal: AbortSignal }]> = [];
    await probeSite((url, init) => { calls.push([url, init]); return Promise.resolve({ status: 200 }); }, { url: URL, timeoutMs: 1000 });
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe(URL);
    expect(calls[0][1]).toMatchObject({ method: 'GET', redirect: 'manual' });
    expect(calls[0][1].signal.aborted).toBe(false);
  });

  test('an answer in time leaves the request alone afterwards (the timer is cleared)', async () => {
    let signal: AbortSignal | undefined;
    await probeSite((_url, init) => { signal = init.signal; return Promise.resolve({ status: 200 }); }, { url: URL, timeoutMs: 20 });
    await new Promise(resolve => setTimeout(resolve, 40));
    expect(signal?.aborted).toBe(false);
  });

  test('no answer within the timeout is unhealthy, and the request is aborted', async () => {
    let signal: AbortSignal | undefined;
    const hanging: FetchLike = (_url, init) => new Promise((_resolve, reject) => {
      signal = init.signal;
      init.signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
    await expect(probeSite(hanging, { url: URL, timeoutMs: 20 })).resolves.toEqual({ healthy: 0, detail: 'no answer in 20 ms' });
    expect(signal?.aborted).toBe(true);
  });

  test('a network error is unhealthy, with the error as the detail', async () => {
    const failing: FetchLike = () => Promise.reject(new Error('getaddrinfo ENOTFOUND'));
    await expect(probeSite(failing, { url: URL, timeoutMs: 1000 })).resolves.toEqual({ healthy: 0, detail: 'Error: getaddrinfo ENOTFOUND' });
  });

  test('the metric line is EMF with the namespace, dimension and name the spare\'s alarm watches', () => {
    const line = JSON.parse(probeMetricLine('agents.eu-west-1.example.com', { healthy: 0, detail: 'HTTP 503' }, 1700000000000));
    expect(line).toEqual({
      _aws: {
        Timestamp: 1700000000000,
        CloudWatchMetrics: [{ Namespace: SITE_PROBE_METRIC.namespace, Dimensions: [[SITE_PROBE_METRIC.dimension]], Metrics: [{ Name: SITE_PROBE_METRIC.name, Unit: 'None' }] }],
      },
      [SITE_PROBE_METRIC.dimension]: 'agents.eu-west-1.example.com',
      [SITE_PROBE_METRIC.name]: 0,
      detail: 'HTTP 503',
    });
  });
});

function request(type: 'Create' | 'Update' | 'Delete', desiredCount = '0'): InitialCountRequest {
  return {
    RequestType: type,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/presigned',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Spare/1',
    RequestId: 'r-1',
    LogicalResourceId: 'InitialDesiredCount',
    ResourceProperties: { Cluster: 'spare-cluster', Service: 'spare-web', DesiredCount: desiredCount },
  };
}

function serviceAt(desiredCount: number, status = 'ACTIVE'): void {
  ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'spare-web', status, desiredCount }] });
}

describe('applyInitialCount', () => {
  beforeEach(() => {
    ecsMock.reset();
    ecsMock.on(UpdateServiceCommand).resolves({});
  });

  test('on Create, sets the floor exactly (ECS started the service without a count at 1 task)', async () => {
    serviceAt(1);
    await expect(applyInitialCount(ecs, request('Create', '0'))).resolves.toEqual({ previous: 1, desired: 0, changed: true });
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'spare-cluster', service: 'spare-web', desiredCount: 0 });
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'spare-cluster', services: ['spare-web'] });
  });

  test('on Update, raises the count to a higher floor', async () => {
    serviceAt(1);
    await expect(applyInitialCount(ecs, request('Update', '2'))).resolves.toEqual({ previous: 1, desired: 2, changed: true });
  });

  test('on Update during an incident, never lowers what the automation set', async () => {
    serviceAt(3);
    await expect(applyInitialCount(ecs, request('Update', '1'))).resolves.toEqual({ previous: 3, desired: 3, changed: false });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('on Delete, does nothing', async () => {
    await expect(applyInitialCount(ecs, request('Delete'))).resolves.toBeUndefined();
    expect(ecsMock.calls()).toHaveLength(0);
  });

  test.each(['-1', '1.5', 'x'])('fails on a DesiredCount of %s', async count => {
    await expect(applyInitialCount(ecs, request('Create', count))).rejects.toThrow(`DesiredCount must be an integer >= 0, got ${count}`);
  });

  test('fails when the service is not active', async () => {
    serviceAt(0, 'DRAINING');
    await expect(applyInitialCount(ecs, request('Create'))).rejects.toThrow('service spare-web in cluster spare-cluster is not active');
  });

  test('the response names the request and keeps the physical id', () => {
    expect(customResourceResponse(request('Create'))).toEqual({
      Status: 'SUCCESS', Reason: 'OK', PhysicalResourceId: 'spare-cluster/spare-web/initial-count',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Spare/1', RequestId: 'r-1', LogicalResourceId: 'InitialDesiredCount',
    });
    expect(customResourceResponse({ ...request('Update'), PhysicalResourceId: 'kept' }, new Error('boom'))).toMatchObject({ Status: 'FAILED', Reason: 'Error: boom', PhysicalResourceId: 'kept' });
    // CloudFormation takes a reason of up to 4 KB: a long error is cut to 1000 characters.
    expect(customResourceResponse(request('Create'), new Error('x'.repeat(2000))).Reason).toBe(`Error: ${'x'.repeat(993)}`);
  });
});

describe('handler dispatch', () => {
  const realFetch = global.fetch;
  const fetchCalls: Array<[string, RequestInit | undefined]> = [];
  let logs: string[] = [];
  beforeEach(() => {
    ecsMock.reset();
    ecsMock.on(UpdateServiceCommand).resolves({});
    fetchCalls.length = 0;
    logs = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(line); });
    global.fetch = ((url: string, init?: RequestInit) => {
      fetchCalls.push([url, init]);
      return Promise.resolve(new Response(null, { status: url === URL ? 503 : 200 }));
    }) as typeof fetch;
    Object.assign(process.env, { PROBE_URL: URL, PROBE_SITE: 'agents.eu-west-1.example.com', PROBE_TIMEOUT_MS: '5000', CLUSTER_NAME: 'c', SERVICE_NAME: 's', DESIRED_COUNT: '3' });
  });
  afterEach(() => {
    global.fetch = realFetch;
    jest.restoreAllMocks();
  });

  test('a scheduled event probes the primary and logs the metric line', async () => {
    await expect(handler({ 'detail-type': 'Scheduled Event' })).resolves.toEqual({ healthy: 0, detail: 'HTTP 503' });
    expect(fetchCalls.map(c => c[0])).toEqual([URL]);
    expect(JSON.parse(logs[0])[SITE_PROBE_METRIC.name]).toBe(0);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  test('a CloudFormation request sets the count and answers CloudFormation with a PUT to the response URL', async () => {
    serviceAt(1);
    await expect(handler(request('Create', '0'))).resolves.toEqual({ previous: 1, desired: 0, changed: true });
    const [url, init] = fetchCalls[0];
    expect(url).toBe('https://cloudformation-custom-resource-response.example/presigned');
    expect(init?.method).toBe('PUT');
    expect(JSON.parse(String(init?.body))).toMatchObject({ Status: 'SUCCESS', RequestId: 'r-1' });
    // The presigned S3 URL accepts no content type; the length is the body's in bytes.
    expect(init?.headers).toEqual({ 'content-type': '', 'content-length': String(Buffer.byteLength(String(init?.body))) });
    expect(JSON.parse(logs[0])).toEqual({ request: 'Create', result: { previous: 1, desired: 0, changed: true } });
  });

  test('a failed CloudFormation request still answers, with FAILED, so the stack does not hang', async () => {
    serviceAt(0, 'INACTIVE');
    await expect(handler(request('Create'))).resolves.toBeUndefined();
    expect(JSON.parse(String(fetchCalls[0][1]?.body))).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('is not active') });
    expect(JSON.parse(logs[0])).toEqual({ request: 'Create', error: 'Error: service spare-web in cluster spare-cluster is not active' });
  });
});
