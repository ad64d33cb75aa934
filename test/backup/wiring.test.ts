import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  ActiveActiveCells, AlarmRole, FailoverNotifications, HaBackup, HaBackupPath, HaDatabase, HaDatabaseEngine, renderResilienceReportMarkdown,
  buildResilienceReport,
} from '../../lib';
import { createHaVpc } from '../../lib/private/network';
import { testApp, testEnv } from '../harness';

function stacks() {
  const app = testApp();
  const primary = new Stack(app, 'Primary', { env: testEnv('eu-west-1') });
  const dr = new Stack(app, 'Dr', { env: testEnv('us-east-1') });
  const notifications = new FailoverNotifications(primary, 'Notifications', { emails: ['ops@example.com'] });
  return { app, primary, dr, notifications };
}

describe('HaDatabase backup (Aurora)', () => {
  const { app, primary, dr, notifications } = stacks();
  const db = new HaDatabase(primary, 'Db', { vpc: createHaVpc(primary, 'Vpc'), notifications, backup: { copyTo: { stack: dr } } });
  const t = Template.fromStack(primary);
  const tier = db.node.findChild('Backup') as HaBackup;

  test('the cluster is selected by its ARN, and a restore test of type Aurora restores it', () => {
    t.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: Match.objectLike({ Resources: [primary.resolve(db.cluster!.clusterArn)] }) });
    t.hasResourceProperties('AWS::Backup::RestoreTestingSelection', { ProtectedResourceType: 'Aurora', ProtectedResourceArns: [primary.resolve(db.cluster!.clusterArn)] });
    Template.fromStack(dr).resourceCountIs('AWS::Backup::BackupVault', 1);
  });

  test('the copy alarm is one of the database\'s notifying alarms, notifying once on ALARM and OK', () => {
    expect(db.alarmsWithRole(AlarmRole.NOTIFYING)).toContain(tier.copyJobsFailedAlarm);
    const alarm = Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'NumberOfCopyJobsFailed' } }))[0] as
      { Properties: { AlarmActions: unknown[]; OKActions: unknown[] } };
    expect(alarm.Properties.AlarmActions).toHaveLength(1);
    expect(alarm.Properties.OKActions).toHaveLength(1);
  });

  test('the backup-restore path joins the in-region path; the report shows its own data loss (26 h) beside the database\'s 0 s', () => {
    expect([...db.recoveryObjectives.pathIds].sort()).toEqual([HaBackupPath.BACKUP_RESTORE, 'in-region-failover']);
    expect(db.recoveryObjectives.path(HaBackupPath.BACKUP_RESTORE).total.toSeconds()).toBe(7500);
    expect(db.recoveryObjectives.rpo.toSeconds()).toBe(0);
    const markdown = renderResilienceReportMarkdown([buildResilienceReport(app, 'test')]);
    expect(markdown).toContain('backup-restore: 125 min / 1560 min, survives');
    expect(markdown).toMatch(/data loss on this path: last copy in us-east-1 1560 min/);
  });

  test('its Aurora instances acknowledge the NIST RDS backup rule: the cluster is in the plan', () => {
    const instances = db.cluster!.node.findAll().filter(c => c.node.id === 'Resource' && c.node.scope?.node.id !== 'Db');
    expect(instances.length).toBeGreaterThan(0);
    const acknowledged = JSON.stringify(db.cluster!.node.findAll().map(c => c.node.metadata));
    expect(acknowledged).toContain('NIST.800.53.R5-RDSInBackupPlan');
  });
});

describe('HaDatabase backup (SQL Server)', () => {
  const { primary, dr } = stacks();
  const db = new HaDatabase(primary, 'Db', { vpc: createHaVpc(primary, 'Vpc'), engine: HaDatabaseEngine.SQL_SERVER, backup: { copyTo: { stack: dr }, continuousBackup: true, retention: Duration.days(14) } });
  const t = Template.fromStack(primary);

  test('the instance is selected, with continuous backup, and restore-tested as RDS', () => {
    t.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: Match.objectLike({ Resources: [primary.resolve(db.instance!.instanceArn)] }) });
    t.hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: [Match.objectLike({ EnableContinuousBackup: true })] } });
    t.hasResourceProperties('AWS::Backup::RestoreTestingSelection', { ProtectedResourceType: 'RDS' });
  });
});

describe('ActiveActiveCells backup', () => {
  const { primary, dr, notifications } = stacks();
  const cells = new ActiveActiveCells(primary, 'Cells', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), notifications, backup: { copyTo: { stack: dr } },
  });
  const t = Template.fromStack(primary);

  test('every cell\'s database and file share, and the status table, are in the selection', () => {
    const selection = Object.values(t.findResources('AWS::Backup::BackupSelection'))[0] as { Properties: { BackupSelection: { Resources: unknown[] } } };
    const resources = selection.Properties.BackupSelection.Resources;
    expect(resources).toHaveLength(7);
    const json = JSON.stringify(resources);
    for (const c of cells.cells) {
      expect(resources).toContainEqual(primary.resolve(c.database.clusterArn));
      expect(json).toContain(primary.resolve(c.fileSystem!.fileSystemId).Ref);
    }
    expect(resources).toContainEqual(primary.resolve(cells.statusTable.tableArn));
    for (const type of ['Aurora', 'EFS', 'DynamoDB']) t.hasResourceProperties('AWS::Backup::RestoreTestingSelection', { ProtectedResourceType: type });
  });

  test('the backup-restore path handles the loss of eu-west-1, which no other path of the cells does', () => {
    expect(cells.backup).toBeDefined();
    expect(cells.recoveryObjectives.scenarioOutcomes(HaBackupPath.BACKUP_RESTORE).map(o => [o.scenario, o.survives])).toEqual([['region-loss of eu-west-1', true]]);
    expect(cells.alarmsWithRole(AlarmRole.NOTIFYING)).toContain(cells.backup!.copyJobsFailedAlarm);
  });

  test('without backup, no AWS Backup resource', () => {
    const s = stacks();
    new ActiveActiveCells(s.primary, 'Cells', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
    Template.fromStack(s.primary).resourceCountIs('AWS::Backup::BackupPlan', 0);
  });
});
