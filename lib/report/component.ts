import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { AlarmRole } from '../core/alarm-role';
import type { HaPattern } from '../core/ha-pattern';
import type { ReportedAlarm, ReportedComponent, ReportedNotifications } from './reported';

/**
 * One pattern as the resilience report shows it: its computed figures, its
 * alarms (condition, role, region) and who is notified. `patterns` are the
 * app's other patterns: an enclosing pattern that adopted this one's
 * failover alarm (a web tier's sites) may be the one that notifies.
 */
export function reportComponent(pattern: HaPattern, patterns: HaPattern[]): ReportedComponent {
  const composite = failoverAlarmOf(pattern);
  const triggers = pattern.failoverTriggers;
  const alarms = pattern.alarms.map((alarm): ReportedAlarm => ({
    path: alarm.node.path,
    condition: alarm === composite
      ? `composite: ALARM when any of the ${triggers.length} triggers is in ALARM, OK when all are OK`
      : describeAlarm(alarm),
    role: pattern.roleOf(alarm),
    region: literal(Stack.of(alarm).region),
  }));
  const notifications = notificationsOf(pattern, patterns, new Set());
  return {
    ...pattern.recoveryObjectives.toReport(),
    region: literal(Stack.of(pattern).region),
    stacks: [...new Set(pattern.alarms.map(a => Stack.of(a).stackName))],
    alarms,
    notified: describeNotified(notifications),
    notifications,
  };
}

/**
 * Who the pattern's failover alarm notifies: its own notifications, else
 * those of the pattern that adopted the alarm (as a trigger of its own
 * failover alarm, or as a notifying alarm it wires), else nobody.
 */
function notificationsOf(pattern: HaPattern, patterns: HaPattern[], seen: Set<HaPattern>): ReportedNotifications | undefined {
  if (pattern.notifications) {
    return { topic: pattern.notifications.node.path, subscribers: pattern.notifications.describeSubscribers() };
  }
  seen.add(pattern);
  const alarm = failoverAlarmOf(pattern);
  const parent = alarm && patterns.find(p => p !== pattern && !seen.has(p) && p.alarms.includes(alarm));
  if (!alarm || !parent) return undefined;
  const role = parent.roleOf(alarm);
  // A trigger notifies through the parent's failover alarm (wherever that notifies); the parent wires a
  // notifying alarm to its own notifications; an informational alarm notifies nobody.
  const through = role === AlarmRole.FAILOVER_TRIGGER || (role === AlarmRole.NOTIFYING && parent.notifications)
    ? notificationsOf(parent, patterns, seen)
    : undefined;
  return { topic: through?.topic, subscribers: through?.subscribers, through: parent.node.path, role };
}

function describeNotified(n: ReportedNotifications | undefined): string {
  if (!n) return 'no notifications configured';
  if (n.role === AlarmRole.INFORMATIONAL) return `none: its failover alarm is informational in ${n.through} (dashboard only)`;
  if (!n.topic) return `no notifications configured (nor on ${n.through}, which adopts its failover alarm)`;
  const sns = `SNS ${n.topic} (${n.subscribers}) on ALARM and OK`;
  if (!n.through) return sns;
  return n.role === AlarmRole.FAILOVER_TRIGGER
    ? `${sns}, through the failover alarm of ${n.through} (which its failover alarm triggers)`
    : `${sns}, through ${n.through} (which notifies on its failover alarm)`;
}

/** The pattern's composite failover alarm, if it has created one (reports never fail a synthesis). */
function failoverAlarmOf(pattern: HaPattern): cloudwatch.IAlarm | undefined {
  if (pattern.alarms.length === 0) return undefined;
  try {
    return pattern.failoverAlarm;
  } catch {
    return undefined;
  }
}

/** The region or account when it is a literal (an environment-agnostic stack has a token). */
function literal(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : value;
}

/** The condition of an alarm, as a design review reads it: `AWS/ECS RunningTaskCount (Minimum) < 2 over 2 x 60 s`. */
export function describeAlarm(alarm: IConstruct): string {
  if (alarm instanceof cloudwatch.CompositeAlarm) return 'composite alarm';
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm | undefined;
  if (!cfn || !(cfn instanceof cloudwatch.CfnAlarm)) return alarm.node.path;
  const r = Stack.of(alarm).resolve({
    ns: cfn.namespace, name: cfn.metricName, stat: cfn.statistic ?? cfn.extendedStatistic, period: cfn.period,
    op: cfn.comparisonOperator, threshold: cfn.threshold, evals: cfn.evaluationPeriods, dtp: cfn.datapointsToAlarm,
    metrics: cfn.metrics,
  }) as { ns?: string; name?: string; stat?: string; period?: number; op?: string; threshold?: number; evals?: number; dtp?: number; metrics?: Array<{ expression?: string; label?: string; returnData?: boolean }> };
  const op = OPERATORS[r.op ?? ''] ?? r.op;
  const what = r.name
    ? `${r.ns} ${r.name} (${r.stat})`
    : (r.metrics?.find(m => m.returnData !== false)?.label ?? r.metrics?.find(m => m.returnData !== false)?.expression ?? 'metric math');
  const threshold = r.threshold === undefined || Token.isUnresolved(r.threshold) ? '' : ` ${r.threshold}`;
  const window = r.period ? ` over ${r.dtp && r.dtp !== r.evals ? `${r.dtp} of ` : ''}${r.evals} x ${r.period} s` : ` over ${r.evals} periods`;
  return `${what} ${op}${threshold}${window}`;
}

const OPERATORS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside band',
  GreaterThanUpperThreshold: '> band',
  LessThanLowerThreshold: '< band',
};
