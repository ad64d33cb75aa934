/** The status dashboard of a `WarmStandbyPair`. */
import { Duration, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { RecoveryObjectives } from '../core/recovery-objectives';
import { StandbyServerRole } from './standby-server-role';
import { WarmStandbyPairPath, WarmStandbyPairProps } from './warm-standby-pair-props';

/** What the status dashboard shows of a pair (read when the dashboard renders: the figures are lazy). */
export interface PairStatus {
  readonly takeoverTime: Duration;
  readonly recoveryObjectives: RecoveryObjectives;
  readonly switchToSecondaryRunbook: ssm.CfnDocument;
  readonly switchToPrimaryRunbook: ssm.CfnDocument;
  readonly promoteRunbook: ssm.CfnDocument;
  readonly primaryOfflineAlarm: cloudwatch.IAlarm;
  readonly secondaryOfflineAlarm: cloudwatch.IAlarm;
  readonly failoverAlarm: cloudwatch.IAlarm;
  metricHealthyHosts(role: StandbyServerRole, options?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  metricRunningTasks(role: StandbyServerRole, options?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

/** The dashboard of both servers: which one serves, the takeover times and runbooks, healthy targets and running tasks. */
export function createStatusDashboard(scope: Construct, pair: PairStatus, props: WarmStandbyPairProps,
  zones: { primary: string; secondary: string }): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, 'StatusDashboard', { dashboardName: props.statusDashboardName });
  const P = StandbyServerRole.PRIMARY;
  const S = StandbyServerRole.SECONDARY;
  const markdown = Lazy.string({
    produce: () => [
      `### Warm standby pair \`${scope.node.path}\``,
      `Primary in ${zones.primary}, secondary (warm) in ${zones.secondary}. Takeover worst case: **${pair.takeoverTime.toSeconds()} s** ` +
      `when the primary's task stops, **${pair.recoveryObjectives.path(WarmStandbyPairPath.UNRESPONSIVE).total.toSeconds()} s** when it stops answering its health checks.`,
      `Direct ports: primary +${props.directPortOffset ?? 10000}, secondary +${2 * (props.directPortOffset ?? 10000)}. ` +
      'PrimaryOffline in ALARM = the secondary serves; OK = the primary serves.',
      `SSM Automation runbooks: takeover \`${pair.switchToSecondaryRunbook.ref}\`, failback \`${pair.switchToPrimaryRunbook.ref}\`, ` +
      `**promote** the secondary when the primary cannot be restored: \`${pair.promoteRunbook.ref}\`.`,
    ].join('\n\n'),
  });
  dashboard.addWidgets(
    new cloudwatch.TextWidget({ markdown, width: 24, height: 4 }),
  );
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({
      title: 'Which server serves',
      alarms: [pair.primaryOfflineAlarm, pair.secondaryOfflineAlarm, pair.failoverAlarm],
      width: 24,
      height: 3,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Healthy targets (load balancer health checks)',
      left: [P, S].map(r => pair.metricHealthyHosts(r, { label: `${r.toLowerCase()} healthy` })),
      leftYAxis: { min: 0 },
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Running tasks',
      left: [P, S].map(r => pair.metricRunningTasks(r, { label: `${r.toLowerCase()} running` })),
      leftYAxis: { min: 0 },
      width: 12,
    }),
  );
  return dashboard;
}
