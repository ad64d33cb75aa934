import { HaDatabase, HaDatabaseEngine } from '../../lib';
import { ExampleContext } from '../context';

/** The gateway's HA database: SQL Server Standard, RDS Multi-AZ instance, in the primary region. */
export function addGatewayDatabase(ctx: ExampleContext): HaDatabase {
  const stack = ctx.stack('Database', ctx.settings.primaryRegion, { description: `${ctx.name}: SQL Server Multi-AZ database` });
  return new HaDatabase(stack, 'Database', {
    vpc: ctx.vpc(stack),
    engine: HaDatabaseEngine.SQL_SERVER,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
  });
}

