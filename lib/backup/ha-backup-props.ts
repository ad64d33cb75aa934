/** The props of `HaBackup`, the resources it protects and its path ids (apart from the construct: its validation reads them). */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IConstruct } from 'constructs';
import { FailoverNotifications } from '../core/failover-notifications';

/** How a vault lock holds the recovery points. */
export enum BackupVaultLockMode {
  /** Users with `backup:DeleteBackupVaultLockConfiguration` can still remove the lock (and recovery points). */
  GOVERNANCE = 'GOVERNANCE',
  /** After the cooling-off period (`changeableFor`) nobody, not even the root user, can remove the lock or shorten the retention: it cannot be undone. */
  COMPLIANCE = 'COMPLIANCE',
}

/** A vault lock (AWS Backup Vault Lock) on the source and destination vaults the construct creates. */
export interface BackupVaultLockOptions {
  /** Governance (removable) or compliance (permanent after `changeableFor`). */
  readonly mode: BackupVaultLockMode;
  /** The shortest retention a recovery point may have in the vault (at least 1 day); backups and copies with a shorter one fail. */
  readonly minRetention: Duration;
  /**
   * The longest retention a recovery point may have in the vault; backups and copies with a longer one fail.
   * @default no maximum
   */
  readonly maxRetention?: Duration;
  /**
   * COMPLIANCE only: the cooling-off period before the lock becomes immutable (at least 3 days, as AWS Backup requires).
   * @default 3 days
   */
  readonly changeableFor?: Duration;
  /**
   * COMPLIANCE only: set to true to state that you know the lock cannot be removed after
   * `changeableFor`, and that the vaults (and their keys) can then never be deleted before
   * their recovery points expire. A compliance lock without it fails synthesis.
   * @default false
   */
  readonly acknowledgeComplianceLockIsPermanent?: boolean;
}

/**
 * Where the backups are copied: a vault the construct creates in another region's
 * stack (`stack`), or a vault you manage, by ARN (`vaultArn`, for another account).
 * Give exactly one of the two.
 */
export interface BackupCopyOptions {
  /**
   * The stack of the other region (an explicit env): the construct creates the destination
   * vault there, with its own KMS key, under a literal name, and the copy action names it by a
   * literal ARN (no cross-region reference: either region may be down when the other deploys).
   * @default no vault created: give `vaultArn`
   */
  readonly stack?: Stack;
  /**
   * An existing vault in another region (and usually another account), by its literal ARN
   * (`arn:aws:backup:<region>:<account>:backup-vault:<name>`). Its access policy must allow
   * `backup:CopyIntoBackupVault` from this account, and cross-account backup must be on in
   * the organization.
   * @default none: give `stack`
   */
  readonly vaultArn?: string;
  /**
   * The name of the vault created in `stack` (2 to 50 letters, digits, hyphens, underscores).
   * @default `<source vault name>-copy`
   */
  readonly vaultName?: string;
  /**
   * How long the copies are kept.
   * @default the source retention (`retention`)
   */
  readonly retention?: Duration;
}

