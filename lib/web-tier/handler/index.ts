import { ECSClient } from '@aws-sdk/client-ecs';
import { handleInitialCount, InitialCountRequest, InitialCountResult } from '../../failover/initial-count';
import { probeMetricLine, probeSite, ProbeSiteResult } from './probe-site';
import { AlarmStateChangeEvent, isFailoverStart, scaleBack, ScaleBackResult, scaleSpare, ScaleSpareResult } from './scale-spare';

const ecs = new ECSClient({});

/** A scheduled EventBridge event: time to probe the watched site. */
interface ScheduledEvent {
  readonly 'detail-type': 'Scheduled Event';
}

/** The failback's request (the failback workflow of the tier's Region switch plan, or by hand): scale the spare back. */
interface ScaleBackEvent {
  readonly action: 'scale-back';
}

type SpareEvent = AlarmStateChangeEvent | ScheduledEvent | InitialCountRequest | ScaleBackEvent;

function isScaleBack(event: SpareEvent): event is ScaleBackEvent {
  return 'action' in event && event.action === 'scale-back';
}

/** Checks of the primary site in a row before the spare scales back. */
const SCALE_BACK_CHECKS = 3;

/**
 * The spare site's automation, one function per spare:
 * - a scheduled event: probes the primary site's health path and publishes the result (EMF);
 * - an alarm state change to ALARM (the primary's failover alarm or the probe's alarm): scales the spare up;
 * - a CloudFormation request: sets the spare's initial desired count (left out of the template);
 * - `{ "action": "scale-back" }` (the failback): once the primary site answers its health path
 *   3 times in a row, scales the spare back to its spare count.
 */
export async function handler(event: SpareEvent): Promise<ScaleSpareResult | ScaleBackResult | ProbeSiteResult | InitialCountResult | { skipped: string } | undefined> {
  if ('RequestType' in event) return handleCustomResource(event);
  if (isScaleBack(event)) {
    const probe = { url: requireEnv('PROBE_URL'), timeoutMs: Number(requireEnv('PROBE_TIMEOUT_MS')) };
    const result = await scaleBack(ecs, () => probeSite(fetch, probe), {
      cluster: requireEnv('CLUSTER_NAME'), service: requireEnv('SERVICE_NAME'), spareCount: Number(requireEnv('SPARE_COUNT')), checks: SCALE_BACK_CHECKS,
    });
    console.log(JSON.stringify({ action: 'scale-back', ...result }));
    return result;
  }
  if (event['detail-type'] === 'Scheduled Event') {
    const result = await probeSite(fetch, { url: requireEnv('PROBE_URL'), timeoutMs: Number(requireEnv('PROBE_TIMEOUT_MS')) });
    console.log(probeMetricLine(requireEnv('PROBE_SITE'), result, Date.now()));
    return result;
  }
  const alarmEvent = event as AlarmStateChangeEvent;
  if (!isFailoverStart(alarmEvent)) {
    return { skipped: `not an ALARM state change (${alarmEvent.detail?.state?.value ?? 'no state'})` };
  }
  const result = await scaleSpare(ecs, {
    cluster: requireEnv('CLUSTER_NAME'),
    service: requireEnv('SERVICE_NAME'),
    desiredCount: Number(requireEnv('DESIRED_COUNT')),
  });
  console.log(JSON.stringify({ alarm: alarmEvent.detail?.alarmName, ...result }));
  return result;
}

async function handleCustomResource(request: InitialCountRequest): Promise<InitialCountResult | undefined> {
  const outcome = await handleInitialCount(ecs, request);
  console.log(JSON.stringify(outcome));
  return outcome.result;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
