import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { startSwitchover, waitForWriter } from '../../ha-database/handler/promotion';
import { scaleWriterServer, upsertWriterName, WriterMove, writerNameTarget } from './turn-on';
import { readFlag, writeFlag } from './writer-flag-item';

/**
 * The writer flag's value while the writer moves back: it names no region, so every server refuses
 * writes (refused, never lost) until the failback names the primary region.
 */
export const HANDOVER = 'handover';

/** What the failback works on (from the function's environment, in the primary region: it moves the writer there). */
export interface FailBackConfig extends WriterMove {
  /** The standby region: the writer before the failback. */
  readonly standbyRegion: string;
  /**
   * Seconds to wait, once the handover has reached the primary region's replica, for the writes the
   * standby accepted before it to replicate (the store's replication-latency bound; 0 for a
   * strongly consistent store).
   */
  readonly drainSeconds: number;
  /** How long to wait for the handover to reach the primary region's replica. */
  readonly replicationTimeoutSeconds: number;
  /** Seconds between two reads while waiting. */
  readonly pollSeconds: number;
  /** With an `HaDatabase` store: the database to switch back (a switchover: no data loss). */
  readonly database?: {
    readonly globalClusterIdentifier: string;
    /** ARN of the primary region's cluster: the writer after the failback. */
    readonly targetClusterArn: string;
    readonly timeoutSeconds: number;
  };
}

/** The clients: the primary region's, and the standby region's replica of the store (the flag is fenced there). */
export interface FailBackClients {
  readonly ecs: ECSClient;
  readonly route53: Route53Client;
  /** The primary region's replica. */
  readonly dynamodb: DynamoDBClient;
  /** The standby region's replica. */
  readonly standbyDynamodb: DynamoDBClient;
  /** Needed with a database store. */
  readonly rds?: RDSClient;
}

/** What one step did. */
export interface FailBackStep {
  readonly step: 'scale-primary' | 'fence-writes' | 'wait-for-replication' | 'switch-over-database' | 'move-writer-name' | 'flip-writer-flag';
  readonly changed: boolean;
  readonly detail: string;
}

/** Thrown when a step fails: names the step, what succeeded and what was undone (re-running is safe). */
export class FailBackError extends Error {
  constructor(public readonly failedStep: FailBackStep['step'], public readonly completed: FailBackStep[], public readonly reason: string) {
    super(`failing back failed at '${failedStep}' (completed: ${completed.map(c => c.step).join(', ') || 'none'}): ${reason}. ` +
      'Re-run the failback: every step is idempotent.');
    this.name = 'FailBackError';
  }
}

/**
 * Fails the configuration server back to the primary region, gracefully (both regions up), idempotently:
 * 1. scale the live server to `desiredCount` (unless it runs that many);
 * 2. fence: set the writer flag to `handover` in the standby region's replica, so the standby refuses
 *    writes from now on (skipped when the flag already names the primary region);
 * 3. wait until the primary region's replica reads the handover (or the primary region), then
 *    `drainSeconds` for the standby's last writes to replicate;
 * 4. with a database store, switch the global database back to the primary cluster
 *    (`SwitchoverGlobalCluster`: no data loss) and wait until it is the writer;
 * 5. UPSERT the writer's name to the primary's load balancer;
 * 6. set the writer flag to the primary region (with `failedBackFrom`: the standby region's scheduled
 *    check then scales the standby server back to 0).
 * A failure after the fence puts the flag and the name back where they were, so the standby takes
 * writes again: a failed failback refuses writes only while it runs.
 */
