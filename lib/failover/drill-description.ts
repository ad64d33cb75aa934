import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** What kind of exercise a drill is. */
export enum DrillKind {
  /** An AWS Fault Injection Service experiment template. */
  FAULT_INJECTION = 'fis-experiment',
  /**
   * An ARC Region switch plan, executed gracefully (no data loss) or, explicitly, ungracefully (data loss):
   * Region switch has no practice mode, every execution is a real switch.
   */
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
/** How to find a Region switch plan's executions. */
export interface PlanIdentifier {
  /** The plan's literal name (Region switch plan names are unique in an account). */
  readonly planName: string;
  /** The region whose Region switch data plane is asked (the region the plan activates or deactivates). */
  readonly region: string;
  /** The stack output that holds the plan's ARN, for the dry run. */
  readonly planArnOutput: StackOutputIdentifier;
}

/** How to find an FIS experiment template's experiments. */
export interface ExperimentIdentifier {
  /** The template's `Name` tag (the drill's construct path, cut to 256 characters). */
  readonly nameTag: string;
  /** The region of the experiment. */
  readonly region: string;
}

/** How to find a zonal autoshift configuration's practice runs. */
export interface PracticeRunIdentifier {
  /** The stack output that holds the load balancer's ARN. */
  readonly loadBalancerArnOutput: StackOutputIdentifier;
  /** The region of the load balancer. */
  readonly region: string;
}

/** One output of a deployed stack. */
export interface StackOutputIdentifier {
  /** The stack's name. */
  readonly stackName: string;
  /** The output's key (its logical id). */
  readonly outputKey: string;
  /** The stack's region. */
  readonly region: string;
}

/** One recovery path a drill exercises, with the figure the library computed for it. */
export interface ComputedPath {
  /** The path id, e.g. `task-failure`. */
  readonly id: string;
  /**
   * The path's computed worst case in seconds (`recoveryObjectives.path(id).total`).
   * @default no figure (the drill checks survival)
   */
  readonly computedSeconds?: number;
}

/** A drill as `prove` reads it: its description, the identifiers to query, and the computed figures of its paths. */
export interface ProveDrill {
  /** The drill's description (`Drills.describe(app)`). */
  readonly description: DrillDescription;
  /** The paths the drill exercises, with their computed figures. */
  readonly paths: ComputedPath[];
  /**
   * The Region switch plan to read (Region switch drills).
   * @default not a Region switch drill
   */
  readonly plan?: PlanIdentifier;
  /**
   * The FIS experiment template to read (FIS drills).
   * @default not an FIS drill
   */
  readonly experiment?: ExperimentIdentifier;
  /**
   * The load balancer whose practice runs to read (zonal autoshift drills).
   * @default not a zonal autoshift drill
   */
  readonly practiceRuns?: PracticeRunIdentifier;
}

export interface IDrill extends IConstruct {
  /** What the drill proves and how to start it. */
  readonly description: DrillDescription;
  /** What `cdk-ha-patterns prove` reads of the drill: the identifiers to query and the computed figures of its paths. */
  readonly proveTarget: ProveDrill;
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
