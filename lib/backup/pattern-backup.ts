import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { HaPattern } from '../core/ha-pattern';
import { HaBackup, HaBackupOptions, HaBackupResource } from './ha-backup';

/**
 * A pattern's backup tier (its `backup` prop): an `HaBackup` named `Backup` under the
 * pattern, notifying the pattern's notifications, its copy alarm registered by the pattern
 * (`register`: the pattern's notifying role, so it pages once), and the `backup-restore`
 * path added to the pattern's recovery objectives.
 */
export function addPatternBackup(pattern: HaPattern, options: HaBackupOptions, resources: HaBackupResource[],
  register: (alarm: cloudwatch.Alarm) => void): HaBackup {
  const tier = new HaBackup(pattern, 'Backup', { ...options, resources, notifications: pattern.notifications });
  register(tier.copyJobsFailedAlarm);
  tier.addRecoveryPathTo(pattern.recoveryObjectives);
  return tier;
}
