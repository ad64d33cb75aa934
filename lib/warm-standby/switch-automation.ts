import * as path from 'path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AutomationCall } from '../core/failure-scenario';
import { HandlerFunction } from '../private/handler-function';
import { acknowledge } from '../private/network';
import { ApiStep, automationRunbook } from './runbooks';
import { StandbyServer } from './standby-server';

/** What the switch automation of a warm standby pair acts on. */
export interface SwitchAutomationProps {
  /** The cluster of both servers' services. */
  readonly cluster: ecs.ICluster;
  /** The stable listeners (TCP, then UDP), switched between the servers. */
  readonly listeners: elbv2.INetworkListener[];
  readonly primary: StandbyServer;
  readonly secondary: StandbyServer;
  /** Each one's ALARM starts the takeover (the probe's alarm, the load balancer's). */
  readonly takeoverAlarms: cloudwatch.IAlarm[];
  /** Its OK starts the failback (the failover alarm: every takeover alarm OK). */
  readonly failbackAlarm: cloudwatch.IAlarm;
  /** Moved from the primary's task role to the secondary's by the promotion. */
  readonly configWritePolicy: iam.ManagedPolicy;
  /**
   * Launcher mode: the promotion also sets the primary's service to 0 tasks, or its restored launcher would claim
   * the lease back from the promoted secondary.
   * @default false
   */
  readonly stopPrimaryOnPromotion?: boolean;
}

/** The runbooks, rules and function of the switch automation, and the calls each link of a takeover makes. */
export interface SwitchAutomation {
  readonly switchToSecondaryRunbook: ssm.CfnDocument;
  readonly switchToPrimaryRunbook: ssm.CfnDocument;
  readonly promoteRunbook: ssm.CfnDocument;
  readonly takeoverRule: events.Rule;
  readonly failbackRule: events.Rule;
  /** On the primary's tasks stopping: starts `takeoverFunction`. */
  readonly primaryStoppedRule: events.Rule;
  /** Starts the takeover runbook when no task of the primary runs any more. */
  readonly takeoverFunction: HandlerFunction;
  /** The role the runbooks run as. */
  readonly automationRole: iam.IRole;
  /** The role the alarm rules start the runbooks as. */
  readonly eventsRole: iam.IRole;
  /** The calls of the takeover runbook (as `automationRole`). */
  readonly takeoverRunbookCalls: AutomationCall[];
  /** The calls the takeover rule's target makes (as `eventsRole`). */
  readonly takeoverRuleCalls: AutomationCall[];
  /** The calls of the takeover function (as its role). */
  readonly takeoverFunctionCalls: AutomationCall[];
}

/**
 * Takeover, failback and promotion of a warm standby pair: SSM Automation
 * runbooks that point the stable listeners at a server, started by
 * EventBridge rules on the primary's alarms (a takeover alarm in ALARM:
 * takeover; the failover alarm back to OK: failback), each role allowed
 * exactly the calls its runbook makes.
 */
export function createSwitchAutomation(scope: Construct, props: SwitchAutomationProps): SwitchAutomation {
  const listeners = props.listeners;
  const automationRole = createAutomationRole(scope, listeners);
  const switchToSecondaryRunbook = automationRunbook(scope, 'SwitchToSecondaryRunbook', {
    description: `Takeover of ${scope.node.path}: the stable listeners forward to the secondary server.`,
    assumeRoleArn: automationRole.roleArn,
    steps: pointListenersAt(listeners, props.secondary),
  });
  const switchToPrimaryRunbook = automationRunbook(scope, 'SwitchToPrimaryRunbook', {
    description: `Failback of ${scope.node.path}: the stable listeners forward to the primary server again; the secondary resumes standby.`,
    assumeRoleArn: automationRole.roleArn,
    steps: pointListenersAt(listeners, props.primary),
  });
  const eventsRole = createEventsRole(scope, automationRole, [switchToSecondaryRunbook, switchToPrimaryRunbook]);
  const takeoverRule = createAlarmRule(scope, 'TakeoverRule', props.takeoverAlarms, 'ALARM', switchToSecondaryRunbook, eventsRole,
    `${scope.node.path}: primary offline, switch the listeners to the secondary`);
  const failbackRule = createAlarmRule(scope, 'FailbackRule', [props.failbackAlarm], 'OK', switchToPrimaryRunbook, eventsRole,
    `${scope.node.path}: primary restored, switch the listeners back to it`);

  // The fast takeover: ECS reports the primary's task stopping; the function checks that no other
  // primary task runs (a deployment or a replacement would) and starts the takeover runbook.
  const fast = createFastTakeover(scope, props, switchToSecondaryRunbook, definitionArn(scope, switchToSecondaryRunbook), automationRole);
  const rules = [takeoverRule, failbackRule, fast.rule];
  allowPromotion(automationRole, props, rules);
  const promoteRunbook = createPromoteRunbook(scope, props, automationRole, { failback: failbackRule, takeover: takeoverRule, fast: fast.rule });

  return {
    switchToSecondaryRunbook, switchToPrimaryRunbook, promoteRunbook, takeoverRule, failbackRule,
    primaryStoppedRule: fast.rule,
    takeoverFunction: fast.fn,
    automationRole,
    eventsRole,
    takeoverRunbookCalls: listeners.map(l => ({ actions: ['elasticloadbalancing:ModifyListener'], resource: l.listenerArn })),
    takeoverRuleCalls: [
      { actions: ['ssm:StartAutomationExecution'], resource: definitionArn(scope, switchToSecondaryRunbook) },
      { actions: ['iam:PassRole'], resource: automationRole.roleArn },
    ],
    takeoverFunctionCalls: fast.calls,
  };
}

