import { Arn, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct, IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { FailoverNotifications } from '../core/failover-notifications';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryObjectives } from '../core/recovery-objectives';
import { RecoveryStep } from '../core/recovery-step';
import { regionalScope } from '../core/regional-scope';
import { requireDurationBetween } from '../core/validation';
import { restrictKeyGrants } from '../private/kms';
import { acknowledge } from '../private/network';
import { parseBackupSchedule, ParsedBackupSchedule } from './schedule';

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

const DEFAULT_SCHEDULE = 'cron(0 3 * * ? *)';
const DEFAULT_RESTORE_TESTING_SCHEDULE = 'cron(0 5 ? * SUN *)';
/** The rule's start window: AWS Backup starts a scheduled job within it (its default is 8 h; 1 h is its minimum). */
const START_WINDOW = Duration.hours(1);
/** The assumed time for a paged person to confirm a regional outage and start the restore (no AWS figure). */
const ON_CALL_RESPONSE = Duration.minutes(5);
const VAULT_NAME = /^[A-Za-z0-9_-]{2,50}$/;
const VAULT_ARN = /^arn:[a-z-]+:backup:([a-z0-9-]+):(\d{12}):backup-vault:([A-Za-z0-9_-]{2,50})$/;

/**
 * AWS's first disaster-recovery strategy, backup and restore, for a pattern's
 * stateful resources: an AWS Backup plan and a KMS-encrypted vault in the
 * resources' stack, a daily (or your) schedule with optional continuous
 * backup, a copy of every recovery point to a vault in another region (named
 * by a literal ARN), an optional vault lock, a weekly restore test, failed-job
 * notifications and an alarm on failed copies. It adds the `backup-restore`
 * recovery path (region loss) to the pattern's recovery objectives, with its
 * own data loss: the schedule's longest gap plus the start window and the
 * copy time.
 */
export class HaBackup extends Construct {
  /** The source vault. */
  public readonly vault: backup.BackupVault;
  /** The source vault's literal name (the copy alarm's dimension, the failed-job rules' filter). */
  public readonly vaultName: string;
  /** The source vault's key (rotated yearly). */
  public readonly encryptionKey: kms.Key;
  /** The backup plan. */
  public readonly plan: backup.BackupPlan;
  /** The destination vault in the other region, when the construct creates it. */
  public readonly copyVault?: backup.BackupVault;
  /** The destination vault's literal ARN, as the copy action names it. */
  public readonly copyVaultArn: string;
  /** The region the copies live in. */
  public readonly copyRegion: string;
  /** Failed (or missing) copies to the other region: `NumberOfCopyJobsFailed` of the source vault >= 1 in an hour. */
  public readonly copyJobsFailedAlarm: cloudwatch.Alarm;
  /** The EventBridge rules that notify failed backup, copy and restore jobs (none without notifications). */
  public readonly failedJobRules: events.Rule[] = [];
  /** The restore testing plan, unless `restoreTesting` is false. */
  public readonly restoreTestingPlan?: backup.CfnRestoreTestingPlan;
  /** The role restore tests run as. */
  public readonly restoreTestingRole?: iam.Role;
  /** The schedule, read. */
  private readonly schedule: ParsedBackupSchedule;

  private readonly props: HaBackupProps;
  private readonly retention: Duration;

  /** The longest time between two scheduled backups (the schedule's share of the backup path's RPO). */
  public get longestScheduleGap(): Duration {
    return this.schedule.longestGap;
  }

