/**
 * Failback between launchers (a warm standby pair's primary and secondary)
 * against dynalite, in real time with short leases: the secondary's launcher
 * holds the lease; the primary's launcher, finding it held, claims it; the
 * secondary's gives it back at its next renewal (exit 3, no release), and the
 * primary takes it once it lapsed. A control without the claim shows the
 * secondary keeps the lease, so the give-back is the claim's doing.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { LeaseClaim, LeaseClient } from '../../lib/runtime';
import { LeaseLauncher } from '../../lib/runtime/launcher';
import { sleep, until } from '../until';
import { LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

const TABLE = 'FailbackLeases';
const D = 2_000;
const R = 250;
const S = 50;
const MARGIN = 800;

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createTable(TABLE);
});
afterAll(async () => db.stop());


interface Side {
  launcher: LeaseLauncher;
  claim: LeaseClaim;
  heldAt?: number;
  exit?: { code: number; at: number };
}

/** One launcher: `claim` (the primary) writes a claim while it waits, `yield` (the secondary) gives the lease back when claimed. */
function side(leaseName: string, holderId: string, failback: 'claim' | 'yield' | 'none'): Side {
  const lease = new LeaseClient({ client: db.client, tableName: TABLE, leaseName, holderId, leaseDurationMs: D, renewIntervalMs: R, maxClockSkewMs: S });
  const claim = new LeaseClaim({ client: db.client, tableName: TABLE, leaseName, holderId, claimTtlMs: LeaseClaim.ttlMs(R, S) });
  const s = { claim } as Side;
  s.launcher = new LeaseLauncher({
    lease, renewIntervalMs: R, stopMarginMs: MARGIN,
    onHeld: () => {
      s.heldAt = Date.now();
      if (failback === 'claim') void claim.clear();
    },
    onExit: (code) => { s.exit = { code, at: Date.now() }; },
    shouldYield: failback === 'yield' ? () => claim.isClaimedByAnother() : undefined,
    onWaiting: failback === 'claim' ? async () => void await claim.claim() : undefined,
  });
  return s;
}

const item = async (name: string) => (await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: name } }, ConsistentRead: true }))).Item;

describe('launcher failback (dynalite)', () => {
  test('the primary\'s claim makes the secondary give the lease back at its next renewal; the primary takes it once it lapsed', async () => {
    const secondary = side('gateway', 'secondary', 'yield');
    secondary.launcher.start();
    await until('the secondary holds', () => secondary.heldAt !== undefined, 2_000);

    const claimedFrom = Date.now();
    const primary = side('gateway', 'primary', 'claim');
    primary.launcher.start();
    await until('the secondary gives the lease back', () => secondary.exit !== undefined, 2_000);
    expect(secondary.exit!.code).toBe(3);
    // At its next renewal (the claim is written on the primary's first attempt).
    expect(secondary.exit!.at - claimedFrom).toBeLessThanOrEqual(R + 200);
    expect(primary.heldAt).toBeUndefined();
    expect((await item('gateway'))?.claimant).toEqual({ S: 'primary' });

    // No release: the lease lapses (D after the secondary's last renewal, + S), then the primary takes it.
    await until('the primary holds', () => primary.heldAt !== undefined, D + 2 * S + 2 * R + 500);
    expect(primary.heldAt! - secondary.exit!.at).toBeGreaterThanOrEqual(D - R - MARGIN);
    expect(primary.heldAt! - secondary.exit!.at).toBeLessThanOrEqual(D + 2 * S + R + 300);
    // The primary clears its claim once it holds the lease.
    await sleep(100);
    expect((await item('gateway'))?.claimant).toBeUndefined();
    expect((await item('gateway'))?.holder).toEqual({ S: 'primary' });

    // A new secondary (ECS replaced the task) waits: it does not yield what it does not hold, and takes nothing.
    const next = side('gateway', 'secondary-2', 'yield');
    next.launcher.start();
    await sleep(3 * R);
    expect(next.heldAt).toBeUndefined();
    expect(next.exit).toBeUndefined();
    for (const s of [primary, next]) await s.launcher.shutdown();
  }, 15_000);

  test('without a claim the secondary keeps the lease (control: the give-back is the claim\'s doing)', async () => {
    const secondary = side('no-claim', 'secondary', 'yield');
    secondary.launcher.start();
    await until('the secondary holds', () => secondary.heldAt !== undefined, 2_000);
    const primary = side('no-claim', 'primary', 'none');
    primary.launcher.start();
    await sleep(4 * R);
    expect(secondary.exit).toBeUndefined();
    expect(secondary.launcher.isHolding).toBe(true);
    expect(primary.heldAt).toBeUndefined();
    for (const s of [primary, secondary]) await s.launcher.shutdown();
  });

  test('a stale claim (its claimant stopped writing it for longer than the claim TTL) is not honoured', async () => {
    const secondary = side('stale', 'secondary', 'yield');
    secondary.launcher.start();
    await until('the secondary holds', () => secondary.heldAt !== undefined, 2_000);
    let now = Date.now() - LeaseClaim.ttlMs(R, S) - 1;
    const old = new LeaseClaim({ client: db.client, tableName: TABLE, leaseName: 'stale', holderId: 'primary', claimTtlMs: LeaseClaim.ttlMs(R, S), clock: () => now });
    expect(await old.claim()).toBe(true);
    await sleep(3 * R);
    expect(secondary.exit).toBeUndefined();
    expect(await secondary.claim.isClaimedByAnother()).toBe(false);
    now = Date.now();
    expect(await old.claim()).toBe(true);
    expect(await secondary.claim.isClaimedByAnother()).toBe(true);
    await until('the secondary gives the lease back', () => secondary.exit !== undefined, 2 * R + 500);
    expect(secondary.exit!.code).toBe(3);
  });

  test('a claim needs another holder: a free lease, or one the claimant holds, is not claimed', async () => {
    const claim = new LeaseClaim({ client: db.client, tableName: TABLE, leaseName: 'free', holderId: 'primary', claimTtlMs: 1_000 });
    expect(await claim.claim()).toBe(false);
    const lease = new LeaseClient({ client: db.client, tableName: TABLE, leaseName: 'free', holderId: 'primary', leaseDurationMs: D, renewIntervalMs: R, maxClockSkewMs: S });
    expect(await lease.acquire()).toBe(true);
    expect(await claim.claim()).toBe(false);
    expect((await item('free'))?.claimant).toBeUndefined();
  });
});
