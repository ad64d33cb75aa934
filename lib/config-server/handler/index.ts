import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { Route53Client } from '@aws-sdk/client-route-53';
import { StepResult, turnOnStandby } from './turn-on';

const clients = { ecs: new ECSClient({}), route53: new Route53Client({}), dynamodb: new DynamoDBClient({}) };

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
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
  });
  console.log(JSON.stringify({ message: 'cold standby turned on', steps }));
  return { steps };
}
