import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { RDSClient } from '@aws-sdk/client-rds';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { tcpConnect } from '../../failover/data-plane';
import { PROBE_ENV } from '../../failover/probe-env';
import { sampleFor, sampleMetricLine } from '../../failover/sampling';
import { WRITER_PROBE_METRIC } from '../writer-probe-metric';
import { promote, PromotionReason } from './promotion';
import { checkPrimaryWriter, EndpointCache } from './writer-probe';

// Clients created once: one per region; the primary's makes one attempt per sample (a timeout is the answer).
const ssm = new SSMClient({});
const rds = new RDSClient({});
const clients = {
  local: rds,
  primary: new RDSClient({ region: requireEnv('PRIMARY_REGION'), maxAttempts: 1 }),
  endpoints: parameterCache(ssm, requireEnv('ENDPOINT_PARAMETER')),
  connect: tcpConnect,
};
const promoterClients = {
  rds, cloudwatch: new CloudWatchClient({}), events: new EventBridgeClient({}),
  sample: () => checkPrimaryWriter(clients, {
    globalClusterIdentifier: requireEnv('GLOBAL_CLUSTER_ID'), targetClusterArn: requireEnv('TARGET_CLUSTER_ARN'),
    primaryClusterIdentifier: requireEnv('PRIMARY_CLUSTER_ID'), timeoutMs: Number(requireEnv(PROBE_ENV.TIMEOUT_MS)),
  }),
};

/** The parts of the events the function is invoked with. */
interface PromoterEvent {
  readonly 'detail-type'?: string;
  readonly 'detail'?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
  /** A consumer's request (`{ action: 'promote', requestedBy }`, invoked directly). */
  readonly 'action'?: string;
  readonly 'requestedBy'?: string;
  /** With `action: 'promote'`: a switchover only, never a failover with data loss (a graceful Region switch execution). */
  readonly 'switchoverOnly'?: boolean;
}

/**
 * The database's cross-region automation, in the secondary region, and the only automatic promoter of its global cluster:
 * - every minute (schedule): samples the primary writer (`checkPrimaryWriter`: data plane confirmed by the
 *   control plane) every PROBE_INTERVAL_MS for PROBE_RUN_MS and publishes each sample (EMF, high resolution);
 * - the probe alarm entering ALARM: promotes the secondary with data loss (`promote`, reason `alarm`);
 * - a consumer's request (`{ action: 'promote', requestedBy }`): promotes it, with data loss only if the probe
 *   alarm is in ALARM, else by a switchover (no data loss).
 * After a promotion it announces it on this region's default bus, so the writer's consumers follow.
 */
export async function handler(event: PromoterEvent): Promise<unknown> {
  const target = { globalClusterIdentifier: requireEnv('GLOBAL_CLUSTER_ID'), targetClusterArn: requireEnv('TARGET_CLUSTER_ARN') };
  if (event['detail-type'] === 'Scheduled Event') {
    const config = { ...target, primaryClusterIdentifier: requireEnv('PRIMARY_CLUSTER_ID'), timeoutMs: Number(requireEnv(PROBE_ENV.TIMEOUT_MS)) };
    const samples = await sampleFor(() => checkPrimaryWriter(clients, config), (sample, at) => {
      console.log(sampleMetricLine(WRITER_PROBE_METRIC, config.primaryClusterIdentifier, sample, at));
    }, {
      intervalMs: Number(requireEnv(PROBE_ENV.INTERVAL_MS)), runMs: Number(requireEnv(PROBE_ENV.RUN_MS)),
      now: () => Date.now(), sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    });
    return { samples: samples.length, unreachable: samples.filter(s => s.unreachable).length };
  }
  let reason: PromotionReason | undefined;
  let requestedBy = '';
  if (event['detail-type'] === 'CloudWatch Alarm State Change' && event.detail?.state?.value === 'ALARM') {
    reason = 'alarm';
    requestedBy = `alarm ${event.detail.alarmName ?? ''}`;
  } else if (event.action === 'promote') {
    reason = event.switchoverOnly === true ? 'switchover-request' : 'request';
    requestedBy = event.requestedBy ?? 'a direct invocation';
  }
  if (!reason) return { skipped: `not a schedule, an ALARM state change or a promotion request (${event['detail-type'] ?? event.action ?? 'no detail-type'})` };
  const result = await promote(promoterClients, {
    ...target,
    probeAlarmName: requireEnv('PROBE_ALARM_NAME'),
    timeoutSeconds: Number(requireEnv('PROMOTION_TIMEOUT_SECONDS')),
    pollSeconds: Number(requireEnv('PROMOTION_POLL_SECONDS')),
  }, reason, requestedBy);
  console.log(JSON.stringify({ requestedBy, ...result }));
  return result;
}

/** The writer endpoint kept in this region's SSM parameter (and in memory for the container's life). */
function parameterCache(client: SSMClient, name: string): EndpointCache {
  let known: string | undefined;
  return {
    async get() {
      if (known === undefined) {
        const value = (await client.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
        known = value && value.includes(':') ? value : undefined;
      }
      return known;
    },
    async set(endpoint: string) {
      known = endpoint;
      await client.send(new PutParameterCommand({ Name: name, Value: endpoint, Overwrite: true, Type: 'String' }));
    },
  };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
