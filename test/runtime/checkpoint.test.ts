import { CheckpointFencedError, CheckpointStore, EmfMetricsSink, LeaseClient } from '../../lib/runtime';
import { LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

const TABLE = 'Checkpoints';
let db: LocalDynamoDb;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createTable(TABLE);
});
afterAll(async () => db.stop());

function node(leaseName: string, holderId: string, now: () => number) {
  const lease = new LeaseClient({ client: db.client, tableName: TABLE, leaseName, holderId, leaseDurationMs: 10_000, maxClockSkewMs: 1_000, clock: now });
  return { lease, checkpoints: new CheckpointStore({ client: db.client, tableName: TABLE, lease, clock: now }) };
}

describe('CheckpointStore (dynalite)', () => {
  test('the leader writes and reads back per-shard checkpoints', async () => {
    const clock = { t: 1_000_000 };
    const a = node('cp-basic', 'a', () => clock.t);
    await a.lease.acquire();
    expect(await a.checkpoints.read('shard-0')).toBeUndefined();
    await a.checkpoints.write('shard-0', '100');
    await a.checkpoints.write('shard-1', '7');
    await a.checkpoints.write('shard-0', '105');
    expect(await a.checkpoints.read('shard-0')).toBe('105');
    expect(await a.checkpoints.read('shard-1')).toBe('7');
  });

  test('a deposed leader can write no checkpoint, even when its local clock still says valid', async () => {
    const clock = { t: 2_000_000 };
    const slowClock = { t: 2_000_000 }; // the old leader was paused: its clock reads an old time
    const a = node('cp-fenced', 'a', () => slowClock.t);
    const b = node('cp-fenced', 'b', () => clock.t);
    await a.lease.acquire();
    await a.checkpoints.write('shard-0', '10');
    clock.t += 11_001; // past expiry + skew for b
    expect(await b.lease.acquire()).toBe(true);
    expect(a.lease.isValid()).toBe(true); // a does not know yet
    await expect(a.checkpoints.write('shard-0', '20')).rejects.toThrow(CheckpointFencedError);
    expect(a.lease.isValid()).toBe(false); // and now it knows
    expect(await b.checkpoints.read('shard-0')).toBe('10');
    await b.checkpoints.write('shard-0', '11');
    expect(await a.checkpoints.read('shard-0')).toBe('11');
  });

  test('a process whose lease lapsed locally refuses to write', async () => {
    const clock = { t: 3_000_000 };
    const a = node('cp-lapsed', 'a', () => clock.t);
    await expect(a.checkpoints.write('shard-0', '1')).rejects.toThrow("checkpoint of lease 'cp-lapsed' rejected: token <none>");
    await a.lease.acquire();
    clock.t += 9_000;
    await expect(a.checkpoints.write('shard-0', '1')).rejects.toThrow(CheckpointFencedError);
    expect(await a.checkpoints.read('shard-0')).toBeUndefined();
  });

  test('publishes the checkpoint lag', async () => {
    const clock = { t: 4_000_000 };
    const lines: string[] = [];
    const lease = new LeaseClient({ client: db.client, tableName: TABLE, leaseName: 'cp-lag', holderId: 'a', leaseDurationMs: 10_000, maxClockSkewMs: 1_000, clock: () => clock.t });
    const store = new CheckpointStore({ client: db.client, tableName: TABLE, lease, clock: () => clock.t, metrics: new EmfMetricsSink({ LeaseName: 'cp-lag' }, l => lines.push(l)) });
    await lease.acquire();
    await store.write('shard-0', '1', clock.t - 2_500);
    expect(JSON.parse(lines[0])).toMatchObject({ CheckpointLag: 2_500, _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: 'CheckpointLag', Unit: 'Milliseconds' }] }] } });
  });
});
