import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct, IConstruct } from 'constructs';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { FailoverNotifications } from '../core/failover-notifications';
import { PatternAlarmProps } from '../core/ha-pattern';
import { HaDatabaseProps } from './ha-database-props';
import type { HaDatabaseSecondary } from './secondary';

/** The database's `createAlarm` (protected on `HaPattern`), handed to the steps that create its alarms. */
export type AlarmFactory = (scope: Construct, id: string, props: PatternAlarmProps) => cloudwatch.Alarm;

/** The metrics of the database the in-region alarms watch (`HaDatabase`'s, without importing it). */
export interface DatabaseMetrics extends IConstruct {
  metricWriterAvailable(): cloudwatch.Metric;
  metricReaderAvailable(): cloudwatch.Metric;
  metricReplicaLag(): cloudwatch.Metric;
  metricCpuUtilization(): cloudwatch.Metric;
  metricFreeableMemory(): cloudwatch.Metric;
  metricDatabaseConnections(): cloudwatch.Metric;
}

/** The RDS event categories of an Aurora cluster that go to the failover notifications. */
const AURORA_EVENT_CATEGORIES = ['failover', 'failure', 'global-failover', 'maintenance', 'notification'];
/** The RDS event categories of a SQL Server instance (configuration change: Multi-AZ turned off). */
const SQL_SERVER_EVENT_CATEGORIES = ['availability', 'configuration change', 'failover', 'failure', 'maintenance', 'recovery'];

/**
 * The primary region's availability alarms: the writer (a failover trigger; Aurora fails over in the
 * region by itself, and it cannot see the region go: see the probe) and, for Aurora, the readers and their lag.
 */
export function addAvailabilityAlarms(database: DatabaseMetrics, isAurora: boolean, createAlarm: AlarmFactory): void {
  createAlarm(database, 'WriterDownAlarm', {
    metric: database.metricWriterAvailable(),
    signal: SignalKind.STATUS,
    role: AlarmRole.FAILOVER_TRIGGER,
    description: `${database.node.path}: no metrics from the database writer for 2 minutes (writer unavailable).`,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 2,
  });
  if (!isAurora) return;
  createAlarm(database, 'ReaderDownAlarm', {
    metric: database.metricReaderAvailable(),
    signal: SignalKind.STATUS,
    role: AlarmRole.NOTIFYING,
    description: `${database.node.path}: no metrics from any reader for 5 minutes (no failover target).`,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 5,
  });
  createAlarm(database, 'ReplicaLagAlarm', {
    metric: database.metricReplicaLag(),
    signal: SignalKind.LEVEL,
    role: AlarmRole.NOTIFYING,
    description: `${database.node.path}: Aurora replica lag above 1 s for 5 minutes.`,
    threshold: 1000,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 5,
  });
}

/** The writer's capacity alarms (CPU, freeable memory, connections), each over 15 minutes. */
export function addCapacityAlarms(database: DatabaseMetrics, props: HaDatabaseProps, createAlarm: AlarmFactory): void {
  createAlarm(database, 'CpuAlarm', {
    metric: database.metricCpuUtilization(),
    signal: SignalKind.LEVEL,
    role: AlarmRole.NOTIFYING,
    description: `${database.node.path}: writer CPU above ${props.cpuThresholdPercent ?? 80} % for 15 minutes.`,
    threshold: props.cpuThresholdPercent ?? 80,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 3,
  });
  createAlarm(database, 'FreeMemoryAlarm', {
    metric: database.metricFreeableMemory(),
    signal: SignalKind.LEVEL,
    role: AlarmRole.NOTIFYING,
    description: `${database.node.path}: writer freeable memory low for 15 minutes.`,
    threshold: props.freeMemoryThresholdBytes ?? 256 * 1024 * 1024,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 3,
  });
  createAlarm(database, 'ConnectionsAlarm', {
    metric: database.metricDatabaseConnections(),
    signal: SignalKind.LEVEL,
    role: AlarmRole.NOTIFYING,
    description: `${database.node.path}: more than ${props.maxConnections ?? 500} connections for 15 minutes.`,
    threshold: props.maxConnections ?? 500,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 3,
  });
}

/**
 * The global replication lag alarm, in the secondary region: replication falling behind is not a
 * failover, but it breaks the RPO promise, so it pages.
 */
export function addGlobalLagAlarm(database: IConstruct, secondary: HaDatabaseSecondary, props: HaDatabaseProps,
  createAlarm: AlarmFactory): cloudwatch.Alarm {
  const threshold = props.globalLagThreshold ?? props.recoveryTargets?.rpo ?? Duration.minutes(1);
  return createAlarm(secondary, 'GlobalLagAlarm', {
    metric: secondary.metricGlobalReplicationLag(),
    description: `${database.node.path}: Aurora Global Database RPO lag above ${threshold.toHumanString()} (the declared cross-region data-loss bound).`,
    threshold: threshold.toMilliseconds(),
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 3,
    signal: SignalKind.LEVEL,
    role: AlarmRole.NOTIFYING,
  });
}

/**
 * Sends the primary's RDS events (failover, failure, availability; maintenance: patching restarts or
 * fails over the writer) to the failover notifications, if there are notifications.
 */
export function subscribeToWriterEvents(database: Construct, notifications: FailoverNotifications | undefined,
  writer: { readonly cluster?: rds.DatabaseCluster; readonly instance?: rds.DatabaseInstance }): void {
  if (writer.cluster) {
    subscribeToRdsEvents(database, notifications, 'db-cluster', writer.cluster.clusterIdentifier, AURORA_EVENT_CATEGORIES);
  } else {
    subscribeToRdsEvents(database, notifications, 'db-instance', writer.instance!.instanceIdentifier, SQL_SERVER_EVENT_CATEGORIES);
  }
}

/** Reports the global failover and switchover events in the secondary region too, if there are notifications. */
export function subscribeToSecondaryEvents(secondary: HaDatabaseSecondary, notifications: FailoverNotifications | undefined): void {
  subscribeToRdsEvents(secondary, notifications, 'db-cluster', secondary.cluster.ref, AURORA_EVENT_CATEGORIES);
}

/** Sends the RDS events of `sourceId` to the failover notifications in the region of `scope`, if there are notifications. */
function subscribeToRdsEvents(scope: Construct, notifications: FailoverNotifications | undefined,
  sourceType: string, sourceId: string, eventCategories: string[]): void {
  if (!notifications) return;
  const target = notifications.inRegionOf(scope);
  target.allowServiceToPublish('events.rds.amazonaws.com');
  new rds.CfnEventSubscription(scope, 'Events', {
    snsTopicArn: target.topic.topicArn,
    sourceType,
    sourceIds: [sourceId],
    eventCategories,
    enabled: true,
  });
}
