/** The resilience report's data: what a design review reads of each pattern. */
import { AlarmRole } from '../core/alarm-role';
import { RecoveryObjectivesReport } from '../core/recovery-objectives';

/** One alarm of a pattern, as a design review reads it. */
export interface ReportedAlarm {
  /** Construct path of the alarm. */
  readonly path: string;
  /** The condition, e.g. `AWS/ECS RunningTaskCount < 2 for 3 x 60 s`, or the rule of a composite alarm. */
  readonly condition: string;
  /** The alarm's role: a failover trigger, notifying or informational. */
  readonly role: AlarmRole;
  /**
   * The region of the alarm's stack.
   * @default unknown: the stack is environment-agnostic
   */
  readonly region?: string;
}

/**
 * Who a pattern's failover alarm notifies: its own notifications, or those
 * of the pattern that adopted the alarm (a web tier notifies for its sites).
 */
export interface ReportedNotifications {
  /**
   * Construct path of the `FailoverNotifications` notified.
   * @default none: nobody is notified (see `role`)
   */
  readonly topic?: string;
  /**
   * Its subscribers, e.g. `1 email, 1 SMS`.
   * @default none: nobody is notified
   */
  readonly subscribers?: string;
  /**
   * Construct path of the enclosing pattern that adopted the failover alarm.
   * @default the pattern's own notifications
   */
  readonly through?: string;
  /**
   * The role that pattern gave the failover alarm (a trigger of its own, notifying, or informational).
   * @default the pattern's own notifications
   */
  readonly role?: AlarmRole;
}

/** One pattern instance in the report. */
export interface ReportedComponent extends RecoveryObjectivesReport {
  /** Stacks the pattern's alarms live in. */
  readonly stacks: string[];
  /** The pattern's alarms. */
  readonly alarms: ReportedAlarm[];
  /** Who is notified when the failover alarm changes state. */
  readonly notified: string;
  /**
   * The same, as data.
   * @default nobody is notified
   */
  readonly notifications?: ReportedNotifications;
  /**
   * The pattern's home region (that of its stack).
   * @default unknown: the stack is environment-agnostic
   */
  readonly region?: string;
}

/** The resilience report of a construct tree. */
export interface ResilienceReport {
  /** Title (an example or app name). */
  readonly title: string;
  /** One entry per pattern instance, in tree order. */
  readonly components: ReportedComponent[];
}
