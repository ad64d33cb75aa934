import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DrillPurpose } from './drill-description';
import { RegionSwitchStep } from './region-switch-step';

/** How the regions of a Region switch plan serve. */
export enum RecoveryApproach {
  /** One region serves; the plan activates another. */
  ACTIVE_PASSIVE = 'activePassive',
  /** Every region serves; the plan deactivates one. */
  ACTIVE_ACTIVE = 'activeActive',
}

/** Props of `RegionSwitchPlan`. */
export interface RegionSwitchPlanProps {
  /**
   * The plan's name: 1 to 32 letters, digits and hyphens.
   * @default a name unique in the account, from the construct's path
   */
  readonly planName?: string;
  /**
   * How the regions serve.
   * @default RecoveryApproach.ACTIVE_PASSIVE
   */
  readonly recoveryApproach?: RecoveryApproach;
  /** The plan's regions (Region switch plans span two). */
  readonly regions: string[];
  /**
   * The region that serves normally (active/passive plans).
   * @default the first of `regions` for an active/passive plan; none for an active/active plan
   */
  readonly primaryRegion?: string;
  /**
   * The region the workflow activates (active/passive) or deactivates (active/active), and the one
   * the start command targets.
   * @default the region other than `primaryRegion` (active/passive); the first of `regions` (active/active)
   */
  readonly targetRegion?: string;
  /** The steps, run in order: database first, then capacity, then DNS. */
  readonly steps: RegionSwitchStep[];
  /**
   * The steps of the failback workflow, which returns the service to the primary region (active/passive:
   * activates `primaryRegion`) or to the region the plan deactivated (active/active: activates it again).
   * @default the steps that run for either region (Aurora Global Database: a switchover back, no data
   * loss, both regions up; Route 53 health checks); none left is a synth-time warning and no failback command
   */
  readonly failbackSteps?: RegionSwitchStep[];
  /**
   * Also output the command that starts an ungraceful execution (`UngracefulStartCommand`): for a
   * region that is lost, it fails the database over with data loss (the writes not yet replicated)
   * and skips what needs the lost region.
   * @default false: only graceful commands (no data loss; they need both regions up)
   */
  readonly allowUngraceful?: boolean;
  /** The plan's recovery time objective: the computed worst case of the paths it replaces (rounded up to whole minutes). */
  readonly recoveryTime: Duration;
  /**
   * Alarms whose ALARM state means the switch is needed (associated as trigger alarms).
   * An alarm in another stack must have a literal name.
   * @default none
   */
  readonly triggerAlarms?: cloudwatch.IAlarm[];
  /**
   * Alarms whose state tells the application's health in a region (associated as application-health
   * alarms: Region switch measures the actual recovery time with them).
   * An alarm in another stack must have a literal name.
   * @default none
   */
  readonly healthAlarms?: cloudwatch.IAlarm[];
  /**
   * Run the plan automatically when every trigger alarm is in ALARM. The library's own automation
   * runs as well: turn it on only where the plan replaces it.
   * @default false: the plan runs when someone starts it
   */
  readonly automaticExecution?: boolean;
  /**
   * Where Region switch writes the report of each execution.
   * @default a new versioned, encrypted, TLS-only bucket in the plan's stack
   */
  readonly reportBucket?: s3.IBucket;
  /** What the plan proves (paths and scenario), for the outputs and the report. */
  readonly purpose: DrillPurpose;
}
