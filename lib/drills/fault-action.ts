import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct, IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { isDuration, requireDurationBetween, requireInteger } from '../core/validation';
import { DrillPermission } from '../failover/drill-description';
import { human, isoDuration } from '../failover/drill-support/figures';
import { LeaseHolderRunbook } from './private/lease-holder-runbook';

/** Which of the resources a target resolves to an action acts on. */
export class TargetSelection {
  /** Every resource the target resolves to. */
  public static all(): TargetSelection {
    return new TargetSelection('ALL');
  }

  /** `count` resources chosen at random (at least 1). */
  public static count(count: number): TargetSelection {
    return new TargetSelection(`COUNT(${count})`, count);
  }

  /** `percent` % of the resources, chosen at random (1 to 100). */
  public static percent(percent: number): TargetSelection {
    return new TargetSelection(`PERCENT(${percent})`, undefined, percent);
  }

  private constructor(
    /** The FIS selection mode, e.g. `COUNT(1)`. */
    public readonly mode: string,
    /** How many resources `count()` selects. */
    public readonly resourceCount?: number,
    /** The percentage of the resources `percent()` selects. */
    public readonly resourcePercent?: number,
  ) {}
}

/** The resources an action targets, as FIS resolves them when the experiment starts. */
export interface FaultTarget {
  /** The FIS resource type, e.g. `aws:ecs:task`. */
  readonly resourceType: string;
  /** Which of the resolved resources the action acts on. */
  readonly selection: TargetSelection;
  /**
   * ARNs of the resources.
   * @default the resources are resolved by `parameters`
   */
  readonly resourceArns?: string[];
  /**
   * Parameters FIS resolves the resources by (for `aws:ecs:task`: `cluster` and `service`).
   * @default the resources are given by ARN
   */
  readonly parameters?: Record<string, string>;
}

/** The lease whose holder `FaultAction.stopLeaseHolder()` stops. */
export interface LeaseHolderTarget {
  /** The lease table (e.g. `SingletonDaemon.leaseTable.table`). */
  readonly table: dynamodb.ITable;
  /** The lease name (the item's key). */
  readonly leaseName: string;
  /** The cluster the contenders run in: only its tasks may be stopped. */
  readonly cluster: ecs.ICluster;
  /**
   * What holds the lease, for the descriptions (e.g. the pattern's construct path).
   * @default the lease name
   */
  readonly description?: string;
}

/** An action as its experiment renders it, once bound: its parameters and its role's permissions. */
export interface FaultActionConfig {
  /** The action's parameters as FIS takes them. */
  readonly parameters: Record<string, string>;
  /** The permissions the experiment's role needs for the action. */
  readonly permissions: DrillPermission[];
}

/** How long FIS lets the lease-holder runbook run (two API calls) before it fails the action. */
const LEASE_HOLDER_RUNBOOK_MAX_DURATION = Duration.minutes(5);

/**
 * One AWS Fault Injection Service action with its target and the exact
 * permissions it needs (least privilege: only its API calls, on the
 * targeted resources where the API allows it).
 */
export class FaultAction {
  /**
   * Stops tasks of an ECS service (`aws:ecs:stop-task`), resolved by the
   * service's cluster and name when the experiment starts. ECS replaces them.
   * @param selection which tasks: `TargetSelection.all()` (a whole site) or `count(1)` (one task)
   */
  public static stopTasks(service: ecs.BaseService, selection: TargetSelection): FaultAction {
    const stack = Stack.of(service);
    const cluster = service.cluster;
    const tasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    return new FaultAction({
      actionId: 'aws:ecs:stop-task',
      name: 'StopTasks',
      summary: `stop ${describeSelection(selection, 'task')} of ${service.node.path}`,
      region: stack.region,
      subject: service,
      targetKey: 'Tasks',
      target: {
        resourceType: 'aws:ecs:task',
        selection,
        parameters: { cluster: cluster.clusterName, service: service.serviceName },
      },
      permissions: [
        {
          statement: new iam.PolicyStatement({
            actions: ['ecs:ListTasks'],
            resources: ['*'],
            conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
          }),
          wildcardReason: 'ecs:ListTasks names no resource; the ecs:cluster condition limits it to the cluster of the drilled service.',
        },
        {
          statement: new iam.PolicyStatement({ actions: ['ecs:DescribeTasks', 'ecs:StopTask'], resources: [tasks] }),
          wildcardReason: 'Task ids exist only once the tasks run; the wildcard is limited to the tasks of the drilled service\'s cluster.',
        },
      ],
    });
  }

