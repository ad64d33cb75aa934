import { ECSClient } from '@aws-sdk/client-ecs';
import { AlarmStateChangeEvent, isFailoverStart, scaleSpare, ScaleSpareResult } from './scale-spare';

const ecs = new ECSClient({});

/** EventBridge target: scales the spare service up when the primary's failover alarm enters ALARM. */
export async function handler(event: AlarmStateChangeEvent): Promise<ScaleSpareResult | { skipped: string }> {
  if (!isFailoverStart(event)) {
    return { skipped: `not an ALARM state change (${event.detail?.state?.value ?? 'no state'})` };
  }
  const result = await scaleSpare(ecs, {
    cluster: requireEnv('CLUSTER_NAME'),
    service: requireEnv('SERVICE_NAME'),
    desiredCount: Number(requireEnv('DESIRED_COUNT')),
  });
  console.log(JSON.stringify({ alarm: event.detail?.alarmName, ...result }));
  return result;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
