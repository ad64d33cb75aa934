/** The props of `HaDatabase` and its recovery paths (apart from the construct: its validation reads them). */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HaBackupOptions } from '../backup/ha-backup';
import { HaPatternProps } from '../core/ha-pattern';
import { RegionFailoverRunner } from '../core/region-failover';
import { HaDatabaseEngine } from './engine';
import { HaDatabaseSecondaryOptions } from './secondary';

/** Props of `HaDatabase`. */
export interface HaDatabaseProps extends HaPatternProps {
  /** The VPC of the primary region; the database goes into its isolated subnets. */
  readonly vpc: ec2.IVpc;

  /**
   * The engine.
   * @default HaDatabaseEngine.AURORA_POSTGRESQL
   */
  readonly engine?: HaDatabaseEngine;

  /**
   * Full engine version, e.g. `16.6` (Aurora PostgreSQL), `8.0.mysql_aurora.3.08.2` (Aurora MySQL).
   * Ignored for SQL Server.
   * @default '16.6' for Aurora PostgreSQL, '8.0.mysql_aurora.3.08.2' for Aurora MySQL
   */
  readonly engineVersion?: string;

  /**
   * Instance class of every instance.
   * @default r6g.large for Aurora (supports Global Database), m5.xlarge for SQL Server
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Aurora readers in the primary region, placed in zones other than the writer's. Ignored for SQL Server
   * (its standby is part of the Multi-AZ instance).
   * @default 1
   */
  readonly readers?: number;

  /**
   * Name of the database created at launch (Aurora only).
   * @default 'app'
   */
  readonly databaseName?: string;

  /**
   * Name of the master user whose credentials are generated in Secrets Manager.
   * @default 'dbadmin'
   */
  readonly masterUsername?: string;

  /**
   * How long automated backups are kept.
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;

  /**
   * Whether deletion protection is on.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the database (and its global cluster) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How often the master user's password is rotated: 4 hours to 1000 days (Secrets Manager's limits).
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;

  /**
   * An interface VPC endpoint for Secrets Manager in `vpc` that the rotation function calls
   * (for a VPC that already has one: a VPC can hold only one Secrets Manager endpoint with
   * private DNS). The rotation function then runs in the isolated subnets, beside the database.
   * @default the rotation function runs in the VPC's private subnets with egress when it has
   * some (Secrets Manager's regional endpoint through the NAT gateways); in a VPC with no such
   * subnets, a new interface endpoint for Secrets Manager with private DNS in the isolated
   * subnets, shared by every HaDatabase in the VPC
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * A secondary region: an Aurora Global Database secondary cluster in another region's stack.
   * Not supported with SQL Server.
   * @default no secondary region
   */
  readonly secondary?: HaDatabaseSecondaryOptions;

  /**
   * Identifier of the Aurora global cluster (a fixed string, so the secondary stack needs no
   * cross-region reference). Only used with `secondary`.
   * @default 'ha-' + a hash of the construct path
   */
  readonly globalClusterIdentifier?: string;

  /**
   * Alarm threshold of the global replication lag (`AuroraGlobalDBRPOLag`); it is also the
   * declared cross-region data-loss bound. Must be at least 1 s (the lag Aurora Global Database
   * typically delivers).
   * @default the `recoveryTargets.rpo`, or 1 minute without one
   */
  readonly globalLagThreshold?: Duration;

  /**
   * Whether the secondary region promotes itself when its probe finds the primary writer lost
   * (`failoverDetectionPeriods` alarm periods in a row): an EventBridge rule in the secondary region
   * invokes the promoter there, which calls `FailoverGlobalCluster` with `AllowDataLoss` (losing at
   * most the global replication lag), waits for the promotion and announces it
   * (`promotedEventPattern()`) so the writer's consumers follow. A sample fails only when the writer
   * refuses TCP connections from the secondary VPC (the data plane, through the network link between
   * the VPCs) and the primary region's RDS API does not say the writer serves: an API brownout
   * alone never promotes. Everything it needs lives in
   * the secondary region, so it works when the primary region is gone. With false the probe
   * alarm pages and on-call runs the Failover runbook (the cross-region RTO then counts an
   * assumed 5-minute response). Only used with `secondary`.
   * @default true
   */
  readonly autoFailover?: boolean;

  /**
   * What promotes the secondary when the writer probe alarm fires: the library's rule and failover
   * function in the secondary region, or an ARC Region switch plan (created in the secondary's stack)
   * whose trigger is the probe alarm and whose one step is Region switch's Aurora Global Database block
   * (`FailoverGlobalCluster` with data loss, as the function does). With `autoFailover: false` on-call
   * runs the Failover runbook, or starts the plan. Only used with `secondary`.
   * @default RegionFailoverRunner.LIBRARY_AUTOMATION
   */
  readonly failoverRunner?: RegionFailoverRunner;

  /**
   * Consecutive 10-second periods in which every sample of the secondary region's probe of the
   * primary writer (one every 5 s) must fail before the probe alarm fires: 1 to 6. Fewer detect
   * sooner but fail over on a shorter interruption (1: 10 s in which the writer refused connections
   * and the primary region's RDS API failed or said it is down). Only used with `secondary`.
   * @default 3 (30 s)
   */
  readonly failoverDetectionPeriods?: number;

  /**
   * CPU utilization (percent) above which the CPU alarm fires.
   * @default 80
   */
  readonly cpuThresholdPercent?: number;

  /**
   * Freeable memory (bytes) below which the memory alarm fires.
   * @default 256 MiB
   */
  readonly freeMemoryThresholdBytes?: number;

  /**
   * Connection count above which the connections alarm fires.
   * @default 500
   */
  readonly maxConnections?: number;

  /**
   * A backup tier: the database in an AWS Backup plan (KMS-encrypted vault, schedule,
   * retention, optional continuous backup and vault lock, weekly restore test) with a copy of
   * every recovery point in another region, failed-job notifications, and the `backup-restore`
   * recovery path (see lib/backup).
   * @default no AWS Backup plan (RDS automated backups only)
   */
  readonly backup?: HaBackupOptions;
}

/** Ids of the recovery paths of `HaDatabase`. */
export enum HaDatabasePath {
  /** The writer instance or its zone is lost: Multi-AZ failover in the region. */
  IN_REGION = 'in-region-failover',
  /** The primary region is lost: the secondary region's probe detects it and promotes the secondary. */
  CROSS_REGION = 'cross-region-failover',
}
