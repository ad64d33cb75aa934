import { Arn, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { FailoverNotifications } from '../core/failover-notifications';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { HaPattern } from '../core/ha-pattern';
import { RecoveryObjectives } from '../core/recovery-objectives';
import { RecoveryStep } from '../core/recovery-step';
import { regionalScope } from '../core/regional-scope';
import { restrictKeyGrants } from '../private/kms';
import { acknowledge } from '../private/network';
import { BackupVaultLockMode, BackupVaultLockOptions, HaBackupPath, HaBackupProps, HaBackupResource } from './ha-backup-props';
import { ParsedBackupSchedule } from './schedule';
import { BackupSettings, validate } from './validation';

// The props, resources and path ids, importable from here as before they had a file of their own.
export * from './ha-backup-props';

const DEFAULT_RESTORE_TESTING_SCHEDULE = 'cron(0 5 ? * SUN *)';
/** The rule's start window: AWS Backup starts a scheduled job within it (its default is 8 h; 1 h is its minimum). */
const START_WINDOW = Duration.hours(1);
/** The assumed time for a paged person to confirm a regional outage and start the restore (no AWS figure). */
const ON_CALL_RESPONSE = Duration.minutes(5);

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
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.vaultName = props.vaultName ?? Names.uniqueResourceName(this, { maxLength: 45, separator: '-', allowedSpecialCharacters: '-_' });
    const settings = validate(this, props, this.vaultName);
    this.schedule = settings.schedule;
    this.retention = settings.retention;
    this.copyRegion = settings.copy.region;
    this.copyVaultArn = settings.copy.arn;

    this.encryptionKey = backupKey(this, 'Key', `${this.node.path}: AWS Backup vault ${this.vaultName}`, removalPolicy);
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: this.vaultName,
      encryptionKey: this.encryptionKey,
      lockConfiguration: lockConfiguration(props.vaultLock),
      removalPolicy,
    });
    if (settings.copy.stack) this.copyVault = this.createCopyVault(settings.copy.stack, removalPolicy);
    this.plan = this.createPlan(settings);

    this.copyJobsFailedAlarm = this.createCopyJobsFailedAlarm();
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

  /**
   * The destination vault in `copyStack` (another region), with its own key, under the literal name of
   * `copyVaultArn`; another account's stack gets this account's `backup:CopyIntoBackupVault`.
   */
  private createCopyVault(copyStack: Stack, removalPolicy: RemovalPolicy): backup.BackupVault {
    const stack = Stack.of(this);
    const there = regionalScope(this, copyStack);
    const name = Arn.split(this.copyVaultArn, ArnFormat.COLON_RESOURCE_NAME).resourceName!;
    const key = backupKey(there, 'BackupCopyKey', `${this.node.path}: AWS Backup copy vault ${name}`, removalPolicy);
    const copyVault = new backup.BackupVault(there, 'BackupCopyVault', {
      backupVaultName: name,
      encryptionKey: key,
      lockConfiguration: lockConfiguration(this.props.vaultLock),
      removalPolicy,
    });
    if (!Token.isUnresolved(copyStack.account) && !Token.isUnresolved(stack.account) && copyStack.account !== stack.account) {
      copyVault.addToAccessPolicy(new iam.PolicyStatement({
        actions: ['backup:CopyIntoBackupVault'],
        principals: [new iam.AccountPrincipal(stack.account)],
        resources: ['*'],
      }));
    }
    return copyVault;
  }

  /** The plan: one scheduled rule that copies each recovery point to the destination, and the selection of the resources. */
  private createPlan(settings: BackupSettings): backup.BackupPlan {
    // Imported by its literal ARN: a token would be a cross-region reference.
    const destination = backup.BackupVault.fromBackupVaultArn(this, 'CopyDestination', this.copyVaultArn);
    const plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50, separator: '-', allowedSpecialCharacters: '-_' }),
    });
    plan.addRule(new backup.BackupPlanRule({
      ruleName: 'ScheduledWithCopy',
      scheduleExpression: events.Schedule.expression(this.schedule.expression),
      startWindow: START_WINDOW,
      completionWindow: Duration.hours(8),
      deleteAfter: this.retention,
      enableContinuousBackup: this.props.continuousBackup ?? false,
      copyActions: [{ destinationBackupVault: destination, deleteAfter: settings.copyRetention }],
    }));
    const selection = plan.addSelection('Selection', {
      resources: this.props.resources.map(r => r.backupResource),
      allowRestores: true,
    });
    const managed = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;
    const reason = 'AWS Backup runs backups and restores with its managed service-role policies: AWS maintains them as the service adds resource types and calls.';
    acknowledge(selection, { [managed('AWSBackupServiceRolePolicyForBackup')]: reason, [managed('AWSBackupServiceRolePolicyForRestores')]: reason });
    acknowledgeAuroraInstances(this.props.resources, plan);
    return plan;
  }

  /** `CopyJobsFailedAlarm`: a failed copy of the source vault in an hour. */
  private createCopyJobsFailedAlarm(): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, 'CopyJobsFailedAlarm', {
      metric: this.metricCopyJobsFailed(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${this.node.path}: a copy of a backup to ${this.copyRegion} failed: the newest recovery point there is older than the schedule promises ` +
        '(see the copy jobs in the AWS Backup console).',
    });
  }

  /** EventBridge rules to the notifications' topic: failed, aborted or expired backups into the vault, failed copies from it, failed restores of its resource types. */
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

  /** The restore testing plan (the latest recovery point of the last 7 days), one selection per resource type, and its role. */
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

/** A vault's KMS key: rotated yearly, grants only for AWS resources. */
function backupKey(scope: Construct, id: string, description: string, removalPolicy: RemovalPolicy): kms.Key {
  const key = new kms.Key(scope, id, { enableKeyRotation: true, description, removalPolicy });
  restrictKeyGrants(key);
  return key;
}

/** Aurora is backed up at the cluster level: its instances acknowledge NIST's `RDSInBackupPlan`, naming the cluster and the plan. */
function acknowledgeAuroraInstances(resources: HaBackupResource[], plan: backup.BackupPlan): void {
  for (const r of resources.filter(x => x.resourceType === 'Aurora')) {
    for (const instance of r.construct.node.findAll().filter(c => c instanceof rds.CfnDBInstance)) {
      acknowledge(instance, {
        'NIST.800.53.R5-RDSInBackupPlan': `AWS Backup protects Aurora at the cluster level: the cluster ${r.construct.node.path} is in the backup plan ` +
          `${plan.node.path}; its instances hold no data of their own.`,
      });
    }
  }
}

/** The vault lock of both vaults (a compliance lock's cooling-off period defaults to 3 days). */
function lockConfiguration(lock: BackupVaultLockOptions | undefined): backup.LockConfiguration | undefined {
  if (!lock) return undefined;
  return {
    minRetention: lock.minRetention,
    maxRetention: lock.maxRetention,
    changeableFor: lock.mode === BackupVaultLockMode.COMPLIANCE ? lock.changeableFor ?? Duration.days(3) : undefined,
  };
}
