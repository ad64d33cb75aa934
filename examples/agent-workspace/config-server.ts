import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ColdStandbyConfigServer, ColdStandbyConfigServerPath, HaDatabase, HaDatabasePath, InterRegionVpcPeering } from '../../lib';
import { ExampleContext } from '../context';

/** The standby region's configuration VPC: a range of its own beside the primary's 10.0.0.0/16. */
const STANDBY_CIDR = '10.1.0.0/16';

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
  const vpc = ctx.vpc(primary); // 10.0.0.0/16
  // The standby's proxy and probe reach the writer in the primary region, the database's probe reaches
  // the primary writer, and after turn-on every client reaches the writer in the standby region: the two
  // VPCs are peered here (the failure analysis fails synthesis without a route), so their ranges must not
  // overlap. The peering lives in the standby stack, which deploys second; neither stack reads the other
  // region at deploy time.
  const standbyVpc = ctx.vpc(standby, STANDBY_CIDR);
  new InterRegionVpcPeering(standby, 'ConfigPeering', { vpc: standbyVpc, peerVpc: vpc });

  const database = new HaDatabase(primary, 'ConfigDatabase', {
    vpc,
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    secondary: { stack: standby, vpc: standbyVpc },
    globalClusterIdentifier: names,
    // The global cluster's one promoter: the secondary region's probe (the writer refuses connections and the primary's
    // API fails or says it is down) promotes the secondary automatically (autoFailover, the default) within 2 minutes.
    recoveryTargets: { rpo: Duration.minutes(1), paths: [{ path: HaDatabasePath.CROSS_REGION, rto: Duration.minutes(2) }] },
    // The lag alarm's threshold bounds the data lost in a failover and how long a switchover waits for the secondary to
    // catch up: the configuration server's turn-on asks for a switchover when only the live server is lost, and its
    // 3-minute write target needs that wait to be at most 30 s (Aurora's typical lag is about 1 s).
    globalLagThreshold: Duration.seconds(30),
    // Replication copies a corruption or a deletion to the secondary at once: daily backups, copied to a vault in the
    // standby region, are what a restore to an earlier point starts from (AWS Backup, restore tested weekly).
    backup: { copyTo: { stack: standby } },
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
    // The writer flag's table, backed up beside the database (its copy in the standby region).
    backup: { copyTo: { stack: standby } },
    // Writes back within 3 minutes of losing the primary region (the standby region's probe turns the standby on); reads never stop.
    recoveryTargets: {
      rpo: Duration.minutes(1),
      paths: [{ path: ColdStandbyConfigServerPath.WRITES, rto: Duration.minutes(3) }, { path: ColdStandbyConfigServerPath.READS, rto: Duration.seconds(1) }],
    },
  });
}


/** `-c nameSuffix=...`: appended to the example's fixed physical names, so a retry after a rolled-back first deployment does not collide with what it retained. */
function nameSuffix(ctx: ExampleContext): string {
  const value: unknown = ctx.app.node.tryGetContext('nameSuffix');
  return value === undefined ? '' : String(value);
}
