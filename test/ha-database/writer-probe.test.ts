/**
 * The secondary region's probe of the primary writer (handler logic, AWS SDK
 * mocked): what counts as a failed sample, how samples are spaced within one
 * scheduled run, the metric line, and the idempotent promotion.
 */
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, DescribeGlobalClustersCommandOutput, FailoverGlobalClusterCommand, FailoverStatus, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { DataPlaneResult } from '../../lib/failover/data-plane';
import { ProbeSample, sampleFor, sampleMetricLine, withTimeout } from '../../lib/failover/sampling';
import { promotionState, startPromotion } from '../../lib/ha-database/handler/promotion';
import { checkPrimaryWriter, EndpointCache, WriterProbeConfig } from '../../lib/ha-database/handler/writer-probe';
import { WRITER_PROBE_METRIC } from '../../lib/ha-database/writer-probe-metric';

const OLD = 'arn:aws:rds:eu-west-1:123456789012:cluster:orders-eu-west-1';
const TARGET = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-us-east-1';
const config: WriterProbeConfig = { primaryClusterIdentifier: 'orders-eu-west-1', globalClusterIdentifier: 'orders', targetClusterArn: TARGET, timeoutMs: 50 };
const global = (writer: string, operation?: FailoverStatus): DescribeGlobalClustersCommandOutput & { GlobalClusters: NonNullable<DescribeGlobalClustersCommandOutput['GlobalClusters']> } => ({ $metadata: {}, GlobalClusters: [{
  GlobalClusterIdentifier: 'orders', Status: 'available',
  GlobalClusterMembers: [{ DBClusterArn: OLD, IsWriter: writer === OLD }, { DBClusterArn: TARGET, IsWriter: writer === TARGET }],
  ...(operation ? { FailoverState: { Status: operation, FromDbClusterArn: OLD, ToDbClusterArn: TARGET } } : {}),
}] });

/** A writer endpoint kept between samples, and a data-plane check that answers as told (and records where it connected). */
function clients(options: { cached?: string; dataOk?: boolean } = {}) {
  const primary = new RDSClient({ region: 'eu-west-1' });
  const local = new RDSClient({ region: 'us-east-1' });
  const p = mockClient(primary);
  const l = mockClient(local);
  l.on(DescribeGlobalClustersCommand).resolves(global(OLD));
  const store = { endpoint: options.cached, connects: [] as string[] };
  const endpoints: EndpointCache = {
    get: () => Promise.resolve(store.endpoint),
    set: endpoint => { store.endpoint = endpoint; return Promise.resolve(); },
  };
  const connect = (host: string, port: number): Promise<DataPlaneResult> => {
    store.connects.push(`${host}:${port}`);
    return Promise.resolve(options.dataOk === false ? { ok: false, detail: `${host}:${port}: connect ETIMEDOUT` } : { ok: true, detail: `${host}:${port} accepts connections` });
  };
  return { clients: { primary, local, endpoints, connect }, p, l, store };
}

const ENDPOINT = 'orders.cluster-abc.eu-west-1.rds.amazonaws.com:5432';
const writerCluster = (status = 'available') => ({ DBClusters: [{ Status: status, Endpoint: ENDPOINT.split(':')[0], Port: 5432, DBClusterMembers: [{ DBInstanceIdentifier: 'w', IsClusterWriter: true }] }] });

