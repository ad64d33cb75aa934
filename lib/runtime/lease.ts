import { randomUUID } from 'crypto';
import { hostname } from 'os';
import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EmfMetricsSink, MetricsSink, NoMetricsSink, RuntimeMetricNames } from './metrics';
import { LeaseAttributes, LeaseEnvironment } from './protocol';

/** Options of a `LeaseClient`. */
export interface LeaseClientOptions {
  /** DynamoDB client (AWS SDK v3). */
  readonly client: DynamoDBClient;
  /** Table holding the lease items (partition key `pk`, string). */
  readonly tableName: string;
  /** Name of the lease (the item's key). */
  readonly leaseName: string;
  /** Unique id of this process (e.g. the ECS task ARN). */
  readonly holderId: string;
  /** How long an acquisition or renewal holds the lease, in milliseconds. */
  readonly leaseDurationMs: number;
  /**
   * Largest difference between any two participants' clocks, in milliseconds.
   * A holder treats its lease as lost this much before the expiry; a contender
   * takes an expired lease only this much after it.
   */
  readonly maxClockSkewMs: number;
  /**
   * How often `keepAlive()` calls `acquire()`, in milliseconds.
   * @default a third of the lease duration
   */
  readonly renewIntervalMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default metrics discarded */
  readonly metrics?: MetricsSink;
  /**
   * The ECS task ARN of this process (undefined when unknown), recorded on
   * the lease item (`holderTask`) at each acquisition and removed on
   * release, so a drill can stop the lease holder's task. Called at each
   * acquisition attempt; an error counts as unknown.
   * @default no task recorded (`fromEnvironment()` reads it from the ECS task metadata endpoint when there is one)
   */
  readonly taskArn?: () => Promise<string | undefined>;
}

/** A holder id unique to this process: host name, process id and a random UUID. */
export function uniqueHolderId(): string {
  return `${hostname()}/${process.pid}/${randomUUID()}`;
}

/** The environment variable ECS sets to the task metadata endpoint (version 4) in every container. */
export const ECS_METADATA_ENVIRONMENT = 'ECS_CONTAINER_METADATA_URI_V4';

/**
 * The task ARN of this container's ECS task, read once from the task
 * metadata endpoint (`$ECS_CONTAINER_METADATA_URI_V4/task`, field
 * `TaskARN`): undefined outside ECS; a failed read is retried at the next call.
 */
export function ecsTaskArn(env: Record<string, string | undefined> = process.env,
  get: (url: string) => Promise<{ ok: boolean; json(): Promise<unknown> }> = url => fetch(url, { signal: AbortSignal.timeout(2_000) })): () => Promise<string | undefined> {
  let known: string | undefined;
  return async () => {
    const uri = env[ECS_METADATA_ENVIRONMENT];
    if (known !== undefined || !uri) return known;
    const res = await get(`${uri}/task`);
    const arn = res.ok ? (await res.json() as { TaskARN?: unknown }).TaskARN : undefined;
    known = typeof arn === 'string' && arn.startsWith('arn:') ? arn : undefined;
    return known;
  };
}

/** Stops a `keepAlive()` loop. */
export interface KeepAlive {
  /** Stops renewing and, unless `release` is false, releases the lease. */
  stop(release?: boolean): Promise<void>;
}

/** Thrown by `assertValid()` when this process does not hold a valid lease. */
export class LeaseLostError extends Error {
  constructor(leaseName: string) {
    super(`lease '${leaseName}' is not held (lost, expired or never acquired): do not act`);
    this.name = 'LeaseLostError';
    Object.setPrototypeOf(this, LeaseLostError.prototype);
  }
}

/** The parts of a fenced DynamoDB update on a resource item. */
export interface FencedUpdate {
  /** Append to the update's condition with AND. */
  readonly conditionExpression: string;
  /** Append to the update's SET clause (comma-separated). */
  readonly setExpression: string;
  readonly expressionAttributeNames: Record<string, string>;
  readonly expressionAttributeValues: Record<string, { N: string }>;
}

/**
 * The condition and SET clause that fence a write to a resource item with a
 * lease token: the write succeeds only if no newer token wrote the item
 * before, and records its token. Use it for side effects in DynamoDB.
 */
export function fencedUpdate(token: number, attribute = 'fencingToken'): FencedUpdate {
  return {
    conditionExpression: '(attribute_not_exists(#haFence) OR #haFence <= :haFence)',
    setExpression: '#haFence = :haFence',
    expressionAttributeNames: { '#haFence': attribute },
    expressionAttributeValues: { ':haFence': { N: String(token) } },
  };
}

