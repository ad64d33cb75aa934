import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { PROBE_ENV } from '../../failover/probe-env';
import { sampleFor, sampleMetricLine } from '../../failover/sampling';
import { SERVER_PROBE_METRIC } from '../server-probe-metric';
import { checkPrimaryServer } from './server-probe';
import { StepResult, TurnOnDatabase, turnOnStandby } from './turn-on';

const clients = {
  ecs: new ECSClient({}),
  route53: new Route53Client({}),
  dynamodb: new DynamoDBClient({}),
  // Only with an HaDatabase store.
  rds: process.env.GLOBAL_CLUSTER_ID ? new RDSClient({}) : undefined,
};
// The primary region's ECS endpoint, for the probe: one attempt per sample (a timeout is the answer).
const primaryEcs = new ECSClient({ region: env('PRIMARY_REGION'), maxAttempts: 1 });

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

/** The parts of the events the function is invoked with. */
interface ConfigEvent {
  readonly 'detail-type'?: string;
  readonly detail?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
}

/**
 * - every minute (schedule): samples the live server in the primary region every PROBE_INTERVAL_MS
 *   for PROBE_RUN_MS and publishes each sample (EMF, high resolution);
 * - the probe alarm entering ALARM (autoTurnOn), or by hand (`aws lambda invoke`, any other event):
 *   turns the standby on. An alarm state change other than ALARM is ignored.
 */
export async function handler(event: ConfigEvent = {}): Promise<unknown> {
  if (event['detail-type'] === 'Scheduled Event') {
    const config = { cluster: env('PRIMARY_CLUSTER'), service: env('PRIMARY_SERVICE'), timeoutMs: Number(env(PROBE_ENV.TIMEOUT_MS)) };
    const samples = await sampleFor(() => checkPrimaryServer(primaryEcs, config), (sample, at) => {
      console.log(sampleMetricLine(SERVER_PROBE_METRIC, config.service, sample, at));
    }, {
      intervalMs: Number(env(PROBE_ENV.INTERVAL_MS)), runMs: Number(env(PROBE_ENV.RUN_MS)),
      now: () => Date.now(), sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    });
    return { samples: samples.length, unreachable: samples.filter(s => s.unreachable).length };
  }
  if (event['detail-type'] === 'CloudWatch Alarm State Change' && event.detail?.state?.value !== 'ALARM') {
    return { skipped: `alarm state ${event.detail?.state?.value ?? 'unknown'}` };
  }
  const steps: StepResult[] = await turnOnStandby(clients, {
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
  console.log(JSON.stringify({ message: 'cold standby turned on', alarm: event.detail?.alarmName, steps }));
  return { steps };
}
