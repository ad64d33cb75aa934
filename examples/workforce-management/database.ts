import { HaDatabase } from '../../lib';
import { ExampleContext } from '../context';

/** The suite's one HA database: Aurora PostgreSQL, writer + reader in two zones, in the primary region. */
export function addWorkforceDatabase(ctx: ExampleContext): HaDatabase {
  const stack = ctx.stack('Database', ctx.settings.primaryRegion, { description: `${ctx.name}: Aurora PostgreSQL Multi-AZ database` });
  return new HaDatabase(stack, 'Database', {
    vpc: ctx.vpc(stack),
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
  });
}

