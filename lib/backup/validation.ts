/** The checks of `HaBackup`'s props, and what they read from them: the schedule, the retentions, the copy destination. */
import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { requireDurationBetween } from '../core/validation';
import { BackupCopyOptions, BackupVaultLockMode, BackupVaultLockOptions, HaBackupProps } from './ha-backup-props';
import { parseBackupSchedule, ParsedBackupSchedule } from './schedule';

const DEFAULT_SCHEDULE = 'cron(0 3 * * ? *)';
const VAULT_NAME = /^[A-Za-z0-9_-]{2,50}$/;
const VAULT_ARN = /^arn:[a-z-]+:backup:([a-z0-9-]+):(\d{12}):backup-vault:([A-Za-z0-9_-]{2,50})$/;

/** Where the copies go: the region, the vault's literal ARN, and the stack the construct creates the vault in (none for `copyTo.vaultArn`). */
export interface CopyDestination {
  readonly region: string;
  readonly arn: string;
  readonly stack?: Stack;
}

/** What the checked props say, defaults applied. */
export interface BackupSettings {
  /** The schedule, read. */
  readonly schedule: ParsedBackupSchedule;
  /** The source vault's retention. */
  readonly retention: Duration;
  /** The copies' retention. */
  readonly copyRetention: Duration;
  /** Where the copies go. */
  readonly copy: CopyDestination;
}

/**
 * Checks the props of the `HaBackup` `scope` (whose source vault is named
 * `sourceVaultName`) and returns what they say, defaults applied.
 */
export function validate(scope: Construct, props: HaBackupProps, sourceVaultName: string): BackupSettings {
  const schedule = parseSchedule(scope, 'schedule', props.schedule ?? DEFAULT_SCHEDULE);
  const retention = props.retention ?? Duration.days(35);
  const copyRetention = props.copyTo?.retention ?? retention;
  validateResources(scope, props);
  if (props.restoreTestingSchedule !== undefined) parseSchedule(scope, 'restoreTestingSchedule', props.restoreTestingSchedule);
  validateRetentions(scope, props, schedule, retention, copyRetention);
  requireDurationBetween(scope, 'copyTimeEstimate', props.copyTimeEstimate, Duration.minutes(1));
  requireDurationBetween(scope, 'restoreTimeEstimate', props.restoreTimeEstimate, Duration.minutes(1));
  if (props.vaultName !== undefined && !VAULT_NAME.test(props.vaultName)) {
    throw new HaValidationError(scope, { prop: 'vaultName', received: props.vaultName, expected: '2 to 50 letters, digits, hyphens or underscores' });
  }
  if (props.copyTo?.vaultName !== undefined && !VAULT_NAME.test(props.copyTo.vaultName)) {
    throw new HaValidationError(scope, { prop: 'copyTo.vaultName', received: props.copyTo.vaultName, expected: '2 to 50 letters, digits, hyphens or underscores' });
  }
  if (props.vaultLock) validateLock(scope, props.vaultLock, [['retention', retention], ['copyTo.retention', copyRetention]]);
  const copy = resolveCopyDestination(scope, props.copyTo, sourceVaultName);
  return { schedule, retention, copyRetention, copy };
}

/** A literal AWS Backup cron expression, daily or weekly, runs at least 1 hour apart. */
function parseSchedule(scope: Construct, prop: string, expression: string): ParsedBackupSchedule {
  if (typeof expression !== 'string' || Token.isUnresolved(expression)) {
    throw new HaValidationError(scope, { prop, received: expression, expected: 'a literal AWS Backup cron expression, e.g. cron(0 3 * * ? *)' });
  }
  const parsed = parseBackupSchedule(expression);
  if (typeof parsed === 'string') throw new HaValidationError(scope, { prop, received: expression, expected: parsed });
  if (parsed.shortestGap.toMinutes() < 60) {
    throw new HaValidationError(scope, { prop, received: expression, expected: 'runs at least 1 hour apart (AWS Backup\'s shortest backup frequency)' });
  }
  return parsed;
}

/** At least one resource, each in the backup plan's stack. */
function validateResources(scope: Construct, props: HaBackupProps): void {
  if (!Array.isArray(props.resources) || props.resources.length === 0) {
    throw new HaValidationError(scope, { prop: 'resources', received: props.resources, expected: 'at least one HaBackupResource (auroraCluster, rdsInstance, efsFileSystem, dynamoDbTable)' });
  }
  props.resources.forEach((r, i) => {
    if (Stack.of(r.construct) !== Stack.of(scope)) {
      throw new HaValidationError(scope, { prop: `resources[${i}]`, received: r.construct.node.path, expected: `a resource in ${Stack.of(scope).node.path}, the backup plan's stack` });
    }
  });
}

