import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { tcpConnect } from '../../failover/data-plane';
import { PROBE_ENV } from '../../failover/probe-env';
import { sampleFor, sampleMetricLine } from '../../failover/sampling';
import { PRIMARY_PROBE_ENV, PRIMARY_PROBE_METRIC } from '../probe-metric';
import { checkPrimary } from './probe';
import { TakeoverDecision, takeOverIfPrimaryGone, TaskStateChangeEvent } from './takeover';

const clients = { ecs: new ECSClient({}), ssm: new SSMClient({}) };

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

/** The probe schedule's event (EventBridge `Scheduled Event`). */
export interface ScheduledEvent {
  readonly 'detail-type': 'Scheduled Event';
}

/** What one run of the probe saw. */
export interface ProbeSummary {
  readonly samples: number;
  readonly unreachable: number;
}

/**
 * One bundle, two functions (the package ships one handler per pattern):
 * - the `PrimaryProbe` function, every minute (the probe schedule): samples the primary through its direct listener
 *   every PROBE_INTERVAL_MS for PROBE_RUN_MS and publishes each sample (EMF, high resolution) for `PrimaryProbeAlarm`;
 * - the `TakeoverFunction`, invoked by the pair's PrimaryStoppedRule with an `ECS Task State Change` event of the
 *   primary's tasks.
 */
export async function handler(event: ScheduledEvent): Promise<ProbeSummary>;
export async function handler(event: TaskStateChangeEvent): Promise<TakeoverDecision>;
export async function handler(event: ScheduledEvent | TaskStateChangeEvent): Promise<ProbeSummary | TakeoverDecision> {
  if ((event as ScheduledEvent)['detail-type'] === 'Scheduled Event') return probe();
  const decision = await takeOverIfPrimaryGone(clients, {
    cluster: env('CLUSTER'),
    primaryService: env('PRIMARY_SERVICE'),
    runbook: env('RUNBOOK'),
  }, event as TaskStateChangeEvent);
  console.log(JSON.stringify({ message: decision.switched ? 'takeover started' : 'no takeover', ...decision }));
  return decision;
}

async function probe(): Promise<ProbeSummary> {
  const config = { host: env(PRIMARY_PROBE_ENV.HOST), port: Number(env(PRIMARY_PROBE_ENV.PORT)), timeoutMs: Number(env(PROBE_ENV.TIMEOUT_MS)) };
  const pair = env(PRIMARY_PROBE_ENV.PAIR);
  const samples = await sampleFor(() => checkPrimary(config, tcpConnect), (sample, at) => {
    console.log(sampleMetricLine(PRIMARY_PROBE_METRIC, pair, sample, at));
  }, {
    intervalMs: Number(env(PROBE_ENV.INTERVAL_MS)), runMs: Number(env(PROBE_ENV.RUN_MS)),
    now: () => Date.now(), sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  });
  return { samples: samples.length, unreachable: samples.filter(s => s.unreachable).length };
}
