import * as path from 'path';
import { ArnFormat, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AutomationCall } from '../core/failure-scenario';
import { PROBE_FUNCTION_TIMEOUT, probeEnvironment } from '../failover/cross-region-probe';
import { HandlerFunction } from '../private/handler-function';
import type { ColdStandbyConfigServerProps } from './cold-standby-config-server-props';
import { ConfigSite } from './config-site';
import type { ConfigServerSettings } from './settings';
import { WRITER_FLAG_KEY } from './writer-flag';

/** How long the turn-on waits for the database's promotion (Aurora: under a minute) before it fails. */
const PROMOTION_TIMEOUT = Duration.minutes(12);
/** How often the turn-on asks whether the database is promoted. */
export const PROMOTION_POLL = Duration.seconds(5);
/** The turn-on function's timeout with a database: the promotion's wait plus the other steps, within Lambda's 15 minutes. */
const TURN_ON_TIMEOUT_WITH_DATABASE = Duration.minutes(14);

/** The turn-on automation in the standby region (it is the probe of the live server as well). */
export interface TurnOnAutomation {
  readonly function: lambda.IFunction;
  /** The role it runs as. */
  readonly role: iam.IRole;
  /** Every call it makes, for the failure analysis. */
  readonly calls: AutomationCall[];
}

/** The ARNs the turn-on calls, all in the standby region's stack (the primary's service by its literal name). */
interface TurnOnTargets {
  readonly zoneArn: string;
  readonly standbyTableArn: string;
  readonly primaryServiceArn: string;
}

/**
 * The turn-on function in the standby site (it probes the live server as well), its permissions, and
 * the custom resource that sets the standby server's task count to 0 once, at creation.
 */
export function createTurnOnAutomation(standby: ConfigSite, patternPath: string, props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): TurnOnAutomation {
  const db = props.database?.secondary;
  const turnOn = new HandlerFunction(standby, 'TurnOn', {
    entry: path.join(__dirname, 'handler', 'index'),
    description: `Probes the live configuration server of ${patternPath} in ${settings.primaryRegion}; turns on the cold standby in ${settings.standbyRegion}`,
    // With a database, the turn-on waits for its promotion (at most PROMOTION_TIMEOUT); the probe samples for a minute.
    timeout: db ? TURN_ON_TIMEOUT_WITH_DATABASE : PROBE_FUNCTION_TIMEOUT,
    // The probe checks the live server's health through the writer name from this VPC (the route between the VPCs).
    vpc: props.standby.vpc,
    environment: turnOnEnvironment(standby, props, settings),
  });
  const calls = grantTurnOnCalls(turnOn.role, standby, props, settings);
  setInitialStandbyCount(standby, turnOn.function);
  return { function: turnOn.function, role: turnOn.role, calls };
}

/** What the turn-on reads: the live server to probe, the standby to scale, the writer's name and flag to move, the database's promoter to ask. */
function turnOnEnvironment(standby: ConfigSite, props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): Record<string, string> {
  const db = props.database?.secondary;
  return {
    PRIMARY_REGION: settings.primaryRegion,
    PRIMARY_CLUSTER: settings.primaryNames.clusterName,
    PRIMARY_SERVICE: settings.primaryNames.serverServiceName,
    WRITER_HEALTH_URL: `http://${settings.writerHost}${settings.healthCheckPath}`,
    ...probeEnvironment(),
    CLUSTER: standby.cluster.clusterName,
    SERVICE: standby.server!.serviceName,
    DESIRED_COUNT: String(settings.serverCount),
    HOSTED_ZONE_ID: props.zone.hostedZoneId,
    RECORD_NAME: settings.writerHost,
    TARGET_DNS_NAME: standby.loadBalancer.loadBalancerDnsName,
    TTL: String(settings.writerRecordTtl.toSeconds()),
    TABLE_NAME: settings.tableName,
    WRITER_KEY: WRITER_FLAG_KEY,
    ...(db ? {
      GLOBAL_CLUSTER_ID: db.globalClusterIdentifier,
      TARGET_CLUSTER_ARN: db.clusterArn,
      // The database's one promoter decides between a switchover and a failover with data loss.
      PROMOTER_FUNCTION: props.database!.writerProbeFunction!.functionArn,
      PROMOTION_TIMEOUT_SECONDS: String(PROMOTION_TIMEOUT.toSeconds()),
      PROMOTION_POLL_SECONDS: String(PROMOTION_POLL.toSeconds()),
    } : {}),
  };
}

/** The literal ARNs of what the turn-on calls. */
function turnOnTargets(standby: ConfigSite, props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): TurnOnTargets {
  const stack = Stack.of(standby);
  const names = settings.primaryNames;
  return {
    zoneArn: stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: props.zone.hostedZoneId }),
    standbyTableArn: stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: settings.tableName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    primaryServiceArn: stack.formatArn({
      service: 'ecs', region: settings.primaryRegion, resource: 'service', resourceName: `${names.clusterName}/${names.serverServiceName}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
  };
}

/**
 * Lets the turn-on make its calls, each scoped to its target (the writer record's name, the writer flag's
 * item, the standby service), and returns them.
 */
function grantTurnOnCalls(role: iam.Role, standby: ConfigSite, props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): AutomationCall[] {
  const { zoneArn, standbyTableArn, primaryServiceArn } = turnOnTargets(standby, props, settings);
  const database = props.database?.secondary ? props.database : undefined;
  // Ask the database's promoter for the promotion and watch it (never FailoverGlobalCluster itself).
  if (database) database.grantRequestPromotion(role);
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [standby.server!.serviceArn] }));
  // The probe: the live server's service in the primary region, by its literal ARN.
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: [primaryServiceArn] }));
  writerRecordStatements(zoneArn, settings.writerHost).forEach(statement => role.addToPolicy(statement));
  role.addToPolicy(writerFlagStatement([standbyTableArn]));
  return [
    { actions: ['ecs:DescribeServices'], resource: primaryServiceArn },
    { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resource: standby.server!.serviceArn },
    ...(database ? database.requestPromotionCalls() : []),
    { actions: ['route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'], resource: zoneArn },
    { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resource: standbyTableArn },
  ];
}

/** Reading the writer's record, and UPSERTing its CNAME only (the turn-on's and the failback's one change of the zone). */
export function writerRecordStatements(zoneArn: string, writerHost: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [zoneArn] }),
    new iam.PolicyStatement({
      actions: ['route53:ChangeResourceRecordSets'],
      resources: [zoneArn],
      conditions: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': [writerHost.toLowerCase()],
          'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
        },
      },
    }),
  ];
}

/** Reading and writing the writer flag's item only, in the given replicas. */
export function writerFlagStatement(tableArns: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    resources: tableArns,
    conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [WRITER_FLAG_KEY] } },
  });
}

/** The standby's count, once: 0 at creation (ECS starts a service without a count at 1 task), never lowered later. */
function setInitialStandbyCount(standby: ConfigSite, fn: lambda.IFunction): void {
  const initialCount = new CustomResource(standby, 'InitialDesiredCount', {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::StandbyDesiredCount',
    properties: { Cluster: standby.cluster.clusterName, Service: standby.server!.serviceName, DesiredCount: '0' },
  });
  initialCount.node.addDependency(standby.server!);
}
