import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ActiveActiveCells, CellFileShare, HaBackupPath } from '../../lib';
import { ExampleContext } from '../context';

/**
 * Three independent ETL cells in the primary region, each with its own
 * Aurora Serverless v2 database and EFS file share, behind one load balancer
 * at `etl.<zone>` (a weighted record: another region's cells join by using
 * the same record name). Updates put under `updates/` in the cells' updates
 * bucket are fanned out to every cell. Adding a cell is raising `cellCount`;
 * drain one with `-c drainingCells=cell-3` before lowering it. Every cell's
 * database and file share, and the status table, are backed up daily and
 * copied to the secondary region (stack `BackupCopy`): the backup-restore path
 * when the primary region is lost.
 */
export function addSpatialCells(ctx: ExampleContext): ActiveActiveCells {
  const stack = ctx.stack('Cells', ctx.settings.primaryRegion, { description: `${ctx.name}: active-active ETL cells with update fan-out` });
  const draining = String(ctx.app.node.tryGetContext('drainingCells') ?? '').split(',').map(s => s.trim()).filter(Boolean);
  return new ActiveActiveCells(stack, 'EtlCells', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable-alpine'),
    // nginx answers / with 200; a real ETL cell exposes a cheap /health.
    healthCheckPath: '/',
    cellCount: 3,
    drainingCells: draining,
    fileShare: CellFileShare.EFS,
    dns: { zone: ctx.zone, recordName: 'etl' },
    notifications: ctx.notifications,
    dashboard: ctx.dashboard,
    backup: {
      copyTo: { stack: ctx.stack('BackupCopy', ctx.settings.secondaryRegion, { description: `${ctx.name}: copies of the cells' backups (AWS Backup vault)` }) },
    },
    recoveryTargets: {
      rto: Duration.minutes(2),
      rpo: Duration.seconds(0),
      // Restoring from the copies in the other region is the region-loss path: hours, not minutes.
      paths: [{ path: HaBackupPath.BACKUP_RESTORE, rto: Duration.hours(3) }],
    },
  });
}
