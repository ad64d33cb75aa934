import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { HaBackup, HaBackupOptions, HaBackupResource } from '../backup/ha-backup';
import { addPatternBackup } from '../backup/pattern-backup';
import type { HaDatabase } from './ha-database';

/**
 * The database's backup tier (`HaDatabaseProps.backup`): the writer cluster (Aurora) or
 * instance (SQL Server) in an AWS Backup plan with a copy in another region. The
 * `backup-restore` path joins the database's paths; with a `secondary` it is the fallback
 * for what replication cannot undo (a bad write replicated to both regions).
 */
export function addDatabaseBackup(database: HaDatabase, options: HaBackupOptions | undefined,
  register: (alarm: cloudwatch.Alarm) => void): HaBackup | undefined {
  if (!options) return undefined;
  const resource = database.cluster ? HaBackupResource.auroraCluster(database.cluster) : HaBackupResource.rdsInstance(database.instance!);
  return addPatternBackup(database, options, [resource], register);
}
