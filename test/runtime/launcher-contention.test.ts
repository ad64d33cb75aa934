/**
 * The lease-gated launcher under contention, against dynalite, in simulated
 * time: contenders (each a task: a launcher and a fake daemon it gates) with
 * skewed clocks, requests that stall, tasks killed at random (the whole task
 * at once) or stopped gracefully (the daemon first, then the launcher, which
 * releases the lease), replaced by ECS after a task start. Asserts that the
 * fake daemon never runs in two tasks at once, and that a killed holder is
 * replaced within the takeover figure `SingletonDaemon` computes for the
 * same settings. A negative control runs the same harness with launchers that
 * exit without the stop margin (the bound violated) and must see a double run.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { LeaseMode, SingletonDaemon } from '../../lib';
import { LeaseClient } from '../../lib/runtime';
import { LAUNCHER_GATE_POLL_MS, LAUNCHER_STOP_LATENCY_MS, LeaseLauncher, launcherStopMarginMs } from '../../lib/runtime/launcher';
import { LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

const TABLE = 'LauncherLeases';
const D = 45_000;
const R = 10_000;
const S = 1_000;
const STOP_TIMEOUT = 10_000;
const MARGIN = launcherStopMarginMs(STOP_TIMEOUT);
const TASK_START = 60_000;
const CONTENDERS = 20;
const ROUNDS = 1000;

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createTable(TABLE);
});
afterAll(async () => db.stop());

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Event { readonly t: number; readonly seq: number; readonly fn: () => void }

/** Virtual time; real DynamoDB requests complete before time moves on. */
class Simulation {
  public t = 0;
  private seq = 0;
  private readonly queue: Event[] = [];
  private readonly inflight = new Set<Promise<unknown>>();

  public at(t: number, fn: () => void): Event {
    const e = { t: Math.max(t, this.t), seq: this.seq++, fn };
    this.queue.push(e);
    return e;
  }

  public cancel(e: unknown): void {
    const i = this.queue.indexOf(e as Event);
    if (i >= 0) this.queue.splice(i, 1);
  }

  public track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  /** Runs events in time order until `until`. */
  public async run(until: number): Promise<void> {
    for (;;) {
      await this.settle();
      if (this.queue.length === 0) return;
      let k = 0;
      for (let i = 1; i < this.queue.length; i++) {
        const a = this.queue[i], b = this.queue[k];
        if (a.t < b.t || (a.t === b.t && a.seq < b.seq)) k = i;
      }
      if (this.queue[k].t > until) return;
      const [e] = this.queue.splice(k, 1);
      this.t = e.t;
      e.fn();
    }
  }

  private async settle(): Promise<void> {
    do {
      while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
      await new Promise(resolve => setImmediate(resolve));
    } while (this.inflight.size > 0);
  }
}

/**
 * A DynamoDB client whose requests reach dynalite now and answer after a
 * simulated latency, or once a pause of the task's network ends. During a
 * pause, half the requests are lost (they never reach the table and fail
 * when the pause ends, as a timeout): the lease then lapses from the last
 * renewal the launcher saw succeed, which is what its stop margin must cover.
 */
function simulatedClient(sim: Simulation, real: DynamoDBClient, random: () => number, task: () => Task): DynamoDBClient {
  const latency = () => (random() < 0.03 ? random() * 2_000 : 5 + random() * 45);
  return {
    send: (command: UpdateItemCommand) => new Promise((resolve, reject) => {
      const answerAt = (): number => Math.max(sim.t + latency(), task().pausedUntil);
      if (task().pausedUntil > sim.t && random() < 0.5) {
        const lost = Object.assign(new Error('request lost in a network pause'), { name: 'TimeoutError' });
        sim.at(answerAt(), () => task().alive && reject(lost));
        return;
      }
      sim.track(real.send(command)).then(
        // A killed process never sees the answer.
        v => sim.at(answerAt(), () => task().alive && resolve(v)),
        e => sim.at(answerAt(), () => task().alive && reject(e)));
    }),
  } as unknown as DynamoDBClient;
}

interface Task {
  readonly id: number;
  readonly launcher: LeaseLauncher;
  alive: boolean;
  appRunning: boolean;
  /** Until then the task's requests do not answer (a network pause). */
  pausedUntil: number;
  appDies?: Event;
}

/** What one run of the harness saw. */
interface Contention {
  readonly stats: { pauses: number; holderPauses: number; kills: number; holderKills: number; graceful: number; starts: number; exits: Record<number, number> };
  /** Each time a daemon started while another ran. */
  readonly overlaps: string[];
  /** Times from a holder's kill to the next daemon start (single failures only). */
  readonly takeovers: number[];
  /** The same after a pause of the holder (its last renewal may land during the pause: safety only). */
  readonly pauseTakeovers: number[];
  readonly tasks: number;
}