/**
 * Client of the lease protocol: a lease item per name in a DynamoDB table,
 * taken and renewed by conditional writes only (no transactions), with a
 * fencing token that grows on every acquisition.
 *
 * Call `acquire()` every renew interval (it renews once held), `isValid()` or
 * `assertValid()` before every side effect, `release()` on shutdown.
 */
export class LeaseClient {
  /**
   * A client configured from the environment the constructs set
   * (`HA_LEASE_TABLE_NAME`, `HA_LEASE_NAME`, `HA_LEASE_DURATION_MS`,
   * `HA_LEASE_MAX_CLOCK_SKEW_MS`, `HA_LEASE_RENEW_INTERVAL_MS`), publishing
   * EMF metrics on stdout unless `metrics` says otherwise. In an ECS task
   * (`ECS_CONTAINER_METADATA_URI_V4` set) it records the task's ARN on the
   * lease item while it holds the lease (`holderTask`).
   */
  public static fromEnvironment(client: DynamoDBClient, holderId: string, env: Record<string, string | undefined> = process.env, metrics?: MetricsSink): LeaseClient {
    const need = (key: string) => {
      const v = env[key];
      if (!v) throw new Error(`environment variable ${key} is not set`);
      return v;
    };
    const tableName = need(LeaseEnvironment.TABLE_NAME);
    const leaseName = need(LeaseEnvironment.LEASE_NAME);
    return new LeaseClient({
      client,
      tableName,
      leaseName,
      holderId,
      leaseDurationMs: Number(need(LeaseEnvironment.DURATION_MS)),
      maxClockSkewMs: Number(need(LeaseEnvironment.MAX_CLOCK_SKEW_MS)),
      renewIntervalMs: env[LeaseEnvironment.RENEW_INTERVAL_MS] ? Number(env[LeaseEnvironment.RENEW_INTERVAL_MS]) : undefined,
      metrics: metrics ?? new EmfMetricsSink({ TableName: tableName, LeaseName: leaseName }),
      taskArn: env[ECS_METADATA_ENVIRONMENT] ? ecsTaskArn(env) : undefined,
    });
  }

  /** The lease name. */
  public readonly leaseName: string;
  /** This process's id. */
  public readonly holderId: string;

  private readonly options: LeaseClientOptions;
  private readonly clock: () => number;
  private readonly metrics: MetricsSink;
  private heldToken?: number;
  private validUntil = 0;

  constructor(options: LeaseClientOptions) {
    if (!(options.leaseDurationMs > 2 * options.maxClockSkewMs)) {
      throw new Error(`leaseDurationMs (${options.leaseDurationMs}) must exceed twice maxClockSkewMs (${options.maxClockSkewMs})`);
    }
    this.options = options;
    this.leaseName = options.leaseName;
    this.holderId = options.holderId;
    this.clock = options.clock ?? Date.now;
    this.metrics = options.metrics ?? new NoMetricsSink();
  }

  /** The fencing token of the lease this process holds or last held, if any. */
  public get token(): number | undefined {
    return this.heldToken;
  }

  /** Local time (ms) until which this process may act. */
  public get validUntilMs(): number {
    return this.heldToken === undefined ? 0 : this.validUntil;
  }

  /** Whether this process holds the lease and may act now (local time < expiry - skew). */
  public isValid(): boolean {
    return this.heldToken !== undefined && this.clock() < this.validUntil;
  }

  /** Returns the token when the lease is valid now; throws `LeaseLostError` otherwise. */
  public assertValid(): number {
    if (!this.isValid()) throw new LeaseLostError(this.leaseName);
    return this.heldToken!;
  }

  /**
   * Takes the lease when it is free or expired (expiry + skew passed by
   * this clock), or renews it when this process holds it.
   * @returns whether this process holds the lease afterwards
   */
  public async acquire(): Promise<boolean> {
    const held = this.heldToken !== undefined ? await this.renew() : await this.take();
    this.metrics.put(RuntimeMetricNames.HELD, held && this.isValid() ? 1 : 0, 'Count');
    return held;
  }

  /**
   * Extends the lease this process holds (conditional on holder and token).
   * @returns false (and forgets the token) when the lease was taken by another
   */
  public async renew(): Promise<boolean> {
    const token = this.heldToken;
    if (token === undefined) return false;
    const sentAt = this.clock();
    const ok = await this.conditional(new UpdateItemCommand({
      TableName: this.options.tableName,
      Key: { [LeaseAttributes.KEY]: { S: this.leaseName } },
      UpdateExpression: 'SET #exp = :exp',
      ConditionExpression: '#holder = :me AND #token = :token',
      ExpressionAttributeNames: { '#exp': LeaseAttributes.EXPIRES_AT, '#holder': LeaseAttributes.HOLDER, '#token': LeaseAttributes.TOKEN },
      ExpressionAttributeValues: {
        ':exp': { N: String(sentAt + this.options.leaseDurationMs) },
        ':me': { S: this.holderId },
        ':token': { N: String(token) },
      },
    }));
    if (!ok) {
      this.heldToken = undefined;
      this.validUntil = 0;
      return false;
    }
    this.validUntil = sentAt + this.options.leaseDurationMs - this.options.maxClockSkewMs;
    this.metrics.put(RuntimeMetricNames.HEARTBEAT, 1, 'Count');
    return true;
  }

