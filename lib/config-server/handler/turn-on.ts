import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { describeGlobalCluster, promotionState, waitForWriter } from '../../ha-database/handler/promotion';
import { readFlag, writeFlag } from './writer-flag-item';

/** The HA database store whose promotion the standby waits for before it takes writes. */
export interface TurnOnDatabase {
  /** The Aurora global cluster. */
  readonly globalClusterIdentifier: string;
  /** ARN of the standby region's cluster: the one to promote. */
  readonly targetClusterArn: string;
  /**
   * The database's promoter (its one automatic promoter): the turn-on asks it and never calls
   * `FailoverGlobalCluster` itself; the promoter decides between a switchover (no data loss) and a
   * failover (only on its own data-plane confirmation that the primary writer is lost).
   */
  readonly promoterFunction: string;
  /** Who asks, for the promoter's log and announcement. */
  readonly requestedBy: string;
  /**
   * Ask the promoter for a switchover only, never a failover with data loss (a graceful Region switch
   * execution runs the turn-on): with the primary writer lost, the request is refused and the turn-on fails.
   * @default false: the promoter decides (failover only once its probe alarm has confirmed the loss)
   */
  readonly switchoverOnly?: boolean;
  /** How long to wait for the promotion before the turn-on fails (it can be re-run). */
  readonly timeoutSeconds: number;
  /** Seconds between two `DescribeGlobalClusters` calls. */
  readonly pollSeconds: number;
}

/**
 * Where the writer moves to, for the turn-on (the standby) and the failback (the live server in the
 * primary region) alike: the server that becomes the writer, the writer's name and its flag.
 */
export interface WriterMove {
  /** ECS cluster of the server that becomes the writer. */
  readonly cluster: string;
  /** ECS service of that server. */
  readonly service: string;
  /** Tasks it runs as the writer. */
  readonly desiredCount: number;
  /** Hosted zone of the writer's name. */
  readonly hostedZoneId: string;
  /** The writer's name, fully qualified, without trailing dot. */
  readonly recordName: string;
  /** Where the name must point: the load balancer of the region that becomes the writer. */
  readonly targetDnsName: string;
  /** TTL of the record. */
  readonly ttl: number;
  /** The store (global table; its local replica) holding the writer flag. */
  readonly tableName: string;
  /** Partition key value of the writer flag item. */
  readonly writerKey: string;
  /** The region that becomes the writer. */
  readonly region: string;
}

/** What the turn-on automation works on (from the function's environment). */
export interface TurnOnConfig extends WriterMove {
  /** With an `HaDatabase` store: the database to promote first. */
  readonly database?: TurnOnDatabase;
}

/** The AWS clients the automation uses (injected, so tests mock them). */
export interface TurnOnClients {
  readonly ecs: ECSClient;
  readonly route53: Route53Client;
  readonly dynamodb: DynamoDBClient;
  /** Needed with a database store. */
  readonly rds?: RDSClient;
  /** Needed with a database store: asks its promoter. */
  readonly lambda?: LambdaClient;
}

/** What one step did. */
export interface StepResult {
  readonly step: 'scale-standby' | 'request-promotion' | 'wait-for-database' | 'flip-writer-flag' | 'move-writer-name';
  readonly changed: boolean;
  readonly detail: string;
}

/** Thrown when a step fails: names the failed step and what already succeeded (re-running is safe). */
export class TurnOnError extends Error {
  /** What went wrong in the failed step. */
  public readonly reason: string;

  constructor(public readonly failedStep: StepResult['step'], public readonly completed: StepResult[], cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`turning on the standby failed at '${failedStep}' (completed: ${completed.map(c => c.step).join(', ') || 'none'}): ${reason}. Re-run the automation: every step is idempotent.`);
    this.name = 'TurnOnError';
    this.reason = reason;
  }
}

/**
 * Turns the cold standby on, idempotently:
 * 1. scale the standby service to `desiredCount` (unless it already runs that many or more), so
 *    its tasks start while the rest runs;
 * 2. with a database store, ask the database's promoter to promote the standby region's cluster
 *    (an asynchronous invocation, unless it is already the writer or its promotion is under way):
 *    the promoter is the only caller of `FailoverGlobalCluster` and decides whether data may be lost;
 * 3. UPSERT the writer's name to the standby's load balancer (unless it already points there), so
 *    the change propagates to the name servers and resolvers while the database is promoted;
 * 4. with a database store, wait until the global cluster names the standby's cluster its writer
 *    with no operation in progress; if it does not in time, move the name back (when this run moved
 *    it) and fail: the name does not stay on a region whose database is read-only;
 * 5. set the writer flag in the local replica to this region (unless already set), last: the servers
 *    accept writes only in the region the flag names, so a write that arrives before is refused
 *    (`WritesRefusedError`), never lost.
 * Running it twice gives the same end state with no further changes.
 */