export async function failBack(
  clients: FailBackClients, config: FailBackConfig,
  now: () => Date = () => new Date(),
  sleep: (ms: number) => Promise<void> = ms => new Promise(resolve => setTimeout(resolve, ms)),
): Promise<FailBackStep[]> {
  const done: FailBackStep[] = [];
  const run = async (step: FailBackStep['step'], fn: () => Promise<Omit<FailBackStep, 'step'>>) => {
    try {
      done.push({ step, ...await fn() });
    } catch (e) {
      throw new FailBackError(step, [...done], e instanceof Error ? e.message : String(e));
    }
  };
  await run('scale-primary', () => scaleWriterServer(clients.ecs, config));

  const flag = await readFlag(clients.standbyDynamodb, config);
  // The writer before the failback: the flag's region (unset: the primary), or, fenced by an earlier run, the one it fenced.
  const writer = flag.region === HANDOVER ? flag.from : flag.region ?? config.region;
  const fenced = writer !== undefined && writer !== config.region;
  const previousName = await writerNameTarget(clients.route53, config);
  try {
    await run('fence-writes', async () => {
      if (!fenced || flag.region === HANDOVER) return { changed: false, detail: `writer flag already ${flag.region ?? `(unset: ${config.region})`}` };
      await writeFlag(clients.standbyDynamodb, config, HANDOVER, now(), { from: writer });
      return { changed: true, detail: `writer ${writer} -> ${HANDOVER} in ${config.standbyRegion}: every server refuses writes` };
    });
    await run('wait-for-replication', () => waitForHandover(clients.dynamodb, config, now, sleep));
    if (config.database) await run('switch-over-database', () => switchBack(clients, config, now, sleep));
    await run('move-writer-name', async () => {
      if (previousName === config.targetDnsName.replace(/\.$/, '')) return { changed: false, detail: `${config.recordName} already points to ${config.targetDnsName}` };
      await upsertWriterName(clients.route53, config, config.targetDnsName, `configuration server failed back to ${config.region}`);
      return { changed: true, detail: `${config.recordName}: ${previousName ?? '(none)'} -> ${config.targetDnsName}` };
    });
    await run('flip-writer-flag', async () => {
      if ((await readFlag(clients.dynamodb, config)).region === config.region) return { changed: false, detail: `writer already ${config.region}` };
      await writeFlag(clients.dynamodb, config, config.region, now(), { failedBackFrom: config.standbyRegion });
      return { changed: true, detail: `writer ${HANDOVER} -> ${config.region}` };
    });
  } catch (e) {
    if (!(e instanceof FailBackError) || !fenced) throw e;
    await undoFence(clients, config, writer, previousName, now, e);
  }
  return done;
}

/** Puts the flag (and the name, if moved) back to the standby after a failed failback, then rethrows. */
async function undoFence(
  clients: FailBackClients, config: FailBackConfig, writer: string, previousName: string | undefined, now: () => Date, e: FailBackError,
): Promise<never> {
  const undone: string[] = [];
  try {
    await writeFlag(clients.standbyDynamodb, config, writer, now(), {});
    undone.push(`the writer flag is ${writer} again`);
    if (previousName && e.completed.some(c => c.step === 'move-writer-name' && c.changed)) {
      await upsertWriterName(clients.route53, config, previousName, `configuration server failback to ${config.region} failed`);
      undone.push(`${config.recordName} points to ${previousName} again`);
    }
  } catch (undo) {
    throw new FailBackError(e.failedStep, e.completed, `${e.reason}; undoing it failed too (${String(undo)}): writes stay refused until the flag names a region`);
  }
  throw new FailBackError(e.failedStep, e.completed, `${e.reason}; ${undone.join(', ')}`);
}

async function waitForHandover(
  dynamodb: DynamoDBClient, config: FailBackConfig, now: () => Date, sleep: (ms: number) => Promise<void>,
): Promise<Omit<FailBackStep, 'step'>> {
  const start = now().getTime();
  for (;;) {
    // An unset flag names the primary region.
    const flag = (await readFlag(dynamodb, config)).region ?? config.region;
    const waited = Math.round((now().getTime() - start) / 1000);
    if (flag === HANDOVER || flag === config.region) {
      if (config.drainSeconds > 0 && flag === HANDOVER) await sleep(config.drainSeconds * 1000);
      return { changed: false, detail: `${config.region}'s replica reads ${flag} after ${waited} s; drained ${flag === HANDOVER ? config.drainSeconds : 0} s` };
    }
    if (waited >= config.replicationTimeoutSeconds) {
      throw new Error(`${config.region}'s replica still reads ${flag} after ${waited} s: replication from ${config.standbyRegion} is behind`);
    }
    await sleep(config.pollSeconds * 1000);
  }
}

async function switchBack(
  clients: FailBackClients, config: FailBackConfig, now: () => Date, sleep: (ms: number) => Promise<void>,
): Promise<Omit<FailBackStep, 'step'>> {
  const db = config.database!;
  if (!clients.rds) throw new Error('no RDS client for the database store');
  const started = await startSwitchover(clients.rds, db);
  const { promoted, waitedSeconds, seen } = await waitForWriter(clients.rds, db, { timeoutSeconds: db.timeoutSeconds, pollSeconds: config.pollSeconds }, () => now().getTime(), sleep);
  if (!promoted) throw new Error(`${db.targetClusterArn} is not the writer after ${waitedSeconds} s (${seen})`);
  return { changed: started.changed, detail: `${started.detail}; ${db.targetClusterArn} is the writer (waited ${waitedSeconds} s)` };
}
