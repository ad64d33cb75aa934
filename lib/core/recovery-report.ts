/** The computed figures of recovery paths, as `RecoveryObjectives` gives them and reports read them. */
import { Duration } from 'aws-cdk-lib';
import { ResolvedRecoveryStep } from './recovery-step';

/** How one path fares under one of its failure scenarios. */
export interface ScenarioOutcome {
  /** The scenario, e.g. `region-loss of eu-west-1`. */
  readonly scenario: string;
  /** The path's id. */
  readonly path: string;
  /** Whether every link survives the scenario and does its job. */
  readonly survives: boolean;
  /** What breaks the path, one sentence each. */
  readonly brokenLinks: string[];
  /** The reason a broken path was acknowledged with, if it was. */
  readonly acknowledged?: string;
}

/** A recovery path with its figures. */
export interface RecoveryPathSummary {
  /** The path's id. */
  readonly name: string;
  /** What the path recovers from. */
  readonly description?: string;
  /** Its steps, in order. */
  readonly steps: ResolvedRecoveryStep[];
  /** Worst-case time: the sum of the steps. */
  readonly total: Duration;
  /** The fastest the path can be configured to: the sum of the steps' floors. */
  readonly fastest: Duration;
  /** The target the path must meet, if any. */
  readonly target?: Duration;
  /** The slowest step. */
  readonly slowest?: ResolvedRecoveryStep;
  /** The path's own data loss, when it declares one (`RecoveryPathOptions.dataLoss`). */
  readonly dataLoss?: ResolvedRecoveryStep;
}

/** One step in a report, in seconds. */
export interface RecoveryStepReport {
  readonly component: string;
  readonly derivation: string;
  readonly seconds: number;
  readonly fastestSeconds: number;
  readonly tuning?: string;
}

/** One path in a report, in seconds. */
export interface RecoveryPathReport {
  readonly name: string;
  readonly description?: string;
  readonly totalSeconds: number;
  readonly fastestSeconds: number;
  readonly targetSeconds?: number;
  readonly steps: RecoveryStepReport[];
  /** The path under each failure scenario it exists for. */
  readonly scenarios: ScenarioOutcome[];
  /** The path's own data loss, when it declares one (else the pattern's `rpoSeconds` holds for it). */
  readonly dataLoss?: RecoveryStepReport;
}

/** The figures of one pattern instance, JSON-friendly (seconds). */
export interface RecoveryObjectivesReport {
  readonly pattern: string;
  readonly constructPath: string;
  readonly detection: string;
  readonly rtoSeconds: number;
  readonly rpoSeconds: number;
  readonly rtoTargetSeconds?: number;
  readonly rpoTargetSeconds?: number;
  readonly paths: RecoveryPathReport[];
  readonly dataLoss: RecoveryStepReport[];
}
