import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { readFlag } from './writer-flag-item';

/** The standby server and the writer flag, as the standby region's function sees them. */
export interface ReturnToColdConfig {
  /** ECS cluster of the standby server. */
  readonly cluster: string;
  /** ECS service of the standby server. */
  readonly service: string;
  /** The store's local replica. */
  readonly tableName: string;
  /** Partition key value of the writer flag item. */
  readonly writerKey: string;
  /** The primary region. */
  readonly primaryRegion: string;
  /** This (the standby) region. */
  readonly region: string;
}

/**
 * The standby goes cold again once the configuration server has failed back: when the local replica's
 * writer flag names the primary region and says it failed back from this region (only the failback
 * writes that; a turn-on overwrites it), the standby server is scaled to 0 tasks. Anything else
 * (no failback, a turn-on under way, the flag being handed over) leaves the standby as it is.
 */
export async function returnToCold(clients: { ecs: ECSClient; dynamodb: DynamoDBClient }, config: ReturnToColdConfig): Promise<{ changed: boolean; detail: string }> {
  const flag = await readFlag(clients.dynamodb, config);
  if (flag.region !== config.primaryRegion || flag.failedBackFrom !== config.region) {
    return { changed: false, detail: `writer ${flag.region ?? '(unset)'}${flag.failedBackFrom ? `, failed back from ${flag.failedBackFrom}` : ''}: no failback from ${config.region}` };
  }
  const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: config.cluster, services: [config.service] }));
  const desired = described.services?.[0]?.desiredCount ?? 0;
  if (desired === 0) return { changed: false, detail: 'standby already at 0 tasks' };
  await clients.ecs.send(new UpdateServiceCommand({ cluster: config.cluster, service: config.service, desiredCount: 0 }));
  return { changed: true, detail: `failed back to ${config.primaryRegion}: standby ${desired} -> 0 task(s)` };
}
