import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { regionalScope } from '../core/regional-scope';
import type { HaDatabase } from '../ha-database/ha-database';
import type { ColdStandbyConfigServerProps } from './cold-standby-config-server-props';
import { ConfigSite } from './config-site';
import type { ConfigServerSettings, PrimaryServerNames } from './settings';
import { knownCidr } from './site-network';
import { WRITER_FLAG_KEY } from './writer-flag';

/** What proxies may do on their local replica. */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
/** What only the servers may do. */
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** The sites of the configuration service, one per region. */
export interface ConfigServerSites {
  /** The live server and a proxy, in the primary region. */
  readonly primary: ConfigSite;
  /** The cold standby server and a proxy, in the standby region. */
  readonly standby: ConfigSite;
  /** A proxy in each further region. */
  readonly proxies: ConfigSite[];
}

/** One site to build: its VPC and region, and its server's, if any. */
interface SiteSpec {
  readonly vpc: ec2.IVpc;
  readonly region: string;
  readonly server: boolean;
  readonly serverCount: number;
  readonly names?: PrimaryServerNames;
}

/** The primary site (its live server by literal names), the cold standby site (no task) and the proxy sites, each in its region. */
export function createSites(pattern: Construct, props: ColdStandbyConfigServerProps, settings: ConfigServerSettings): ConfigServerSites {
  const extraSites = props.proxySites ?? [];
  const vpcs = [props.vpc, props.standby.vpc, ...extraSites.map(s => s.vpc)];
  const site = (scope: Construct, id: string, spec: SiteSpec) => createSite(scope, id, spec, props, settings, vpcs.filter(v => v !== spec.vpc));
  return {
    primary: site(pattern, 'Primary', { vpc: props.vpc, region: settings.primaryRegion, server: true, serverCount: settings.serverCount, names: settings.primaryNames }),
    // Cold: no task, unless the standby is turned on (then the template keeps what the turn-on set).
    standby: site(regionalScope(pattern, props.standby.stack), 'Standby', { vpc: props.standby.vpc, region: settings.standbyRegion, server: true, serverCount: 0 }),
    proxies: extraSites.map((s, i) => site(regionalScope(pattern, s.stack), `Proxy${i + 1}`, { vpc: s.vpc, region: s.stack.region, server: false, serverCount: 0 })),
  };
}

/** A site of `spec`, whose load balancer admits the other sites' VPCs (`peerVpcs`) whose CIDR is known. */
function createSite(scope: Construct, id: string, spec: SiteSpec, props: ColdStandbyConfigServerProps, settings: ConfigServerSettings, peerVpcs: ec2.IVpc[]): ConfigSite {
  return new ConfigSite(scope, id, {
    vpc: spec.vpc, port: settings.port, healthCheckPath: settings.healthCheckPath, writerHost: settings.writerHost,
    proxyImage: props.proxyImage ?? props.image, proxyCount: settings.proxyCount,
    serverImage: spec.server ? props.image : undefined, serverCount: spec.serverCount,
    environment: siteEnvironment(props, settings, spec.region),
    serverEnvironment: spec.server ? serverEnvironment(props, settings.primaryRegion, spec.region) : undefined,
    peerCidrs: peerVpcs.map(vpc => knownCidr(vpc)).filter((c): c is string => c !== undefined),
    deletionProtection: props.deletionProtection ?? true,
    ...(spec.names ?? {}),
  });
}

/** The environment of a site's tasks: the store, the writer flag, the writer's URL and, with a database, its reader endpoint in `region`. */
function siteEnvironment(props: ColdStandbyConfigServerProps, settings: ConfigServerSettings, region: string): Record<string, string> {
  const primaryRegion = settings.primaryRegion;
  return {
    CONFIG_TABLE: settings.tableName,
    PRIMARY_REGION: primaryRegion,
    WRITER_FLAG_KEY,
    WRITER_URL: `http://${settings.writerHost}`,
    ...(props.database ? { DB_ENDPOINT: region === primaryRegion ? props.database.endpoint.hostname : props.database.secondary!.cluster.attrReadEndpointAddress } : {}),
  };
}

/**
 * A server writes through its region's cluster endpoint: in the standby region it turns
 * writable once the turn-on has promoted the secondary (the reader endpoint never does).
 */
function serverEnvironment(props: ColdStandbyConfigServerProps, primaryRegion: string, region: string): Record<string, string> {
  return props.database
    ? { DB_ENDPOINT: region === primaryRegion ? props.database.endpoint.hostname : props.database.secondary!.cluster.attrEndpointAddress }
    : {};
}

/** Only the servers may write; proxies read their local replica (and, with a database, connect to its cluster in their region). */
export function grantStoreAccess(sites: ConfigServerSites, tableName: string, database?: HaDatabase): void {
  const roleOf = (svc: ecs.FargateService) => svc.taskDefinition.taskRole;
  const grant = (svc: ecs.FargateService, write: boolean) => {
    const arn = Stack.of(svc).formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    roleOf(svc).addToPrincipalPolicy(new iam.PolicyStatement({ actions: write ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS, resources: [arn] }));
  };
  const { primary, standby, proxies } = sites;
  grant(primary.server!, true);
  grant(standby.server!, true);
  for (const s of [primary, standby, ...proxies]) grant(s.proxy, false);
  if (database) {
    database.grantConnect(roleOf(primary.server!), 'config_writer');
    database.grantConnect(roleOf(primary.proxy), 'config_reader');
    database.secondary!.grantConnect(roleOf(standby.server!), 'config_writer');
    database.secondary!.grantConnect(roleOf(standby.proxy), 'config_reader');
    database.connections.allowDefaultPortFrom(primary.server!);
    database.connections.allowDefaultPortFrom(primary.proxy);
    database.secondary!.connections.allowDefaultPortFrom(standby.server!);
    database.secondary!.connections.allowDefaultPortFrom(standby.proxy);
  }
}