  constructor(scope: Construct, id: string, props: HaBackupProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.schedule = this.parseSchedule('schedule', props.schedule ?? DEFAULT_SCHEDULE);
    this.retention = props.retention ?? Duration.days(35);
    const copyRetention = props.copyTo?.retention ?? this.retention;
    this.validate(props, copyRetention);
    const copy = this.resolveCopyDestination(props.copyTo);
    this.copyRegion = copy.region;
    this.copyVaultArn = copy.arn;

    const vaultName = this.sourceVaultName();
    this.vaultName = vaultName;
    this.encryptionKey = backupKey(this, 'Key', `${this.node.path}: AWS Backup vault ${vaultName}`, removalPolicy);
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: vaultName,
      encryptionKey: this.encryptionKey,
      lockConfiguration: lockConfiguration(props.vaultLock),
      removalPolicy,
    });

    if (copy.stack) {
      const there = regionalScope(this, copy.stack);
      const name = Arn.split(this.copyVaultArn, ArnFormat.COLON_RESOURCE_NAME).resourceName!;
      const key = backupKey(there, 'BackupCopyKey', `${this.node.path}: AWS Backup copy vault ${name}`, removalPolicy);
      this.copyVault = new backup.BackupVault(there, 'BackupCopyVault', {
        backupVaultName: name,
        encryptionKey: key,
        lockConfiguration: lockConfiguration(props.vaultLock),
        removalPolicy,
      });
      if (!Token.isUnresolved(copy.stack.account) && !Token.isUnresolved(stack.account) && copy.stack.account !== stack.account) {
        this.copyVault.addToAccessPolicy(new iam.PolicyStatement({
          actions: ['backup:CopyIntoBackupVault'],
          principals: [new iam.AccountPrincipal(stack.account)],
          resources: ['*'],
        }));
      }
    }
    // Imported by its literal ARN: a token would be a cross-region reference.
    const destination = backup.BackupVault.fromBackupVaultArn(this, 'CopyDestination', this.copyVaultArn);

    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50, separator: '-', allowedSpecialCharacters: '-_' }),
    });
    this.plan.addRule(new backup.BackupPlanRule({
      ruleName: 'ScheduledWithCopy',
      scheduleExpression: events.Schedule.expression(this.schedule.expression),
      startWindow: START_WINDOW,
      completionWindow: Duration.hours(8),
      deleteAfter: this.retention,
      enableContinuousBackup: props.continuousBackup ?? false,
      copyActions: [{ destinationBackupVault: destination, deleteAfter: copyRetention }],
    }));
    const selection = this.plan.addSelection('Selection', {
      resources: props.resources.map(r => r.backupResource),
      allowRestores: true,
    });
    const managed = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;
    const reason = 'AWS Backup runs backups and restores with its managed service-role policies: AWS maintains them as the service adds resource types and calls.';
    acknowledge(selection, { [managed('AWSBackupServiceRolePolicyForBackup')]: reason, [managed('AWSBackupServiceRolePolicyForRestores')]: reason });
    this.acknowledgeAuroraInstances(props.resources);

    this.copyJobsFailedAlarm = new cloudwatch.Alarm(this, 'CopyJobsFailedAlarm', {
      metric: this.metricCopyJobsFailed(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${this.node.path}: a copy of a backup to ${this.copyRegion} failed: the newest recovery point there is older than the schedule promises ` +
        '(see the copy jobs in the AWS Backup console).',
    });
    if (props.notifications) {
      this.notifyFailedJobs(props.notifications);
      // Inside a pattern, the pattern registers the alarm (its role wires the notifications once).
      if (!this.node.scopes.some(HaPattern.isHaPattern)) props.notifications.notifyOn(this.copyJobsFailedAlarm);
    }

    if (props.restoreTesting ?? true) {
      const testing = this.addRestoreTesting(props);
      this.restoreTestingPlan = testing.plan;
      this.restoreTestingRole = testing.role;
    }
  }

  /** Failed cross-region (or cross-account) copy jobs from the source vault (sum over 1 hour). */
  public metricCopyJobsFailed(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Backup',
      metricName: 'NumberOfCopyJobsFailed',
      dimensionsMap: { BackupVaultName: this.vaultName },
      statistic: 'Sum',
      period: Duration.hours(1),
      ...options,
    });
  }

  /**
   * Adds the `backup-restore` path to `objectives`: the loss of this stack's region, recovered
   * by restoring the latest copies in the copy region, with its own data loss (schedule gap +
   * start window + copy time).
   */
  public addRecoveryPathTo(objectives: RecoveryObjectives): void {
    const here = Stack.of(this).region;
    const restore = this.props.restoreTimeEstimate ?? Duration.hours(2);
    const copyTime = this.props.copyTimeEstimate ?? Duration.hours(1);
    const gap = this.schedule.longestGap;
    objectives.addRecoveryPath(HaBackupPath.BACKUP_RESTORE, [
      RecoveryStep.constant('on-call starts the restore', ON_CALL_RESPONSE,
        'assumed: a paged person confirms the regional outage and starts the restore jobs (no AWS figure)'),
      RecoveryStep.constant(`restore of the latest copies in ${this.copyRegion}`, restore,
        (this.props.restoreTimeEstimate ? 'backup.restoreTimeEstimate' : 'estimate for resources up to about 100 GiB') +
        ': a restore creates new resources (Aurora cluster and instances, file systems, tables) and its time grows with the data; AWS publishes no bound. ' +
        'The restore testing plan\'s jobs report the real figure (aws backup list-restore-jobs)'),
    ], {
      description: `${here} lost: restore the latest copies from the vault in ${this.copyRegion} as new resources, then point the application at them`,
      scenarios: [FailureScenario.regionLoss(here)],
      links: this.copyVault ? [PathLink.capacity(this.copyVault, `the copies in ${this.copyRegion}`, { serving: 1, required: 1 })] : [],
      dataLoss: RecoveryStep.sequence(`last copy in ${this.copyRegion}`, [
        RecoveryStep.tunable('backup schedule', gap, `longest gap of ${this.schedule.expression}`,
          { prop: 'backup.schedule (runs at least 1 hour apart)', floor: Duration.hours(1) }),
        RecoveryStep.constant('backup start window', START_WINDOW, 'AWS Backup starts a scheduled job within the rule\'s start window'),
        RecoveryStep.constant('backup and copy jobs', copyTime, (this.props.copyTimeEstimate ? 'backup.copyTimeEstimate' : 'estimate for resources up to about 100 GiB') +
          ': the copy starts when the backup completes; AWS publishes no bound (aws backup list-copy-jobs shows the real durations)'),
      ]),
    });
  }

  private parseSchedule(prop: string, expression: string): ParsedBackupSchedule {
    if (typeof expression !== 'string' || Token.isUnresolved(expression)) {
      throw new HaValidationError(this, { prop, received: expression, expected: 'a literal AWS Backup cron expression, e.g. cron(0 3 * * ? *)' });
    }
    const parsed = parseBackupSchedule(expression);
    if (typeof parsed === 'string') throw new HaValidationError(this, { prop, received: expression, expected: parsed });
    if (parsed.shortestGap.toMinutes() < 60) {
      throw new HaValidationError(this, { prop, received: expression, expected: 'runs at least 1 hour apart (AWS Backup\'s shortest backup frequency)' });
    }
    return parsed;
  }

  private validate(props: HaBackupProps, copyRetention: Duration): void {
    if (!Array.isArray(props.resources) || props.resources.length === 0) {
      throw new HaValidationError(this, { prop: 'resources', received: props.resources, expected: 'at least one HaBackupResource (auroraCluster, rdsInstance, efsFileSystem, dynamoDbTable)' });
    }
    props.resources.forEach((r, i) => {
      if (Stack.of(r.construct) !== Stack.of(this)) {
        throw new HaValidationError(this, { prop: `resources[${i}]`, received: r.construct.node.path, expected: `a resource in ${Stack.of(this).node.path}, the backup plan's stack` });
      }
    });
    if (props.restoreTestingSchedule !== undefined) this.parseSchedule('restoreTestingSchedule', props.restoreTestingSchedule);
    const maxRetention = props.continuousBackup ? Duration.days(35) : Duration.days(36500);
    requireDurationBetween(this, 'retention', this.retention, Duration.days(1), maxRetention);
    requireDurationBetween(this, 'copyTo.retention', copyRetention, Duration.days(1), Duration.days(36500));
    for (const [prop, value] of [['retention', this.retention], ['copyTo.retention', copyRetention]] as const) {
      if (value.toMinutes() < this.schedule.longestGap.toMinutes()) {
        throw new HaValidationError(this, {
          prop, received: value,
          expected: `at least the schedule's longest gap (${this.schedule.longestGap.toHumanString()} for ${this.schedule.expression}): ` +
            'a recovery point would expire before the next one exists',
        });
      }
    }
    requireDurationBetween(this, 'copyTimeEstimate', props.copyTimeEstimate, Duration.minutes(1));
    requireDurationBetween(this, 'restoreTimeEstimate', props.restoreTimeEstimate, Duration.minutes(1));
    if (props.vaultName !== undefined && !VAULT_NAME.test(props.vaultName)) {
      throw new HaValidationError(this, { prop: 'vaultName', received: props.vaultName, expected: '2 to 50 letters, digits, hyphens or underscores' });
    }
    if (props.copyTo?.vaultName !== undefined && !VAULT_NAME.test(props.copyTo.vaultName)) {
      throw new HaValidationError(this, { prop: 'copyTo.vaultName', received: props.copyTo.vaultName, expected: '2 to 50 letters, digits, hyphens or underscores' });
    }
    if (props.vaultLock) this.validateLock(props.vaultLock, [['retention', this.retention], ['copyTo.retention', copyRetention]]);
  }

  private validateLock(lock: BackupVaultLockOptions, retentions: Array<readonly [string, Duration]>): void {
    if (lock.mode !== BackupVaultLockMode.GOVERNANCE && lock.mode !== BackupVaultLockMode.COMPLIANCE) {
      throw new HaValidationError(this, { prop: 'vaultLock.mode', received: lock.mode, expected: 'BackupVaultLockMode.GOVERNANCE or BackupVaultLockMode.COMPLIANCE' });
    }
    requireDurationBetween(this, 'vaultLock.minRetention', lock.minRetention, Duration.days(1), Duration.days(36500));
    requireDurationBetween(this, 'vaultLock.maxRetention', lock.maxRetention, lock.minRetention, Duration.days(36500));
    for (const [prop, value] of retentions) {
      const max = lock.maxRetention;
      if (value.toMinutes() < lock.minRetention.toMinutes() || (max && value.toMinutes() > max.toMinutes())) {
        throw new HaValidationError(this, {
          prop, received: value,
          expected: `a retention within the vault lock's ${lock.minRetention.toHumanString()} to ${max ? max.toHumanString() : 'no maximum'} ` +
            '(vaultLock.minRetention, vaultLock.maxRetention): the locked vault fails every job outside it',
        });
      }
    }
    if (lock.mode === BackupVaultLockMode.GOVERNANCE) {
      if (lock.changeableFor !== undefined) {
        throw new HaValidationError(this, { prop: 'vaultLock.changeableFor', received: lock.changeableFor, expected: 'no value in GOVERNANCE mode (a cooling-off period makes the lock a compliance lock)' });
      }
      return;
    }
    requireDurationBetween(this, 'vaultLock.changeableFor', lock.changeableFor, Duration.days(3));
    if (lock.acknowledgeComplianceLockIsPermanent !== true) {
      throw new HaValidationError(this, {
        prop: 'vaultLock.acknowledgeComplianceLockIsPermanent', received: lock.acknowledgeComplianceLockIsPermanent,
        expected: `true: a COMPLIANCE lock becomes immutable ${(lock.changeableFor ?? Duration.days(3)).toHumanString()} after deployment; ` +
          'nobody can then remove it, shorten retention or delete the vaults before their recovery points expire. Use GOVERNANCE mode to keep that choice',
      });
    }
  }

  /** The destination's region, account and literal ARN, checked against this stack's region. */
  private resolveCopyDestination(copy: BackupCopyOptions | undefined): { region: string; arn: string; stack?: Stack } {
    const here = Stack.of(this);
    if (!copy || (copy.stack === undefined) === (copy.vaultArn === undefined)) {
      throw new HaValidationError(this, {
        prop: 'copyTo', received: copy ? { stack: copy.stack?.node.path, vaultArn: copy.vaultArn } : copy,
        expected: 'exactly one of copyTo.stack (another region\'s stack: the construct creates the vault) and copyTo.vaultArn (a vault you manage)',
      });
    }
    let region: string;
    let account = '';
    if (copy.stack) {
      region = copy.stack.region;
      account = copy.stack.account;
      if (Token.isUnresolved(region) || Token.isUnresolved(account)) {
        throw new HaValidationError(this, { prop: 'copyTo.stack', received: copy.stack.node.path, expected: 'a stack with an explicit env (account and region): the copy action names its vault by a literal ARN' });
      }
      if (copy.stack === here) {
        throw new HaValidationError(this, { prop: 'copyTo.stack', received: copy.stack.node.path, expected: 'another region\'s stack, not the backup plan\'s own' });
      }
    } else {
      const m = VAULT_ARN.exec(copy.vaultArn!);
      if (Token.isUnresolved(copy.vaultArn) || !m) {
        throw new HaValidationError(this, { prop: 'copyTo.vaultArn', received: copy.vaultArn, expected: 'a literal vault ARN: arn:aws:backup:<region>:<account>:backup-vault:<name>' });
      }
      region = m[1];
    }
    if (!Token.isUnresolved(here.region) && region === here.region) {
      throw new HaValidationError(this, {
        prop: copy.stack ? 'copyTo.stack' : 'copyTo.vaultArn', received: copy.stack ? `${copy.stack.node.path} (${region})` : copy.vaultArn,
        expected: `a vault in another region than ${here.region}: a copy in the same region is lost with it`,
      });
    }
    if (!copy.stack) return { region, arn: copy.vaultArn! };
    const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    const arn = Arn.format({
      partition, service: 'backup', region, account, resource: 'backup-vault',
      resourceName: copy.vaultName ?? `${this.sourceVaultName()}-copy`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return { region, arn, stack: copy.stack };
  }

  /** The source vault's literal name. */
  private sourceVaultName(): string {
    return this.props.vaultName ?? Names.uniqueResourceName(this, { maxLength: 45, separator: '-', allowedSpecialCharacters: '-_' });
  }

  private acknowledgeAuroraInstances(resources: HaBackupResource[]): void {
    for (const r of resources.filter(x => x.resourceType === 'Aurora')) {
      for (const instance of r.construct.node.findAll().filter(c => c instanceof rds.CfnDBInstance)) {
        acknowledge(instance, {
          'NIST.800.53.R5-RDSInBackupPlan': `AWS Backup protects Aurora at the cluster level: the cluster ${r.construct.node.path} is in the backup plan ` +
            `${this.plan.node.path}; its instances hold no data of their own.`,
        });
      }
    }
  }

  private notifyFailedJobs(notifications: FailoverNotifications): void {
    const topic = notifications.inRegionOf(this).topic;
    const vaultArn = Stack.of(this).formatArn({ service: 'backup', resource: 'backup-vault', resourceName: this.vaultName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const types = [...new Set(this.props.resources.map(r => r.resourceType))];
    // Each event names its job's vault differently; a restore job's names none, so restores match by resource type.
    const jobs: Array<[string, string, string, string[], Record<string, string[]>, string]> = [
      ['BackupJobFailed', 'Backup Job State Change', 'state', ['FAILED', 'ABORTED', 'EXPIRED'], { backupVaultName: [this.vaultName] }, `into ${this.vaultName}`],
      ['CopyJobFailed', 'Copy Job State Change', 'state', ['FAILED'], { sourceBackupVaultArn: [vaultArn] }, `from ${this.vaultName} to ${this.copyRegion}`],
      ['RestoreJobFailed', 'Restore Job State Change', 'status', ['FAILED'], { resourceType: types }, `of ${types.join(', ')} resources in this region (restore tests included)`],
    ];
    for (const [id, detailType, field, states, filter, what] of jobs) {
      const rule = new events.Rule(this, id, {
        description: `${this.node.path}: ${detailType.replace(' State Change', '').toLowerCase()} ${what} ${states.join(', ').toLowerCase()}`,
        eventPattern: {
          source: ['aws.backup'],
          detailType: [detailType],
          detail: { [field]: states, ...filter },
        },
        targets: [new eventTargets.SnsTopic(topic)],
      });
      this.failedJobRules.push(rule);
    }
  }

  private addRestoreTesting(props: HaBackupProps): { plan: backup.CfnRestoreTestingPlan; role: iam.Role } {
    const role = new iam.Role(this, 'RestoreTestingRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `${this.node.path}: AWS Backup restore testing (restores, validates and deletes test restores)`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores')],
    });
    acknowledge(role, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]':
        'Restore testing runs as AWS Backup\'s managed restore policy: AWS maintains the calls each resource type\'s restore needs.',
    });
    const planName = Names.uniqueResourceName(this, { maxLength: 50, separator: '_', allowedSpecialCharacters: '_' }).replace(/^[^A-Za-z]+/, 'R');
    const plan = new backup.CfnRestoreTestingPlan(this, 'RestoreTestingPlan', {
      restoreTestingPlanName: planName,
      scheduleExpression: props.restoreTestingSchedule ?? DEFAULT_RESTORE_TESTING_SCHEDULE,
      startWindowHours: 24,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [this.vault.backupVaultArn],
        recoveryPointTypes: props.continuousBackup ? ['CONTINUOUS', 'SNAPSHOT'] : ['SNAPSHOT'],
        selectionWindowDays: 7,
      },
    });
    const types = [...new Set(props.resources.map(r => r.resourceType))];
    for (const type of types) {
      const selection = new backup.CfnRestoreTestingSelection(this, `RestoreTesting${type}`, {
        restoreTestingPlanName: planName,
        restoreTestingSelectionName: type,
        protectedResourceType: type,
        protectedResourceArns: props.resources.filter(r => r.resourceType === type).map(r => r.arn),
        iamRoleArn: role.roleArn,
      });
      selection.node.addDependency(plan);
    }
    return { plan, role };
  }
}

function backupKey(scope: Construct, id: string, description: string, removalPolicy: RemovalPolicy): kms.Key {
  const key = new kms.Key(scope, id, { enableKeyRotation: true, description, removalPolicy });
  restrictKeyGrants(key);
  return key;
}

function lockConfiguration(lock: BackupVaultLockOptions | undefined): backup.LockConfiguration | undefined {
  if (!lock) return undefined;
  return {
    minRetention: lock.minRetention,
    maxRetention: lock.maxRetention,
    changeableFor: lock.mode === BackupVaultLockMode.COMPLIANCE ? lock.changeableFor ?? Duration.days(3) : undefined,
  };
}