describe('checkPrimaryWriter: the data plane decides, the control plane confirms', () => {
  test('serving: the writer accepts connections (an in-region failover counts as serving: Aurora handles it)', async () => {
    for (const status of ['available', 'failing-over', 'backing-up', 'modifying']) {
      const { clients: c, p, store } = clients({ cached: ENDPOINT });
      p.on(DescribeDBClustersCommand).resolves(writerCluster(status));
      expect(await checkPrimaryWriter(c, config)).toEqual({
        unreachable: 0, detail: `data plane: ${ENDPOINT} accepts connections; control plane: orders-eu-west-1 ${status}, writer w`,
      });
      expect(store.connects).toEqual([ENDPOINT]);
      expect(p.commandCalls(DescribeDBClustersCommand)[0].args[0].input).toEqual({ DBClusterIdentifier: 'orders-eu-west-1' });
    }
  });

  test.each([
    ['the endpoint fails', () => Promise.reject(new Error('getaddrinfo ENOTFOUND rds.eu-west-1.amazonaws.com')), 'getaddrinfo ENOTFOUND rds.eu-west-1.amazonaws.com'],
    ['no answer in time', () => new Promise(() => undefined), 'no answer in 50 ms'],
  ])('a control-plane brownout alone (%s) never fails a sample: the writer still accepts connections', async (_name, answer, detail) => {
    const { clients: c, p } = clients({ cached: ENDPOINT });
    p.on(DescribeDBClustersCommand).callsFake(answer as () => Promise<unknown>);
    expect(await checkPrimaryWriter(c, config)).toEqual({ unreachable: 0, detail: `data plane: ${ENDPOINT} accepts connections; control plane: ${detail}` });
  });

  test.each([
    ['the endpoint fails', () => Promise.reject(new Error('getaddrinfo ENOTFOUND rds.eu-west-1.amazonaws.com')), 'getaddrinfo ENOTFOUND rds.eu-west-1.amazonaws.com'],
    ['no answer in time', () => new Promise(() => undefined), 'no answer in 50 ms'],
    ['no writer', () => Promise.resolve({ DBClusters: [{ Status: 'available', DBClusterMembers: [{ DBInstanceIdentifier: 'r', IsClusterWriter: false }] }] }), 'orders-eu-west-1 has no writer (status available)'],
    ['a status Aurora does not repair', () => Promise.resolve(writerCluster('inaccessible-encryption-credentials')), 'orders-eu-west-1 is inaccessible-encryption-credentials'],
    ['the cluster is gone', () => Promise.resolve({ DBClusters: [] }), 'orders-eu-west-1 not found'],
  ])('a failed sample when the writer refuses connections and the control plane does not say it serves (%s)', async (_name, answer, detail) => {
    const { clients: c, p } = clients({ cached: ENDPOINT, dataOk: false });
    p.on(DescribeDBClustersCommand).callsFake(answer as () => Promise<unknown>);
    expect(await checkPrimaryWriter(c, config)).toEqual({ unreachable: 1, detail: `data plane failed (${ENDPOINT}: connect ETIMEDOUT); control plane: ${detail}` });
  });

  test('a data-plane failure the control plane contradicts (a partition between the regions) is not a loss', async () => {
    const { clients: c, p } = clients({ cached: ENDPOINT, dataOk: false });
    p.on(DescribeDBClustersCommand).resolves(writerCluster());
    const sample = await checkPrimaryWriter(c, config);
    expect(sample.unreachable).toBe(0);
    expect(sample.detail).toMatch(/but the control plane says the writer serves \(orders-eu-west-1 available, writer w\): a partition or brownout, not an outage$/);
  });

  test('without a known endpoint there is no data-plane signal: API errors alone never fail a sample', async () => {
    const { clients: c, p, store } = clients();
    p.on(DescribeDBClustersCommand).rejects(new Error('connect ETIMEDOUT'));
    expect(await checkPrimaryWriter(c, config)).toEqual({
      unreachable: 0, detail: 'no data-plane signal (writer endpoint not known yet); control plane: connect ETIMEDOUT',
    });
    expect(store.connects).toEqual([]);
  });

  test('the endpoint the control plane names is kept and checked; a moved endpoint replaces the kept one', async () => {
    const first = clients();
    first.p.on(DescribeDBClustersCommand).resolves(writerCluster());
    expect((await checkPrimaryWriter(first.clients, config)).unreachable).toBe(0);
    expect([first.store.endpoint, first.store.connects]).toEqual([ENDPOINT, [ENDPOINT]]);

    const moved = clients({ cached: 'old.cluster-abc.eu-west-1.rds.amazonaws.com:5432', dataOk: false });
    moved.p.on(DescribeDBClustersCommand).resolves(writerCluster('stopped'));
    expect(await checkPrimaryWriter(moved.clients, config)).toEqual({
      unreachable: 1, detail: `data plane failed (${ENDPOINT}: connect ETIMEDOUT); control plane: orders-eu-west-1 is stopped`,
    });
    expect([moved.store.endpoint, moved.store.connects]).toEqual([ENDPOINT, ['old.cluster-abc.eu-west-1.rds.amazonaws.com:5432', ENDPOINT]]);
  });

  test('a kept endpoint is checked even when the control plane is gone (the region is lost): the sample fails', async () => {
    const { clients: c, p, store } = clients({ cached: ENDPOINT, dataOk: false });
    p.on(DescribeDBClustersCommand).rejects(new Error('connect ETIMEDOUT'));
    expect(await checkPrimaryWriter(c, config)).toEqual({ unreachable: 1, detail: `data plane failed (${ENDPOINT}: connect ETIMEDOUT); control plane: connect ETIMEDOUT` });
    expect(store.connects).toEqual([ENDPOINT]);
  });

  test('a cache that fails to read or write does not fail the sample', async () => {
    const { clients: c, p, store } = clients();
    const broken = { ...c, endpoints: { get: () => Promise.reject(new Error('AccessDenied')), set: () => Promise.reject(new Error('AccessDenied')) } };
    p.on(DescribeDBClustersCommand).resolves(writerCluster());
    expect((await checkPrimaryWriter(broken, config)).unreachable).toBe(0);
    expect(store.connects).toEqual([ENDPOINT]);
  });

  test('once this region\'s cluster is the writer there is nothing to fail over: serving, without asking the primary region', async () => {
    const { clients: c, p, l, store } = clients({ cached: ENDPOINT, dataOk: false });
    l.on(DescribeGlobalClustersCommand).resolves(global(TARGET));
    expect(await checkPrimaryWriter(c, config)).toEqual({ unreachable: 0, detail: `${TARGET} is already the writer: nothing to fail over` });
    expect(p.commandCalls(DescribeDBClustersCommand)).toHaveLength(0);
    expect(store.connects).toEqual([]);
  });

  test('when the local global-cluster view fails, the two planes decide', async () => {
    const { clients: c, p, l } = clients({ cached: ENDPOINT, dataOk: false });
    l.on(DescribeGlobalClustersCommand).rejects(new Error('Throttling'));
    p.on(DescribeDBClustersCommand).rejects(new Error('connect ETIMEDOUT'));
    expect((await checkPrimaryWriter(c, config)).unreachable).toBe(1);
  });

  test('a call that does not answer in time is aborted, not left open (a lost region would pile up connections, sample after sample)', async () => {
    const { clients: c, p, l } = clients({ cached: ENDPOINT, dataOk: false });
    l.on(DescribeGlobalClustersCommand).callsFake(() => new Promise(() => undefined));
    p.on(DescribeDBClustersCommand).callsFake(() => new Promise(() => undefined));
    expect(await checkPrimaryWriter(c, config)).toEqual({ unreachable: 1, detail: `data plane failed (${ENDPOINT}: connect ETIMEDOUT); control plane: no answer in 50 ms` });
    const signals = [l.commandCalls(DescribeGlobalClustersCommand)[0], p.commandCalls(DescribeDBClustersCommand)[0]]
      .map(call => ((call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal?.aborted);
    expect(signals).toEqual([true, true]);
  });
});

describe('sampleFor', () => {
  test('samples at once, then on every 5-second boundary of the clock, until the run is over (12 samples in 55 s from :03)', async () => {
    let clock = Date.parse('2026-01-01T00:00:03Z');
    const at: number[] = [];
    const samples = await sampleFor(async () => ({ unreachable: 0, detail: 'ok' }), (_s, t) => at.push(t), {
      intervalMs: 5000, runMs: 55000, now: () => clock, sleep: async ms => { clock += ms; },
    });
    expect(samples).toHaveLength(12);
    expect(at.map(t => new Date(t).toISOString().slice(17, 19))).toEqual(['03', '05', '10', '15', '20', '25', '30', '35', '40', '45', '50', '55']);
  });

  test('a slow sample delays the next, never more than to the next boundary', async () => {
    let clock = 0;
    const at: number[] = [];
    await sampleFor(async () => { clock += 2000; return { unreachable: 1, detail: 'no answer in 2000 ms' }; }, (_s, t) => at.push(t), {
      intervalMs: 5000, runMs: 20000, now: () => clock, sleep: async ms => { clock += ms; },
    });
    expect(at).toEqual([0, 5000, 10000, 15000]);
  });
});

test('each sample is one high-resolution EMF line: the metric, its dimension, the value and what was seen', () => {
  const sample: ProbeSample = { unreachable: 1, detail: 'no answer in 2000 ms' };
  expect(JSON.parse(sampleMetricLine(WRITER_PROBE_METRIC, 'orders-eu-west-1', sample, 1700000000000))).toEqual({
    _aws: { Timestamp: 1700000000000, CloudWatchMetrics: [{
      Namespace: 'CdkHaPatterns/HaDatabase', Dimensions: [['Cluster']],
      Metrics: [{ Name: 'PrimaryWriterUnreachable', Unit: 'None', StorageResolution: 1 }],
    }] },
    Cluster: 'orders-eu-west-1', PrimaryWriterUnreachable: 1, detail: 'no answer in 2000 ms',
  });
});

describe('startPromotion', () => {
  const target = { globalClusterIdentifier: 'orders', targetClusterArn: TARGET };
  afterEach(() => mockClient(RDSClient).restore());

  test('calls FailoverGlobalCluster with AllowDataLoss when the secondary is not the writer', async () => {
    const rds = mockClient(RDSClient);
    rds.on(DescribeGlobalClustersCommand).resolves(global(OLD));
    const result = await startPromotion(new RDSClient({}), target, true);
    expect(result.changed).toBe(true);
    expect(rds.commandCalls(FailoverGlobalClusterCommand)[0].args[0].input).toEqual({ GlobalClusterIdentifier: 'orders', TargetDbClusterIdentifier: TARGET, AllowDataLoss: true });
  });

  test.each([
    ['already the writer', global(TARGET), `${TARGET} is already the writer of orders`],
    ['its promotion under way', global(OLD, 'failing-over'), `promotion of ${TARGET} already failing-over`],
  ])('does nothing when the secondary is %s', async (_name, answer, detail) => {
    const rds = mockClient(RDSClient);
    rds.on(DescribeGlobalClustersCommand).resolves(answer);
    expect(await startPromotion(new RDSClient({}), target, true)).toEqual({ changed: false, detail });
    expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  test('promotionState: promoted only as a writer with no operation in progress', () => {
    expect(promotionState(global(TARGET).GlobalClusters[0], TARGET)).toMatchObject({ promoted: true, towardsTarget: false });
    expect(promotionState(global(TARGET, 'pending').GlobalClusters[0], TARGET)).toMatchObject({ promoted: false, operation: 'pending', towardsTarget: true });
  });
});

describe('promotion details (what the logs and errors say)', () => {
  afterEach(() => mockClient(RDSClient).restore());

  test('promotionState names the writers, the operation and the status it saw; an operation towards another cluster is not the target\'s', () => {
    expect(promotionState(global(OLD).GlobalClusters[0], TARGET).seen).toBe(`writer ${OLD}, operation none, status available`);
    expect(promotionState({ GlobalClusterMembers: [] }, TARGET).seen).toBe('writer none, operation none, status unknown');
    // After a failover with the primary region gone, the old writer may still be listed beside the new one.
    expect(promotionState({ GlobalClusterMembers: [{ DBClusterArn: OLD, IsWriter: true }, { DBClusterArn: TARGET, IsWriter: true }] }, TARGET).seen)
      .toBe(`writer ${OLD}, ${TARGET}, operation none, status unknown`);
    expect(promotionState(global(OLD, 'failing-over').GlobalClusters[0], OLD)).toMatchObject({ operation: 'failing-over', towardsTarget: false });
    // A failover record without an operation in progress promotes nothing.
    expect(promotionState({ GlobalClusterMembers: [], FailoverState: { ToDbClusterArn: TARGET } }, TARGET).towardsTarget).toBe(false);
  });

  test('startPromotion describes the global cluster by its identifier, says what it called, and fails when the cluster is not found', async () => {
    const rds = mockClient(RDSClient);
    rds.on(DescribeGlobalClustersCommand).resolves(global(OLD));
    const target = { globalClusterIdentifier: 'orders', targetClusterArn: TARGET };
    expect((await startPromotion(new RDSClient({}), target, true)).detail)
      .toBe(`FailoverGlobalCluster orders -> ${TARGET} (AllowDataLoss); was: writer ${OLD}, operation none, status available`);
    expect((await startPromotion(new RDSClient({}), target, false)).detail).toBe(`FailoverGlobalCluster orders -> ${TARGET}; was: writer ${OLD}, operation none, status available`);
    expect(rds.commandCalls(DescribeGlobalClustersCommand)[0].args[0].input).toEqual({ GlobalClusterIdentifier: 'orders' });
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    await expect(startPromotion(new RDSClient({}), target, true)).rejects.toThrow('global cluster orders not found');
  });
});

describe('withTimeout', () => {
  test('gives up on a call that ignores the signal, with "no answer in <timeout> ms"', async () => {
    await expect(withTimeout(20, () => new Promise(resolve => setTimeout(resolve, 200)))).rejects.toThrow('no answer in 20 ms');
  });

  test('a call that honours the signal (rejecting with its abort error) still fails with "no answer"', async () => {
    const honours = (signal: AbortSignal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('AbortError: aborted'))));
    await expect(withTimeout(20, honours)).rejects.toThrow('no answer in 20 ms');
  });

  test('an answer in time is returned, and its signal is never aborted afterwards (the timer is cleared)', async () => {
    let seen: AbortSignal | undefined;
    expect(await withTimeout(20, async signal => { seen = signal; return 'ok'; })).toBe('ok');
    await new Promise(resolve => setTimeout(resolve, 40));
    expect(seen!.aborted).toBe(false);
  });

  test('a call that fails in time fails with its own error', async () => {
    await expect(withTimeout(50, async () => { throw new Error('AccessDenied'); })).rejects.toThrow('AccessDenied');
  });
});
