import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { FailoverNotifications } from './failover-notifications';
import { RecoveryObjectives, RecoveryTargets } from './recovery-objectives';
import type { HaDashboard } from './ha-dashboard';

/** Props every pattern accepts: where its alarms go, and the targets it must meet. */
export interface HaPatternProps {
  /**
   * Notified (ALARM and OK) by the pattern's failover alarm.
   * @default no notifications
   */
  readonly notifications?: FailoverNotifications;

  /**
   * Further actions of the failover alarm, on ALARM and on OK.
   * @default none
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * Recovery time and recovery point the configuration must meet; synthesis
   * fails, naming the slowest component, when it cannot.
   * @default no targets
   */
  readonly recoveryTargets?: RecoveryTargets;

  /**
   * Dashboard the pattern adds its alarms and recovery figures to.
   * @default not added to a dashboard
   */
  readonly dashboard?: HaDashboard;
}

/** What a pattern tells the base class about itself. */
export interface HaPatternInfo {
  /** The pattern's name, e.g. `SingletonDaemon`. */
  readonly patternName: string;
  /** How the pattern detects failure, in one sentence. */
  readonly detection: string;
}

const HA_PATTERN_SYMBOL = Symbol.for('cdk-ha-patterns.HaPattern');

/**
 * Base of every pattern: the alarm conventions and recovery objectives.
 *
 * A pattern registers its alarms with `addAlarm()` and, once all are
 * registered, calls `createFailoverAlarm()`: a composite alarm over the
 * triggers, wired to the notifications on ALARM and on OK.
 */
export abstract class HaPattern extends Construct {
  /** Whether `x` is an `HaPattern`. */
  public static isHaPattern(x: unknown): x is HaPattern {
    return typeof x === 'object' && x !== null && HA_PATTERN_SYMBOL in x;
  }

  /** The pattern's name. */
  public readonly patternName: string;
  /** The pattern's computed recovery time and recovery point. */
  public readonly recoveryObjectives: RecoveryObjectives;
  /** Where the failover alarm notifies, if anywhere. */
  public readonly notifications?: FailoverNotifications;

  private readonly createdAlarms: cloudwatch.IAlarm[] = [];
  private readonly triggers: cloudwatch.IAlarm[] = [];
  private readonly actions: cloudwatch.IAlarmAction[];
  private readonly dashboard?: HaDashboard;
  private composite?: cloudwatch.IAlarm;

  protected constructor(scope: Construct, id: string, props: HaPatternProps, info: HaPatternInfo) {
    super(scope, id);
    Object.defineProperty(this, HA_PATTERN_SYMBOL, { value: true });
    this.patternName = info.patternName;
    this.notifications = props.notifications;
    this.actions = props.alarmActions ?? [];
    this.dashboard = props.dashboard;
    this.recoveryObjectives = new RecoveryObjectives(this, 'RecoveryObjectives', {
      pattern: info.patternName,
      detection: info.detection,
      targets: props.recoveryTargets,
    });
  }

  /** Every alarm the pattern created, failover alarm included. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.createdAlarms];
  }

  /** The alarms whose ALARM state means failover: the failover alarm's children. */
  public get failoverTriggers(): cloudwatch.IAlarm[] {
    return [...this.triggers];
  }

  /** The composite alarm over the pattern's triggers, wired to the notifications. */
  public get failoverAlarm(): cloudwatch.IAlarm {
    if (!this.composite) {
      throw new Error(`${this.node.path}: the pattern has not created its failover alarm (call createFailoverAlarm() at the end of the constructor)`);
    }
    return this.composite;
  }

  /**
   * Registers an alarm. A trigger (the default) is one of the failover
   * alarm's children; other alarms are informational.
   */
  protected addAlarm<T extends cloudwatch.IAlarm>(alarm: T, options: { trigger?: boolean } = {}): T {
    this.createdAlarms.push(alarm);
    if (options.trigger ?? true) this.triggers.push(alarm);
    return alarm;
  }

  /**
   * Creates the failover alarm over the registered triggers in `scope`
   * (which must be in the triggers' region) and wires its actions.
   */
  protected createFailoverAlarm(scope: Construct = this, description?: string): cloudwatch.CompositeAlarm {
    if (this.triggers.length === 0) {
      throw new Error(`${this.node.path}: a failover alarm needs at least one trigger alarm`);
    }
    const alarm = new cloudwatch.CompositeAlarm(scope, 'FailoverAlarm', {
      alarmRule: cloudwatch.AlarmRule.anyOf(...this.triggers),
      alarmDescription: description ?? `${this.patternName} ${this.node.path}: failover in progress or needed (any trigger in ALARM); OK when restored.`,
    });
    this.wireActions(alarm);
    this.composite = alarm;
    this.createdAlarms.push(alarm);
    this.dashboard?.addPattern(this);
    return alarm;
  }

  /** Adds the pattern's notification and alarm actions (ALARM and OK) to an alarm. */
  protected wireActions(alarm: cloudwatch.AlarmBase): void {
    this.notifications?.notifyOn(alarm);
    for (const action of this.actions) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
