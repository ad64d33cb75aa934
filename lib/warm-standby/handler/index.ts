import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { TakeoverDecision, takeOverIfPrimaryGone, TaskStateChangeEvent } from './takeover';

const clients = { ecs: new ECSClient({}), ssm: new SSMClient({}) };

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

/** Invoked by the pair's PrimaryStoppedRule with an `ECS Task State Change` event of the primary's tasks. */
export async function handler(event: TaskStateChangeEvent): Promise<TakeoverDecision> {
  const decision = await takeOverIfPrimaryGone(clients, {
    cluster: env('CLUSTER'),
    primaryService: env('PRIMARY_SERVICE'),
    runbook: env('RUNBOOK'),
  }, event);
  console.log(JSON.stringify({ message: decision.switched ? 'takeover started' : 'no takeover', ...decision }));
  return decision;
}
