/**
 * What an alarm of a pattern is for. The role decides its actions, in one
 * place (`HaPattern`): no pattern wires an alarm's actions itself.
 */
export enum AlarmRole {
  /**
   * A child of the pattern's composite failover alarm. It never notifies on
   * its own: the composite pages once per incident, on ALARM and on OK.
   */
  FAILOVER_TRIGGER = 'FAILOVER_TRIGGER',
  /**
   * Pages on its own, on ALARM and on OK, for a condition that is not a
   * failover but needs a person (failed jobs, replication falling behind,
   * a spare site that could not take over).
   */
  NOTIFYING = 'NOTIFYING',
  /**
   * Dashboard only: no actions. Each pattern's README lists its
   * informational alarms and why nobody is paged.
   */
  INFORMATIONAL = 'INFORMATIONAL',
}

/**
 * The kind of signal an alarm watches; it decides how missing data is
 * treated, the same way in every pattern.
 */
export enum SignalKind {
  /**
   * A status AWS publishes every period while the resource exists (Route 53
   * health-check status, healthy hosts, running tasks, database availability).
   * Missing data means the resource or its metric is gone: BREACHING.
   */
  STATUS = 'STATUS',
  /**
   * A heartbeat the workload publishes (lease renewals, leader present).
   * Missing data means nobody publishes it: BREACHING.
   */
  HEARTBEAT = 'HEARTBEAT',
  /**
   * A count published only when something happens (5xx responses,
   * dead-lettered jobs, stopped tasks). Missing data means none: NOT_BREACHING.
   */
  EVENT_COUNT = 'EVENT_COUNT',
  /**
   * A level (utilization, lag, age of the oldest message). Missing data
   * means nothing to measure; a STATUS alarm catches a resource that is
   * gone: NOT_BREACHING.
   */
  LEVEL = 'LEVEL',
}