/** Retentions AWS Backup accepts (at most 35 days with continuous backup), each at least the schedule's longest gap. */
function validateRetentions(scope: Construct, props: HaBackupProps, schedule: ParsedBackupSchedule, retention: Duration, copyRetention: Duration): void {
  const maxRetention = props.continuousBackup ? Duration.days(35) : Duration.days(36500);
  requireDurationBetween(scope, 'retention', retention, Duration.days(1), maxRetention);
  requireDurationBetween(scope, 'copyTo.retention', copyRetention, Duration.days(1), Duration.days(36500));
  for (const [prop, value] of [['retention', retention], ['copyTo.retention', copyRetention]] as const) {
    if (value.toMinutes() < schedule.longestGap.toMinutes()) {
      throw new HaValidationError(scope, {
        prop, received: value,
        expected: `at least the schedule's longest gap (${schedule.longestGap.toHumanString()} for ${schedule.expression}): ` +
          'a recovery point would expire before the next one exists',
      });
    }
  }
}

/** A lock mode, its retention bounds holding `retentions`, and a compliance lock acknowledged as permanent. */
function validateLock(scope: Construct, lock: BackupVaultLockOptions, retentions: Array<readonly [string, Duration]>): void {
  if (lock.mode !== BackupVaultLockMode.GOVERNANCE && lock.mode !== BackupVaultLockMode.COMPLIANCE) {
    throw new HaValidationError(scope, { prop: 'vaultLock.mode', received: lock.mode, expected: 'BackupVaultLockMode.GOVERNANCE or BackupVaultLockMode.COMPLIANCE' });
  }
  requireDurationBetween(scope, 'vaultLock.minRetention', lock.minRetention, Duration.days(1), Duration.days(36500));
  requireDurationBetween(scope, 'vaultLock.maxRetention', lock.maxRetention, lock.minRetention, Duration.days(36500));
  for (const [prop, value] of retentions) {
    const max = lock.maxRetention;
    if (value.toMinutes() < lock.minRetention.toMinutes() || (max && value.toMinutes() > max.toMinutes())) {
      throw new HaValidationError(scope, {
        prop, received: value,
        expected: `a retention within the vault lock's ${lock.minRetention.toHumanString()} to ${max ? max.toHumanString() : 'no maximum'} ` +
          '(vaultLock.minRetention, vaultLock.maxRetention): the locked vault fails every job outside it',
      });
    }
  }
  if (lock.mode === BackupVaultLockMode.GOVERNANCE) {
    if (lock.changeableFor !== undefined) {
      throw new HaValidationError(scope, { prop: 'vaultLock.changeableFor', received: lock.changeableFor, expected: 'no value in GOVERNANCE mode (a cooling-off period makes the lock a compliance lock)' });
    }
    return;
  }
  requireDurationBetween(scope, 'vaultLock.changeableFor', lock.changeableFor, Duration.days(3));
  if (lock.acknowledgeComplianceLockIsPermanent !== true) {
    throw new HaValidationError(scope, {
      prop: 'vaultLock.acknowledgeComplianceLockIsPermanent', received: lock.acknowledgeComplianceLockIsPermanent,
      expected: `true: a COMPLIANCE lock becomes immutable ${(lock.changeableFor ?? Duration.days(3)).toHumanString()} after deployment; ` +
        'nobody can then remove it, shorten retention or delete the vaults before their recovery points expire. Use GOVERNANCE mode to keep that choice',
    });
  }
}

/** The destination's region, account and literal ARN, checked against `scope`'s region. */
function resolveCopyDestination(scope: Construct, copy: BackupCopyOptions | undefined, sourceVaultName: string): CopyDestination {
  const here = Stack.of(scope);
  if (!copy || (copy.stack === undefined) === (copy.vaultArn === undefined)) {
    throw new HaValidationError(scope, {
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
      throw new HaValidationError(scope, { prop: 'copyTo.stack', received: copy.stack.node.path, expected: 'a stack with an explicit env (account and region): the copy action names its vault by a literal ARN' });
    }
    if (copy.stack === here) {
      throw new HaValidationError(scope, { prop: 'copyTo.stack', received: copy.stack.node.path, expected: 'another region\'s stack, not the backup plan\'s own' });
    }
  } else {
    const m = VAULT_ARN.exec(copy.vaultArn!);
    if (Token.isUnresolved(copy.vaultArn) || !m) {
      throw new HaValidationError(scope, { prop: 'copyTo.vaultArn', received: copy.vaultArn, expected: 'a literal vault ARN: arn:aws:backup:<region>:<account>:backup-vault:<name>' });
    }
    region = m[1];
  }
  if (!Token.isUnresolved(here.region) && region === here.region) {
    throw new HaValidationError(scope, {
      prop: copy.stack ? 'copyTo.stack' : 'copyTo.vaultArn', received: copy.stack ? `${copy.stack.node.path} (${region})` : copy.vaultArn,
      expected: `a vault in another region than ${here.region}: a copy in the same region is lost with it`,
    });
  }
  if (!copy.stack) return { region, arn: copy.vaultArn! };
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const arn = Arn.format({
    partition, service: 'backup', region, account, resource: 'backup-vault',
    resourceName: copy.vaultName ?? `${sourceVaultName}-copy`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return { region, arn, stack: copy.stack };
}
