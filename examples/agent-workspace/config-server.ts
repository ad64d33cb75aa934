import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ColdStandbyConfigServer, HaDatabase } from '../../lib';
import { ExampleContext } from '../context';

/**
 * The agent desktop's configuration service: a live configuration server in
 * the primary region, proxies in both regions, a cold-standby server in the
 * secondary region, over an Aurora PostgreSQL Global Database (HaDatabase)
 * whose secondary cluster serves the standby region's proxy.
 */
export function addConfigServer(ctx: ExampleContext): ColdStandbyConfigServer {
  const { primaryRegion, secondaryRegion } = ctx.settings;
  // The global cluster, both clusters and the global table are retained with fixed names (other
  // regions name them literally). A first deployment that rolls back leaves them behind, and a
  // retry with the same names fails with "already exists": retry with `-c nameSuffix=-2` (or
  // delete them first; see README.md).
  const names = `${ctx.name}-config${nameSuffix(ctx)}`;
  const primary = ctx.stack('ConfigPrimary', primaryRegion, { description: `${ctx.name}: configuration server, proxy and HA database (primary region)` });
  const standby = ctx.stack('ConfigStandby', secondaryRegion, { description: `${ctx.name}: configuration proxy, cold-standby server and database secondary` });
  const vpc = ctx.vpc(primary);
  const standbyVpc = ctx.vpc(standby);

  const database = new HaDatabase(primary, 'ConfigDatabase', {
    vpc,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    secondary: { stack: standby, vpc: standbyVpc },
    globalClusterIdentifier: names,
    recoveryTargets: { rpo: Duration.minutes(1) },
  });

  return new ColdStandbyConfigServer(primary, 'ConfigServer', {
    vpc,
    // A placeholder: stock nginx listens on port 80 and answers / (not /health) with 200.
    // A real configuration server states the port and health path it serves here.
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    containerPort: 80,
    healthCheckPath: '/',
    zone: ctx.zone,
    standby: { stack: standby, vpc: standbyVpc },
    database,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    tableName: names,
    autoTurnOn: true,
    recoveryTargets: { rto: Duration.minutes(10), rpo: Duration.minutes(1) },
  });
}


/** `-c nameSuffix=...`: appended to the example's fixed physical names, so a retry after a rolled-back first deployment does not collide with what it retained. */
function nameSuffix(ctx: ExampleContext): string {
  const value: unknown = ctx.app.node.tryGetContext('nameSuffix');
  return value === undefined ? '' : String(value);
}
