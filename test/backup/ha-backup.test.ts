import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import {
  BackupVaultLockMode, FailoverNotifications, HaBackup, HaBackupPath, HaBackupProps, HaBackupResource, RecoveryObjectives,
} from '../../lib';
import { parseBackupSchedule } from '../../lib/backup/schedule';
import { expectHaValidationError, testApp, testEnv } from '../harness';

function build(props: Partial<HaBackupProps> = {}, options: { drRegion?: string; drAccount?: string } = {}) {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const dr = new Stack(app, 'Dr', { env: { account: options.drAccount ?? '123456789012', region: options.drRegion ?? 'us-east-1' } });
  const table = new dynamodb.Table(primary, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const notifications = new FailoverNotifications(primary, 'Notifications', { emails: ['ops@example.com'] });
  const tier = new HaBackup(primary, 'Backup', {
    resources: [HaBackupResource.dynamoDbTable(table)],
    copyTo: { stack: dr },
    notifications,
    ...props,
  });
  return { app, primary, dr, table, tier, notifications, t: Template.fromStack(primary), tDr: Template.fromStack(dr) };
}

describe('HaBackup with defaults', () => {
  const { primary, t, tDr, tier, table } = build();

  test('a daily rule at 03:00 UTC, 35 days, 1-hour start window, no continuous backup', () => {
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [Match.objectLike({
          ScheduleExpression: 'cron(0 3 * * ? *)',
          StartWindowMinutes: 60,
          Lifecycle: { DeleteAfterDays: 35 },
          EnableContinuousBackup: false,
        })],
      },
    });
  });

  test('copies every recovery point to the vault in us-east-1, named by a literal ARN, kept 35 days', () => {
    expect(tier.copyVaultArn).toMatch(/^arn:aws:backup:us-east-1:123456789012:backup-vault:[A-Za-z0-9_-]+-copy$/);
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ CopyActions: [{ DestinationBackupVaultArn: tier.copyVaultArn, Lifecycle: { DeleteAfterDays: 35 } }] })] },
    });
    const name = tier.copyVaultArn.split(':').pop();
    tDr.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: name, EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('BackupCopyKey'), 'Arn'] } });
    expect(tier.copyRegion).toBe('us-east-1');
  });

  test('no cross-region reference: neither stack imports from or exports to the other', () => {
    const json = JSON.stringify([t.toJSON(), tDr.toJSON()]);
    expect(json).not.toMatch(/Fn::ImportValue|ExportsWriter|ExportsReader|CrossRegion/);
    expect(primary.dependencies).toEqual([]);
  });

  test('the source vault is encrypted with its own rotated customer-managed key; so is the copy vault', () => {
    t.hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: tier.vaultName,
      EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('BackupKey'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('AWS Backup vault') });
    tDr.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('AWS Backup copy vault') });
    t.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    tDr.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
  });

  test('selects the resource by its ARN', () => {
    const arn = primary.resolve(table.tableArn);
    t.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: Match.objectLike({ Resources: [arn] }) });
  });

  test('a weekly restore test of the latest snapshot, with a role AWS Backup assumes', () => {
    t.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      ScheduleExpression: 'cron(0 5 ? * SUN *)',
      RecoveryPointSelection: { Algorithm: 'LATEST_WITHIN_WINDOW', IncludeVaults: [primary.resolve(tier.vault.backupVaultArn)], RecoveryPointTypes: ['SNAPSHOT'], SelectionWindowDays: 7 },
    });
    t.hasResourceProperties('AWS::Backup::RestoreTestingSelection', {
      ProtectedResourceType: 'DynamoDB',
      ProtectedResourceArns: [primary.resolve(table.tableArn)],
      IamRoleArn: primary.resolve(tier.restoreTestingRole!.roleArn),
      RestoreTestingPlanName: primary.resolve(tier.restoreTestingPlan!.restoreTestingPlanName),
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores']] }],
    });
  });

  test('failed, aborted or expired backups, failed copies and failed restores notify the topic', () => {
    const topic = { Ref: Match.stringLikeRegexp('Notifications') };
    for (const [detailType, detail] of [
      ['Backup Job State Change', { state: ['FAILED', 'ABORTED', 'EXPIRED'], backupVaultName: [tier.vaultName] }],
      ['Copy Job State Change', { state: ['FAILED'], sourceBackupVaultArn: [Match.anyValue()] }],
      ['Restore Job State Change', { status: ['FAILED'], resourceType: ['DynamoDB'] }],
    ] as const) {
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { 'source': ['aws.backup'], 'detail-type': [detailType], 'detail': detail },
        Targets: [Match.objectLike({ Arn: topic })],
      });
    }
    expect(tier.failedJobRules).toHaveLength(3);
    const copyRule = Object.values(t.findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': ['Copy Job State Change'] } } }))[0] as
      { Properties: { EventPattern: { detail: { sourceBackupVaultArn: unknown[] } } } };
    expect(copyRule.Properties.EventPattern.detail.sourceBackupVaultArn).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:backup:eu-west-1:123456789012:backup-vault:${tier.vaultName}`]] }]);

  });

  test('an alarm on failed copies (AWS/Backup NumberOfCopyJobsFailed of the source vault), notifying on ALARM and OK', () => {
    const topic = { Ref: Match.stringLikeRegexp('Notifications') };
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Backup',
      MetricName: 'NumberOfCopyJobsFailed',
      Dimensions: [{ Name: 'BackupVaultName', Value: tier.vaultName }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });
});

describe('HaBackup options', () => {
  test('continuous backup: the rule enables it and restore tests may pick continuous recovery points', () => {
    const { t } = build({ continuousBackup: true, retention: Duration.days(14) });
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ EnableContinuousBackup: true, Lifecycle: { DeleteAfterDays: 14 } })] },
    });
    t.hasResourceProperties('AWS::Backup::RestoreTestingPlan', { RecoveryPointSelection: Match.objectLike({ RecoveryPointTypes: ['CONTINUOUS', 'SNAPSHOT'] }) });
  });

  test('a schedule, a copy retention and a copy vault name of its own', () => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const dr = new Stack(app, 'Dr', { env: testEnv('us-east-1') });
    const table = new dynamodb.Table(primary, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const tier = new HaBackup(primary, 'Backup', {
      resources: [HaBackupResource.dynamoDbTable(table)],
      schedule: 'cron(30 0/6 * * ? *)',
      retention: Duration.days(7),
      vaultName: 'orders-backup',
      copyTo: { stack: dr, vaultName: 'orders-dr', retention: Duration.days(30) },
    });
    expect(tier.copyVaultArn).toBe('arn:aws:backup:us-east-1:123456789012:backup-vault:orders-dr');
    Template.fromStack(primary).hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({
        ScheduleExpression: 'cron(30 0/6 * * ? *)', Lifecycle: { DeleteAfterDays: 7 },
        CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:orders-dr', Lifecycle: { DeleteAfterDays: 30 } }],
      })] },
    });
    Template.fromStack(primary).hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'orders-backup' });
    Template.fromStack(dr).hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'orders-dr' });
    expect(tier.longestScheduleGap.toHours()).toBe(6);
  });

  test('restoreTesting false: no restore testing plan, selection or role', () => {
    const { t, tier } = build({ restoreTesting: false });
    t.resourceCountIs('AWS::Backup::RestoreTestingPlan', 0);
    t.resourceCountIs('AWS::Backup::RestoreTestingSelection', 0);
    expect(tier.restoreTestingRole).toBeUndefined();
  });

  test('governance lock on both vaults: minimum and maximum retention, no cooling-off period', () => {
    const { t, tDr } = build({ vaultLock: { mode: BackupVaultLockMode.GOVERNANCE, minRetention: Duration.days(7), maxRetention: Duration.days(90) } });
    for (const template of [t, tDr]) {
      template.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 90 } });
      template.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { ChangeableForDays: Match.absent() } });
    }
  });

  test('compliance lock, acknowledged: a 3-day cooling-off period on both vaults', () => {
    const { t, tDr } = build({ vaultLock: { mode: BackupVaultLockMode.COMPLIANCE, minRetention: Duration.days(30), acknowledgeComplianceLockIsPermanent: true } });
    for (const template of [t, tDr]) template.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { MinRetentionDays: 30, ChangeableForDays: 3 } });
  });

  test('a destination vault in another account, by ARN: used as given, no vault created in another stack', () => {
    const arn = 'arn:aws:backup:us-west-2:210987654321:backup-vault:central-dr';
    const { t, tDr, tier } = build({ copyTo: { vaultArn: arn, retention: Duration.days(90) } });
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ CopyActions: [{ DestinationBackupVaultArn: arn, Lifecycle: { DeleteAfterDays: 90 } }] })] },
    });
    tDr.resourceCountIs('AWS::Backup::BackupVault', 0);
    expect(tier.copyRegion).toBe('us-west-2');
  });

  test('a copy stack in another account: its vault lets this account copy into it', () => {
    const { tDr } = build({}, { drAccount: '210987654321' });
    tDr.hasResourceProperties('AWS::Backup::BackupVault', {
      AccessPolicy: { Statement: [Match.objectLike({ Action: 'backup:CopyIntoBackupVault', Principal: { AWS: Match.anyValue() } })] },
    });
  });
});

describe('HaBackup recovery path', () => {
  function pathOf(props: Partial<HaBackupProps> = {}) {
    const { primary, tier } = build(props);
    const objectives = new RecoveryObjectives(primary, 'Objectives', { pattern: 'Test', detection: 'test' });
    tier.addRecoveryPathTo(objectives);
    return { objectives, path: objectives.path(HaBackupPath.BACKUP_RESTORE) };
  }

  test('defaults: RTO on-call 5 min + restore 2 h; data loss 24 h gap + 1 h start window + 1 h copy = 26 h', () => {
    const { path, objectives } = pathOf();
    expect(path.steps.map(s => [s.component, s.duration.toSeconds()])).toEqual([
      ['on-call starts the restore', 300], ['restore of the latest copies in us-east-1', 7200],
    ]);
    expect(path.total.toSeconds()).toBe(7500);
    expect(path.dataLoss?.duration.toHours()).toBe(26);
    expect(path.dataLoss?.derivation).toMatch(/backup schedule 86400 s \(longest gap of cron\(0 3 \* \* \? \*\)\)/);
    expect(path.steps[1].derivation).toMatch(/AWS publishes no bound/);
    expect(objectives.scenarioOutcomes(HaBackupPath.BACKUP_RESTORE)).toEqual([
      { scenario: 'region-loss of eu-west-1', path: 'backup-restore', survives: true, brokenLinks: [], acknowledged: undefined },
    ]);
    // The path's own loss is reported with it; the pattern's RPO stays that of its bounds.
    expect(objectives.rpo.toSeconds()).toBe(0);
    expect(objectives.toReport().paths[0].dataLoss?.seconds).toBe(26 * 3600);
  });

  test('a 6-hourly schedule and measured estimates shorten the figures', () => {
    const { path } = pathOf({ schedule: 'cron(0 0/6 * * ? *)', copyTimeEstimate: Duration.minutes(20), restoreTimeEstimate: Duration.minutes(40) });
    expect(path.total.toMinutes()).toBe(45);
    expect(path.dataLoss?.duration.toMinutes()).toBe(6 * 60 + 60 + 20);
    expect(path.dataLoss?.tuning).toBe('backup.schedule (runs at least 1 hour apart)');
  });
});

describe('parseBackupSchedule', () => {
  test.each([
    ['cron(0 3 * * ? *)', 24 * 60, 24 * 60],
    ['cron(0 0/6 * * ? *)', 6 * 60, 6 * 60],
    ['cron(15 */4 * * ? *)', 4 * 60, 4 * 60],
    ['cron(0 1,13 * * ? *)', 12 * 60, 12 * 60],
    ['cron(0 8-20/4 * * ? *)', 12 * 60, 4 * 60],
    ['cron(0 3 ? * MON-FRI *)', 72 * 60, 24 * 60],
    ['cron(0 3 ? * 1 *)', 7 * 24 * 60, 7 * 24 * 60],
  ])('%s: longest gap %d min, shortest %d min', (expression, longest, shortest) => {
    const parsed = parseBackupSchedule(expression);
    expect(typeof parsed).toBe('object');
    if (typeof parsed === 'string') return;
    expect([parsed.longestGap.toMinutes(), parsed.shortestGap.toMinutes()]).toEqual([longest, shortest]);
  });
});

describe('HaBackup validation', () => {
  test('fails when the copy stack is in the source region', () => {
    expectHaValidationError(() => build({}, { drRegion: 'eu-west-1' }),
      /Primary\/Backup: invalid prop 'copyTo.stack': received "Dr \(eu-west-1\)"; expected a vault in another region than eu-west-1: a copy in the same region is lost with it/);
  });
  test('fails when the copy vault ARN is in the source region', () => {
    expectHaValidationError(() => build({ copyTo: { vaultArn: 'arn:aws:backup:eu-west-1:210987654321:backup-vault:central' } }),
      /invalid prop 'copyTo.vaultArn'.*expected a vault in another region than eu-west-1/);
  });
  test('fails when the copy vault ARN is not a vault ARN', () => {
    expectHaValidationError(() => build({ copyTo: { vaultArn: 'arn:aws:s3:::bucket' } }), /invalid prop 'copyTo.vaultArn'.*expected a literal vault ARN/);
  });
  test('fails when both or neither of copy.stack and copy.vaultArn are given', () => {
    expectHaValidationError(() => build({ copyTo: {} }), /invalid prop 'copyTo'.*expected exactly one of copyTo.stack .* and copyTo.vaultArn/);
  });
  test.each([
    ['cron(0 3 * * ?)', /6 fields in cron/],
    ['rate(1 day)', /the form cron\(minutes hours/],
    ['cron(0 3 * * * *)', /exactly one of day-of-month and day-of-week set to \?/],
    ['cron(0 25 * * ? *)', /hours: '25' is outside 0 to 23/],
    ['cron(0 3 1 * ? *)', /day-of-month \* or \?/],
    ['cron(0,30 * * * ? *)', /runs at least 1 hour apart/],
  ])('fails when the schedule is %s', (schedule, message) => {
    expectHaValidationError(() => build({ schedule }), new RegExp(`invalid prop 'schedule'.*${message.source}`));
  });
  test('fails when the retention is shorter than the schedule\'s longest gap', () => {
    expectHaValidationError(() => build({ schedule: 'cron(0 3 ? * SUN *)', retention: Duration.days(3) }),
      /invalid prop 'retention': received 3 days; expected at least the schedule's longest gap \(7 days for cron\(0 3 \? \* SUN \*\)\)/);
  });
  test('fails when the copy retention is shorter than the schedule\'s longest gap', () => {
    expectHaValidationError(() => build({ schedule: 'cron(0 3 ? * SUN *)', retention: Duration.days(14), copyTo: { vaultArn: 'arn:aws:backup:us-east-1:210987654321:backup-vault:dr', retention: Duration.days(2) } }),
      /invalid prop 'copyTo.retention'/);
  });
  test('fails when continuous backup keeps more than 35 days', () => {
    expectHaValidationError(() => build({ continuousBackup: true, retention: Duration.days(60) }), /invalid prop 'retention'/);
  });
  test('fails when a compliance lock is not acknowledged as permanent', () => {
    expectHaValidationError(() => build({ vaultLock: { mode: BackupVaultLockMode.COMPLIANCE, minRetention: Duration.days(7) } }),
      /invalid prop 'vaultLock.acknowledgeComplianceLockIsPermanent'.*becomes immutable 3 days after deployment/);
  });
  test('fails when the compliance cooling-off period is shorter than 3 days', () => {
    expectHaValidationError(() => build({ vaultLock: { mode: BackupVaultLockMode.COMPLIANCE, minRetention: Duration.days(7), changeableFor: Duration.days(1), acknowledgeComplianceLockIsPermanent: true } }),
      /invalid prop 'vaultLock.changeableFor'/);
  });
  test('fails when a governance lock has a cooling-off period', () => {
    expectHaValidationError(() => build({ vaultLock: { mode: BackupVaultLockMode.GOVERNANCE, minRetention: Duration.days(7), changeableFor: Duration.days(3) } }),
      /invalid prop 'vaultLock.changeableFor'.*no value in GOVERNANCE mode/);
  });
  test('fails when the retention is outside the vault lock\'s range', () => {
    expectHaValidationError(() => build({ vaultLock: { mode: BackupVaultLockMode.GOVERNANCE, minRetention: Duration.days(60) } }),
      /invalid prop 'retention': received 35 days; expected a retention within the vault lock's 60 days/);
  });
  test('fails when a vault name has characters AWS Backup rejects', () => {
    expectHaValidationError(() => build({ vaultName: 'my vault' }), /invalid prop 'vaultName'/);
  });
  test('fails when no resource is given', () => {
    expectHaValidationError(() => build({ resources: [] }), /invalid prop 'resources'/);
  });
  test('fails when a resource is in another stack', () => {
    const app = testApp();
    const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
    const other = new Stack(app, 'Other', { env: testEnv('eu-west-1') });
    const dr = new Stack(app, 'Dr', { env: testEnv('us-east-1') });
    const table = new dynamodb.Table(other, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    expectHaValidationError(() => new HaBackup(primary, 'Backup', { resources: [HaBackupResource.dynamoDbTable(table)], copyTo: { stack: dr } }),
      /invalid prop 'resources\[0\]': received "Other\/Table"; expected a resource in Primary/);
  });
});
