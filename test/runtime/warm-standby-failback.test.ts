/**
 * A warm standby pair in launcher mode, run against dynalite with the
 * launchers' settings read from the synthesized pair (its task definitions'
 * `HA_LEASE_*`, `HA_LAUNCHER_FAILBACK` and stop margin), scaled down 25
 * times in time: the primary's task is killed (no release: its launcher
 * stops renewing) and the secondary's launcher starts the server within the
 * pair's computed takeover figure; the primary's task comes back (ECS
 * replaces it), its launcher claims the lease, the secondary's gives it
 * back at its next renewal and the primary starts once the lease lapsed.
 * A server counts as running from its launcher's `onHeld` until it was
 * killed with its task, or until its launcher's exit plus the whole stop
 * margin (ECS stops it within that margin): the two never overlap.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { LeaseMode, WarmStandbyPair } from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { LeaseClaim, LeaseClient } from '../../lib/runtime';
import { LauncherLease, LeaseLauncher } from '../../lib/runtime/launcher';
import { testEnv } from '../harness';
import { sleep, until } from '../until';
import { LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

const SCALE = 25;
const TABLE = 'PairLeases';

/** The launchers' environment by role, and the takeover figure, from a synthesized pair with the default settings. */
function synthesizedPair() {
  const app = new App();
  const stack = new Stack(app, 'Gw', { env: testEnv() });
  const pair = new WarmStandbyPair(stack, 'Pair', {
    vpc: createHaVpc(stack, 'Vpc'),
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
    command: ['sh', '-c', 'nc -lk -p 2775 -e cat'],
    tcpPort: 2775,
    leaseMode: LeaseMode.LAUNCHER,
  });
  const byRole: Record<string, Record<string, string>> = {};
  for (const td of Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))) {
    const containers = td.Properties.ContainerDefinitions as Array<{ Name: string; Environment: Array<{ Name: string; Value: string }> }>;
    const role = containers.find(c => c.Name === 'Server')!.Environment.find(e => e.Name === 'HA_SERVER_ROLE')!.Value;
    byRole[role] = Object.fromEntries(containers.find(c => c.Name === 'Launcher')!.Environment.map(e => [e.Name, e.Value]));
  }
  return { byRole, takeoverMs: pair.takeoverTime.toMilliseconds() };
}

const { byRole, takeoverMs } = synthesizedPair();
const scaled = (env: Record<string, string>, key: string) => Number(env[key]) / SCALE;
const D = scaled(byRole.PRIMARY, 'HA_LEASE_DURATION_MS');
const R = scaled(byRole.PRIMARY, 'HA_LEASE_RENEW_INTERVAL_MS');
const S = scaled(byRole.PRIMARY, 'HA_LEASE_MAX_CLOCK_SKEW_MS');
const MARGIN = scaled(byRole.PRIMARY, 'HA_LAUNCHER_STOP_MARGIN_MS');
/** Timer and request lateness allowed on top of a computed bound (a loaded 2-core machine). */
const SLACK = 300;

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createTable(TABLE);
});
afterAll(async () => db.stop());

/** When a server ran: from its launcher holding the lease to its death. */
interface Run { role: string; from: number; to: number }

/** One server's task: its launcher (with the role's failback from the synthesized environment) and its server's runs. */
class Task {
  public heldAt?: number;
  public exit?: { code: number; at: number };
  public readonly launcher: LeaseLauncher;
  private killed = false;

  constructor(public readonly role: 'PRIMARY' | 'SECONDARY', id: string, private readonly runs: Run[], skewMs: number) {
    const env = byRole[role];
    const clock = () => Date.now() + skewMs;
    const lease = new LeaseClient({ client: db.client, tableName: TABLE, leaseName: env.HA_LEASE_NAME, holderId: id, leaseDurationMs: D, renewIntervalMs: R, maxClockSkewMs: S, clock });
    const claim = new LeaseClaim({ client: db.client, tableName: TABLE, leaseName: env.HA_LEASE_NAME, holderId: id, claimTtlMs: LeaseClaim.ttlMs(R, S), clock });
    // A killed task's launcher sends nothing more (its requests never arrive).
    const gated: LauncherLease = {
      acquire: () => this.killed ? new Promise<boolean>(() => undefined) : lease.acquire(),
      get validUntilMs() { return lease.validUntilMs; },
      release: () => this.killed ? Promise.resolve() : lease.release(),
    };
    const failback = env.HA_LAUNCHER_FAILBACK;
    this.launcher = new LeaseLauncher({
      lease: gated, renewIntervalMs: R, stopMarginMs: MARGIN, clock,
      onHeld: () => {
        this.heldAt = Date.now();
        if (failback === 'claim') void claim.clear();
      },
      onExit: (code) => {
        if (this.killed) return;
        this.exit = { code, at: Date.now() };
        // Exit 0 is the SIGTERM after ECS stopped the server (recorded by stop()). Otherwise ECS stops the server
        // within the stop margin of the launcher's exit: count the whole margin.
        if (this.heldAt !== undefined && code !== 0) this.runs.push({ role, from: this.heldAt, to: this.exit.at + MARGIN });
      },
      shouldYield: failback === 'yield' ? () => this.killed ? Promise.resolve(false) : claim.isClaimedByAnother() : undefined,
      onWaiting: failback === 'claim' ? async () => void (this.killed || await claim.claim()) : undefined,
    });
  }

