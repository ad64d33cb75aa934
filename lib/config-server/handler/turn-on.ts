import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';

/** What the turn-on automation works on (from the function's environment). */
export interface TurnOnConfig {
  /** ECS cluster of the standby server. */
  readonly cluster: string;
  /** ECS service of the standby server. */
  readonly service: string;
  /** Tasks the standby runs once on. */
  readonly desiredCount: number;
  /** Hosted zone of the writer's name. */
  readonly hostedZoneId: string;
  /** The writer's name, fully qualified, without trailing dot. */
  readonly recordName: string;
  /** Where the name must point: the standby region's load balancer. */
  readonly targetDnsName: string;
  /** TTL of the record. */
  readonly ttl: number;
  /** The store (local replica) holding the writer flag. */
  readonly tableName: string;
  /** Partition key value of the writer flag item. */
  readonly writerKey: string;
  /** The region that becomes the writer. */
  readonly region: string;
}

/** The AWS clients the automation uses (injected, so tests mock them). */
export interface TurnOnClients {
  readonly ecs: ECSClient;
  readonly route53: Route53Client;
  readonly dynamodb: DynamoDBClient;
}

/** What one step did. */
export interface StepResult {
  readonly step: 'scale-standby' | 'move-writer-name' | 'flip-writer-flag';
  readonly changed: boolean;
  readonly detail: string;
}

/** Thrown when a step fails: names the failed step and what already succeeded (re-running is safe). */
export class TurnOnError extends Error {
  constructor(public readonly failedStep: StepResult['step'], public readonly completed: StepResult[], cause: unknown) {
    super(`turning on the standby failed at '${failedStep}' (completed: ${completed.map(c => c.step).join(', ') || 'none'}): ${cause instanceof Error ? cause.message : String(cause)}. Re-run the automation: every step is idempotent.`);
    this.name = 'TurnOnError';
  }
}

/**
 * Turns the cold standby on, idempotently, in three steps:
 * 1. scale the standby service to `desiredCount` (unless it already runs that many or more),
 * 2. UPSERT the writer's name to the standby's load balancer (unless it already points there),
 * 3. set the writer flag in the local replica to this region (unless already set):
 *    the servers accept writes only in the region the flag names.
 * Running it twice gives the same end state with no further changes.
 */
export async function turnOnStandby(clients: TurnOnClients, config: TurnOnConfig, now: () => Date = () => new Date()): Promise<StepResult[]> {
  const done: StepResult[] = [];
  const run = async (step: StepResult['step'], fn: () => Promise<StepResult>) => {
    try {
      done.push(await fn());
    } catch (e) {
      throw new TurnOnError(step, [...done], e);
    }
  };

  await run('scale-standby', async () => {
    const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: config.cluster, services: [config.service] }));
    const service = described.services?.[0];
    if (!service) throw new Error(`service ${config.service} not found in cluster ${config.cluster}`);
    if ((service.desiredCount ?? 0) >= config.desiredCount) {
      return { step: 'scale-standby', changed: false, detail: `already at ${service.desiredCount} task(s)` };
    }
    await clients.ecs.send(new UpdateServiceCommand({ cluster: config.cluster, service: config.service, desiredCount: config.desiredCount }));
    return { step: 'scale-standby', changed: true, detail: `${service.desiredCount ?? 0} -> ${config.desiredCount} task(s)` };
  });

  await run('move-writer-name', async () => {
    const name = `${config.recordName}.`;
    const listed = await clients.route53.send(new ListResourceRecordSetsCommand({
      HostedZoneId: config.hostedZoneId, StartRecordName: name, StartRecordType: 'CNAME', MaxItems: 1,
    }));
    const current = listed.ResourceRecordSets?.find(r => r.Name === name && r.Type === 'CNAME');
    const value = current?.ResourceRecords?.[0]?.Value?.replace(/\.$/, '');
    if (value === config.targetDnsName.replace(/\.$/, '')) {
      return { step: 'move-writer-name', changed: false, detail: `${config.recordName} already points to ${config.targetDnsName}` };
    }
    await clients.route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: config.hostedZoneId,
      ChangeBatch: {
        Comment: `cold standby turned on in ${config.region}`,
        Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'CNAME', TTL: config.ttl, ResourceRecords: [{ Value: config.targetDnsName }] } }],
      },
    }));
    return { step: 'move-writer-name', changed: true, detail: `${config.recordName}: ${value ?? '(none)'} -> ${config.targetDnsName}` };
  });

  await run('flip-writer-flag', async () => {
    const key = { pk: { S: config.writerKey } };
    const item = await clients.dynamodb.send(new GetItemCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
    const current = item.Item?.region?.S;
    if (current === config.region) {
      return { step: 'flip-writer-flag', changed: false, detail: `writer already ${config.region}` };
    }
    await clients.dynamodb.send(new PutItemCommand({
      TableName: config.tableName,
      Item: { ...key, region: { S: config.region }, since: { S: now().toISOString() } },
    }));
    return { step: 'flip-writer-flag', changed: true, detail: `writer ${current ?? '(unset)'} -> ${config.region}` };
  });

  return done;
}
