import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { RecoveryObjectives } from './recovery-objectives';

/** What a dashboard, a report or an analysis reads of a pattern. */
export interface IHaPattern extends IConstruct {
  /** The pattern's name, e.g. `SingletonDaemon`. */
  readonly patternName: string;
  /** The computed recovery time and recovery point. */
  readonly recoveryObjectives: RecoveryObjectives;
  /** Every alarm the pattern created, failover alarm included. */
  readonly alarms: cloudwatch.IAlarm[];
}