/**
 * Runs the contenders for `rounds` rounds (half a renew interval each, one
 * random event or none), the launchers exiting `stopMarginMs` before the
 * lease stops being valid.
 */
async function contend(opts: { readonly stopMarginMs: number; readonly rounds: number; readonly seed: number; readonly leaseName: string }): Promise<Contention> {
  const { stopMarginMs, rounds, seed, leaseName } = opts;
  const sim = new Simulation();
  const random = prng(seed);
  const stats = { pauses: 0, holderPauses: 0, kills: 0, holderKills: 0, graceful: 0, starts: 0, exits: { 0: 0, 1: 0, 2: 0 } as Record<number, number> };
  const overlaps: string[] = [];
  const takeovers: number[] = [];
  const tasks: Task[] = [];
  let running: Task | undefined;
  /** When the running daemon's task was killed or paused, until another daemon starts. */
  let killedHolderAt: number | undefined;
  /**
   * Tasks hit by a kill, pause or stop since the holder's failure: when the new holder is one of them, or one of
   * them held the lease, the takeover is not a single failure's.
   */
  const hitSince = new Set<number>();
  let disturbed = false;
  /** Takeovers after a pause of the holder (its last renewal may land during the pause: safety only). */
  const pauseTakeovers: number[] = [];
  let pausedHolder = false;
  let nextId = 0;

  const appStops = (task: Task) => {
    if (!task.appRunning) return;
    task.appRunning = false;
    if (running === task) running = undefined;
  };
  const startTask = () => {
    const id = nextId++;
    const skew = random() * S; // every clock within [T, T + S]: any two at most S apart
    const clock = () => sim.t + skew;
    const lease = new LeaseClient({
      client: simulatedClient(sim, db.client, random, () => task), tableName: TABLE, leaseName, holderId: `task-${id}`,
      leaseDurationMs: D, maxClockSkewMs: S, renewIntervalMs: R, clock,
    });
    // eslint-disable-next-line prefer-const
    let task: Task;
    task = {
      id, alive: true, appRunning: false, pausedUntil: 0,
      launcher: new LeaseLauncher({
        lease, renewIntervalMs: R, stopMarginMs, clock,
        // A killed process runs no timer.
        timers: { set: (fn, ms) => sim.at(sim.t + ms, () => task.alive && fn()), clear: h => sim.cancel(h) },
        onHeld: () => {
          // The gate sees the marker within one poll and executes the daemon.
          sim.at(sim.t + random() * LAUNCHER_GATE_POLL_MS, () => {
            if (!task.alive || task.launcher.hasExited) return;
            if (running && running !== task) overlaps.push(`t=${sim.t}: task ${task.id} started while task ${running.id} runs`);
            task.appRunning = true;
            running = task;
            stats.starts++;
            if (killedHolderAt !== undefined) {
              if (!disturbed && !hitSince.has(task.id)) (pausedHolder ? pauseTakeovers : takeovers).push(sim.t - killedHolderAt);
              killedHolderAt = undefined;
            }
          });
        },
        onExit: code => {
          stats.exits[code] = (stats.exits[code] ?? 0) + 1;
          if (code !== 0 && task.alive) {
            // An essential container exited: ECS signals the daemon (latency), which ignores SIGTERM half the time (SIGKILL after stopTimeout).
            const dies = sim.t + random() * LAUNCHER_STOP_LATENCY_MS + (random() < 0.5 ? STOP_TIMEOUT : random() * STOP_TIMEOUT);
            task.appDies = sim.at(dies, () => appStops(task));
            sim.at(dies, () => {
              task.alive = false;
              sim.at(sim.t + TASK_START, startTask); // ECS replaces the stopped task
            });
          }
        },
        onError: () => undefined,
      }),
    };
    tasks.push(task);
    task.launcher.start();
  };

  for (let i = 0; i < CONTENDERS; i++) startTask();
  // A round: one random event (or none), then half the renew interval of simulated time.
  const ROUND = R / 2;
  for (let round = 0; round < rounds; round++) {
    const alive = tasks.filter(t => t.alive && !t.launcher.hasExited);
    const holder = alive.find(t => t.appRunning);
    const hit = (t: Task) => {
      if (killedHolderAt === undefined) return t;
      hitSince.add(t.id);
      if (t.launcher.isHolding) disturbed = true;
      return t;
    };
    const pick = () => hit(holder && random() < 0.8 ? holder : alive[Math.floor(random() * alive.length)]);
    const r = random();
    if (r < 0.05 && alive.length > 0) {
      // Kill a task at once (SIGKILL of the whole task, a lost host): the holder 4 times in 5.
      const victim = pick();
      stats.kills++;
      if (victim.appRunning && killedHolderAt === undefined) {
        stats.holderKills++;
        killedHolderAt = sim.t;
        disturbed = false;
        hitSince.clear();
        pausedHolder = false;
      }
      victim.alive = false; // the process is gone: its timers and answers are dropped
      appStops(victim);
      sim.at(sim.t + TASK_START, startTask);
    } else if (r < 0.09 && alive.length > 0) {
      // Pause a task's network for up to a minute (longer than the lease): its requests answer when it ends.
      const victim = pick();
      stats.pauses++;
      if (victim.appRunning && killedHolderAt === undefined) {
        stats.holderPauses++;
        killedHolderAt = sim.t;
        disturbed = false;
        hitSince.clear();
        hitSince.add(victim.id); // the paused holder may come back and hold again: not a takeover
        pausedHolder = true;
      }
      victim.pausedUntil = Math.max(victim.pausedUntil, sim.t + random() * 60_000);
    } else if (r < 0.10 && alive.length > 0) {
      // A graceful stop (deployment, scale-in): ECS stops the daemon first, then SIGTERMs the launcher, which releases the lease.
      const victim = hit(alive[Math.floor(random() * alive.length)]);
      stats.graceful++;
      const dies = sim.t + random() * STOP_TIMEOUT;
      sim.at(dies, () => {
        if (!victim.alive) return;
        appStops(victim);
        victim.alive = false;
        void victim.launcher.shutdown();
        sim.at(sim.t + TASK_START, startTask);
      });
    }
    const end = (round + 1) * ROUND;
    await sim.run(end);
    sim.t = end;
  }

  return { stats, overlaps, takeovers, pauseTakeovers, tasks: nextId };
}

