import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { StepResult, TurnOnDatabase, turnOnStandby } from './turn-on';

const clients = {
  ecs: new ECSClient({}),
  route53: new Route53Client({}),
  dynamodb: new DynamoDBClient({}),
  // Only with an HaDatabase store.
  rds: process.env.GLOBAL_CLUSTER_ID ? new RDSClient({}) : undefined,
};

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

function database(): TurnOnDatabase | undefined {
  if (!process.env.GLOBAL_CLUSTER_ID) return undefined;
  return {
    globalClusterIdentifier: env('GLOBAL_CLUSTER_ID'),
    targetClusterArn: env('TARGET_CLUSTER_ARN'),
    allowDataLoss: env('ALLOW_DATA_LOSS') === 'true',
    timeoutSeconds: Number(env('PROMOTION_TIMEOUT_SECONDS')),
    pollSeconds: Number(env('PROMOTION_POLL_SECONDS')),
  };
}

/** Invoked by hand (`aws lambda invoke`) or by an alarm/SNS event: the event's content is not used. */
export async function handler(): Promise<{ steps: StepResult[] }> {
  const steps = await turnOnStandby(clients, {
    cluster: env('CLUSTER'),
    service: env('SERVICE'),
    desiredCount: Number(env('DESIRED_COUNT')),
    hostedZoneId: env('HOSTED_ZONE_ID'),
    recordName: env('RECORD_NAME'),
    targetDnsName: env('TARGET_DNS_NAME'),
    ttl: Number(env('TTL')),
    tableName: env('TABLE_NAME'),
    writerKey: env('WRITER_KEY'),
    region: env('AWS_REGION'),
    database: database(),
  });
  console.log(JSON.stringify({ message: 'cold standby turned on', steps }));
  return { steps };
}
