/**
 * Runtime guard for configuration servers (imported by the servers' own
 * code as `cdk-ha-patterns/lib/config-server/writer-guard`; not re-exported
 * from the package root, which must not load the AWS SDK).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { WRITER_FLAG_KEY } from './writer-flag';

export { WRITER_FLAG_KEY };

/** Where `assertWriter` looks. */
export interface WriterGuardOptions {
  /** The store's table name (the local replica in this region). */
  readonly tableName: string;
  /** This process's region. */
  readonly region: string;
  /** The writer region while no flag is set: the primary region. */
  readonly primaryRegion: string;
}

/** Thrown when a configuration write arrives where writes are not accepted (degraded mode). */
export class WritesRefusedError extends Error {
  constructor(public readonly region: string, public readonly writerRegion: string) {
    super(`configuration writes are refused in ${region}: the active writer region is ${writerRegion}. ` +
      'Reads keep working from the local replica. If that region is lost, turn on the cold standby (its TurnOn function) to accept writes here.');
    this.name = 'WritesRefusedError';
  }
}

/** The active writer region: the flag item's region, or the primary region while none is set. */
export async function activeWriterRegion(client: DynamoDBClient, options: WriterGuardOptions): Promise<string> {
  const out = await client.send(new GetItemCommand({ TableName: options.tableName, Key: { pk: { S: WRITER_FLAG_KEY } }, ConsistentRead: true }));
  return out.Item?.region?.S ?? options.primaryRegion;
}

/**
 * For configuration servers (in their own image): resolves when this region is
 * the active writer, throws `WritesRefusedError` otherwise.
 */
export async function assertWriter(client: DynamoDBClient, options: WriterGuardOptions): Promise<void> {
  const writer = await activeWriterRegion(client, options);
  if (writer !== options.region) throw new WritesRefusedError(options.region, writer);
}
