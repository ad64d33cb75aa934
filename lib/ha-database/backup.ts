import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as rds from 'aws-cdk-lib/aws-rds';
import { HaBackup, HaBackupOptions, HaBackupResource } from '../backup/ha-backup';
import { addPatternBackup } from '../backup/pattern-backup';
import { HaPattern } from '../core/ha-pattern';
import { acknowledge } from '../private/network';
import type { HaDatabaseSecondary } from './secondary';

/** What the backup covers: the writer cluster (Aurora) or instance, and the global secondary. */
export interface DatabaseParts {
  readonly cluster?: rds.DatabaseCluster;
  readonly instance?: rds.DatabaseInstance;
  readonly secondary?: HaDatabaseSecondary;
}

/**
 * The database's backup tier (`HaDatabaseProps.backup`): the writer cluster (Aurora) or
 * instance (SQL Server) in an AWS Backup plan with a copy in another region. The
 * `backup-restore` path joins the database's paths; with a `secondary` it is the fallback
 * for what replication cannot undo (a bad write replicated to both regions).
 */
export function addDatabaseBackup(database: HaPattern, parts: DatabaseParts, options: HaBackupOptions | undefined,
  register: (alarm: cloudwatch.Alarm) => void): HaBackup | undefined {
  if (!options) return undefined;
  const resource = parts.cluster ? HaBackupResource.auroraCluster(parts.cluster) : HaBackupResource.rdsInstance(parts.instance!);
  const tier = addPatternBackup(database, options, [resource], register);
  // The secondary cluster replicates the primary's storage: the primary's recovery points, copied to another region, cover it.
  const secondary = parts.secondary;
  if (secondary) {
    for (const part of [secondary.cluster, ...secondary.instances]) {
      acknowledge(part, {
        'NIST.800.53.R5-RDSInBackupPlan': `the secondary cluster of the Aurora Global Database ${database.node.path} replicates the primary cluster's storage, ` +
          `which the backup plan ${tier.node.path} backs up with a copy to another region; a backup of the replica would hold the same data.`,
      });
    }
  }
  return tier;
}
