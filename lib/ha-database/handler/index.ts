import { RDSClient } from '@aws-sdk/client-rds';
import { PROBE_ENV } from '../../failover/probe-env';
import { sampleFor, sampleMetricLine } from '../../failover/sampling';
import { WRITER_PROBE_METRIC } from '../writer-probe-metric';
import { startPromotion } from './promotion';
import { checkPrimaryWriter } from './writer-probe';

// Clients created once: one per region; the primary's makes one attempt per sample (a timeout is the answer).
const clients = {
  local: new RDSClient({}),
  primary: new RDSClient({ region: requireEnv('PRIMARY_REGION'), maxAttempts: 1 }),
};

/** The parts of the events the function is invoked with. */
interface ProbeEvent {
  readonly 'detail-type'?: string;
  readonly detail?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
}

/**
 * The database's cross-region automation, in the secondary region:
 * - every minute (schedule): samples the primary writer (`checkPrimaryWriter`) every
 *   PROBE_INTERVAL_MS for PROBE_RUN_MS and publishes each sample (EMF, high resolution);
 * - the probe alarm entering ALARM: promotes the secondary (`FailoverGlobalCluster`, AllowDataLoss),
 *   unless it is already the writer or its promotion is under way.
 */
export async function handler(event: ProbeEvent): Promise<unknown> {
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
  if (event['detail-type'] === 'CloudWatch Alarm State Change' && event.detail?.state?.value === 'ALARM') {
    const result = await startPromotion(clients.local, target, true);
    console.log(JSON.stringify({ alarm: event.detail.alarmName, ...result }));
    return result;
  }
  return { skipped: `not a schedule or an ALARM state change (${event['detail-type'] ?? 'no detail-type'})` };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
