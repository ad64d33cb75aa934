import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { httpCheck } from '../../failover/data-plane';
import { handleInitialCount, InitialCountRequest } from '../../failover/initial-count';
import { PROBE_ENV } from '../../failover/probe-env';
import { sampleFor, sampleMetricLine } from '../../failover/sampling';
import { PROMOTED_EVENT } from '../../ha-database/handler/promotion';
import { SERVER_PROBE_METRIC } from '../server-probe-metric';
import { failBack, FailBackConfig } from './fail-back';
import { returnToCold } from './return-to-cold';
import { checkPrimaryServer } from './server-probe';
import { StepResult, TurnOnDatabase, turnOnStandby } from './turn-on';

const withDatabase = Boolean(process.env.GLOBAL_CLUSTER_ID);
const clients = {
  ecs: new ECSClient({}),
  route53: new Route53Client({}),
  dynamodb: new DynamoDBClient({}),
  // Only with an HaDatabase store: the turn-on asks its promoter and watches the global cluster.
  rds: withDatabase ? new RDSClient({}) : undefined,
  lambda: withDatabase ? new LambdaClient({}) : undefined,
};
// The primary region's ECS endpoint, for the probe: one attempt per sample (a timeout is the answer).
const primaryEcs = new ECSClient({ region: env('PRIMARY_REGION'), maxAttempts: 1 });

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

function database(switchoverOnly: boolean): TurnOnDatabase | undefined {
  if (!process.env.GLOBAL_CLUSTER_ID) return undefined;
  return {
    switchoverOnly,
    globalClusterIdentifier: env('GLOBAL_CLUSTER_ID'),
    targetClusterArn: env('TARGET_CLUSTER_ARN'),
    promoterFunction: env('PROMOTER_FUNCTION'),
    requestedBy: `configuration server turn-on in ${env('AWS_REGION')}`,
    timeoutSeconds: Number(env('PROMOTION_TIMEOUT_SECONDS')),
    pollSeconds: Number(env('PROMOTION_POLL_SECONDS')),
  };
}

/** The failback's settings (the failback function in the primary region: `FAIL_BACK` set). */
export function failBackConfig(): FailBackConfig {
  return {
    cluster: env('CLUSTER'), service: env('SERVICE'), desiredCount: Number(env('DESIRED_COUNT')),
    hostedZoneId: env('HOSTED_ZONE_ID'), recordName: env('RECORD_NAME'), targetDnsName: env('TARGET_DNS_NAME'), ttl: Number(env('TTL')),
    tableName: env('TABLE_NAME'), writerKey: env('WRITER_KEY'), region: env('AWS_REGION'), standbyRegion: env('STANDBY_REGION'),
    drainSeconds: Number(env('DRAIN_SECONDS')), replicationTimeoutSeconds: Number(env('REPLICATION_TIMEOUT_SECONDS')), pollSeconds: Number(env('POLL_SECONDS')),
    database: process.env.GLOBAL_CLUSTER_ID ? {
      globalClusterIdentifier: env('GLOBAL_CLUSTER_ID'), targetClusterArn: env('TARGET_CLUSTER_ARN'), timeoutSeconds: Number(env('SWITCHOVER_TIMEOUT_SECONDS')),
    } : undefined,
  };
}

/** The parts of the events the function is invoked with. */
interface ConfigEvent {
  readonly 'detail-type'?: string;
  readonly 'source'?: string;
  readonly 'detail'?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
  /** A CloudFormation custom resource request (the standby's initial task count). */
  readonly 'RequestType'?: string;
  /** A Region switch step's payload: `switchover-only` (the step of a plan: graceful executions never lose data). */
  readonly 'promotion'?: string;
  /** Region switch's execution metadata (merged into the payload): present when a plan execution invokes the function. */
  readonly 'ExecutionId'?: string;
}