describe('lease-gated launcher under contention (dynalite, simulated time)', () => {
  test('the fake daemon never runs twice at once; a killed holder is replaced within the computed takeover time', async () => {
    // The figure SingletonDaemon computes for the same settings (lease, renew, skew, gate).
    const stack = new Stack(new App(), 'Figure', { env: { account: '123456789012', region: 'eu-west-1' } });
    const daemon = new SingletonDaemon(stack, 'Daemon', {
      image: ecs.ContainerImage.fromRegistry('vendor/daemon'), command: ['/opt/daemon'], leaseMode: LeaseMode.LAUNCHER,
      leaseDuration: Duration.millis(D), renewInterval: Duration.millis(R), maxClockSkew: Duration.millis(S), stopTimeout: Duration.millis(STOP_TIMEOUT),
    });
    const figure = daemon.takeoverTime.toMilliseconds();
    expect(figure).toBe(D + 2 * S + R + LAUNCHER_GATE_POLL_MS);

    const { stats, overlaps, takeovers, pauseTakeovers, tasks: nextId } = await contend({ stopMarginMs: MARGIN, rounds: ROUNDS, seed: 25, leaseName: 'daemon' });

    // The figures for the README.
    const sorted = [...takeovers].sort((a, b) => a - b);
    process.stdout.write(`launcher contention: ${ROUNDS} rounds, ${nextId} tasks, ${stats.kills} kills (${stats.holderKills} of the holder), ` +
      `${stats.graceful} graceful stops, ${stats.pauses} network pauses (${stats.holderPauses} of the holder), ${stats.starts} daemon starts, exits ${JSON.stringify(stats.exits)}, ` +
      `takeover after a holder kill: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms; after a holder pause: max ${Math.max(...pauseTakeovers)} ms; overlaps ${overlaps.length} (figure ${figure} ms)\n`);
    expect(overlaps).toEqual([]);
    expect(stats.starts).toBeGreaterThan(20);
    expect(stats.holderKills).toBeGreaterThanOrEqual(10);
    expect(stats.holderPauses).toBeGreaterThanOrEqual(10);
    expect(stats.graceful).toBeGreaterThan(0);
    expect(stats.exits[1]).toBeGreaterThan(0); // launchers that could not renew in time exited at their deadline
    expect(takeovers.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...takeovers)).toBeLessThanOrEqual(figure);
  });

  // The negative control: the same harness, with launchers that exit when the lease stops being valid instead of a stop
  // margin before (no allowance for the daemon's stop timeout and the stop latency), violating the bound. It must see a
  // double run: otherwise the harness could not tell a safe launcher from an unsafe one.
  test('a launcher without the stop margin lets the fake daemon run twice at once (negative control: the harness can fail)', async () => {
    const { stats, overlaps } = await contend({ stopMarginMs: 0, rounds: 300, seed: 25, leaseName: 'no-stop-margin' });
    process.stdout.write(`launcher contention without the stop margin: 300 rounds, ${stats.holderPauses} holder pauses, exits ${JSON.stringify(stats.exits)}, ` +
      `overlaps ${overlaps.length}\n`);
    expect(stats.holderPauses).toBeGreaterThan(0);
    expect(stats.exits[1] + stats.exits[2]).toBeGreaterThan(0);
    expect(overlaps.length).toBeGreaterThan(0);
    expect(overlaps[0]).toMatch(/^t=\d+(\.\d+)?: task \d+ started while task \d+ runs$/);
  });
});
