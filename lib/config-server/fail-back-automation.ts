import * as path from 'path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { globalDatabaseArns } from '../failover/region-switch-step';
import { HandlerFunction } from '../private/handler-function';
import type { ColdStandbyConfigServerProps } from './cold-standby-config-server-props';
import { ConfigSite } from './config-site';
import type { ConfigServerSettings } from './settings';
import { writerFlagStatement, writerRecordStatements } from './turn-on-automation';
import { WRITER_FLAG_KEY } from './writer-flag';

/** How long the failback waits for the database's switchover back (Aurora: a few minutes). */
const SWITCHOVER_TIMEOUT = Duration.minutes(12);
/** The failback's timeout with a database: the switchover's wait plus the other steps, within Lambda's 15 minutes. */
const FAIL_BACK_TIMEOUT_WITH_DATABASE = Duration.minutes(14);
/** The failback's timeout with the table store: the handover's replication and drain. */
const FAIL_BACK_TIMEOUT = Duration.minutes(5);
/** How long the failback waits for the handover to reach the primary region's replica. */
const REPLICATION_TIMEOUT = Duration.minutes(2);

/** The failback automation in the primary region. */
export interface FailBackAutomation {
  readonly function: lambda.IFunction;
  /** Its ARN, a literal: the standby region's Region switch plan names it. */
  readonly functionArn: string;
}

/**
 * The failback function in the primary site: moves the writer back from the standby (fence, replicate,
 * switch the database back, move the name, set the flag), gracefully; the standby region's scheduled
 * check then scales the standby to 0. The failback workflow of the server's Region switch plan runs it.
 */
export function createFailBackAutomation(
  primary: ConfigSite, patternPath: string, props: ColdStandbyConfigServerProps, settings: ConfigServerSettings,
): FailBackAutomation {
  const stack = Stack.of(primary);
  const database = props.database?.secondary ? props.database : undefined;
  const fn = new HandlerFunction(primary, 'FailBack', {
    // The configuration server's one handler; FAIL_BACK selects the failback.
    entry: path.join(__dirname, 'handler', 'index'),
    functionName: settings.primaryNames.failBackFunctionName,
    description: `Fails ${patternPath} back to ${settings.primaryRegion} from ${settings.standbyRegion} (graceful: writes are refused, never lost, while it runs)`,
    timeout: database ? FAIL_BACK_TIMEOUT_WITH_DATABASE : FAIL_BACK_TIMEOUT,
    environment: failBackEnvironment(primary, props, settings),
  });
  const tableArn = (region: string) => stack.formatArn({ service: 'dynamodb', region, resource: 'table', resourceName: settings.tableName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const zoneArn = stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: props.zone.hostedZoneId });
  const tableArns = [tableArn(settings.primaryRegion), tableArn(settings.standbyRegion)];
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [primary.server!.serviceArn] }));
  writerRecordStatements(zoneArn, settings.writerHost).forEach(s => fn.role.addToPolicy(s));
  fn.role.addToPolicy(writerFlagStatement(tableArns));
  if (database) {
    const { globalArn, clusterArns: clusters } = globalDatabaseArns(primary, database);
    // A switchover only (no data loss): the failback never calls FailoverGlobalCluster.
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['rds:SwitchoverGlobalCluster'], resources: [globalArn, ...clusters] }));
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeGlobalClusters'], resources: [globalArn] }));
    database.addPromoter(fn.function, `the configuration server ${patternPath}'s failback (a switchover back to ${settings.primaryRegion}, started by a person or a plan's failback)`, false);
  }
  const functionArn = stack.formatArn({
    service: 'lambda', region: settings.primaryRegion, resource: 'function', resourceName: settings.primaryNames.failBackFunctionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return { function: fn.function, functionArn };
}

/** What the failback works on: the live server, the writer's name and flag (both replicas), the database to switch back. */
function failBackEnvironment(primary: ConfigSite, props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): Record<string, string> {
  const database = props.database?.secondary ? props.database : undefined;
  // The standby's last writes replicate within the replication-latency bound (alarmed); a strongly consistent store, or a store in the database, needs none.
  const drain = database || settings.strongConsistency ? Duration.seconds(0) : settings.replicationLatencyThreshold;
  return {
    FAIL_BACK: 'true',
    // The handler's probe client reads it when the module loads (the failback does not probe).
    PRIMARY_REGION: settings.primaryRegion,
    CLUSTER: settings.primaryNames.clusterName,
    SERVICE: settings.primaryNames.serverServiceName,
    DESIRED_COUNT: String(settings.serverCount),
    HOSTED_ZONE_ID: props.zone.hostedZoneId,
    RECORD_NAME: settings.writerHost,
    TARGET_DNS_NAME: primary.loadBalancer.loadBalancerDnsName,
    TTL: String(settings.writerRecordTtl.toSeconds()),
    TABLE_NAME: settings.tableName,
    WRITER_KEY: WRITER_FLAG_KEY,
    STANDBY_REGION: settings.standbyRegion,
    DRAIN_SECONDS: String(Math.ceil(drain.toSeconds({ integral: false }))),
    REPLICATION_TIMEOUT_SECONDS: String(REPLICATION_TIMEOUT.toSeconds()),
    POLL_SECONDS: '2',
    ...(database ? {
      GLOBAL_CLUSTER_ID: database.globalClusterIdentifier!,
      // The global database's clusters, the primary's first.
      TARGET_CLUSTER_ARN: globalDatabaseArns(primary, database).clusterArns[0],
      SWITCHOVER_TIMEOUT_SECONDS: String(SWITCHOVER_TIMEOUT.toSeconds()),
    } : {}),
  };
}
