/** The props of `ColdStandbyConfigServer`, its sites and its recovery paths (apart from the construct: its validation reads them). */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { HaBackupOptions } from '../backup/ha-backup';
import { HaPatternProps } from '../core/ha-pattern';
import { RegionFailoverRunner } from '../core/region-failover';
import type { HaDatabase } from '../ha-database/ha-database';

/** A region of the configuration service: a construct in that region's stack and its VPC. */
export interface ConfigServerSite {
  /** The region's stack (explicit env); the site goes under the configuration server's scope in it. */
  readonly stack: Stack;
  /** The region's VPC (private subnets with egress for the tasks and the load balancer). */
  readonly vpc: ec2.IVpc;
}

/** Props of `ColdStandbyConfigServer`. */
export interface ColdStandbyConfigServerProps extends HaPatternProps {
  /** The primary region's VPC (the construct's own stack is the primary region). */
  readonly vpc: ec2.IVpc;
  /** Image of the configuration server (it gets `CONFIG_ROLE=server`). */
  readonly image: ecs.ContainerImage;
  /**
   * Image of the configuration proxy (it gets `CONFIG_ROLE=proxy`).
   * @default the server image
   */
  readonly proxyImage?: ecs.ContainerImage;
  /**
   * Port the images listen on: the containers map it and the target groups send traffic and
   * health checks to it, so it must be the port the image really serves (stock nginx: 80).
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Health check path of server and proxy: a path the image answers with 200 (stock nginx: '/').
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /** Hosted zone of the writer's stable name. */
  readonly zone: route53.IHostedZone;
  /**
   * Name of the writer's record in the zone.
   * @default 'config-writer'
   */
  readonly writerRecordName?: string;
  /**
   * TTL of the writer's record (at most 60 s: it is part of the write RTO).
   * @default Duration.seconds(30)
   */
  readonly writerRecordTtl?: Duration;
  /** The cold standby's region: the server at zero tasks, a proxy, the turn-on automation. */
  readonly standby: ConfigServerSite;
  /**
   * Further regions with a proxy (the primary and the standby region always have one).
   * @default none
   */
  readonly proxySites?: ConfigServerSite[];
  /**
   * Use this HA database as the configuration store instead of a DynamoDB global table:
   * servers connect as `config_writer`, proxies as `config_reader` (IAM database auth); it
   * must have its secondary in the standby region. The turn-on never promotes it itself: it asks
   * the database's promoter (its one automatic promoter), which switches over without data loss
   * unless its own probe confirms the primary writer lost, and waits for the promotion; and when
   * the database is promoted on its own (its probe found the primary region lost), its announcement
   * starts the turn-on, so the configuration server follows the writer. A small global table still
   * holds the writer flag.
   * @default a DynamoDB global table is the store
   */
  readonly database?: HaDatabase;
  /**
   * Server tasks in the primary region, and in the standby region once turned on.
   * @default 2
   */
  readonly serverCount?: number;
  /**
   * Proxy tasks per region.
   * @default 2
   */
  readonly proxyCount?: number;
  /**
   * Name of the global table.
   * @default a name derived from the construct path
   */
  readonly tableName?: string;
  /**
   * What happens to the table when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Turn the standby on automatically when the standby region's probe of the live server fails
   * (`turnOnDetectionPeriods` alarm periods in a row): the probe alarm, the rule it starts and the
   * turn-on function all live in the standby region, so this works when the primary region is gone.
   * A sample fails only when the live server's health check (through the writer name, from the
   * standby VPC over the route between the VPCs) fails and the primary region's ECS API does not say
   * it runs: an ECS API brownout alone never turns the standby on.
   * The writer flag keeps a recovered primary server from writing. With false the probe alarm pages
   * and on-call invokes the turn-on (the write RTO then counts an assumed 5-minute response).
   * @default true
   */
  readonly autoTurnOn?: boolean;

  /**
   * What turns the standby on when the probe alarm fires: the library's rule and turn-on function
   * in the standby region, or an ARC Region switch plan (created in the standby region's stack) whose
   * trigger is the probe alarm and whose one step invokes the same turn-on function. With
   * `autoTurnOn: false` on-call invokes the function, or starts the plan.
   * @default RegionFailoverRunner.LIBRARY_AUTOMATION
   */
  readonly failoverRunner?: RegionFailoverRunner;

  /**
   * Consecutive 10-second periods in which every sample of the standby region's probe of the live
   * server (one every 5 s: its health check fails and the primary region's ECS API fails or reports
   * no running task) must fail before the probe alarm fires: 1 to 6. Fewer turn the standby on sooner but on
   * a shorter interruption (1: 10 s).
   * @default 3 (30 s)
   */
  readonly turnOnDetectionPeriods?: number;

  /**
   * Alarm threshold of the table's replication latency; also the declared data-loss bound (with
   * eventual consistency).
   * @default Duration.seconds(30)
   */
  readonly replicationLatencyThreshold?: Duration;

  /**
   * Consistency of the global table between regions. `STRONG` (multi-Region strong consistency)
   * makes every write durable in a second region before it succeeds: the store loses nothing when a
   * region is lost (RPO 0), at the price of a cross-region round trip per write. DynamoDB requires
   * exactly three regions for it: the primary, the standby and one proxy site, or the primary and the
   * standby plus `witnessRegion`; and all three in one of the region sets that offer it (US, EU or
   * Asia Pacific; see the DynamoDB Developer Guide, "Multi-Region strong consistency"). Synthesis
   * checks both.
   * @default dynamodb.MultiRegionConsistency.EVENTUAL (asynchronous replication, RPO the replication latency)
   */
  readonly multiRegionConsistency?: dynamodb.MultiRegionConsistency;

  /**
   * The witness region of a `STRONG` global table with two replicas (the primary and the standby): it
   * holds no replica, only what DynamoDB needs to decide a write with one region gone.
   * @default no witness (a STRONG table then needs a proxy site as its third region)
   */
  readonly witnessRegion?: string;

  /**
   * A backup tier over the global table (the store, or the writer flag with a database store): an AWS
   * Backup plan in the primary region with a copy in another region, and the `backup-restore` recovery
   * path (see lib/backup). Back up an `HaDatabase` store with the database's own `backup` prop.
   * @default no AWS Backup plan
   */
  readonly backup?: HaBackupOptions;

  /**
   * Deletion protection of every site's internal load balancer: the writer name and each region's
   * proxies are reached only through them. To delete the stack or the pattern, deploy with `false` first.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** Ids of the recovery paths of `ColdStandbyConfigServer`. */
export enum ColdStandbyConfigServerPath {
  /** The live server or its region is lost: the standby is turned on and takes the writer name. */
  WRITES = 'writes',
  /** Reads outside a lost region: every proxy reads its own replica. */
  READS = 'reads',
}