  /** Fails an Aurora cluster over to a reader (`aws:rds:failover-db-cluster`). */
  public static failoverAuroraCluster(cluster: rds.IDatabaseCluster): FaultAction {
    return new FaultAction({
      actionId: 'aws:rds:failover-db-cluster',
      name: 'FailoverCluster',
      summary: `fail over the Aurora cluster ${cluster.node.path} to a reader`,
      region: Stack.of(cluster).region,
      subject: cluster,
      targetKey: 'Clusters',
      target: { resourceType: 'aws:rds:cluster', selection: TargetSelection.all(), resourceArns: [cluster.clusterArn] },
      permissions: [{
        statement: new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters', 'rds:FailoverDBCluster'], resources: [cluster.clusterArn] }),
      }],
    });
  }

  /** Reboots an RDS Multi-AZ instance with a forced failover to its standby (`aws:rds:reboot-db-instances`). */
  public static rebootInstanceWithFailover(instance: rds.IDatabaseInstance): FaultAction {
    return new FaultAction({
      actionId: 'aws:rds:reboot-db-instances',
      name: 'RebootWithFailover',
      summary: `reboot ${instance.node.path} with a forced failover to its standby`,
      region: Stack.of(instance).region,
      subject: instance,
      parameters: { forceFailover: 'true' },
      targetKey: 'DBInstances',
      target: { resourceType: 'aws:rds:db', selection: TargetSelection.all(), resourceArns: [instance.instanceArn] },
      permissions: [{
        statement: new iam.PolicyStatement({ actions: ['rds:DescribeDBInstances', 'rds:RebootDBInstance'], resources: [instance.instanceArn] }),
      }],
    });
  }

  /**
   * Pauses replication to and from one replica of a DynamoDB global table
   * (`aws:dynamodb:global-table-pause-replication`) for `duration`: FIS
   * puts a resource policy on the replica that denies the replication role,
   * and removes it at the end.
   * @param replica the replica, in the experiment's region
   */
  public static pauseGlobalTableReplication(replica: dynamodb.ITable, duration: Duration): FaultAction {
    const region = Stack.of(replica).splitArn(replica.tableArn, ArnFormat.SLASH_RESOURCE_NAME).region ?? Stack.of(replica).region;
    return new FaultAction({
      actionId: 'aws:dynamodb:global-table-pause-replication',
      name: 'PauseReplication',
      summary: `pause replication of ${replica.tableName} in ${region} for ${describeDuration(duration)}`,
      region,
      subject: replica,
      duration,
      targetKey: 'Tables',
      target: { resourceType: 'aws:dynamodb:global-table', selection: TargetSelection.all(), resourceArns: [replica.tableArn] },
      permissions: [{
        statement: new iam.PolicyStatement({
          actions: ['dynamodb:DeleteResourcePolicy', 'dynamodb:DescribeTable', 'dynamodb:GetResourcePolicy', 'dynamodb:PutResourcePolicy'],
          resources: [replica.tableArn],
        }),
      }],
    });
  }

