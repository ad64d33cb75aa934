import { CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { isDuration, requireDefined, requireDurationBetween } from '../core/validation';
import { DrillDescription, DrillKind, DrillPurpose, IDrill, ProveDrill } from '../failover/drill-description';
import { describeDrill } from '../failover/drill-support/describe';
import { human, literal, outputLookup } from '../failover/drill-support/figures';
import { markDrill } from '../failover/drill-support/marker';
import { acknowledgeWildcards } from '../failover/drill-support/nag';
import { computedPaths, hasLiteralRegion } from '../failover/prove-target';
import { FaultAction, FaultActionConfig } from './fault-action';
import { alarmDetectionTime } from './private/alarm-window';
import { regionalServiceRole } from './private/service-role';

/** FIS's limit on an experiment template's description. */
const MAX_DESCRIPTION = 512;

/** The observation time when a stop alarm's detection time cannot be read (an imported alarm). */
const DEFAULT_OBSERVATION = Duration.minutes(5);

/** Props of `FaultExperiment`. */
export interface FaultExperimentProps {
  /** The actions, run one after the other (each starts when the previous one has finished). */
  readonly actions: FaultAction[];
  /**
   * Alarms that stop the experiment when they go into ALARM (and keep it
   * from starting while in ALARM): alarms that mean customers are hurt
   * beyond what the drilled path promises. In the experiment's region.
   */
  readonly stopAlarms: cloudwatch.IAlarm[];
  /** What the drill proves (the paths and scenario), for the description, the outputs and the report. */
  readonly purpose: DrillPurpose;
  /**
   * How long the experiment keeps running from the start of its last fault
   * action, so that its stop conditions can act: FIS checks them only while
   * the experiment runs, and an instantaneous fault (a stopped task, a
   * failover) would otherwise end it at once. When the last fault and the
   * actions after it are shorter, the experiment ends with an `aws:fis:wait`
   * for the rest. Must be at least the stop alarms' detection time.
   * @default the longest detection time of the stop alarms: evaluation periods x period (a composite alarm: its longest child) + 1 minute for CloudWatch to publish and evaluate; 5 minutes for an alarm whose figures cannot be read
   */
  readonly observationTime?: Duration;
  /**
   * How long the experiment's log events are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when the experiment is removed from the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One AWS Fault Injection Service experiment template: the actions in
 * sequence, a role of its own that FIS assumes (only the calls its actions
 * make, on the targeted resources where the APIs allow it), stop conditions
 * on CloudWatch alarms of its region, and its log in a CloudWatch log group
 * kept a year (encrypted at rest by CloudWatch Logs, like the library's
 * other log groups). Outputs the template id and the command that starts it.
 *
 * Create it in the stack of the resources it targets: an experiment runs in
 * one region.
 */
export class FaultExperiment extends Construct implements IDrill {
  /** The experiment template. */
  public readonly template: fis.CfnExperimentTemplate;
  /** The template's id (`EXT...`). */
  public readonly experimentTemplateId: string;
  /** The role FIS assumes to run the actions. */
  public readonly role: iam.Role;
  /** The log group of the experiment's runs. */
  public readonly logGroup: logs.LogGroup;
  /** The command that starts the experiment (with the template id as a token, for the stack output). */
  public readonly startCommand: string;
  /** What the experiment proves. */
  public readonly purpose: DrillPurpose;
  /** How long the experiment runs from the start of its last fault action (see `observationTime`). */
  public readonly observationTime: Duration;
  /** The actions as the template runs them: the given ones, then the observation wait if one is needed. */
  public readonly actions: FaultAction[];

  constructor(scope: Construct, id: string, props: FaultExperimentProps) {
    super(scope, id);
    markDrill(this);
    const region = validate(this, props);
    this.purpose = props.purpose;
    const stack = Stack.of(this);
    this.observationTime = observationTime(this, props);
    this.actions = withObservation(props.actions, this.observationTime);
    const configs: FaultActionConfig[] = this.actions.map((action, i) => action.bind(this, actionName(action, i)));

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const { role, policy } = regionalServiceRole(this, 'fis', 'experiment', `Runs the FIS drill ${this.node.path}: ${this.actions.map(a => a.summary).join(', then ')}`);
    this.role = role;
    grantActionsAndLogDelivery(policy, configs);

    this.template = new fis.CfnExperimentTemplate(this, 'Resource', this.templateProps(props, configs));
    this.template.node.addDependency(policy);
    this.experimentTemplateId = this.template.ref;
    this.startCommand = `aws fis start-experiment --region ${literal(region, stack.region)} --experiment-template-id ${this.experimentTemplateId}`;
    this.addOutputs(props.purpose);
  }

  /** The template: the actions one after the other with their targets, the stop alarms, the log and the tags `prove` finds it by. */
  private templateProps(props: FaultExperimentProps, configs: FaultActionConfig[]): fis.CfnExperimentTemplateProps {
    const actions = this.actions;
    return {
      description: description(props, actions),
      roleArn: this.role.roleArn,
      stopConditions: props.stopAlarms.map(alarm => ({ source: 'aws:cloudwatch:alarm', value: alarm.alarmArn })),
      targets: Object.fromEntries(actions.flatMap((action, i) => action.target ? [[targetName(action, i), {
        resourceType: action.target.resourceType,
        selectionMode: action.target.selection.mode,
        resourceArns: action.target.resourceArns,
        parameters: action.target.parameters,
      }]] : [])),
      actions: Object.fromEntries(actions.map((action, i) => [actionName(action, i), {
        actionId: action.actionId,
        description: action.summary.slice(0, MAX_DESCRIPTION),
        parameters: Object.keys(configs[i].parameters).length > 0 ? configs[i].parameters : undefined,
        targets: action.targetKey ? { [action.targetKey]: targetName(action, i) } : undefined,
        startAfter: i > 0 ? [actionName(actions[i - 1], i - 1)] : undefined,
      }])),
      logConfiguration: {
        logSchemaVersion: 2,
        cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn },
      },
      tags: {
        'Name': this.node.path.slice(-256),
        'cdk-ha-patterns:paths': props.purpose.paths.join(' ').slice(0, 256),
        'cdk-ha-patterns:scenario': props.purpose.scenario.slice(0, 256),
      },
    };
  }

  /** The stack outputs: the template id (which `description` looks up) and the start command. */
  private addOutputs(purpose: DrillPurpose): void {
    new CfnOutput(this, 'TemplateId', {
      description: `FIS drill ${this.node.path}: proves ${purpose.proves}`.slice(0, 1024),
      value: this.experimentTemplateId,
    });
    new CfnOutput(this, 'StartCommand', {
      description: `Starts the FIS drill ${this.node.path} (${purpose.scenario})`.slice(0, 1024),
      value: this.startCommand,
    });
  }

  /** What the experiment proves and the command that starts it. */
  public get description(): DrillDescription {
    const stack = Stack.of(this);
    return describeDrill(DrillKind.FAULT_INJECTION, this, this.purpose, stack.region, `aws fis start-experiment --region ${stack.region} --experiment-template-id "${outputLookup(templateIdOutput(this))}"`);
  }

  /** What `cdk-ha-patterns prove` reads: the template's `Name` tag and region, its paths' computed figures. */
  public get proveTarget(): ProveDrill {
    const description = this.description;
    const tags = Stack.of(this).resolve(this.template.tags.renderTags()) as Record<string, string> | undefined;
    return {
      description, paths: computedPaths(this, description),
      experiment: hasLiteralRegion(this) ? { nameTag: tags?.Name ?? this.node.path.slice(-256), region: description.region } : undefined,
    };
  }
}

function templateIdOutput(experiment: FaultExperiment): CfnOutput {
  return experiment.node.findChild('TemplateId') as CfnOutput;
}

/**
 * The calls the actions make, then log delivery to CloudWatch Logs (vended logs): CreateLogDelivery names no
 * resource; the resource policy that lets the delivery service write is an account-level policy of this region.
 */
function grantActionsAndLogDelivery(policy: iam.Policy, configs: FaultActionConfig[]): void {
  for (const config of configs) {
    for (const permission of config.permissions) {
      policy.addStatements(permission.statement);
      if (permission.wildcardReason) acknowledgeWildcards(policy, permission.statement, permission.wildcardReason);
    }
  }
  const delivery = new iam.PolicyStatement({ actions: ['logs:CreateLogDelivery'], resources: ['*'] });
  const resourcePolicy = new iam.PolicyStatement({
    actions: ['logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy'],
    resources: [Stack.of(policy).formatArn({ service: 'logs', resource: '*' })],
  });
  policy.addStatements(delivery, resourcePolicy);
  acknowledgeWildcards(policy, delivery, 'logs:CreateLogDelivery has no resource-level permissions; FIS calls it to deliver this experiment\'s log to its log group.');
  acknowledgeWildcards(policy, resourcePolicy, 'CloudWatch Logs resource policies are account-level in a region; FIS adds the delivery service to it so the experiment\'s log reaches its log group.');
}

function validate(scope: FaultExperiment, props: FaultExperimentProps): string {
  requireDefined(scope, 'actions', props.actions, 'an array of FaultAction', Array.isArray);
  requireDefined(scope, 'stopAlarms', props.stopAlarms, 'an array of cloudwatch.IAlarm', Array.isArray);
  requireDefined(scope, 'purpose', props.purpose, 'what the drill proves: paths, scenario, proves, passes');
  if (props.actions.length === 0) {
    throw new HaValidationError(scope, { prop: 'actions', received: props.actions, expected: 'at least one FaultAction' });
  }
  if (!props.actions.some(a => a.injectsFault)) {
    throw new HaValidationError(scope, { prop: 'actions', received: props.actions.map(a => a.actionId), expected: 'at least one action with a target (a wait alone injects nothing)' });
  }
  const region = Stack.of(scope).region;
  props.actions.forEach((action, i) => {
    action.validate(scope, `actions[${i}]`);
    if (action.region && !Token.isUnresolved(action.region) && !Token.isUnresolved(region) && action.region !== region) {
      throw new HaValidationError(scope, {
        prop: `actions[${i}]`, received: `${action.summary} (in ${action.region})`,
        expected: `resources in the experiment's region, ${region}: create the experiment in the stack of what it targets`,
      });
    }
  });
  if (props.stopAlarms.length === 0) {
    throw new HaValidationError(scope, {
      prop: 'stopAlarms', received: props.stopAlarms,
      expected: 'at least one alarm that means customers are hurt beyond the promise of the drilled path (an experiment without a stop condition cannot be stopped by its outcome)',
    });
  }
  props.stopAlarms.forEach((alarm, i) => {
    const there = Stack.of(alarm).region;
    if (!Token.isUnresolved(there) && !Token.isUnresolved(region) && there !== region) {
      throw new HaValidationError(scope, {
        prop: `stopAlarms[${i}]`, received: `${alarm.node.path} in ${there}`,
        expected: `an alarm in the experiment's region, ${region}: FIS reads stop conditions in its own region`,
      });
    }
  });
  return region;
}

/**
 * How long the experiment must run from the start of its last fault: the
 * given `observationTime`, else the longest detection time of the stop alarms.
 */
function observationTime(scope: FaultExperiment, props: FaultExperimentProps): Duration {
  const figures = props.stopAlarms.map(alarm => ({ alarm, time: alarmDetectionTime(alarm) }));
  const unknown = figures.filter(f => f.time === undefined).map(f => f.alarm.node.path);
  const known = Math.max(0, ...figures.flatMap(f => f.time ? [f.time.toMilliseconds() / 1000] : []));
  const given = props.observationTime;
  if (given !== undefined) {
    requireDurationBetween(scope, 'observationTime', given, Duration.seconds(1), Duration.hours(12));
    if (isDuration(given) && !given.isUnresolved() && given.toMilliseconds() / 1000 < known) {
      throw new HaValidationError(scope, {
        prop: 'observationTime', received: given,
        expected: `at least ${human(Duration.seconds(known))}, the stop alarms' detection time (evaluation periods x period + 1 minute): ` +
          'a shorter experiment ends before its stop conditions can act; lengthen it or leave it unset',
      });
    }
    return given;
  }
  if (unknown.length > 0) {
    addHaWarning(scope, 'stop-alarm-detection-unknown',
      `the detection time of stop alarm(s) ${unknown.join(', ')} cannot be read (imported, or a composite of alarms of other stacks): ` +
      `the experiment runs at least ${human(DEFAULT_OBSERVATION)} after its last fault; set observationTime to the alarms' evaluation periods x period + 1 minute.`);
  }
  return Duration.seconds(Math.ceil(Math.max(known, unknown.length > 0 ? DEFAULT_OBSERVATION.toSeconds() : 0)));
}

/**
 * The actions, then an `aws:fis:wait` when the last fault and what follows
 * it last less than `observation`: the stop conditions get that long to act.
 */
function withObservation(actions: FaultAction[], observation: Duration): FaultAction[] {
  const last = actions.map(a => a.injectsFault).lastIndexOf(true);
  const tail = actions.slice(last).reduce((sum, a) => sum + (a.duration && isDuration(a.duration) && !a.duration.isUnresolved() ? a.duration.toMilliseconds() / 1000 : 0), 0);
  const rest = Math.ceil(observation.toMilliseconds() / 1000 - tail);
  return rest > 0 ? [...actions, FaultAction.wait(Duration.seconds(rest))] : actions;
}

/** The template's description: the scenario, the actions and what it proves, cut to FIS's limit. */
function description(props: FaultExperimentProps, actions: FaultAction[]): string {
  const text = `${props.purpose.scenario}: ${actions.map(a => a.summary).join(', then ')}. Proves ${props.purpose.proves}`;
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 3)}...`;
}

function actionName(action: FaultAction, i: number): string {
  return `Step${i + 1}${action.name}`;
}

function targetName(action: FaultAction, i: number): string {
  return `Step${i + 1}${action.targetKey ?? 'Target'}`;
}
