import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { requireInteger } from '../core/validation';

/**
 * Absolute path of the browser failover helper (`failover.js`, a
 * dependency-free ES module, with `failover.d.ts` beside it). Copy it into
 * the web application's static files (or its container image) and load it
 * with `<script type="module">`.
 */
export const BROWSER_FAILOVER_HELPER_PATH = path.join(__dirname, 'browser', 'failover.js');

/** Settings of the browser failover helper; the tier computes the browser recovery path from them. */
export interface BrowserFailoverSettings {
  /**
   * Time between two heartbeats of the page to its site.
   * @default Duration.seconds(5)
   */
  readonly heartbeatInterval?: Duration;
  /**
   * A heartbeat without a 2xx answer in this time is missed; shorter than the interval.
   * @default Duration.seconds(3)
   */
  readonly heartbeatTimeout?: Duration;
  /**
   * Consecutive missed heartbeats (or failures the app reports) that start the failover.
   * @default 3
   */
  readonly missedHeartbeats?: number;
  /**
   * How long the failover notice shows before the page moves (the backup is probed meanwhile).
   * @default Duration.seconds(2)
   */
  readonly noticeDuration?: Duration;
  /**
   * Time allowed for the backup site to load the application after the move
   * (an estimate for the recovery objectives: measure yours).
   * @default Duration.seconds(5)
   */
  readonly pageLoadAllowance?: Duration;
  /**
   * Whether each site's load balancer serves the helper
   * (`BrowserFailoverHelper`: `<helperPathPrefix>/failover.js` and
   * `<helperPathPrefix>/start.js`, which starts it with these settings).
   * Turn it off when the application ships the helper itself
   * (`BROWSER_FAILOVER_HELPER_PATH`).
   * @default true
   */
  readonly serveHelper?: boolean;
  /**
   * Path under which the sites serve the helper; no application path (nor the health path) may be under it.
   * @default '/ha-failover'
   */
  readonly helperPathPrefix?: string;
}

/** The options object to pass to `startFailover()` in the browser. */
export interface BrowserFailoverOptions {
  /** Path of the site's heartbeat (the tier's health-check path). */
  readonly heartbeatPath: string;
  /** Time between two heartbeats, in milliseconds. */
  readonly heartbeatIntervalMs: number;
  /** Heartbeat timeout, in milliseconds. */
  readonly heartbeatTimeoutMs: number;
  /** Consecutive misses that start the failover. */
  readonly missedHeartbeats: number;
  /** How long the notice shows before the move, in milliseconds. */
  readonly noticeMs: number;
}

/** Settings with their defaults applied. */
export interface ResolvedBrowserFailoverSettings {
  /** Time between two heartbeats. */
  readonly heartbeatInterval: Duration;
  /** Heartbeat timeout. */
  readonly heartbeatTimeout: Duration;
  /** Consecutive misses that start the failover. */
  readonly missedHeartbeats: number;
  /** How long the notice shows before the move. */
  readonly noticeDuration: Duration;
  /** Time allowed for the backup site to load. */
  readonly pageLoadAllowance: Duration;
}

/** Applies the defaults (the same as `DEFAULTS` of `failover.js`) and validates. */
export function resolveBrowserFailoverSettings(scope: IConstruct, settings: BrowserFailoverSettings = {}): ResolvedBrowserFailoverSettings {
  const resolved = {
    heartbeatInterval: settings.heartbeatInterval ?? Duration.seconds(5),
    heartbeatTimeout: settings.heartbeatTimeout ?? Duration.seconds(3),
    missedHeartbeats: settings.missedHeartbeats ?? 3,
    noticeDuration: settings.noticeDuration ?? Duration.seconds(2),
    pageLoadAllowance: settings.pageLoadAllowance ?? Duration.seconds(5),
  };
  requireInteger(scope, 'browserFailover.missedHeartbeats', settings.missedHeartbeats, 1, 100);
  const ms = (d: Duration) => d.toMilliseconds();
  for (const [prop, value] of Object.entries(resolved)) {
    if (value instanceof Duration && !value.isUnresolved() && ms(value) < 0) {
      throw new HaValidationError(scope, { prop: `browserFailover.${prop}`, received: value, expected: 'a duration of 0 or more' });
    }
  }
  if (!resolved.heartbeatInterval.isUnresolved() && ms(resolved.heartbeatInterval) < 100) {
    throw new HaValidationError(scope, { prop: 'browserFailover.heartbeatInterval', received: resolved.heartbeatInterval, expected: 'at least 100 milliseconds' });
  }
  if (!Token.isUnresolved(ms(resolved.heartbeatTimeout)) && ms(resolved.heartbeatTimeout) >= ms(resolved.heartbeatInterval)) {
    throw new HaValidationError(scope, {
      prop: 'browserFailover.heartbeatTimeout',
      received: resolved.heartbeatTimeout,
      expected: `a timeout shorter than the heartbeat interval (${resolved.heartbeatInterval.toHumanString()}), so heartbeats never overlap`,
    });
  }
  return resolved;
}

/**
 * Worst-case time from a site's failure to the page having moved and loaded
 * on the backup: misses x interval + timeout (detection), the notice (or
 * the backup probe, if longer), and the page load allowance.
 */
export function browserSwitchTime(s: ResolvedBrowserFailoverSettings): { duration: Duration; derivation: string } {
  const ms = (d: Duration) => d.toMilliseconds();
  const detection = s.missedHeartbeats * ms(s.heartbeatInterval) + ms(s.heartbeatTimeout);
  const notice = Math.max(ms(s.noticeDuration), ms(s.heartbeatTimeout));
  const total = detection + notice + ms(s.pageLoadAllowance);
  const sec = (x: number) => `${x / 1000} s`;
  return {
    duration: Duration.millis(total),
    derivation: `${s.missedHeartbeats} missed heartbeats x ${sec(ms(s.heartbeatInterval))} + ${sec(ms(s.heartbeatTimeout))} timeout` +
      ` + ${sec(notice)} notice/backup probe + ${sec(ms(s.pageLoadAllowance))} page load allowance`,
  };
}

/** The options for `startFailover()` in the browser, from the settings. */
export function browserFailoverOptions(s: ResolvedBrowserFailoverSettings, heartbeatPath: string): BrowserFailoverOptions {
  return {
    heartbeatPath,
    heartbeatIntervalMs: s.heartbeatInterval.toMilliseconds(),
    heartbeatTimeoutMs: s.heartbeatTimeout.toMilliseconds(),
    missedHeartbeats: s.missedHeartbeats,
    noticeMs: s.noticeDuration.toMilliseconds(),
  };
}
