/**
 * Failback for launchers with a preferred holder (a warm standby pair's
 * primary): the smallest addition to the lease protocol. A preferred
 * launcher that finds the lease held by another writes a claim on the lease
 * item (two attributes beside the lease's); the holder's launcher reads the
 * item after each renewal and, finding a live claim by another, gives the
 * lease back: it exits without renewing again, its task stops, and the lease
 * lapses by the launcher's bound (the holder's program is dead before anyone
 * can take it), so the claimant takes it. The lease's own attributes and
 * conditions are untouched: a `LeaseClient` that knows nothing of claims
 * keeps working beside them.
 */
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LeaseAttributes } from './protocol';

/** Attribute names of a claim on a lease item. */
export const LeaseClaimAttributes = {
  /** (S) holder id of the launcher that claims the lease. */
  CLAIMANT: 'claimant',
  /** (N) when it last wrote the claim, epoch milliseconds by its clock. */
  CLAIMED_AT: 'claimedAt',
} as const;

/** Options of a `LeaseClaim`. */
export interface LeaseClaimOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly leaseName: string;
  /** The holder id of this process (as its `LeaseClient`'s). */
  readonly holderId: string;
  /**
   * How long a claim stays live after it was written: the claimant rewrites
   * it every renew interval while it waits, so 2 x renewInterval + maxClockSkew
   * tolerates one missed write, and a claimant that died stops counting soon.
   */
  readonly claimTtlMs: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** Writes, reads and clears claims on one lease item. */
export class LeaseClaim {
  private readonly clock: () => number;

  constructor(private readonly options: LeaseClaimOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** The claim TTL for a lease's renew interval and clock skew: 2R + S. */
  public static ttlMs(renewIntervalMs: number, maxClockSkewMs: number): number {
    return 2 * renewIntervalMs + maxClockSkewMs;
  }

  /**
   * Claims the lease when another process holds it (refreshing this
   * process's claim); false when nobody else holds it (nothing to claim).
   */
  public async claim(): Promise<boolean> {
    return this.conditional(new UpdateItemCommand({
      TableName: this.options.tableName,
      Key: { [LeaseAttributes.KEY]: { S: this.options.leaseName } },
      UpdateExpression: 'SET #claimant = :me, #claimedAt = :now',
      ConditionExpression: 'attribute_exists(#holder) AND #holder <> :me',
      ExpressionAttributeNames: { '#claimant': LeaseClaimAttributes.CLAIMANT, '#claimedAt': LeaseClaimAttributes.CLAIMED_AT, '#holder': LeaseAttributes.HOLDER },
      ExpressionAttributeValues: { ':me': { S: this.options.holderId }, ':now': { N: String(this.clock()) } },
    }));
  }

  /** Whether another process holds a live claim (written within the claim TTL, by this clock). */
  public async isClaimedByAnother(): Promise<boolean> {
    const out = await this.options.client.send(new GetItemCommand({
      TableName: this.options.tableName,
      Key: { [LeaseAttributes.KEY]: { S: this.options.leaseName } },
      ConsistentRead: true,
      ProjectionExpression: '#claimant, #claimedAt',
      ExpressionAttributeNames: { '#claimant': LeaseClaimAttributes.CLAIMANT, '#claimedAt': LeaseClaimAttributes.CLAIMED_AT },
    }));
    const claimant = out.Item?.[LeaseClaimAttributes.CLAIMANT]?.S;
    const claimedAt = Number(out.Item?.[LeaseClaimAttributes.CLAIMED_AT]?.N ?? NaN);
    return claimant !== undefined && claimant !== this.options.holderId && claimedAt + this.options.claimTtlMs >= this.clock();
  }

  /** Removes this process's claim (once it holds the lease); nothing when the claim is another's or gone. */
  public async clear(): Promise<void> {
    await this.conditional(new UpdateItemCommand({
      TableName: this.options.tableName,
      Key: { [LeaseAttributes.KEY]: { S: this.options.leaseName } },
      UpdateExpression: 'REMOVE #claimant, #claimedAt',
      ConditionExpression: '#claimant = :me',
      ExpressionAttributeNames: { '#claimant': LeaseClaimAttributes.CLAIMANT, '#claimedAt': LeaseClaimAttributes.CLAIMED_AT },
      ExpressionAttributeValues: { ':me': { S: this.options.holderId } },
    }));
  }

  private async conditional(command: UpdateItemCommand): Promise<boolean> {
    try {
      await this.options.client.send(command);
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }
}