  /**
   * Cuts every subnet of `vpc` in `availabilityZone` off the network
   * (`aws:network:disrupt-connectivity`, scope `all`) for `duration`: FIS
   * swaps in a network ACL that denies all traffic and restores the
   * subnets' own ACL at the end. Everything in those subnets loses the
   * network, as in the loss of the zone.
   */
  public static disruptZone(vpc: ec2.IVpc, availabilityZone: string, duration: Duration): FaultAction {
    const stack = Stack.of(vpc);
    const subnets = [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets].filter(s => s.availabilityZone === availabilityZone);
    const arn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ec2', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const subnetArns = subnets.map(s => arn('subnet', s.subnetId));
    const acls = arn('network-acl', '*');
    const fisAcls = 'FIS creates its network ACL when the experiment starts; the wildcard is limited to ACLs tagged managedByFIS=true.';
    return new FaultAction({
      actionId: 'aws:network:disrupt-connectivity',
      name: 'DisruptZone',
      summary: `cut the ${subnets.length} subnet(s) of ${vpc.node.path} in ${availabilityZone} off the network for ${describeDuration(duration)}`,
      region: stack.region,
      subject: vpc,
      duration,
      parameters: { scope: 'all' },
      targetKey: 'Subnets',
      target: { resourceType: 'aws:ec2:subnet', selection: TargetSelection.all(), resourceArns: subnetArns },
      zone: { vpc, availabilityZone, subnetCount: subnets.length },
      permissions: [
        {
          statement: new iam.PolicyStatement({ actions: ['ec2:CreateNetworkAcl'], resources: [acls], conditions: { StringEquals: { 'aws:RequestTag/managedByFIS': 'true' } } }),
          wildcardReason: fisAcls,
        },
        { statement: new iam.PolicyStatement({ actions: ['ec2:CreateNetworkAcl'], resources: [arn('vpc', vpc.vpcId)] }) },
        {
          statement: new iam.PolicyStatement({
            actions: ['ec2:CreateTags'],
            resources: [acls],
            conditions: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl', 'aws:RequestTag/managedByFIS': 'true' } },
          }),
          wildcardReason: fisAcls,
        },
        {
          statement: new iam.PolicyStatement({
            actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAcl'],
            resources: [acls],
            conditions: { StringEquals: { 'ec2:ResourceTag/managedByFIS': 'true' } },
          }),
          wildcardReason: fisAcls,
        },
        {
          statement: new iam.PolicyStatement({ actions: ['ec2:ReplaceNetworkAclAssociation'], resources: [...subnetArns, acls] }),
          wildcardReason: 'The association moves each drilled subnet from its own network ACL to the one FIS creates and back; both ACL ids are known only at run time.',
        },
        {
          statement: new iam.PolicyStatement({ actions: ['ec2:DescribeNetworkAcls', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'], resources: ['*'] }),
          wildcardReason: 'EC2 Describe calls have no resource-level permissions; they only read.',
        },
      ],
    });
  }

  /**
   * Stops the ECS task that holds a lease when the experiment runs
   * (`aws:ssm:start-automation-execution`): an SSM Automation runbook,
   * created with the experiment, reads the lease item (DynamoDB GetItem,
   * consistent) and stops the task its `holderTask` attribute names (ECS
   * StopTask). The lease clients record it: `LeaseClient.fromEnvironment()`
   * in an ECS task, and the launcher. The runbook fails, stopping nothing,
   * when the item names no task. Its role may read that lease item and stop
   * tasks of `cluster` only.
   */
  public static stopLeaseHolder(lease: LeaseHolderTarget): FaultAction {
    const what = lease.description ?? `the lease '${lease.leaseName}'`;
    const stack = Stack.of(lease.cluster);
    return new FaultAction({
      actionId: 'aws:ssm:start-automation-execution',
      name: 'StopLeaseHolder',
      summary: `stop the task holding the lease '${lease.leaseName}' of ${what} (read from the lease item when the experiment runs)`,
      region: stack.region,
      subject: lease.cluster,
      parameters: { maxDuration: isoDuration(LEASE_HOLDER_RUNBOOK_MAX_DURATION) },
      permissions: [],
      bind: (scope, id) => {
        const runbook = new LeaseHolderRunbook(scope, id, { table: lease.table, leaseName: lease.leaseName, cluster: lease.cluster, what });
        const executions = Stack.of(scope).formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*' });
        return {
          parameters: { documentArn: runbook.documentArn, maxDuration: isoDuration(LEASE_HOLDER_RUNBOOK_MAX_DURATION) },
          permissions: [
            { statement: new iam.PolicyStatement({ actions: ['ssm:StartAutomationExecution'], resources: [runbook.definitionArn] }),
              wildcardReason: 'Every version of the drill\'s own runbook (the automation definition names its version).' },
            { statement: new iam.PolicyStatement({ actions: ['ssm:GetAutomationExecution', 'ssm:StopAutomationExecution'], resources: [executions] }),
              wildcardReason: 'An automation execution id exists only once FIS starts it; FIS reads and stops the execution it started.' },
            { statement: new iam.PolicyStatement({
              actions: ['iam:PassRole'], resources: [runbook.role.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
            }) },
          ],
        };
      },
    });
  }

  /** Waits `duration` before the next action (`aws:fis:wait`): no target, no permission. */
  public static wait(duration: Duration): FaultAction {
    return new FaultAction({
      actionId: 'aws:fis:wait',
      name: 'Wait',
      summary: `wait ${describeDuration(duration)}`,
      duration,
      permissions: [],
    });
  }

  /** The FIS action id, e.g. `aws:ecs:stop-task`. */
  public readonly actionId: string;
  /** A short name for the action in its experiment, e.g. `StopTasks`. */
  public readonly name: string;
  /** What the action does, in a few words. */
  public readonly summary: string;
  /**
   * The region of the targeted resources.
   * @default the action targets nothing (a wait)
   */
  public readonly region?: string;
  /**
   * The key of the action's target (`Tasks`, `Clusters`, `DBInstances`, `Tables`, `Subnets`).
   * @default the action targets nothing
   */
  public readonly targetKey?: string;
  /**
   * The resources the action acts on.
   * @default the action targets nothing
   */
  public readonly target?: FaultTarget;
  /**
   * How long the fault lasts.
   * @default the action is instantaneous
   */
  public readonly duration?: Duration;
  /** The permissions the experiment's role needs for this action. */
  public readonly permissions: DrillPermission[];

  private readonly subject?: IConstruct;
  private readonly extraParameters: Record<string, string>;
  private readonly zone?: { vpc: ec2.IVpc; availabilityZone: string; subnetCount: number };
  private readonly binder?: (scope: Construct, id: string) => FaultActionConfig;

  private constructor(props: {
    actionId: string; name: string; summary: string; region?: string; subject?: IConstruct; duration?: Duration;
    parameters?: Record<string, string>; targetKey?: string; target?: FaultTarget; permissions: DrillPermission[];
    zone?: { vpc: ec2.IVpc; availabilityZone: string; subnetCount: number };
    bind?: (scope: Construct, id: string) => FaultActionConfig;
  }) {
    this.actionId = props.actionId;
    this.name = props.name;
    this.summary = props.summary;
    this.region = props.region;
    this.subject = props.subject;
    this.duration = props.duration;
    this.extraParameters = props.parameters ?? {};
    this.targetKey = props.targetKey;
    this.target = props.target;
    this.permissions = props.permissions;
    this.zone = props.zone;
    this.binder = props.bind;
  }

  /** Whether the action injects a fault (every action but a wait). */
  public get injectsFault(): boolean {
    return this.actionId !== 'aws:fis:wait';
  }

  /**
   * Renders the action in an experiment: creates what it runs (the
   * lease-holder runbook) in `scope` under `id`, and returns its parameters
   * and permissions. Called by `FaultExperiment`, once per experiment.
   */
  public bind(scope: Construct, id: string): FaultActionConfig {
    return this.binder ? this.binder(scope, id) : { parameters: this.parameters, permissions: this.permissions };
  }

  /** The action's parameters as FIS takes them (durations in ISO 8601). */
  public get parameters(): Record<string, string> {
    return {
      ...(this.duration && isDuration(this.duration) && !this.duration.isUnresolved() ? { duration: isoDuration(this.duration) } : {}),
      ...this.extraParameters,
    };
  }

  /**
   * Throws `HaValidationError` on `scope` (naming `prop`) when the action
   * cannot run: a selection out of range, a duration FIS rejects (1 s to
   * 12 h), a zone the VPC does not have, or no target resource.
   */
  public validate(scope: IConstruct, prop: string): void {
    const selection = this.target?.selection;
    if (selection?.resourceCount !== undefined) requireInteger(scope, `${prop}.selection`, selection.resourceCount, 1);
    if (selection?.resourcePercent !== undefined) requireInteger(scope, `${prop}.selection`, selection.resourcePercent, 1, 100);
    if (this.duration !== undefined) requireDurationBetween(scope, `${prop}.duration`, this.duration, Duration.seconds(1), Duration.hours(12));
    if (this.zone && this.zone.subnetCount === 0 && !Token.isUnresolved(this.zone.availabilityZone)) {
      throw new HaValidationError(scope, {
        prop: `${prop}.availabilityZone`, received: this.zone.availabilityZone,
        expected: `a zone of ${this.zone.vpc.node.path}: ${this.zone.vpc.availabilityZones.join(', ')}`,
      });
    }
    if (this.targetKey && this.target && (this.target.resourceArns ?? []).length === 0 && !this.target.parameters) {
      throw new HaValidationError(scope, { prop, received: this.summary, expected: 'an action with at least one target resource' });
    }
    if (this.subject && this.region && Token.isUnresolved(this.region)) {
      throw new HaValidationError(scope, {
        prop, received: `${this.subject.node.path} in an environment-agnostic stack`,
        expected: 'target resources in a stack with an explicit region: an experiment runs in the region of what it targets',
      });
    }
  }
}

function describeSelection(selection: TargetSelection, what: string): string {
  if (selection.resourceCount !== undefined) return `${selection.resourceCount} ${what}${selection.resourceCount === 1 ? '' : 's'}`;
  if (selection.resourcePercent !== undefined) return `${selection.resourcePercent} % of the ${what}s`;
  return `every ${what}`;
}

function describeDuration(d: Duration): string {
  return isDuration(d) && !d.isUnresolved() ? human(d) : '<duration>';
}