/** The backup tier of a pattern (its `backup` prop): AWS Backup with a copy in another region. */
export interface HaBackupOptions {
  /** Where the backups are copied: another region's stack, or a vault ARN (another account). */
  readonly copyTo: BackupCopyOptions;
  /**
   * When backups run: an AWS Backup cron expression in UTC, daily or weekly
   * (`cron(minutes hours day-of-month month day-of-week year)`), at least 1 hour apart.
   * Its longest gap is the schedule's share of the backup path's data loss.
   * @default 'cron(0 3 * * ? *)': daily at 03:00 UTC
   */
  readonly schedule?: string;
  /**
   * How long recovery points are kept in the source vault (at least the longest gap of `schedule`).
   * @default 35 days
   */
  readonly retention?: Duration;
  /**
   * Continuous backup (point-in-time restore within the retention, at most 35 days) for the
   * resource types that support it (Aurora, RDS); the others get the scheduled snapshots.
   * The copies in the other region are snapshots either way.
   * @default false
   */
  readonly continuousBackup?: boolean;
  /**
   * A vault lock on the vaults the construct creates.
   * @default no lock
   */
  readonly vaultLock?: BackupVaultLockOptions;
  /**
   * A restore testing plan that restores the latest recovery point of each resource type,
   * validates it and deletes the restored resource; its restore jobs report how long a restore
   * takes (the figure `restoreTimeEstimate` should come from).
   * @default true
   */
  readonly restoreTesting?: boolean;
  /**
   * When restore tests run (AWS Backup cron expression, UTC).
   * @default 'cron(0 5 ? * SUN *)': weekly, Sunday 05:00 UTC
   */
  readonly restoreTestingSchedule?: string;
  /**
   * How long a backup job and its copy to the other region take, for the data-loss figure
   * (AWS publishes no bound: it grows with the data). Read your copy jobs' durations
   * (`aws backup list-copy-jobs`) and set it.
   * @default 1 hour (an estimate for resources up to about 100 GiB)
   */
  readonly copyTimeEstimate?: Duration;
  /**
   * How long restoring the copies in the other region takes, for the recovery-time figure.
   * A restore creates new resources (an Aurora cluster and its instances, a file system, a
   * table) and its time grows with the data; AWS publishes no bound. Read the restore testing
   * plan's jobs (`aws backup list-restore-jobs`) and set it.
   * @default 2 hours (an estimate for resources up to about 100 GiB)
   */
  readonly restoreTimeEstimate?: Duration;
  /**
   * The source vault's name (2 to 50 letters, digits, hyphens, underscores).
   * @default a name derived from the construct's path
   */
  readonly vaultName?: string;
  /**
   * Removal policy of the vaults and their keys.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** A resource `HaBackup` protects: what AWS Backup selects and what restore testing restores. */
export class HaBackupResource {
  /** An Aurora cluster (backed up at the cluster level; continuous backup supported). */
  public static auroraCluster(cluster: rds.IDatabaseCluster): HaBackupResource {
    return new HaBackupResource(backup.BackupResource.fromRdsDatabaseCluster(cluster), 'Aurora', cluster.clusterArn, cluster, true);
  }

  /** An RDS DB instance (continuous backup supported). */
  public static rdsInstance(instance: rds.IDatabaseInstance): HaBackupResource {
    return new HaBackupResource(backup.BackupResource.fromRdsDatabaseInstance(instance), 'RDS', instance.instanceArn, instance, true);
  }

  /** An EFS file system. */
  public static efsFileSystem(fileSystem: efs.IFileSystem): HaBackupResource {
    return new HaBackupResource(backup.BackupResource.fromEfsFileSystem(fileSystem), 'EFS', fileSystem.fileSystemArn, fileSystem, false);
  }

  /** A DynamoDB table. */
  public static dynamoDbTable(table: dynamodb.ITable): HaBackupResource {
    return new HaBackupResource(backup.BackupResource.fromDynamoDbTable(table), 'DynamoDB', table.tableArn, table, false);
  }

  private constructor(
    /** What the backup selection names. */
    public readonly backupResource: backup.BackupResource,
    /** The restore testing `ProtectedResourceType`: `Aurora`, `RDS`, `EFS`, `DynamoDB`. */
    public readonly resourceType: string,
    /** The resource's ARN. */
    public readonly arn: string,
    /** The resource's construct. */
    public readonly construct: IConstruct,
    /** Whether AWS Backup offers continuous backup (point-in-time restore) for it. */
    public readonly supportsContinuousBackup: boolean,
  ) {}
}

/** Props of `HaBackup`. */
export interface HaBackupProps extends HaBackupOptions {
  /** The resources to protect, all in this construct's stack. */
  readonly resources: HaBackupResource[];
  /**
   * Notified when a backup, copy or restore job fails (or a backup is aborted or expires),
   * and by the copy-jobs-failed alarm (on ALARM and OK; inside a pattern, the pattern registers
   * that alarm as notifying).
   * @default no notifications
   */
  readonly notifications?: FailoverNotifications;
}

/** Ids of the recovery path `HaBackup` adds to a pattern. */
export enum HaBackupPath {
  /** The resources' region is lost: restore the latest copies in the other region. */
  BACKUP_RESTORE = 'backup-restore',
}