/** The role the runbooks run as, allowed to switch the stable listeners (the promotion's calls are added by `allowPromotion`). */
function createAutomationRole(scope: Construct, listeners: elbv2.INetworkListener[]): iam.Role {
  const automationRole = new iam.Role(scope, 'AutomationRole', {
    assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com'),
    description: `${scope.node.path}: switches the stable listeners and promotes the secondary`,
  });
  automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:ModifyListener'],
    resources: listeners.map(l => l.listenerArn),
  }));
  return automationRole;
}

/** The runbook steps that point the stable listeners (TCP, then UDP) at `server`'s target groups. */
function pointListenersAt(listeners: elbv2.INetworkListener[], server: StandbyServer): ApiStep[] {
  return listeners.map((listener, i) => ({
    name: i === 0 ? 'ForwardTcp' : 'ForwardUdp',
    service: 'elbv2',
    api: 'ModifyListener',
    inputs: {
      ListenerArn: listener.listenerArn,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: (i === 0 ? server.tcpTargetGroup : server.udpTargetGroup!).targetGroupArn }],
    },
  }));
}

/** The automation-definition ARN of a runbook's default version (the form EventBridge targets and IAM policies use). */
function definitionArn(scope: Construct, doc: ssm.CfnDocument): string {
  return Stack.of(scope).formatArn({
    service: 'ssm', resource: 'automation-definition', resourceName: `${doc.ref}:$DEFAULT`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** The role the alarm rules start the switch runbooks as: it may start them and pass the automation role to SSM. */
function createEventsRole(scope: Construct, automationRole: iam.IRole, runbooks: ssm.CfnDocument[]): iam.Role {
  const eventsRole = new iam.Role(scope, 'EventsRole', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    description: `${scope.node.path}: starts the takeover and failback runbooks`,
  });
  eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:StartAutomationExecution'],
    resources: runbooks.map(doc => definitionArn(scope, doc)),
  }));
  eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [automationRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
  }));
  return eventsRole;
}

/** A rule that starts `doc` as `eventsRole` when one of `alarms` enters `state`. */
function createAlarmRule(scope: Construct, ruleId: string, alarms: cloudwatch.IAlarm[], state: string, doc: ssm.CfnDocument, eventsRole: iam.IRole,
  description: string): events.Rule {
  return new events.Rule(scope, ruleId, {
    description,
    eventPattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      resources: alarms.map(a => a.alarmArn),
      detail: { state: { value: [state] } },
    },
    targets: [{ bind: () => ({ arn: definitionArn(scope, doc), role: eventsRole, input: events.RuleTargetInput.fromObject({}) }) }],
  });
}

/** Allows the automation role the promotion's calls: disable the rules, move the write policy, (launcher mode) stop the primary. */
function allowPromotion(automationRole: iam.IRole, props: SwitchAutomationProps, rules: events.IRule[]): void {
  automationRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:DisableRule'], resources: rules.map(r => r.ruleArn) }));
  const policyCondition = { ArnEquals: { 'iam:PolicyARN': props.configWritePolicy.managedPolicyArn } };
  automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:AttachRolePolicy'], resources: [props.secondary.taskRole.roleArn], conditions: policyCondition,
  }));
  automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:DetachRolePolicy'], resources: [props.primary.taskRole.roleArn], conditions: policyCondition,
  }));
  if (props.stopPrimaryOnPromotion) {
    automationRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [props.primary.service.serviceArn] }));
  }
}

/**
 * The promotion runbook: stops the automatic switches, (launcher mode) the
 * primary's service, points the listeners at the secondary and moves the
 * configuration write policy to it.
 */
