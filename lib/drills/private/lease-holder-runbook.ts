/**
 * The SSM Automation runbook the lease-holder drills run (through FIS's
 * `aws:ssm:start-automation-execution`): it reads the lease item and stops
 * the ECS task it names, so the drill stops whichever contender holds the
 * lease when it runs, not a service chosen at synthesis.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from '../../failover/drill-support/nag';
import { LeaseAttributes } from '../../runtime/protocol';
import { regionalServiceRole } from './service-role';

/** Names of the runbook's steps and outputs (the test and the README name them too). */
export const LeaseHolderRunbookSteps = {
  /** `aws:executeAwsApi` DynamoDB GetItem (consistent read) of the lease item. */
  READ_LEASE: 'ReadLease',
  /** `aws:executeAwsApi` ECS StopTask of the task the item names. */
  STOP_HOLDER: 'StopHolder',
} as const;

/** What the runbook reads and stops. */
export interface LeaseHolderRunbookProps {
  /** The lease table. */
  readonly table: dynamodb.ITable;
  /** The lease name (the item's key). */
  readonly leaseName: string;
  /** The cluster the contenders run in: the runbook may stop tasks of this cluster only. */
  readonly cluster: ecs.ICluster;
  /** What the drill stops, for the runbook's description and the task's stop reason. */
  readonly what: string;
}

/**
 * The runbook, its role (GetItem on the lease item; StopTask on tasks of
 * the cluster) and the permissions FIS needs to run it and wait for it.
 */
export class LeaseHolderRunbook extends Construct {
  /** The Automation document. */
  public readonly document: ssm.CfnDocument;
  /** The role the automation runs as. */
  public readonly role: iam.Role;
  /** The document's ARN, as FIS's `documentArn` takes it. */
  public readonly documentArn: string;
  /** The ARN of the automation definition (every version), as `ssm:StartAutomationExecution` names it. */
  public readonly definitionArn: string;

  constructor(scope: Construct, id: string, props: LeaseHolderRunbookProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { role, policy } = regionalServiceRole(this, 'ssm', 'automation-execution', `Stops the lease holder's task for the drill of ${props.what}`);
    this.role = role;
    grantReadLeaseAndStopHolder(policy, props);

    this.document = new ssm.CfnDocument(this, 'Resource', {
      documentType: 'Automation',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: runbookContent(props, this.role.roleArn),
    });
    this.document.node.addDependency(policy);
    const name = this.document.ref;
    this.documentArn = stack.formatArn({ service: 'ssm', resource: 'document', resourceName: name });
    this.definitionArn = stack.formatArn({ service: 'ssm', resource: 'automation-definition', resourceName: `${name}:*` });
  }
}

/** The runbook's calls: GetItem on the lease item only; StopTask on tasks of the contenders' cluster only. */
function grantReadLeaseAndStopHolder(policy: iam.Policy, props: LeaseHolderRunbookProps): void {
  const cluster = props.cluster;
  policy.addStatements(new iam.PolicyStatement({
    actions: ['dynamodb:GetItem'],
    resources: [props.table.tableArn],
    conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [props.leaseName] } },
  }));
  const stop = new iam.PolicyStatement({
    actions: ['ecs:StopTask'],
    resources: [Stack.of(policy).formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
  });
  policy.addStatements(stop);
  acknowledgeWildcards(policy, stop, 'The holder\'s task id is known only when the drill runs (it reads the lease item); the wildcard is limited to tasks of the contenders\' cluster.');
}

/** The Automation document: read the lease item (consistent read), then stop the task it names. */
function runbookContent(props: LeaseHolderRunbookProps, assumeRole: string): Record<string, unknown> {
  const cluster = props.cluster;
  return {
    schemaVersion: '0.3',
    description: `FIS drill: stops the ECS task that holds the lease '${props.leaseName}' of ${props.what} (read from the lease item's ${LeaseAttributes.HOLDER_TASK}); ` +
      'fails, stopping nothing, when the item names no task.',
    assumeRole,
    mainSteps: [
      {
        name: LeaseHolderRunbookSteps.READ_LEASE,
        action: 'aws:executeAwsApi',
        maxAttempts: 3,
        onFailure: 'Abort',
        inputs: {
          Service: 'dynamodb',
          Api: 'GetItem',
          TableName: props.table.tableName,
          Key: { [LeaseAttributes.KEY]: { S: props.leaseName } },
          ConsistentRead: true,
        },
        outputs: [
          { Name: 'Holder', Selector: `$.Item.${LeaseAttributes.HOLDER}.S`, Type: 'String' },
          { Name: 'HolderTask', Selector: `$.Item.${LeaseAttributes.HOLDER_TASK}.S`, Type: 'String' },
        ],
      },
      {
        name: LeaseHolderRunbookSteps.STOP_HOLDER,
        action: 'aws:executeAwsApi',
        maxAttempts: 1,
        onFailure: 'Abort',
        isEnd: true,
        inputs: {
          Service: 'ecs',
          Api: 'StopTask',
          cluster: cluster.clusterName,
          task: `{{ ${LeaseHolderRunbookSteps.READ_LEASE}.HolderTask }}`,
          reason: `FIS drill: the lease holder of ${props.what} stops`.slice(0, 255),
        },
        outputs: [{ Name: 'StoppedTask', Selector: '$.task.taskArn', Type: 'String' }],
      },
    ],
    outputs: [`${LeaseHolderRunbookSteps.READ_LEASE}.Holder`, `${LeaseHolderRunbookSteps.READ_LEASE}.HolderTask`, `${LeaseHolderRunbookSteps.STOP_HOLDER}.StoppedTask`],
  };
}
