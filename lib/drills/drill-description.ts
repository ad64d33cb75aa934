import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** What kind of exercise a drill is. */
export enum DrillKind {
  /** An AWS Fault Injection Service experiment template. */
  FAULT_INJECTION = 'fis-experiment',
  /** An ARC Region switch plan, executed in practice or recovery mode. */
  REGION_SWITCH = 'region-switch-plan',
  /** An ARC zonal autoshift configuration: weekly practice runs, or one on demand. */
  ZONAL_AUTOSHIFT = 'zonal-autoshift-practice-run',
}

/**
 * What a drill proves: the recovery paths it exercises, under which failure
 * scenario, and what a passing run looks like.
 */
export interface DrillPurpose {
  /**
   * Construct path of the pattern whose paths the drill exercises.
   * @default the drill belongs to no pattern
   */
  readonly patternPath?: string;
  /**
   * The pattern's name, e.g. `SingletonDaemon`.
   * @default the drill belongs to no pattern
   */
  readonly patternName?: string;
  /** Ids of the recovery paths the drill exercises, e.g. `['task-failure']`. */
  readonly paths: string[];
  /** The failure scenario the drill simulates, e.g. `task-loss of eu-west-1`. */
  readonly scenario: string;
  /** What the drill proves, in one sentence. */
  readonly proves: string;
  /** What a passing run looks like, in one or two sentences. */
  readonly passes: string;
  /**
   * The computed worst case of the paths, to compare with the time measured in the drill.
   * @default no figure (the drill checks survival, not time)
   */
  readonly expectedRecovery?: Duration;
}

/** One drill as the resilience report lists it. */
export interface DrillDescription {
  /** The kind of drill. */
  readonly kind: DrillKind;
  /** Construct path of the drill. */
  readonly constructPath: string;
  /** The stack the drill is deployed with. */
  readonly stackName: string;
  /** The region it runs in (the region of the resources it targets). */
  readonly region: string;
  /**
   * Construct path of the pattern whose paths it exercises.
   * @default the drill belongs to no pattern
   */
  readonly patternPath?: string;
  /**
   * The pattern's name.
   * @default the drill belongs to no pattern
   */
  readonly patternName?: string;
  /** Ids of the recovery paths it exercises. */
  readonly paths: string[];
  /** The failure scenario it simulates. */
  readonly scenario: string;
  /** What it proves. */
  readonly proves: string;
  /** What a passing run looks like. */
  readonly passes: string;
  /**
   * The computed worst case of the paths, in seconds.
   * @default no figure
   */
  readonly expectedRecoverySeconds?: number;
  /**
   * One shell command that starts the drill once its stack is deployed: it
   * reads the drill's id from the stack's outputs, so it can be pasted as is.
   */
  readonly startCommand: string;
}

/** A construct that is a drill: it describes itself for the resilience report. */
export interface IDrill extends IConstruct {
  /** What the drill proves and how to start it. */
  readonly description: DrillDescription;
}

/** One permission a drill's role needs, and why its resource is a wildcard when it is one. */
export interface DrillPermission {
  /** The statement, scoped to the drilled resources where the API allows it. */
  readonly statement: iam.PolicyStatement;
  /**
   * Why the statement names a wildcard resource (for reviewers and the cdk-nag acknowledgement).
   * @default the statement names exact resources
   */
  readonly wildcardReason?: string;
}
