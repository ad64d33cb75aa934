import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EmfMetricsSink, fencedUpdate, LeaseClient, LeaseLostError, NoMetricsSink, RuntimeMetricNames, uniqueHolderId } from '../../lib/runtime';
import { LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

const TABLE = 'Leases';
let db: LocalDynamoDb;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createTable(TABLE);
  await db.createTable('Resources');
});
afterAll(async () => db.stop());

/** A settable clock. */
function clockAt(start: number) {
  const c = { t: start, now: () => c.t };
  return c;
}

function lease(leaseName: string, holderId: string, now: () => number, metrics?: EmfMetricsSink) {
  return new LeaseClient({ client: db.client, tableName: TABLE, leaseName, holderId, leaseDurationMs: 10_000, maxClockSkewMs: 1_000, clock: now, metrics });
}

async function storedItem(leaseName: string) {
  return (await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: leaseName } }, ConsistentRead: true }))).Item;
}

describe('LeaseClient protocol', () => {
  test('the first contender takes a free lease with token 1; a second contender is refused while it is held', async () => {
    const clock = clockAt(1_000_000);
    const a = lease('free', 'a', clock.now);
    const b = lease('free', 'b', clock.now);
    expect(await a.acquire()).toBe(true);
    expect(a.token).toBe(1);
    expect(a.isValid()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(b.isValid()).toBe(false);
    expect(await storedItem('free')).toMatchObject({ holder: { S: 'a' }, fencingToken: { N: '1' }, expiresAt: { N: '1010000' } });
  });

  test('the holder stops acting skew before the expiry; a contender takes it only after expiry + skew, with a higher token', async () => {
    const clock = clockAt(2_000_000);
    const a = lease('expiry', 'a', clock.now);
    const b = lease('expiry', 'b', clock.now);
    await a.acquire();
    clock.t += 8_999; // expiry 10 s, skew 1 s
    expect(a.isValid()).toBe(true);
    clock.t += 1;
    expect(a.isValid()).toBe(false);
    expect(() => a.assertValid()).toThrow(LeaseLostError);
    clock.t += 2_000; // exactly expiry + skew: not yet
    expect(await b.acquire()).toBe(false);
    clock.t += 1;
    expect(await b.acquire()).toBe(true);
    expect(b.token).toBe(2);
    // the old holder's renewal is refused and it forgets its token
    expect(await a.renew()).toBe(false);
    expect(a.token).toBeUndefined();
  });

  test('renewal keeps the lease held past the first expiry', async () => {
    const clock = clockAt(3_000_000);
    const a = lease('renew', 'a', clock.now);
    const b = lease('renew', 'b', clock.now);
    await a.acquire();
    for (let i = 0; i < 5; i++) {
      clock.t += 4_000;
      expect(await a.acquire()).toBe(true); // renews
      expect(await b.acquire()).toBe(false);
    }
    expect(a.token).toBe(1);
    expect(a.isValid()).toBe(true);
  });

  test('release lets a contender take the lease at once, with the next token', async () => {
    const clock = clockAt(4_000_000);
    const a = lease('release', 'a', clock.now);
    const b = lease('release', 'b', clock.now);
    await a.acquire();
    await a.release();
    expect(a.isValid()).toBe(false);
    expect(await b.acquire()).toBe(true);
    expect(b.token).toBe(2);
    // a stale release by the old holder changes nothing
    const stale = lease('release', 'a', clock.now);
    await stale.release();
    expect(await storedItem('release')).toMatchObject({ holder: { S: 'b' }, fencingToken: { N: '2' } });
  });

  test('fencedUpdate rejects a write by an older token once a newer one wrote', async () => {
    const write = (token: number) => {
      const f = fencedUpdate(token);
      return db.client.send(new UpdateItemCommand({
        TableName: 'Resources',
        Key: { pk: { S: 'r' } },
        UpdateExpression: `SET ${f.setExpression}, #v = :v`,
        ConditionExpression: f.conditionExpression,
        ExpressionAttributeNames: { ...f.expressionAttributeNames, '#v': 'value' },
        ExpressionAttributeValues: { ...f.expressionAttributeValues, ':v': { S: `by ${token}` } },
      }));
    };
    await write(3);
    await write(3);
    await write(5);
    await expect(write(4)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const item = (await db.client.send(new GetItemCommand({ TableName: 'Resources', Key: { pk: { S: 'r' } } }))).Item;
    expect(item).toMatchObject({ fencingToken: { N: '5' }, value: { S: 'by 5' } });
  });

  test('publishes heartbeat, held and acquired metrics as EMF', async () => {
    const lines: string[] = [];
    const clock = clockAt(5_000_000);
    const sink = new EmfMetricsSink({ TableName: TABLE, LeaseName: 'metrics' }, l => lines.push(l), clock.now);
    const a = lease('metrics', 'a', clock.now, sink);
    await a.acquire();
    await a.acquire();
    const docs = lines.map(l => JSON.parse(l));
    const names = docs.map(d => d._aws.CloudWatchMetrics[0].Metrics[0].Name);
    expect(names).toEqual([RuntimeMetricNames.ACQUIRED, RuntimeMetricNames.HEARTBEAT, RuntimeMetricNames.HELD, RuntimeMetricNames.HEARTBEAT, RuntimeMetricNames.HELD]);
    expect(docs[2]).toMatchObject({
      _aws: { Timestamp: 5_000_000, CloudWatchMetrics: [{ Namespace: 'CdkHaPatterns/Lease', Dimensions: [['TableName', 'LeaseName']] }] },
      TableName: TABLE, LeaseName: 'metrics', LeaseHeld: 1,
    });
  });

  test('keepAlive renews in the background (real time) and releases on stop; fromEnvironment reads the construct\'s variables', async () => {
    const env = {
      HA_LEASE_TABLE_NAME: TABLE, HA_LEASE_NAME: 'keepalive', HA_LEASE_DURATION_MS: '300', HA_LEASE_RENEW_INTERVAL_MS: '50', HA_LEASE_MAX_CLOCK_SKEW_MS: '50',
    };
    const a = LeaseClient.fromEnvironment(db.client, uniqueHolderId(), env, new NoMetricsSink());
    const loop = a.keepAlive();
    await new Promise(r => setTimeout(r, 700)); // more than two lease durations
    expect(a.isValid()).toBe(true);
    expect(a.token).toBe(1);
    await loop.stop();
    expect(a.isValid()).toBe(false);
    const b = LeaseClient.fromEnvironment(db.client, uniqueHolderId(), env, new NoMetricsSink());
    expect(await b.acquire()).toBe(true);
    expect(b.token).toBe(2);
    expect(a.holderId).not.toEqual(b.holderId);
  });

  test('fails when the environment lacks the lease settings', () => {
    expect(() => LeaseClient.fromEnvironment(db.client, 'me', { HA_LEASE_TABLE_NAME: 't' })).toThrow('environment variable HA_LEASE_NAME is not set');
  });

  test('fails when the lease duration does not exceed twice the clock skew', () => {
    expect(() => new LeaseClient({ client: db.client, tableName: TABLE, leaseName: 'x', holderId: 'a', leaseDurationMs: 2_000, maxClockSkewMs: 1_000 }))
      .toThrow('leaseDurationMs (2000) must exceed twice maxClockSkewMs (1000)');
  });
});

/**
 * Contention: 24 contenders race for one lease over many rounds on a virtual
 * global timeline. Each contender's clock is skewed by up to +-skew/2; some
 * pause (GC, partition) past their expiry, crash without releasing, or
 * release. Ground truth: at every moment at most one contender sees a valid
 * lease, validity intervals of different tokens never overlap, tokens only
 * grow, and a fenced write by a stale token is rejected.
 */
describe('LeaseClient under contention (dynalite)', () => {
  test('no two holders ever act with valid tokens at the same moment', async () => {
    const CONTENDERS = 24;
    const ROUNDS = 700;
    const DURATION = 1_000;
    const SKEW = 200;
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

    let now = 10_000_000; // global (true) time
    await db.client.send(new PutItemCommand({ TableName: 'Resources', Item: { pk: { S: 'fenced' } } }));
    const contenders = Array.from({ length: CONTENDERS }, (_, i) => {
      const offset = Math.round((random() - 0.5) * SKEW); // |offset_i - offset_j| <= SKEW
      const client = new LeaseClient({
        client: db.client, tableName: TABLE, leaseName: 'contended', holderId: `c${i}`,
        leaseDurationMs: DURATION, maxClockSkewMs: SKEW, clock: () => now + offset,
      });
      return { client, offset, pausedUntil: 0 };
    });

    const intervals = new Map<number, { from: number; to: number }>();
    let fencedOk = 0;
    let fencedRejectedValid = 0;
    let zombieRejected = 0;
    let pauses = 0;
    let crashes = 0;
    let releases = 0;
    let lastFencedToken = 0;
    let multiValidMoments = 0;

    const fencedWrite = async (token: number): Promise<boolean> => {
      const f = fencedUpdate(token);
      try {
        await db.client.send(new UpdateItemCommand({
          TableName: 'Resources', Key: { pk: { S: 'fenced' } },
          UpdateExpression: `SET ${f.setExpression}`, ConditionExpression: f.conditionExpression,
          ExpressionAttributeNames: f.expressionAttributeNames, ExpressionAttributeValues: f.expressionAttributeValues,
        }));
        return true;
      } catch (e) {
        if ((e as Error).name === 'ConditionalCheckFailedException') return false;
        throw e;
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      now += Math.floor(random() * 250);
      const awake = contenders.filter(c => c.pausedUntil <= now);
      // a random subset races to acquire / renew concurrently
      await Promise.all(awake.filter(() => random() < 0.35).map(async c => {
        const held = await c.client.acquire();
        if (held && c.client.isValid()) {
          const token = c.client.token!;
          const to = c.client.validUntilMs - c.offset; // local validity end on the global timeline
          const iv = intervals.get(token);
          intervals.set(token, iv ? { from: iv.from, to: Math.max(iv.to, to) } : { from: now, to });
        }
      }));
      // side effects: every contender that believes it holds a valid lease acts, fenced
      const valid = contenders.filter(c => c.pausedUntil <= now && c.client.isValid());
      if (new Set(valid.map(c => c.client.token)).size > 1) multiValidMoments++;
      for (const c of valid) {
        const token = c.client.token!;
        if (await fencedWrite(token)) {
          expect(token).toBeGreaterThanOrEqual(lastFencedToken);
          lastFencedToken = token;
          fencedOk++;
        } else {
          fencedRejectedValid++;
        }
      }
      // faults: the holder pauses past its expiry (GC, partition), crashes without releasing or releases;
      // other contenders pause now and then
      for (const c of awake) {
        const r = random();
        // a process that stops acting (crash, release) ends its validity interval now
        const end = () => {
          const iv = intervals.get(c.client.token!);
          if (iv) iv.to = Math.min(iv.to, now);
        };
        if (c.client.isValid() && r < 0.06) {
          const kind = random();
          if (kind < 0.4) {
            c.pausedUntil = now + DURATION + Math.floor(random() * 2 * DURATION); pauses++;
          } else if (kind < 0.8) {
            end(); c.client.abandon(); crashes++;
          } else {
            end(); await c.client.release(); releases++;
          }
        } else if (r < 0.002) {
          c.pausedUntil = now + Math.floor(random() * 3 * DURATION); pauses++;
        }
      }
      // a woken-up zombie acts with its stale token without checking: the fence must reject it once a newer token wrote
      const zombie = contenders.find(c => c.pausedUntil <= now && c.client.token !== undefined && !c.client.isValid() && c.client.token < lastFencedToken);
      if (zombie) {
        expect(await fencedWrite(zombie.client.token!)).toBe(false);
        zombieRejected++;
      }
    }

    const tokens = [...intervals.keys()].sort((a, b) => a - b);
    let overlaps = 0;
    for (let i = 1; i < tokens.length; i++) {
      if (intervals.get(tokens[i])!.from < intervals.get(tokens[i - 1])!.to) overlaps++;
    }
    console.log(`lease contention: ${CONTENDERS} contenders, ${ROUNDS} rounds, ${tokens.length} leaderships (max token ${tokens[tokens.length - 1]}), ` +
      `${fencedOk} fenced writes accepted, ${fencedRejectedValid} rejected for valid holders, ${zombieRejected} stale-token writes rejected, ` +
      `${pauses} pauses, ${crashes} crashes, ${releases} releases, ${overlaps} overlapping validity intervals, ${multiValidMoments} moments with two valid holders`);

    expect(overlaps).toBe(0);
    expect(multiValidMoments).toBe(0);
    expect(fencedRejectedValid).toBe(0);
    // the run exercised takeovers after expiry, crashes and stale writers
    expect(tokens.length).toBeGreaterThan(20);
    expect(zombieRejected).toBeGreaterThan(0);
    expect(fencedOk).toBeGreaterThan(ROUNDS / 2);
  });
});