/**
 * Whether the turn-on may only ask for a switchover: when a Region switch execution runs it (its step's
 * payload says so, or Region switch's metadata is there). Region switch's event does not say whether the
 * execution is graceful, so the plan's turn-on never asks for a failover with data loss.
 */
export function switchoverOnly(event: ConfigEvent): boolean {
  return event.promotion === 'switchover-only' || event.ExecutionId !== undefined;
}

/**
 * - in the failback function (primary region, `FAIL_BACK`): any event fails the server back (fail-back.ts);
 * - every minute (schedule): after a failback to the primary region (the writer flag says so),
 *   scales the standby server back to 0; then samples the live server in the primary region every PROBE_INTERVAL_MS
 *   for PROBE_RUN_MS (its health check through the writer name, confirmed by the primary region's
 *   ECS API) and publishes each sample (EMF, high resolution);
 * - the standby service's initial task count (a CloudFormation custom resource): 0 when created,
 *   never lowered by a later deploy, so a deploy during an incident keeps the turn-on's count;
 * - the probe alarm entering ALARM (autoTurnOn), the database's promoter announcing a promotion
 *   (the writer moved: the configuration server follows), or by hand (`aws lambda invoke`, any
 *   other event): turns the standby on. An alarm state change other than ALARM is ignored.
 */
export async function handler(event: ConfigEvent = {}): Promise<unknown> {
  if (process.env.FAIL_BACK === 'true') {
    // The failback function (primary region): any event fails back; it fences the writer flag in the standby region's replica.
    const steps = await failBack({ ...clients, standbyDynamodb: new DynamoDBClient({ region: env('STANDBY_REGION') }) }, failBackConfig());
    console.log(JSON.stringify({ message: 'configuration server failed back', steps }));
    return { steps };
  }
  if (event['detail-type'] === 'Scheduled Event') {
    // After a failback, the standby goes cold again: checked beside the probe, which it neither delays nor stops when it fails.
    const returning = returnToCold(clients, {
      cluster: env('CLUSTER'), service: env('SERVICE'), tableName: env('TABLE_NAME'), writerKey: env('WRITER_KEY'),
      primaryRegion: env('PRIMARY_REGION'), region: env('AWS_REGION'),
    }).catch((e: unknown) => ({ changed: false, detail: `return-to-cold check failed: ${String(e)}` }));
    const config = {
      cluster: env('PRIMARY_CLUSTER'), service: env('PRIMARY_SERVICE'), url: env('WRITER_HEALTH_URL'), timeoutMs: Number(env(PROBE_ENV.TIMEOUT_MS)),
    };
    const samples = await sampleFor(() => checkPrimaryServer(primaryEcs, config, (url, timeoutMs) => httpCheck(url, timeoutMs)), (sample, at) => {
      console.log(sampleMetricLine(SERVER_PROBE_METRIC, config.service, sample, at));
    }, {
      intervalMs: Number(env(PROBE_ENV.INTERVAL_MS)), runMs: Number(env(PROBE_ENV.RUN_MS)),
      now: () => Date.now(), sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    });
    const cold = await returning;
    if (cold.changed) console.log(JSON.stringify({ message: 'standby returned to cold', ...cold }));
    return { samples: samples.length, unreachable: samples.filter(s => s.unreachable).length, cold };
  }
  if (event.RequestType) {
    const outcome = await handleInitialCount(clients.ecs, event as unknown as InitialCountRequest);
    console.log(JSON.stringify(outcome));
    return outcome.result;
  }
  if (event['detail-type'] === 'CloudWatch Alarm State Change' && event.detail?.state?.value !== 'ALARM') {
    return { skipped: `alarm state ${event.detail?.state?.value ?? 'unknown'}` };
  }
  const cause = event['detail-type'] === PROMOTED_EVENT.detailType && event.source === PROMOTED_EVENT.source
    ? 'the database was promoted to this region' : event.detail?.alarmName;
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
    database: database(switchoverOnly(event)),
  });
  console.log(JSON.stringify({ message: 'cold standby turned on', cause, steps }));
  return { steps };
}
