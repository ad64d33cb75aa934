import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CellTarget, cellsBehindMetricLine, fanOut, FanOutEvent, FanOutResult, updateFromEvent } from './fan-out';

const clients = {
  ssm: new SSMClient({}),
  ecs: new ECSClient({}),
  ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})),
};

/**
 * Update fan-out: an object created under `updates/` (or the scheduled
 * re-run) brings every cell to the latest update. Fails the invocation while
 * a cell is behind, so Lambda's asynchronous retries run it again.
 */
export async function handler(event: FanOutEvent): Promise<FanOutResult> {
  const result = await fanOut(clients, {
    bucketName: env('BUCKET_NAME'),
    tableName: env('TABLE_NAME'),
    cells: JSON.parse(env('CELLS')) as CellTarget[],
  }, updateFromEvent(event));
  console.log(cellsBehindMetricLine(env('METRIC_NAMESPACE'), env('FAN_OUT_NAME'), result, Date.now()));
  if (result.cellsBehind > 0) {
    const failed = result.outcomes.filter(o => o.status === 'FAILED').map(o => `${o.cell} (${o.error})`);
    throw new Error(`update ${result.update?.key} not applied to ${failed.join(', ')}`);
  }
  return result;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
