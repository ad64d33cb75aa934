
/** What a drill's last run says about the figure the library computed. */
export enum ProveVerdict {
  /** The drill ran and the recovery it measured is at most the computed worst case (or it proved survival). */
  WITHIN = 'within',
  /** The drill ran and the recovery took longer than the computed worst case. */
  OVER = 'OVER',
  /** The last run failed, was stopped or cancelled, or did not recover. */
  FAILED = 'failed',
  /** The last run has not finished. */
  RUNNING = 'running',
  /** No run was found (or the drill is not deployed). */
  NEVER_RUN = 'never run',
}

export type { ComputedPath, ExperimentIdentifier, PlanIdentifier, PracticeRunIdentifier, ProveDrill, StackOutputIdentifier } from '../failover/drill-description';

/** One event of a drill's run, for the timeline in the JSON output. */
export interface TimelineEvent {
  /** When it happened (ISO 8601). */
  readonly at: string;
  /** What happened. */
  readonly what: string;
}

/** What `prove` read about one drill's last run. */
export interface Measurement {
  /** The verdict before comparing with a path's figure: WITHIN means "ran and finished well", compared with the figure below. */
  readonly verdict: ProveVerdict;
  /**
   * The recovery time measured, in seconds.
   * @default no figure (the run proved survival, or it did not finish)
   */
  readonly measuredSeconds?: number;
  /** What was read, in one line (state, reason, ids). */
  readonly detail: string;
  /**
   * The run's id (execution id, experiment id, zonal shift id).
   * @default no run
   */
  readonly runId?: string;
  /** The run's timeline (start, actions or steps, alarm transitions, end). */
  readonly timeline: TimelineEvent[];
  /**
   * Set when the API could not be read (permissions, throttling): the row is no evidence either way.
   * @default read
   */
  readonly readError?: string;
}

/** One row of the ledger: a pattern's path, one drill of it, the computed and measured figures, the verdict. */
export interface ProveRow {
  /** The pattern's construct path. */
  readonly patternPath: string;
  /** The pattern's name. */
  readonly patternName: string;
  /** The path id. */
  readonly path: string;
  /** The drill's kind. */
  readonly kind: string;
  /** The drill's construct path. */
  readonly drill: string;
  /** The region the drill runs in. */
  readonly region: string;
  /**
   * The path's computed worst case, in seconds.
   * @default no figure
   */
  readonly computedSeconds?: number;
  /**
   * The figure the measurement is judged against: the largest computed figure of the drill's paths
   * (one run cannot tell which of its paths recovered).
   * @default no figure
   */
  readonly boundSeconds?: number;
  /**
   * The recovery time measured, in seconds.
   * @default no figure
   */
  readonly measuredSeconds?: number;
  /** The verdict. */
  readonly verdict: ProveVerdict;
  /** What was read. */
  readonly detail: string;
  /**
   * The run's id.
   * @default no run
   */
  readonly runId?: string;
  /** The run's timeline. */
  readonly timeline: TimelineEvent[];
  /**
   * Why the drill could not be read.
   * @default read
   */
  readonly readError?: string;
}

/** The ledger and the exit code of `prove`. */
export interface ProveResult {
  /** `true` when no credentials were found and `prove` only printed what it would read. */
  readonly dryRun: boolean;
  /** One row per pattern path and drill (empty in a dry run). */
  readonly rows: ProveRow[];
  /** 0: every drill within its figure, running or never run; 1: a measured figure over the computed one or a failed run; 2: a drill could not be read. */
  readonly exitCode: number;
}
