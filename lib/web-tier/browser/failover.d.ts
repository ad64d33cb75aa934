/** Types of the browser failover helper (`failover.js`, a dependency-free ES module). */

/** Settings of `startFailover`; every field is optional. */
export interface FailoverOptions {
  /** Path of the current site's heartbeat (a 2xx is healthy). @default '/health' */
  readonly heartbeatPath?: string;
  /** Time between two heartbeats. @default 5000 */
  readonly heartbeatIntervalMs?: number;
  /** A heartbeat without a 2xx answer within this time is missed (keep it below the interval). @default 3000 */
  readonly heartbeatTimeoutMs?: number;
  /** Consecutive misses (heartbeats or `reportFailure`) that start a failover. @default 3 */
  readonly missedHeartbeats?: number;
  /** How long the notice shows before the page moves. @default 2000 */
  readonly noticeMs?: number;
  /** After arriving by failover, missed heartbeats do not move the page again for this long. @default 60000 */
  readonly holdDownMs?: number;
  /** Prefix of the backup-site URL parameters (`site-1`, `site-2`...). @default 'site-' */
  readonly siteParamPrefix?: string;
  /** Text of the notice. @default 'The connection to this site was lost. A failover is in progress: moving you to the backup site…' */
  readonly noticeText?: string;
  /** Backup origins, instead of the URL parameters. @default read from the URL */
  readonly backupSites?: string[];
  /** Called on every state change. */
  readonly onStateChange?: (state: FailoverState, detail?: { reason?: string; target?: string }) => void;
  /** Called on every missed heartbeat or reported failure. */
  readonly onMissed?: (missed: number, reason: string) => void;
  /** The window to act on. @default globalThis.window */
  readonly window?: Window;
}

/** `watching` the current site, `held` (hold-down), `failing-over` (notice shown), `moving` (navigating), `stopped`. */
export type FailoverState = 'watching' | 'held' | 'failing-over' | 'moving' | 'stopped';

/** What `startFailover` returns. */
export interface FailoverController {
  readonly state: FailoverState;
  /** Backup origins in order of preference. */
  readonly backupSites: string[];
  /** Reports a failure the app saw (lost real-time channel, login failure): counts as a missed heartbeat. */
  reportFailure(reason?: string): void;
  /** Starts the failover now. */
  failover(reason?: string): Promise<void>;
  /** Stops watching. */
  stop(): void;
}

export declare const DEFAULTS: Readonly<Required<Pick<FailoverOptions,
  'heartbeatPath' | 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'missedHeartbeats' | 'noticeMs' | 'holdDownMs' | 'siteParamPrefix' | 'noticeText'>>>;
export declare function siteOrigin(value: string): string | undefined;
export declare function backupSites(search: string, currentOrigin: string, prefix?: string): string[];
export declare function failoverUrl(current: URL | Location, target: string, backups: string[], prefix?: string, now?: number): string;
export declare function startFailover(options?: FailoverOptions): FailoverController;
