import { HaDatabase, HaDatabaseEngine } from '../../lib';
import { ExampleContext } from '../context';

/**
 * The gateway's HA database: SQL Server Standard, RDS Multi-AZ instance, in the primary region;
 * backed up daily with a copy in the secondary region (stack `BackupCopy`).
 */
export function addGatewayDatabase(ctx: ExampleContext): HaDatabase {
  const stack = ctx.stack('Database', ctx.settings.primaryRegion, { description: `${ctx.name}: SQL Server Multi-AZ database` });
  return new HaDatabase(stack, 'Database', {
    vpc: ctx.vpc(stack),
    engine: HaDatabaseEngine.SQL_SERVER,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    backup: {
      copyTo: { stack: ctx.stack('BackupCopy', ctx.settings.secondaryRegion, { description: `${ctx.name}: copies of the database's backups (AWS Backup vault)` }) },
    },
  });
}

