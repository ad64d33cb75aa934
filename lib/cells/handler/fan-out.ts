import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/** One cell the update is fanned out to. */
export interface CellTarget {
  /** The cell's name, e.g. `cell-1`. */
  readonly name: string;
  /** The SSM parameter the cell reads its current update from. */
  readonly parameterName: string;
  /** ARN of the cell's ECS cluster. */
  readonly cluster: string;
  /** ARN of the cell's ECS service (redeployed to pick the update up). */
  readonly service: string;
}

/** An update published under the `updates/` prefix. */
export interface UpdateRef {
  /** Object key, e.g. `updates/workflows-2026-11-23.zip`. */
  readonly key: string;
  /** Object version (S3 version id, or the ETag when unversioned): what makes two updates different. */
  readonly version: string;
}

/** The AWS clients the fan-out uses (injected so tests need no module mocking). */
export interface FanOutClients {
  readonly ssm: SSMClient;
  readonly ecs: ECSClient;
  readonly ddb: DynamoDBDocumentClient;
}

/** Where the fan-out finds its cells and records their state. */
export interface FanOutConfig {
  /** Bucket the updates are published to. */
  readonly bucketName: string;
  /** Status table (partition key `cell`, string). */
  readonly tableName: string;
  /** The cells. */
  readonly cells: CellTarget[];
  /** Attempts per cell within one run. @default 3 */
  readonly maxAttempts?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** What happened to one cell. */
export interface CellOutcome {
  readonly cell: string;
  /** `UPDATED` (applied now), `CURRENT` (already had it: nothing done) or `FAILED`. */
  readonly status: 'UPDATED' | 'CURRENT' | 'FAILED';
  /** Attempts made in this run (0 when already current). */
  readonly attempts: number;
  /** The last error, when failed. */
  readonly error?: string;
}

/** The result of a fan-out run. */
export interface FanOutResult {
  /** The update fanned out (undefined when none was ever published). */
  readonly update?: UpdateRef;
  readonly outcomes: CellOutcome[];
  /** Cells that do not run the latest update after this run. */
  readonly cellsBehind: number;
}

/** Partition key of the item holding the latest published update. */
export const LATEST_KEY = '#latest';

/**
 * Brings every cell to the latest update: records `update` as the latest
 * when given (a new object under `updates/`), otherwise reads the latest
 * recorded one (the periodic re-run). Each cell not yet at that version gets
 * the update written to its parameter and its service redeployed, retried
 * up to `maxAttempts`; its outcome is recorded in the status table. Cells
 * already at the version are left alone, so re-running is harmless.
 */
export async function fanOut(clients: FanOutClients, config: FanOutConfig, update?: UpdateRef): Promise<FanOutResult> {
  const now = config.now ?? Date.now;
  let latest = update;
  if (latest) {
    await clients.ddb.send(new PutCommand({
      TableName: config.tableName,
      Item: { cell: LATEST_KEY, key: latest.key, version: latest.version, publishedAt: new Date(now()).toISOString() },
    }));
  } else {
    const got = await clients.ddb.send(new GetCommand({ TableName: config.tableName, Key: { cell: LATEST_KEY }, ConsistentRead: true }));
    if (!got.Item) return { outcomes: [], cellsBehind: 0 };
    latest = { key: String(got.Item.key), version: String(got.Item.version) };
  }
  const target = latest;
  const outcomes = await Promise.all(config.cells.map(cell => updateCell(clients, config, cell, target, now)));
  return { update: target, outcomes, cellsBehind: outcomes.filter(o => o.status === 'FAILED').length };
}

async function updateCell(clients: FanOutClients, config: FanOutConfig, cell: CellTarget, update: UpdateRef, now: () => number): Promise<CellOutcome> {
  const state = await clients.ddb.send(new GetCommand({ TableName: config.tableName, Key: { cell: cell.name }, ConsistentRead: true }));
  if (state.Item?.appliedVersion === update.version) {
    return { cell: cell.name, status: 'CURRENT', attempts: 0 };
  }
  const maxAttempts = config.maxAttempts ?? 3;
  let error = `no attempt made (maxAttempts ${maxAttempts})`;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      await clients.ssm.send(new PutParameterCommand({
        Name: cell.parameterName,
        Value: JSON.stringify({ bucket: config.bucketName, key: update.key, version: update.version }),
        Overwrite: true,
      }));
      await clients.ecs.send(new UpdateServiceCommand({ cluster: cell.cluster, service: cell.service, forceNewDeployment: true }));
      await clients.ddb.send(new PutCommand({
        TableName: config.tableName,
        Item: { cell: cell.name, status: 'UPDATED', appliedKey: update.key, appliedVersion: update.version, attempts: attempt, updatedAt: new Date(now()).toISOString() },
      }));
      return { cell: cell.name, status: 'UPDATED', attempts: attempt };
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  }
  await clients.ddb.send(new PutCommand({
    TableName: config.tableName,
    Item: {
      ...(state.Item ?? {}),
      cell: cell.name,
      status: 'FAILED',
      pendingVersion: update.version,
      lastError: error,
      attempts: maxAttempts,
      updatedAt: new Date(now()).toISOString(),
    },
  }));
  return { cell: cell.name, status: 'FAILED', attempts: maxAttempts, error };
}

/** An EventBridge event the fan-out receives: an S3 `Object Created` or the scheduled re-run. */
export interface FanOutEvent {
  readonly 'detail-type'?: string;
  readonly detail?: { object?: { key?: string; etag?: string; 'version-id'?: string } };
}

/** The update an event announces, or undefined for a scheduled re-run. */
export function updateFromEvent(event: FanOutEvent): UpdateRef | undefined {
  const object = event.detail?.object;
  if (event['detail-type'] !== 'Object Created' || !object?.key) return undefined;
  const version = object['version-id'] ?? object.etag;
  if (!version) throw new Error(`object ${object.key} has neither a version id nor an ETag`);
  return { key: object.key, version };
}

/** The CloudWatch embedded-metric-format line that publishes `CellsBehind`. */
export function cellsBehindMetricLine(namespace: string, fanOutName: string, result: FanOutResult, now: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['FanOut']], Metrics: [{ Name: 'CellsBehind', Unit: 'Count' }] }],
    },
    FanOut: fanOutName,
    CellsBehind: result.cellsBehind,
    outcomes: result.outcomes,
  });
}