function createPromoteRunbook(scope: Construct, props: SwitchAutomationProps, automationRole: iam.IRole,
  rules: { readonly failback: events.IRule; readonly takeover: events.IRule; readonly fast: events.IRule }): ssm.CfnDocument {
  const { primary, secondary } = props;
  // boto3's ECS parameters are lower camel case (ELBv2's are Pascal case).
  const stopPrimary: ApiStep[] = props.stopPrimaryOnPromotion
    ? [{ name: 'StopPrimaryServer', service: 'ecs', api: 'UpdateService', inputs: { cluster: props.cluster.clusterName, service: primary.service.serviceName, desiredCount: 0 } }]
    : [];
  return automationRunbook(scope, 'PromoteRunbook', {
    description: `Promotion of ${scope.node.path}: when the primary cannot be restored, the secondary becomes the standalone primary ` +
      '(no failback, listeners to the secondary, configuration write access moved to it).',
    assumeRoleArn: automationRole.roleArn,
    steps: [
      { name: 'StopFailback', service: 'events', api: 'DisableRule', inputs: { Name: rules.failback.ruleName } },
      { name: 'StopTakeover', service: 'events', api: 'DisableRule', inputs: { Name: rules.takeover.ruleName } },
      { name: 'StopFastTakeover', service: 'events', api: 'DisableRule', inputs: { Name: rules.fast.ruleName } },
      ...stopPrimary,
      ...pointListenersAt(props.listeners, secondary),
      {
        name: 'GrantConfigWriteToSecondary', service: 'iam', api: 'AttachRolePolicy',
        inputs: { RoleName: secondary.taskRole.roleName, PolicyArn: props.configWritePolicy.managedPolicyArn },
      },
      {
        name: 'RevokeConfigWriteFromPrimary', service: 'iam', api: 'DetachRolePolicy',
        inputs: { RoleName: primary.taskRole.roleName, PolicyArn: props.configWritePolicy.managedPolicyArn },
      },
    ],
  });
}

/**
 * The rule on the primary's stopping tasks and the function it invokes,
 * allowed exactly the calls it makes: list and describe the primary's
 * tasks, start the takeover runbook as the automation role.
 */
function createFastTakeover(scope: Construct, props: SwitchAutomationProps, runbook: ssm.CfnDocument, runbookArn: string, automationRole: iam.IRole) {
  const primary = props.primary.service;
  const fn = new HandlerFunction(scope, 'TakeoverFunction', {
    entry: path.join(__dirname, 'handler', 'index'),
    description: `${scope.node.path}: points the stable listeners at the secondary when no task of the primary server runs`,
    timeout: Duration.seconds(30),
    environment: { CLUSTER: props.cluster.clusterName, PRIMARY_SERVICE: primary.serviceName, RUNBOOK: runbook.ref },
  });
  const stack = Stack.of(scope);
  const taskArns = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const onCluster = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: onCluster }));
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [taskArns], conditions: onCluster }));
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:StartAutomationExecution'], resources: [runbookArn] }));
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [automationRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
  }));
  acknowledge(fn.role, {
    'AwsSolutions-IAM5[Resource::*]': 'ecs:ListTasks has no resource-level permission for tasks; the statement is limited to the pair\'s cluster (ecs:cluster condition).',
    [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${nagToken(stack.region, '<AWS::Region>')}:${nagToken(stack.account, '<AWS::AccountId>')}:task/<${nagRef(scope, props.cluster)}>/*]`]:
      'The primary\'s task ids are only known at run time; the statement is limited to tasks of the pair\'s cluster.',
  });
  const rule = new events.Rule(scope, 'PrimaryStoppedRule', {
    description: `${scope.node.path}: a task of the primary server is stopping; the function takes over when no other primary task runs`,
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Task State Change'],
      detail: {
        clusterArn: [props.cluster.clusterArn],
        group: [`service:${primary.serviceName}`],
        desiredStatus: ['STOPPED'],
      },
    },
    // An event older than the slow path's takeover time is the alarm's to handle.
    targets: [new targets.LambdaFunction(fn.function, { maxEventAge: Duration.minutes(2), retryAttempts: 2 })],
  });
  const calls: AutomationCall[] = [
    { actions: ['ecs:ListTasks'], resource: '*' },
    { actions: ['ecs:DescribeTasks'], resource: taskArns },
    { actions: ['ssm:StartAutomationExecution'], resource: runbookArn },
    { actions: ['iam:PassRole'], resource: automationRole.roleArn },
  ];
  return { fn, rule, calls };
}

/** A literal stack value, or cdk-nag's placeholder for its token. */
function nagToken(value: string, placeholder: string): string {
  return value.startsWith('${Token') ? placeholder : value;
}

/** cdk-nag's rendering of a `Ref` to the cluster (its logical id). */
function nagRef(scope: Construct, cluster: ecs.ICluster): string {
  const cfn = cluster.node.defaultChild as ecs.CfnCluster;
  return Stack.of(scope).getLogicalId(cfn);
}
