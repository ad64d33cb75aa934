import { AttributeValue, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * Writes a result item only if no result with its key exists yet: the
 * idempotent write of the hot standby processing contract. Key results by
 * the input record (shard id + sequence number) so a record processed twice
 * (by a deposed leader, or again after a takeover from the last checkpoint)
 * still has exactly one result.
 * @returns true when this call wrote the result, false when it already existed
 */
export async function putResultOnce(client: DynamoDBClient, tableName: string, item: Record<string, AttributeValue>, keyAttribute = 'pk'): Promise<boolean> {
  try {
    await client.send(new PutItemCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: { '#key': keyAttribute },
    }));
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}