  /** Gives the lease up (conditional on holder and token) so a contender can take it at once. */
  public async release(): Promise<void> {
    const token = this.heldToken;
    this.heldToken = undefined;
    this.validUntil = 0;
    if (token === undefined) return;
    await this.conditional(new UpdateItemCommand({
      TableName: this.options.tableName,
      Key: { [LeaseAttributes.KEY]: { S: this.leaseName } },
      UpdateExpression: `SET #exp = :zero REMOVE #holder${this.options.taskArn ? ', #task' : ''}`,
      ConditionExpression: '#holder = :me AND #token = :token',
      ExpressionAttributeNames: {
        '#exp': LeaseAttributes.EXPIRES_AT, '#holder': LeaseAttributes.HOLDER, '#token': LeaseAttributes.TOKEN,
        ...(this.options.taskArn ? { '#task': LeaseAttributes.HOLDER_TASK } : {}),
      },
      ExpressionAttributeValues: { ':zero': { N: '0' }, ':me': { S: this.holderId }, ':token': { N: String(token) } },
    }));
  }

  /**
   * Calls `acquire()` every renew interval in the background (errors are
   * passed to `onError` and retried at the next interval).
   */
  public keepAlive(onError: (e: unknown) => void = e => console.error(e)): KeepAlive {
    const interval = this.options.renewIntervalMs ?? Math.floor(this.options.leaseDurationMs / 3);
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      if (stopped) return;
      running = this.acquire().catch(onError).finally(() => {
        if (!stopped) timer = setTimeout(tick, interval);
      });
    };
    tick();
    return {
      stop: async (release = true) => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await running;
        if (release) await this.release();
      },
    };
  }

  /** Forgets the lease locally without writing (a process that knows it must stop acting). */
  public abandon(): void {
    this.heldToken = undefined;
    this.validUntil = 0;
  }

  private async take(): Promise<boolean> {
    // A client that knows its task records it, or removes a stale one (a holder that died without releasing).
    const task = this.options.taskArn ? await this.options.taskArn().catch(() => undefined) : undefined;
    const recordTask = this.options.taskArn ? (task ? ', #task = :task' : ' REMOVE #task') : '';
    const sentAt = this.clock();
    let attributes: Record<string, { N?: string }> | undefined;
    const ok = await this.conditional(new UpdateItemCommand({
      TableName: this.options.tableName,
      Key: { [LeaseAttributes.KEY]: { S: this.leaseName } },
      UpdateExpression: task ? `SET #holder = :me, #exp = :exp${recordTask} ADD #token :one` : `SET #holder = :me, #exp = :exp ADD #token :one${recordTask}`,
      ConditionExpression: 'attribute_not_exists(#exp) OR #exp < :cutoff',
      ExpressionAttributeNames: {
        '#exp': LeaseAttributes.EXPIRES_AT, '#holder': LeaseAttributes.HOLDER, '#token': LeaseAttributes.TOKEN,
        ...(this.options.taskArn ? { '#task': LeaseAttributes.HOLDER_TASK } : {}),
      },
      ExpressionAttributeValues: {
        ':me': { S: this.holderId },
        ':exp': { N: String(sentAt + this.options.leaseDurationMs) },
        ':cutoff': { N: String(sentAt - this.options.maxClockSkewMs) },
        ':one': { N: '1' },
        ...(task ? { ':task': { S: task } } : {}),
      },
      ReturnValues: 'ALL_NEW',
    }), out => { attributes = out; });
    if (!ok || !attributes) return false;
    this.heldToken = Number(attributes[LeaseAttributes.TOKEN]!.N);
    this.validUntil = sentAt + this.options.leaseDurationMs - this.options.maxClockSkewMs;
    this.metrics.put(RuntimeMetricNames.ACQUIRED, 1, 'Count');
    this.metrics.put(RuntimeMetricNames.HEARTBEAT, 1, 'Count');
    return true;
  }

  /** Sends a conditional write; false when the condition failed. */
  private async conditional(command: UpdateItemCommand, onAttributes?: (a: Record<string, { N?: string }>) => void): Promise<boolean> {
    try {
      const out = await this.options.client.send(command);
      if (onAttributes && out.Attributes) onAttributes(out.Attributes as Record<string, { N?: string }>);
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }
}