export async function turnOnStandby(
  clients: TurnOnClients, config: TurnOnConfig,
  now: () => Date = () => new Date(),
  sleep: (ms: number) => Promise<void> = ms => new Promise(resolve => setTimeout(resolve, ms)),
): Promise<StepResult[]> {
  const done: StepResult[] = [];
  const run = async (step: StepResult['step'], fn: () => Promise<StepResult>) => {
    try {
      done.push(await fn());
    } catch (e) {
      throw new TurnOnError(step, [...done], e);
    }
  };

  await run('scale-standby', async () => ({ step: 'scale-standby', ...await scaleWriterServer(clients.ecs, config) }));

  const db = config.database;
  const rds = clients.rds;
  if (db) {
    const lambda = clients.lambda;
    if (!rds || !lambda) throw new TurnOnError('request-promotion', [...done], new Error('no RDS or Lambda client for the database store'));
    await run('request-promotion', async () => {
      const state = promotionState(await describeGlobalCluster(rds, db.globalClusterIdentifier), db.targetClusterArn);
      if (state.promoted) return { step: 'request-promotion', changed: false, detail: `${db.targetClusterArn} is already the writer` };
      if (state.towardsTarget) return { step: 'request-promotion', changed: false, detail: `promotion of ${db.targetClusterArn} already ${state.operation}` };
      await lambda.send(new InvokeCommand({
        FunctionName: db.promoterFunction, InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ action: 'promote', requestedBy: db.requestedBy, ...(db.switchoverOnly ? { switchoverOnly: true } : {}) })),
      }));
      return {
        step: 'request-promotion', changed: true,
        detail: `asked ${db.promoterFunction} to ${db.switchoverOnly ? 'switch over (no data loss) to' : 'promote'} ${db.targetClusterArn}; was: ${state.seen}`,
      };
    });
  }

  let previous: string | undefined;
  await run('move-writer-name', async () => {
    const value = await writerNameTarget(clients.route53, config);
    if (value === config.targetDnsName.replace(/\.$/, '')) {
      return { step: 'move-writer-name', changed: false, detail: `${config.recordName} already points to ${config.targetDnsName}` };
    }
    await upsertWriterName(clients.route53, config, config.targetDnsName, `cold standby turned on in ${config.region}`);
    previous = value;
    return { step: 'move-writer-name', changed: true, detail: `${config.recordName}: ${value ?? '(none)'} -> ${config.targetDnsName}` };
  });

  if (db && rds) {
    try {
      await run('wait-for-database', async () => {
        const { promoted, waitedSeconds, seen } = await waitForWriter(rds, db, db, () => now().getTime(), sleep);
        if (!promoted) throw new Error(`${db.targetClusterArn} is not the writer of ${db.globalClusterIdentifier} after ${waitedSeconds} s (${seen})`);
        return { step: 'wait-for-database', changed: false, detail: `${db.targetClusterArn} is the writer (waited ${waitedSeconds} s)` };
      });
    } catch (e) {
      // The name must not stay on a region whose database is read-only: move it back if this run moved it.
      if (previous === undefined || !(e instanceof TurnOnError)) throw e;
      try {
        await upsertWriterName(clients.route53, config, previous, `cold standby turn-on in ${config.region} failed: database not promoted`);
      } catch (restore) {
        throw new TurnOnError(e.failedStep, e.completed, new Error(`${e.reason}; moving ${config.recordName} back to ${previous} failed too: ${String(restore)}`));
      }
      throw new TurnOnError(e.failedStep, e.completed.filter(c => c.step !== 'move-writer-name'),
        new Error(`${e.reason}; ${config.recordName} was moved back to ${previous}`));
    }
  }

  await run('flip-writer-flag', async () => {
    const current = (await readFlag(clients.dynamodb, config)).region;
    if (current === config.region) {
      return { step: 'flip-writer-flag', changed: false, detail: `writer already ${config.region}` };
    }
    await writeFlag(clients.dynamodb, config, config.region, now(), {});
    return { step: 'flip-writer-flag', changed: true, detail: `writer ${current ?? '(unset)'} -> ${config.region}` };
  });

  return done;
}

/** Raises the writer's server to `desiredCount` tasks (unless it runs that many or more): the turn-on's and the failback's first step. */
export async function scaleWriterServer(ecs: ECSClient, config: Pick<WriterMove, 'cluster' | 'service' | 'desiredCount'>): Promise<{ changed: boolean; detail: string }> {
  const described = await ecs.send(new DescribeServicesCommand({ cluster: config.cluster, services: [config.service] }));
  const service = described.services?.[0];
  if (!service) throw new Error(`service ${config.service} not found in cluster ${config.cluster}`);
  if ((service.desiredCount ?? 0) >= config.desiredCount) return { changed: false, detail: `already at ${service.desiredCount} task(s)` };
  await ecs.send(new UpdateServiceCommand({ cluster: config.cluster, service: config.service, desiredCount: config.desiredCount }));
  return { changed: true, detail: `${service.desiredCount ?? 0} -> ${config.desiredCount} task(s)` };
}

/** Where the writer's CNAME points now (without the trailing dot), if it exists. */
export async function writerNameTarget(route53: Route53Client, config: Pick<TurnOnConfig, 'hostedZoneId' | 'recordName'>): Promise<string | undefined> {
  const name = `${config.recordName}.`;
  const listed = await route53.send(new ListResourceRecordSetsCommand({
    HostedZoneId: config.hostedZoneId, StartRecordName: name, StartRecordType: 'CNAME', MaxItems: 1,
  }));
  const current = listed.ResourceRecordSets?.find(r => r.Name === name && r.Type === 'CNAME');
  return current?.ResourceRecords?.[0]?.Value?.replace(/\.$/, '');
}

/** UPSERTs the writer's CNAME to `target` (the turn-on's and the failback's one write of the name). */
export async function upsertWriterName(
  route53: Route53Client, config: Pick<TurnOnConfig, 'hostedZoneId' | 'recordName' | 'ttl'>, target: string, comment: string,
): Promise<void> {
  await route53.send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: config.hostedZoneId,
    ChangeBatch: {
      Comment: comment,
      Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: `${config.recordName}.`, Type: 'CNAME', TTL: config.ttl, ResourceRecords: [{ Value: target }] } }],
    },
  }));
}
