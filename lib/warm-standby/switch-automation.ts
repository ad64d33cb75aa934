import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ApiStep, automationRunbook } from './runbooks';
import { StandbyServer } from './standby-server';

/** What the switch automation of a warm standby pair acts on. */
export interface SwitchAutomationProps {
  /** The stable listeners (TCP, then UDP), switched between the servers. */
  readonly listeners: elbv2.INetworkListener[];
  readonly primary: StandbyServer;
  readonly secondary: StandbyServer;
  /** Its ALARM starts the takeover, its OK the failback. */
  readonly primaryOfflineAlarm: cloudwatch.IAlarm;
  /** Moved from the primary's task role to the secondary's by the promotion. */
  readonly configWritePolicy: iam.ManagedPolicy;
}

/** The runbooks and rules of the switch automation. */
export interface SwitchAutomation {
  readonly switchToSecondaryRunbook: ssm.CfnDocument;
  readonly switchToPrimaryRunbook: ssm.CfnDocument;
  readonly promoteRunbook: ssm.CfnDocument;
  readonly takeoverRule: events.Rule;
  readonly failbackRule: events.Rule;
}

/**
 * Takeover, failback and promotion of a warm standby pair: SSM Automation
 * runbooks that point the stable listeners at a server, started by
 * EventBridge rules on the primary-offline alarm (ALARM: takeover, OK:
 * failback), each role allowed exactly the calls its runbook makes.
 */
export function createSwitchAutomation(scope: Construct, props: SwitchAutomationProps): SwitchAutomation {
  const automationRole = new iam.Role(scope, 'AutomationRole', {
    assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com'),
    description: `${scope.node.path}: switches the stable listeners and promotes the secondary`,
  });
  const listeners = props.listeners;
  const { primary, secondary } = props;
  const stack = Stack.of(scope);
  const pointAt = (server: StandbyServer): ApiStep[] => listeners.map((listener, i) => ({
    name: i === 0 ? 'ForwardTcp' : 'ForwardUdp',
    service: 'elbv2',
    api: 'ModifyListener',
    inputs: {
      ListenerArn: listener.listenerArn,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: (i === 0 ? server.tcpTargetGroup : server.udpTargetGroup!).targetGroupArn }],
    },
  }));
  automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:ModifyListener'],
    resources: listeners.map(l => l.listenerArn),
  }));
  const roleArn = automationRole.roleArn;
  const switchToSecondaryRunbook = automationRunbook(scope, 'SwitchToSecondaryRunbook', {
    description: `Takeover of ${scope.node.path}: the stable listeners forward to the secondary server.`,
    assumeRoleArn: roleArn,
    steps: pointAt(secondary),
  });
  const switchToPrimaryRunbook = automationRunbook(scope, 'SwitchToPrimaryRunbook', {
    description: `Failback of ${scope.node.path}: the stable listeners forward to the primary server again; the secondary resumes standby.`,
    assumeRoleArn: roleArn,
    steps: pointAt(primary),
  });

  const eventsRole = new iam.Role(scope, 'EventsRole', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    description: `${scope.node.path}: starts the takeover and failback runbooks`,
  });
  const definitionArn = (doc: ssm.CfnDocument) => stack.formatArn({
    service: 'ssm', resource: 'automation-definition', resourceName: `${doc.ref}:$DEFAULT`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:StartAutomationExecution'],
    resources: [definitionArn(switchToSecondaryRunbook), definitionArn(switchToPrimaryRunbook)],
  }));
  eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [automationRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
  }));
  const ruleFor = (ruleId: string, state: string, doc: ssm.CfnDocument, description: string) => new events.Rule(scope, ruleId, {
    description,
    eventPattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      resources: [props.primaryOfflineAlarm.alarmArn],
      detail: { state: { value: [state] } },
    },
    targets: [{ bind: () => ({ arn: definitionArn(doc), role: eventsRole, input: events.RuleTargetInput.fromObject({}) }) }],
  });
  const takeoverRule = ruleFor('TakeoverRule', 'ALARM', switchToSecondaryRunbook,
    `${scope.node.path}: primary offline, switch the listeners to the secondary`);
  const failbackRule = ruleFor('FailbackRule', 'OK', switchToPrimaryRunbook,
    `${scope.node.path}: primary restored, switch the listeners back to it`);

  const ruleArns = [takeoverRule.ruleArn, failbackRule.ruleArn];
  automationRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:DisableRule'], resources: ruleArns }));
  const policyCondition = { ArnEquals: { 'iam:PolicyARN': props.configWritePolicy.managedPolicyArn } };
  automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:AttachRolePolicy'], resources: [secondary.taskRole.roleArn], conditions: policyCondition,
  }));
  automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:DetachRolePolicy'], resources: [primary.taskRole.roleArn], conditions: policyCondition,
  }));
  const promoteRunbook = automationRunbook(scope, 'PromoteRunbook', {
    description: `Promotion of ${scope.node.path}: when the primary cannot be restored, the secondary becomes the standalone primary ` +
      '(no failback, listeners to the secondary, configuration write access moved to it).',
    assumeRoleArn: roleArn,
    steps: [
      { name: 'StopFailback', service: 'events', api: 'DisableRule', inputs: { Name: failbackRule.ruleName } },
      { name: 'StopTakeover', service: 'events', api: 'DisableRule', inputs: { Name: takeoverRule.ruleName } },
      ...pointAt(secondary),
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

  return { switchToSecondaryRunbook, switchToPrimaryRunbook, promoteRunbook, takeoverRule, failbackRule };
}
