/**
 * How long a holder may act: the validity window after `take()` and after
 * `renew()`, and what a refused or skipped write does to it. Against
 * dynalite (the real DynamoDB wire protocol).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { LeaseClient, LeaseLostError, MetricsSink, RuntimeMetricNames } from '../../lib/runtime';
import { LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

const TABLE = 'LeaseValidity';
const DURATION = 10_000;
const SKEW = 1_000;
let db: LocalDynamoDb;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createTable(TABLE);
});
afterAll(async () => db.stop());

function clockAt(start: number) {
  const c = { t: start, now: () => c.t };
  return c;
}

/** A sink that records every value it is given. */
function recordingSink() {
  const puts: Array<[string, number, string]> = [];
  const sink: MetricsSink = { put: (name, value, unit) => { puts.push([name, value, unit]); } };
  return { puts, sink };
}

function lease(leaseName: string, holderId: string, now: () => number, metrics?: MetricsSink) {
  return new LeaseClient({
    client: db.client, tableName: TABLE, leaseName, holderId, leaseDurationMs: DURATION, maxClockSkewMs: SKEW, clock: now, metrics,
  });
}

async function expiresAt(leaseName: string): Promise<number> {
  const item = (await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: leaseName } }, ConsistentRead: true }))).Item;
  return Number(item?.expiresAt?.N);
}

describe('lease validity window', () => {
  test('after take(): valid until take time + duration - skew; the stored expiry is take time + duration', async () => {
    const clock = clockAt(1_000_000);
    const a = lease('take-window', 'a', clock.now);
    expect(await a.acquire()).toBe(true);
    expect(a.validUntilMs).toBe(1_000_000 + DURATION - SKEW);
    expect(await expiresAt('take-window')).toBe(1_000_000 + DURATION);
  });

  test('after renew(): valid until renewal time + duration - skew, not the take time\'s window and not the full duration', async () => {
    const clock = clockAt(2_000_000);
    const a = lease('renew-window', 'a', clock.now);
    await a.acquire();
    clock.t += 4_000;
    expect(await a.renew()).toBe(true);
    expect(a.validUntilMs).toBe(2_004_000 + DURATION - SKEW);
    expect(await expiresAt('renew-window')).toBe(2_004_000 + DURATION);
    clock.t = 2_004_000 + DURATION - SKEW - 1;
    expect(a.isValid()).toBe(true); // past the take's window: the renewal extended it
    expect(a.assertValid()).toBe(1);
    clock.t += 1; // exactly renewal + duration - skew: the margin starts here
    expect(a.isValid()).toBe(false);
    expect(() => a.assertValid()).toThrow(LeaseLostError);
    expect(a.token).toBe(1); // lapsed locally, the token is still known
  });

  test('a renewal by acquire() moves the window the same way', async () => {
    const clock = clockAt(3_000_000);
    const a = lease('acquire-renews', 'a', clock.now);
    await a.acquire();
    clock.t += 8_000;
    expect(await a.acquire()).toBe(true);
    clock.t = 3_008_000 + DURATION - SKEW - 1;
    expect(a.isValid()).toBe(true);
    clock.t += 1;
    expect(a.isValid()).toBe(false);
  });

  test('a refused renewal ends the window at once and forgets the token', async () => {
    const clock = clockAt(4_000_000);
    const a = lease('renew-refused', 'a', clock.now);
    const b = lease('renew-refused', 'b', clock.now);
    await a.acquire();
    clock.t += DURATION + SKEW + 1;
    expect(await b.acquire()).toBe(true);
    clock.t = 4_000_000; // a's clock (paused) still reads inside its window
    expect(a.isValid()).toBe(true);
    expect(await a.renew()).toBe(false);
    expect(a.isValid()).toBe(false);
    expect(a.validUntilMs).toBe(0);
    expect(a.token).toBeUndefined();
  });

  test('renew() without a lease writes nothing and returns false; validUntilMs is 0', async () => {
    const clock = clockAt(5_000_000);
    const a = lease('never-held', 'a', clock.now);
    expect(a.validUntilMs).toBe(0);
    expect(await a.renew()).toBe(false);
    expect(await expiresAt('never-held')).toBeNaN();
    await a.release(); // nothing to release: no write either
    expect(await expiresAt('never-held')).toBeNaN();
  });

  test('release() and abandon() end the window and forget the token', async () => {
    const clock = clockAt(6_000_000);
    const a = lease('release-window', 'a', clock.now);
    await a.acquire();
    await a.release();
    expect(a.validUntilMs).toBe(0);
    expect(a.token).toBeUndefined();
    expect(await expiresAt('release-window')).toBe(0);
    const b = lease('abandon-window', 'b', clock.now);
    await b.acquire();
    b.abandon();
    expect(b.isValid()).toBe(false);
    expect(b.validUntilMs).toBe(0);
    expect(b.token).toBeUndefined();
    expect(await expiresAt('abandon-window')).toBe(6_000_000 + DURATION); // abandon writes nothing
  });

  test('a contender refused while the lease is held stays without a window', async () => {
    const clock = clockAt(7_000_000);
    const a = lease('contended-window', 'a', clock.now);
    const b = lease('contended-window', 'b', clock.now);
    await a.acquire();
    expect(await b.acquire()).toBe(false);
    expect(b.validUntilMs).toBe(0);
    expect(b.token).toBeUndefined();
  });
});

describe('lease metrics', () => {
  test('take publishes acquired, heartbeat and held 1; a renewal heartbeat and held 1; a refused contender held 0 only', async () => {
    const clock = clockAt(8_000_000);
    const a = recordingSink();
    const b = recordingSink();
    const holder = lease('metrics-window', 'a', clock.now, a.sink);
    const contender = lease('metrics-window', 'b', clock.now, b.sink);
    await holder.acquire();
    await holder.acquire();
    await contender.acquire();
    expect(a.puts).toEqual([
      [RuntimeMetricNames.ACQUIRED, 1, 'Count'], [RuntimeMetricNames.HEARTBEAT, 1, 'Count'], [RuntimeMetricNames.HELD, 1, 'Count'],
      [RuntimeMetricNames.HEARTBEAT, 1, 'Count'], [RuntimeMetricNames.HELD, 1, 'Count'],
    ]);
    expect(b.puts).toEqual([[RuntimeMetricNames.HELD, 0, 'Count']]);
  });

  test('held is 0 when the write succeeded but the window had already passed by the time it returned', async () => {
    // The clock jumps past the window while the request is in flight (a pause, a slow write).
    let t = 9_000_000;
    const now = () => t;
    const m = recordingSink();
    const a = lease('late-return', 'a', now, m.sink);
    const acquired = a.acquire();
    t += DURATION;
    expect(await acquired).toBe(true);
    expect(m.puts).toContainEqual([RuntimeMetricNames.HELD, 0, 'Count']);
    expect(a.token).toBe(1); // held, but not to act on
  });
});
