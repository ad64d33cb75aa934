/**
 * The lease-gated launcher's logic (no AWS SDK import): it takes and renews
 * a lease, lets the application start only while it holds it, and exits
 * (stopping the task, as an essential container) early enough that the
 * application is dead before the lease can lapse. The container entry is
 * `launcher-main.ts`; the constructs wire it (`LeaseMode.LAUNCHER`).
 *
 * The bound, on the launcher's clock, after the last successful renewal sent
 * at t0: the lease is valid until t0 + D - S; the launcher exits at
 * t0 + D - S - M, where M (the stop margin) = the application container's
 * `stopTimeout` (ECS sends SIGTERM, waits that long, then SIGKILL) + the
 * stop latency (the launcher's timer lateness and ECS noticing the exit of an
 * essential container and signalling the others). So the application is
 * dead by t0 + D - S, and a contender takes the item only when its own clock
 * passes t0 + D + S, that is when the holder's clock passes t0 + D (clocks
 * at most S apart): S after the application died.
 */

/** Environment variables the launcher reads besides the lease's (`HA_LEASE_*`). */
export const LauncherEnvironment = {
  /** Milliseconds between the launcher's exit deadline and the lease's validity end: app stopTimeout + stop latency. */
  STOP_MARGIN_MS: 'HA_LAUNCHER_STOP_MARGIN_MS',
  /** Directory (a task volume shared with the application container) where the launcher writes the `held` marker. */
  GATE_DIR: 'HA_LAUNCHER_GATE_DIR',
  /**
   * Failback between a preferred holder and the others (`LauncherFailback`): `claim` (a warm standby pair's primary:
   * it claims the lease while another holds it) or `yield` (its secondary: it gives the lease back when claimed).
   * Unset: neither.
   */
  FAILBACK: 'HA_LAUNCHER_FAILBACK',
} as const;

/** Values of `HA_LAUNCHER_FAILBACK`. */
export enum LauncherFailback {
  /** The preferred holder: while another holds the lease, it writes a claim on it (see `LeaseClaim`). */
  CLAIM = 'claim',
  /** A stand-in: after each renewal it reads the item and gives the lease back (exit 3) when another claims it. */
  YIELD = 'yield',
}

/** Name of the marker file the launcher writes in the gate directory once it holds the lease. */
export const LAUNCHER_HELD_MARKER = 'held';

/**
 * Allowance for the time between the launcher's exit deadline and the
 * application container receiving SIGTERM: the launcher's timer firing late
 * (event loop, CPU) and ECS noticing that an essential container exited and
 * stopping the others. An estimate: AWS publishes no bound for it.
 */
export const LAUNCHER_STOP_LATENCY_MS = 5_000;

/** How often the application container's gate looks for the marker (the `sleep 1` of its wait loop). */
export const LAUNCHER_GATE_POLL_MS = 1_000;

/** The lease as the launcher uses it: `LeaseClient` satisfies it. */
export interface LauncherLease {
  /** Takes the lease, or renews it when held; whether it is held afterwards. */
  acquire(): Promise<boolean>;
  /** Local time (ms) until which the holder may act (0 when not held). */
  readonly validUntilMs: number;
  /** Gives the lease up. */
  release(): Promise<void>;
}

/** Timers of the launcher (real ones by default; a simulation injects its own). */
export interface LauncherTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Options of a `LeaseLauncher`. */
export interface LeaseLauncherOptions {
  readonly lease: LauncherLease;
  /** How often the launcher renews (and contends), in milliseconds. */
  readonly renewIntervalMs: number;
  /** The application's stopTimeout + the stop latency, in milliseconds (see `launcherStopMarginMs`). */
  readonly stopMarginMs: number;
  /** Lets the application start (writes the marker its gate waits for). Called once. */
  readonly onHeld: () => void;
  /** Ends the launcher's process (stopping the task when the container is essential). */
  readonly onExit: (code: number, reason: string) => void;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default setTimeout / clearTimeout */
  readonly timers?: LauncherTimers;
  /** Errors of a renewal attempt (retried at the next interval while the deadline allows). @default ignored */
  readonly onError?: (e: unknown) => void;
  /**
   * After each acquisition or renewal: whether to give the lease back (another, preferred holder claims it). When
   * true the launcher exits with code 3 without renewing or releasing: the lease lapses once the application is
   * dead, as at the deadline. An error counts as false (keep holding).
   * @default never gives the lease back
   */
  readonly shouldYield?: () => Promise<boolean>;
  /** After each attempt that did not get the lease (another holds it), e.g. to claim it. Errors go to `onError`. @default nothing */
  readonly onWaiting?: () => Promise<void>;
}

/** The stop margin: the application's stopTimeout plus the stop latency. */
export function launcherStopMarginMs(stopTimeoutMs: number, stopLatencyMs: number = LAUNCHER_STOP_LATENCY_MS): number {
  return stopTimeoutMs + stopLatencyMs;
}

/**
 * How long after sending a successful renewal the application may keep
 * running: D - S - M. The launcher must renew within it (it must exceed the
 * renew interval) or it exits after every acquisition.
 */
