import { HaDatabase } from '../../lib';
import { ExampleContext } from '../context';

/**
 * The suite's one HA database: Aurora PostgreSQL, writer + reader in two zones, in the primary
 * region; backed up daily with a copy in the secondary region (stack `BackupCopy`).
 */
export function addWorkforceDatabase(ctx: ExampleContext): HaDatabase {
  const stack = ctx.stack('Database', ctx.settings.primaryRegion, { description: `${ctx.name}: Aurora PostgreSQL Multi-AZ database` });
  return new HaDatabase(stack, 'Database', {
    vpc: ctx.vpc(stack),
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    backup: {
      copyTo: { stack: ctx.stack('BackupCopy', ctx.settings.secondaryRegion, { description: `${ctx.name}: copies of the database's backups (AWS Backup vault)` }) },
    },
  });
}

