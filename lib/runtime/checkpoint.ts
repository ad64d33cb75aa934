import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LeaseClient } from './lease';
import { MetricsSink, NoMetricsSink, RuntimeMetricNames } from './metrics';
import { CHECKPOINT_ATTRIBUTE_PREFIX, LeaseAttributes } from './protocol';


/** Options of a `CheckpointStore`. */
export interface CheckpointStoreOptions {
  /** DynamoDB client (AWS SDK v3). */
  readonly client: DynamoDBClient;
  /** The lease table (the checkpoints live on the lease item). */
  readonly tableName: string;
  /** The lease whose holder may write checkpoints. */
  readonly lease: LeaseClient;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default metrics discarded */
  readonly metrics?: MetricsSink;
}

/** Thrown when a checkpoint write is rejected because the writer is no longer the leader. */
export class CheckpointFencedError extends Error {
  constructor(leaseName: string, token: number | undefined) {
    super(`checkpoint of lease '${leaseName}' rejected: token ${token ?? '<none>'} is not the current leader's token; stop processing`);
    this.name = 'CheckpointFencedError';
    Object.setPrototypeOf(this, CheckpointFencedError.prototype);
  }
}

/**
 * Per-shard checkpoints stored on the lease item itself, so that a
 * checkpoint write is conditional, in one atomic single-item write, on the
 * stored fencing token being the writer's: a deposed leader writes nothing.
 */
export class CheckpointStore {
  private readonly clock: () => number;
  private readonly metrics: MetricsSink;

  constructor(private readonly options: CheckpointStoreOptions) {
    this.clock = options.clock ?? Date.now;
    this.metrics = options.metrics ?? new NoMetricsSink();
  }

  /** The last checkpointed sequence number of a shard (strongly consistent read), if any. */
  public async read(shardId: string): Promise<string | undefined> {
    const out = await this.options.client.send(new GetItemCommand({
      TableName: this.options.tableName,
      Key: { [LeaseAttributes.KEY]: { S: this.options.lease.leaseName } },
      ConsistentRead: true,
    }));
    return out.Item?.[CHECKPOINT_ATTRIBUTE_PREFIX + shardId]?.S;
  }

  /**
   * Records that every record of `shardId` up to `sequenceNumber` has its
   * result written. Fenced: fails with `CheckpointFencedError` unless the
   * lease item still carries this process's holder id and token.
   * @param recordArrivalMs arrival time of the checkpointed record, for the checkpoint lag metric
   */
  public async write(shardId: string, sequenceNumber: string, recordArrivalMs?: number): Promise<void> {
    const lease = this.options.lease;
    const token = lease.token;
    if (token === undefined || !lease.isValid()) throw new CheckpointFencedError(lease.leaseName, token);
    try {
      await this.options.client.send(new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { [LeaseAttributes.KEY]: { S: lease.leaseName } },
        UpdateExpression: 'SET #cp = :seq',
        ConditionExpression: '#holder = :me AND #token = :token',
        ExpressionAttributeNames: { '#cp': CHECKPOINT_ATTRIBUTE_PREFIX + shardId, '#holder': LeaseAttributes.HOLDER, '#token': LeaseAttributes.TOKEN },
        ExpressionAttributeValues: { ':seq': { S: sequenceNumber }, ':me': { S: lease.holderId }, ':token': { N: String(token) } },
      }));
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException') {
        lease.abandon();
        throw new CheckpointFencedError(lease.leaseName, token);
      }
      throw e;
    }
    if (recordArrivalMs !== undefined) {
      this.metrics.put(RuntimeMetricNames.CHECKPOINT_LAG, Math.max(0, this.clock() - recordArrivalMs), 'Milliseconds');
    }
  }
}
