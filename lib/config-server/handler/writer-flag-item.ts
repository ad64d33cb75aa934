import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

/** The writer flag's item: the store's table (a replica's) and its partition key value. */
export interface FlagItem {
  readonly tableName: string;
  readonly writerKey: string;
}

/** The writer flag in one replica (consistent read): its region, the writer a handover fenced, the region it failed back from. */
export async function readFlag(
  dynamodb: DynamoDBClient, config: FlagItem,
): Promise<{ region?: string; from?: string; failedBackFrom?: string }> {
  const item = await dynamodb.send(new GetItemCommand({ TableName: config.tableName, Key: { pk: { S: config.writerKey } }, ConsistentRead: true }));
  return { region: item.Item?.region?.S, from: item.Item?.from?.S, failedBackFrom: item.Item?.failedBackFrom?.S };
}

/** Sets the writer flag in one replica to `region` (since `at`), with `extra` string attributes. */
export async function writeFlag(
  dynamodb: DynamoDBClient, config: FlagItem, region: string, at: Date, extra: Record<string, string>,
): Promise<void> {
  await dynamodb.send(new PutItemCommand({
    TableName: config.tableName,
    Item: {
      pk: { S: config.writerKey }, region: { S: region }, since: { S: at.toISOString() },
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, { S: v }])),
    },
  }));
}
