/** The props of `Drills` and the gaps it reports (apart from the construct, so the planners read them without importing it). */
import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { HaPattern } from '../core/ha-pattern';

/** Props of `Drills`. */
export interface DrillsProps {
  /**
   * The patterns to drill; the patterns they are built of (a web tier's sites and DNS) are drilled too.
   * @default every HaPattern in the app constructed before this construct (with none, synthesis fails;
   * patterns constructed after it warn `cdk-ha-patterns:drills-patterns-after-drills`)
   */
  readonly patterns?: HaPattern[];
  /**
   * Create an FIS experiment template per failure scenario a pattern handles.
   * @default true
   */
  readonly faultInjection?: boolean;
  /**
   * Create an ARC Region switch plan per multi-region pattern.
   * @default true
   */
  readonly regionSwitchPlans?: boolean;
  /**
   * Also output, for each Region switch plan, the command that starts an ungraceful execution
   * (`UngracefulStartCommand`): for a lost region, it fails the database over with data loss.
   * @default false: only graceful commands (real switches with no data loss; Region switch has no practice mode)
   */
  readonly allowUngracefulRegionSwitch?: boolean;
  /**
   * Turn zonal autoshift on, with weekly practice runs, for the load balancers that support it
   * (AWS then also shifts their traffic during a zonal impairment it detects).
   * @default false
   */
  readonly zonalAutoshift?: boolean;
  /**
   * Weekly windows (UTC, one day each) when no practice run starts: `Mon:09:00-Mon:17:00`.
   * @default none
   */
  readonly practiceRunBlockedWindows?: string[];
  /**
   * Dates (UTC) when no practice run starts: `2026-12-24`.
   * @default none
   */
  readonly practiceRunBlockedDates?: string[];
  /**
   * Create a Resilience Hub policy per pattern from its targets (or computed figures) and DR approach.
   * @default true
   */
  readonly resiliencePolicies?: boolean;
  /**
   * The availability objective the Resilience Hub policies state, in percent.
   * @default no availability objective
   */
  readonly availabilityTarget?: number;
  /**
   * How long a lasting fault (a zone cut off, replication paused) lasts.
   * @default twice the worst case of the drilled path, at least 2 minutes (5 minutes for a replication pause,
   * the replication-latency alarm's window plus a margin)
   */
  readonly faultDuration?: Duration;
  /**
   * How long the experiments' log events are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** A failure scenario a pattern handles that no drill exercises, and why. */
export interface DrillGap {
  /** Construct path of the pattern. */
  readonly patternPath: string;
  /** The path id. */
  readonly path: string;
  /** The scenario, e.g. `region-loss of eu-west-1`. */
  readonly scenario: string;
  /** Why no drill covers it (and what covers it instead, if anything). */
  readonly reason: string;
}