export function launcherHoldWindowMs(leaseDurationMs: number, maxClockSkewMs: number, stopMarginMs: number): number {
  return leaseDurationMs - maxClockSkewMs - stopMarginMs;
}

/**
 * Holds a lease for an application it does not control: `start()` contends
 * every renew interval; on the first acquisition it calls `onHeld` (the
 * application starts); once held, it exits with code 1 at the deadline
 * (validity end - stop margin) when no renewal extended it, with code 2
 * when a renewal finds the lease taken, with code 3 when it gives the lease
 * back to a claimant (`shouldYield`). `shutdown()` (SIGTERM, sent by ECS
 * after the application container stopped) releases the lease and exits 0.
 */
export class LeaseLauncher {
  private readonly clock: () => number;
  private readonly timers: LauncherTimers;
  private holding = false;
  private exited = false;
  private tickTimer?: unknown;
  private deadlineTimer?: unknown;
  private exitAt = 0;

  constructor(private readonly options: LeaseLauncherOptions) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: h => clearTimeout(h as NodeJS.Timeout) };
  }

  /** Whether the launcher has let the application start. */
  public get isHolding(): boolean {
    return this.holding && !this.exited;
  }

  /** Whether the launcher has exited (or shut down). */
  public get hasExited(): boolean {
    return this.exited;
  }

  /** Local time (ms) at which the launcher exits unless a renewal extends the lease (0 before it holds it). */
  public get exitDeadlineMs(): number {
    return this.holding ? this.exitAt : 0;
  }

  /** Starts contending (the first attempt at once). */
  public start(): void {
    void this.tick();
  }

  /** SIGTERM: stops renewing, releases the lease (the application container stopped first) and exits 0. */
  public async shutdown(): Promise<void> {
    if (this.exited) return;
    this.exited = true;
    this.clearTimers();
    try {
      await this.options.lease.release();
    } catch (e) {
      this.options.onError?.(e);
    }
    this.options.onExit(0, 'stopped (SIGTERM): lease released');
  }

  /** Exits without releasing: the application may still run, so the lease must lapse. */
  private exit(code: number, reason: string): void {
    if (this.exited) return;
    this.exited = true;
    this.clearTimers();
    this.options.onExit(code, reason);
  }

  private clearTimers(): void {
    if (this.tickTimer !== undefined) this.timers.clear(this.tickTimer);
    if (this.deadlineTimer !== undefined) this.timers.clear(this.deadlineTimer);
    this.tickTimer = this.deadlineTimer = undefined;
  }

  private async tick(): Promise<void> {
    this.tickTimer = undefined;
    if (this.exited) return;
    let held: boolean | undefined;
    try {
      held = await this.options.lease.acquire();
    } catch (e) {
      this.options.onError?.(e);
    }
    if (this.exited) return;
    if (held === false && this.holding) {
      this.exit(2, 'lease taken by another holder');
      return;
    }
    if (held === true && await this.yields()) {
      if (this.exited) return;
      if (!this.holding) {
        // The application never started: the lease can go back at once.
        try {
          await this.options.lease.release();
        } catch (e) {
          this.options.onError?.(e);
        }
        if (this.exited) return;
      }
      this.exit(3, 'gave the lease back: another holder claims it (failback); the lease lapses once the application has stopped');
      return;
    }
    if (this.exited) return;
    if (held === false && !this.holding && this.options.onWaiting) {
      try {
        await this.options.onWaiting();
      } catch (e) {
        this.options.onError?.(e);
      }
      if (this.exited) return;
    }
    if (held === true) {
      const exitAt = this.options.lease.validUntilMs - this.options.stopMarginMs;
      if (this.holding || this.clock() < exitAt) {
        this.exitAt = exitAt;
        this.armDeadline();
        if (this.exited) return;
        if (!this.holding) {
          this.holding = true;
          this.options.onHeld();
        }
      }
    } else if (this.holding) {
      // An error: the lease may still be ours; the deadline decides.
      this.checkDeadline();
      if (this.exited) return;
    }
    this.tickTimer = this.timers.set(() => void this.tick(), this.options.renewIntervalMs);
  }

  private async yields(): Promise<boolean> {
    if (!this.options.shouldYield) return false;
    try {
      return await this.options.shouldYield();
    } catch (e) {
      this.options.onError?.(e);
      return false;
    }
  }

  private armDeadline(): void {
    if (this.deadlineTimer !== undefined) this.timers.clear(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const wait = this.exitAt - this.clock();
    if (wait <= 0) {
      this.checkDeadline();
      return;
    }
    this.deadlineTimer = this.timers.set(() => {
      this.deadlineTimer = undefined;
      this.checkDeadline();
      if (!this.exited && this.deadlineTimer === undefined) this.armDeadline();
    }, wait);
  }

  private checkDeadline(): void {
    if (this.holding && this.clock() >= this.exitAt) {
      this.exit(1, `lease not renewed in time: exiting ${this.options.stopMarginMs} ms before it stops being valid, so the application is stopped before anyone else can take it`);
    }
  }
}