  /** The task dies at once (SIGKILL, a lost host): its server with it, the lease is not released. */
  public kill(): number {
    const at = Date.now();
    this.killed = true;
    if (this.heldAt !== undefined && !this.exit) this.runs.push({ role: this.role, from: this.heldAt, to: at });
    return at;
  }

  /** ECS stops the task: the server first, then the launcher's SIGTERM releases the lease. */
  public async stop(): Promise<void> {
    if (this.heldAt !== undefined && !this.exit) this.runs.push({ role: this.role, from: this.heldAt, to: Date.now() });
    await this.launcher.shutdown();
  }
}

function overlaps(runs: Run[]): Run[][] {
  const out: Run[][] = [];
  for (const a of runs) for (const b of runs) if (a !== b && a.role !== b.role && a.from < b.to && b.from < a.to && a.from <= b.from) out.push([a, b]);
  return out;
}

describe('WarmStandbyPair launcher mode failback (dynalite, the pair\'s settings / 25)', () => {
  test('the synthesized primary claims and the secondary yields; the scaled settings keep the launcher\'s bound', () => {
    expect([byRole.PRIMARY.HA_LAUNCHER_FAILBACK, byRole.SECONDARY.HA_LAUNCHER_FAILBACK]).toEqual(['claim', 'yield']);
    expect(byRole.PRIMARY.HA_LEASE_NAME).toBe(byRole.SECONDARY.HA_LEASE_NAME);
    expect(D - S - MARGIN).toBeGreaterThan(R);
  });

  test('primary killed: the secondary starts within the computed takeover; primary back: the secondary gives back; never both, over 3 rounds', async () => {
    const runs: Run[] = [];
    const takeovers: number[] = [];
    const failbacks: number[] = [];
    let primary = new Task('PRIMARY', 'primary-1', runs, 0);
    primary.launcher.start();
    await until('the primary runs', () => primary.heldAt !== undefined, 2 * R + SLACK);
    for (let round = 1; round <= 3; round++) {
      // The secondary (ECS keeps one task) stands by: it takes nothing while the primary holds the lease.
      const secondary = new Task('SECONDARY', `secondary-${round}`, runs, round % 2 === 0 ? S : 0);
      secondary.launcher.start();
      await sleep(3 * R);
      expect(secondary.heldAt).toBeUndefined();

      const killedAt = primary.kill();
      await until('the secondary runs', () => secondary.heldAt !== undefined, takeoverMs / SCALE + SLACK);
      takeovers.push(secondary.heldAt! - killedAt);

      // ECS replaces the primary's task: its launcher claims, the secondary gives the lease back at its next renewal.
      const restoredAt = Date.now();
      primary = new Task('PRIMARY', `primary-${round + 1}`, runs, round % 2 === 0 ? 0 : S);
      primary.launcher.start();
      await until('the secondary gives the lease back', () => secondary.exit !== undefined, 2 * R + SLACK);
      expect(secondary.exit!.code).toBe(3);
      await until('the primary runs again', () => primary.heldAt !== undefined, 2 * R + D + 2 * S + SLACK);
      failbacks.push(primary.heldAt! - restoredAt);
    }
    await primary.stop();
    expect(overlaps(runs)).toEqual([]);
    expect(runs.filter(r => r.role === 'SECONDARY')).toHaveLength(3);
    // Each takeover within the computed figure (lapse + poll + gate); each failback within yield + lapse + poll.
    for (const t of takeovers) expect(t).toBeLessThanOrEqual(takeoverMs / SCALE + SLACK);
    for (const f of failbacks) expect(f).toBeLessThanOrEqual(2 * R + D + 2 * S + SLACK);
    // Printed for the README (scaled back to the pair's seconds).
    process.stdout.write(`warm-standby failback: takeover max ${Math.max(...takeovers) * SCALE / 1000} s (computed ${takeoverMs / 1000} s), ` +
      `failback gap max ${Math.max(...failbacks) * SCALE / 1000} s\n`);
  }, 60_000);

  test('a stopped (not killed) primary releases the lease: the secondary starts within a poll, not a lapse', async () => {
    const runs: Run[] = [];
    const primary = new Task('PRIMARY', 'stopped-primary', runs, 0);
    primary.launcher.start();
    await until('the primary runs', () => primary.heldAt !== undefined, 2 * R + SLACK);
    const secondary = new Task('SECONDARY', 'stopped-secondary', runs, 0);
    secondary.launcher.start();
    await sleep(2 * R);
    const stoppedAt = Date.now();
    await primary.stop();
    await until('the secondary runs', () => secondary.heldAt !== undefined, R + SLACK);
    expect(secondary.heldAt! - stoppedAt).toBeLessThan(D);
    await secondary.stop();
    expect(overlaps(runs)).toEqual([]);
  });
});
