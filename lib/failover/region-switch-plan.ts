import { ArnFormat, CfnOutput, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as arc from 'aws-cdk-lib/aws-arcregionswitch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { addHaWarning, HaValidationError } from '../core/errors';
import { requireDefined, requireEnumValue, requireIdentifier, requireRegion } from '../core/validation';
import { acknowledge } from '../private/network';
import { DrillDescription, DrillKind, DrillPermission, DrillPurpose, IDrill, ProveDrill } from './drill-description';
import { describeDrill } from './drill-support/describe';
import { ceilMinutes, outputLookup } from './drill-support/figures';
import { markDrill } from './drill-support/marker';
import { acknowledgeWildcards } from './drill-support/nag';
import { computedPaths, hasLiteralRegion, stackOutput } from './prove-target';
import { RecoveryApproach, RegionSwitchPlanProps } from './region-switch-plan-props';
import { IRegionSwitchPlanBinding, RegionSwitchStep, RenderedRegionSwitchStep } from './region-switch-step';

export * from './region-switch-plan-props';

/** A plan name Region switch accepts: 1 to 32 letters, digits and hyphens, starting and ending with a letter or digit. */
const PLAN_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;

/** The longest `--comment` of `start-plan-execution` (the API's `ExecutionComment`). */
const MAX_COMMENT = 1024;

/**
 * An ARC Region switch plan: the workflow of steps in dependency order (and,
 * active/active, its counterpart) plus a failback workflow, the recovery time
 * objective from the computed figure, the failover alarms as trigger and
 * application-health alarms, an execution role that may make only the steps'
 * calls, and a report of each execution in S3.
 *
 * Outputs the plan's ARN and the commands that start a graceful execution and
 * its failback. Region switch has no practice mode: every execution is a real
 * switch, graceful (no data loss, both regions up) or, only with
 * `allowUngraceful`, ungraceful (`UngracefulStartCommand`: may lose data).
 */
export class RegionSwitchPlan extends Construct implements IDrill, IRegionSwitchPlanBinding {
  /** The plan. */
  public readonly plan: arc.CfnPlan;
  /** The plan's ARN. */
  public readonly planArn: string;
  /** The plan's name. */
  public readonly planName: string;
  /** The role Region switch assumes to run the steps. */
  public readonly role: iam.Role;
  /** Where the execution reports go. */
  public readonly reportBucket: s3.IBucket;
  /** The region the start command targets. */
  public readonly targetRegion: string;
  /** The plan's two regions. */
  public readonly regions: string[];
  /**
   * The command that starts a graceful execution (with the plan's ARN as a token, for the stack output):
   * a real switch, with no data loss.
   */
  public readonly startCommand: string;
  /**
   * The command that starts the failback (graceful): back to the primary region (active/passive) or the
   * deactivated region activated again (active/active).
   * @default none: the plan has no failback workflow (a warning says how to fail back)
   */
  public readonly failbackCommand?: string;
  /**
   * The command that starts an ungraceful execution (data-losing), with `allowUngraceful` only.
   * @default none
   */
  public readonly ungracefulStartCommand?: string;
  /** What the plan proves. */
  public readonly purpose: DrillPurpose;

  private readonly action: string;
  private readonly allowUngraceful: boolean;
  private readonly failbackRegion: string;
  private readonly failbackAction: string;

  constructor(scope: Construct, id: string, props: RegionSwitchPlanProps) {
    super(scope, id);
    markDrill(this);
    const approach = props.recoveryApproach ?? RecoveryApproach.ACTIVE_PASSIVE;
    const { primaryRegion, targetRegion } = validate(this, props, approach);
    this.purpose = props.purpose;
    this.targetRegion = targetRegion;
    this.regions = [...props.regions];
    const activePassive = approach === RecoveryApproach.ACTIVE_PASSIVE;
    this.action = activePassive ? 'activate' : 'deactivate';
    // Failback: active/passive activates the primary region again; active/active activates the region it deactivated.
    this.failbackRegion = activePassive ? primaryRegion! : targetRegion;
    this.failbackAction = 'activate';
    this.allowUngraceful = props.allowUngraceful ?? false;
    this.planName = props.planName ?? defaultPlanName(this);

    this.role = new iam.Role(this, 'Role', {
      description: `Runs the Region switch plan ${this.planName} (${this.node.path})`,
      assumedBy: new iam.ServicePrincipal('arc-region-switch.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
    const policy = new iam.Policy(this, 'Policy', { roles: [this.role] });
    const grant = grantTo(policy);
    const steps = this.renderSteps(props, grant);
    const alarms = this.associateAlarms(props, grant);
    this.grantPlanEvaluation(grant);
    this.reportBucket = props.reportBucket ?? this.createReportBucket();
    const reportPrefix = this.grantReports(grant);

    this.plan = new arc.CfnPlan(this, 'Resource', {
      name: this.planName,
      description: `${props.purpose.scenario}: ${props.purpose.proves}`.slice(0, 1024),
      executionRole: this.role.roleArn,
      recoveryApproach: approach,
      regions: props.regions,
      primaryRegion,
      recoveryTimeObjectiveMinutes: ceilMinutes(props.recoveryTime),
      associatedAlarms: Object.keys(alarms.associated).length > 0 ? alarms.associated : undefined,
      triggers: props.automaticExecution && alarms.triggerKeys.length > 0 ? [this.trigger(alarms.triggerKeys)] : undefined,
      workflows: this.workflows(activePassive, props.steps, steps),
      reportConfiguration: {
        reportOutput: [{ s3Configuration: { bucketPath: `${this.reportBucket.bucketName}/${reportPrefix}`, bucketOwner: Stack.of(this).account } }],
      },
    });
    this.plan.node.addDependency(policy);
    this.planArn = this.plan.attrArn;
    for (const step of new Set([...props.steps, ...steps.failback.map(s => s.step)])) step.bind(this);

    this.startCommand = this.command(this.planArn, 'graceful');
    const commands = this.addOutputs(props, steps.failback.map(s => s.step), activePassive ? primaryRegion! : targetRegion);
    this.failbackCommand = commands.failback;
    this.ungracefulStartCommand = commands.ungraceful;
  }

  /** The steps of the switch and of the failback (by default, the steps that run for either region), their permissions granted. */
  private renderSteps(props: RegionSwitchPlanProps, grant: (permission: DrillPermission) => void): PlanSteps {
    const rendered = props.steps.map(step => step.render(this));
    rendered.forEach(s => s.permissions.forEach(grant));
    const failback = (props.failbackSteps ?? props.steps.filter(s => s.runsInEitherRegion)).map(step => ({ step, rendered: step.render(this) }));
    failback.forEach(s => s.rendered.permissions.forEach(grant));
    return { rendered, failback };
  }

  /** The trigger and application-health alarms as the plan associates them (literal ARNs across stacks), with the role's right to read them. */
  private associateAlarms(props: RegionSwitchPlanProps, grant: (permission: DrillPermission) => void): AssociatedAlarms {
    const associated: Record<string, arc.CfnPlan.AssociatedAlarmProperty> = {};
    const alarmArns: string[] = [];
    const associate = (kind: 'trigger' | 'applicationHealth', prop: string, alarms: cloudwatch.IAlarm[]) => alarms.map((alarm, i) => {
      const arn = literalAlarmArn(this, alarm, `${prop}[${i}]`);
      const key = `${kind === 'trigger' ? 'trigger' : 'health'}-${i + 1}`;
      associated[key] = { alarmType: kind, resourceIdentifier: arn };
      alarmArns.push(arn);
      return key;
    });
    const triggerKeys = associate('trigger', 'triggerAlarms', props.triggerAlarms ?? []);
    associate('applicationHealth', 'healthAlarms', props.healthAlarms ?? []);
    if (alarmArns.length > 0) {
      grant({ statement: new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'], resources: alarmArns }) });
    }
    return { associated, triggerKeys };
  }

  /** Plan evaluation: the plan reads itself and checks its role's permissions. */
  private grantPlanEvaluation(grant: (permission: DrillPermission) => void): void {
    const planArns = Stack.of(this).formatArn({
      service: 'arc-region-switch', region: '', resource: 'plan', resourceName: `${this.planName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    grant({
      statement: new iam.PolicyStatement({ actions: ['arc-region-switch:GetPlan', 'arc-region-switch:GetPlanExecution', 'arc-region-switch:ListPlanExecutions'], resources: [planArns] }),
      wildcardReason: 'The plan\'s ARN ends in an id Region switch assigns; the wildcard covers this plan\'s name only.',
    });
    grant({ statement: new iam.PolicyStatement({ actions: ['iam:SimulatePrincipalPolicy'], resources: [this.role.roleArn] }) });
  }

  /** Lets the role write the execution reports under the plan's prefix; returns the prefix. */
  private grantReports(grant: (permission: DrillPermission) => void): string {
    const reportPrefix = `region-switch/${this.planName}`;
    grant({
      statement: new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.reportBucket.arnForObjects(`${reportPrefix}/*`)] }),
      wildcardReason: 'Region switch names each report after its execution; the wildcard covers this plan\'s report prefix only.',
    });
    return reportPrefix;
  }

  /** The automatic execution: the plan's action for its target region once every trigger alarm is red. */
  private trigger(triggerKeys: string[]): arc.CfnPlan.TriggerProperty {
    return {
      action: this.action,
      targetRegion: this.targetRegion,
      minDelayMinutesBetweenExecutions: 60,
      description: `${this.action} ${this.targetRegion} when the failover alarms are in ALARM`,
      conditions: triggerKeys.map(key => ({ associatedAlarmName: key, condition: 'red' })),
    };
  }

  /** The switch's workflow and, when any step runs for the failback region, the failback's. */
  private workflows(activePassive: boolean, stepsOfSwitch: RegionSwitchStep[], steps: PlanSteps): arc.CfnPlan.WorkflowProperty[] {
    return [{
      workflowTargetAction: this.action,
      workflowTargetRegion: activePassive ? this.targetRegion : undefined,
      workflowDescription: stepsOfSwitch.map(s => s.description).join('; then ').slice(0, 500),
      steps: steps.rendered.map(s => s.step),
    }, ...(steps.failback.length > 0 ? [{
      workflowTargetAction: this.failbackAction,
      workflowTargetRegion: activePassive ? this.failbackRegion : undefined,
      workflowDescription: `Failback to ${this.failbackRegion}: ${steps.failback.map(s => s.step.description).join('; then ')}`.slice(0, 500),
      steps: steps.failback.map(s => s.rendered.step),
    }] : [])];
  }

  /**
   * The plan's ARN and its commands (graceful start, failback, and the data-losing ungraceful start with
   * `allowUngraceful`) as outputs; a warning when no step can fail back. Returns the commands beside the start command.
   */
  private addOutputs(props: RegionSwitchPlanProps, failbackSteps: RegionSwitchStep[], lostRegion: string): { failback?: string; ungraceful?: string } {
    new CfnOutput(this, 'PlanArn', { description: `Region switch plan ${this.node.path}: proves ${props.purpose.proves}`.slice(0, 1024), value: this.planArn });
    new CfnOutput(this, 'StartCommand', {
      description: (`Starts a graceful execution of ${this.node.path} (${props.purpose.scenario}): a real switch (Region switch has no practice mode), ` +
        'no data loss; it needs both regions up').slice(0, 1024),
      value: this.startCommand,
    });
    let failbackCommand: string | undefined;
    if (failbackSteps.length > 0) {
      failbackCommand = this.command(this.planArn, 'graceful', true);
      new CfnOutput(this, 'FailbackCommand', {
        description: `Fails ${this.node.path} back to ${this.failbackRegion} (graceful: ${failbackSteps.map(failbackEffect).join('; ')})`.slice(0, 1024),
        value: failbackCommand,
      });
    } else {
      addHaWarning(this, 'region-switch-no-failback',
        `${this.node.path} has no failback workflow: none of its steps runs for ${this.failbackRegion} (a function step runs only where its function is). ` +
        'Give failbackSteps, or fail back by the pattern\'s runbook.');
    }
    let ungraceful: string | undefined;
    if (this.allowUngraceful) {
      ungraceful = this.command(this.planArn, 'ungraceful');
      new CfnOutput(this, 'UngracefulStartCommand', {
        description: (`DATA-LOSING: starts an ungraceful execution of ${this.node.path} for a lost ${lostRegion}: ` +
          'the database fails over with data loss (writes not yet replicated are lost) and steps that need the lost region are skipped').slice(0, 1024),
        value: ungraceful,
      });
    }
    return { failback: failbackCommand, ungraceful };
  }

  /** What the plan proves and the command that starts a graceful execution (a real switch, no data loss). */
  public get description(): DrillDescription {
    return describeDrill(DrillKind.REGION_SWITCH, this, this.purpose, this.targetRegion,
      this.command(`"${outputLookup(this.node.findChild('PlanArn') as CfnOutput)}"`, 'graceful'));
  }

  /** What `cdk-ha-patterns prove` reads: the plan's literal name, the region whose Region switch is asked, its paths' computed figures. */
  public get proveTarget(): ProveDrill {
    const description = this.description;
    return {
      description, paths: computedPaths(this, description),
      plan: Token.isUnresolved(this.planName) || !hasLiteralRegion(this) ? undefined
        : { planName: this.planName, region: description.region, planArnOutput: stackOutput(this, 'PlanArn') },
    };
  }

  /** The `start-plan-execution` command: `mode` graceful or ungraceful (the API's only modes), the failback or the switch. */
  private command(planArn: string, mode: 'graceful' | 'ungraceful', failback = false): string {
    const region = failback ? this.failbackRegion : this.targetRegion;
    const action = failback ? this.failbackAction : this.action;
    const what = failback ? 'failback' : mode === 'graceful' ? 'drill (graceful, no data loss)' : 'recovery (ungraceful, may lose data)';
    const comment = `cdk-ha-patterns ${what}: ${this.purpose.scenario}`.replace(/[^a-zA-Z0-9 .,:()/_-]/g, '').slice(0, MAX_COMMENT);
    return `aws arc-region-switch start-plan-execution --region ${region} --plan-arn ${planArn} --target-region ${region} --action ${action} --mode ${mode} --comment '${comment}'`;
  }

  private createReportBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Reports', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // The reports are the record of each execution: kept; only overwritten versions and unfinished uploads go.
      lifecycleRules: [{ id: 'OverwrittenReports', noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(bucket, {
      'AwsSolutions-S1': 'Only the plan\'s role writes here: the reports are themselves the record of each Region switch execution; server access logs would add a bucket per plan.',
    });
    return bucket;
  }
}

/** The rendered steps of the switch and those of the failback. */
interface PlanSteps {
  readonly rendered: RenderedRegionSwitchStep[];
  readonly failback: Array<{ readonly step: RegionSwitchStep; readonly rendered: RenderedRegionSwitchStep }>;
}

/** The plan's associated alarms by key, and the keys of its trigger alarms. */
interface AssociatedAlarms {
  readonly associated: Record<string, arc.CfnPlan.AssociatedAlarmProperty>;
  readonly triggerKeys: string[];
}

/** Adds a permission's statement to `policy` (acknowledging its wildcard with the permission's reason). */
function grantTo(policy: iam.Policy): (permission: DrillPermission) => void {
  return permission => {
    policy.addStatements(permission.statement);
    if (permission.wildcardReason) acknowledgeWildcards(policy, permission.statement, permission.wildcardReason);
  };
}

/** A unique plan name Region switch accepts (no leading or trailing hyphen). */
function defaultPlanName(plan: IConstruct): string {
  return Names.uniqueResourceName(plan, { maxLength: 32, separator: '-' }).replace(/[^a-zA-Z0-9-]/g, '').replace(/^-+|-+$/g, '') || 'plan';
}

/** What a failback step does to data, for the failback command's description. */
function failbackEffect(step: RegionSwitchStep): string {
  if (step.executionBlockType === 'AuroraGlobalDatabase') return 'the database switches back, no data loss (both regions must be up)';
  if (step.executionBlockType === 'Route53HealthCheck') return 'the name moves back (no data)';
  return step.description;
}

/**
 * The ARN of `alarm` as the plan may name it: the alarm's own (a token) in
 * the plan's stack; elsewhere a literal built from its literal name, or an
 * error (a token from another region would tie the stacks together).
 */
function literalAlarmArn(plan: IConstruct, alarm: cloudwatch.IAlarm, prop: string): string {
  const planStack = Stack.of(plan);
  const alarmStack = Stack.of(alarm);
  if (alarmStack === planStack) return alarm.alarmArn;
  const cfn = alarm.node.defaultChild;
  const name = cfn instanceof cloudwatch.CfnAlarm ? cfn.alarmName : cfn instanceof cloudwatch.CfnCompositeAlarm ? cfn.alarmName : undefined;
  if (name === undefined || Token.isUnresolved(name) || Token.isUnresolved(alarmStack.region) || Token.isUnresolved(alarmStack.account)) {
    throw new HaValidationError(plan, {
      prop, received: alarm.node.path,
      expected: `an alarm in the plan's stack (${planStack.stackName}) or with a literal name: a generated name from another stack would be a cross-stack reference`,
    });
  }
  return planStack.formatArn({ service: 'cloudwatch', region: alarmStack.region, account: alarmStack.account, resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

function validate(scope: RegionSwitchPlan, props: RegionSwitchPlanProps, approach: RecoveryApproach): { primaryRegion?: string; targetRegion: string } {
  requireEnumValue(scope, 'recoveryApproach', props.recoveryApproach, RecoveryApproach, 'RecoveryApproach');
  requireDefined(scope, 'regions', props.regions, 'an array of two region names', Array.isArray);
  requireDefined(scope, 'steps', props.steps, 'an array of RegionSwitchStep', Array.isArray);
  requireDefined(scope, 'recoveryTime', props.recoveryTime, 'the computed worst case of the paths the plan replaces, as a Duration');
  requireDefined(scope, 'purpose', props.purpose, 'what the plan proves: paths, scenario, proves, passes');
  requireIdentifier(scope, 'planName', props.planName, 'Region switch plan name', PLAN_NAME, '1 to 32 letters, digits and hyphens, not starting or ending with a hyphen');
  props.regions.forEach((r, i) => requireRegion(scope, `regions[${i}]`, r));
  if (props.regions.length !== 2 || props.regions[0] === props.regions[1]) {
    throw new HaValidationError(scope, { prop: 'regions', received: props.regions, expected: 'two different regions: a Region switch plan spans two' });
  }
  (props.failbackSteps ?? []).forEach((step, i) => step.validate(scope, `failbackSteps[${i}]`));
  if (props.steps.length === 0) {
    throw new HaValidationError(scope, { prop: 'steps', received: props.steps, expected: 'at least one RegionSwitchStep' });
  }
  props.steps.forEach((step, i) => step.validate(scope, `steps[${i}]`));
  const names = props.steps.map(s => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) {
    throw new HaValidationError(scope, { prop: 'steps', received: names, expected: `each kind of step once (${duplicate} appears twice): combine them in one step` });
  }
  if (!props.recoveryTime.isUnresolved() && props.recoveryTime.toMilliseconds() <= 0) {
    throw new HaValidationError(scope, { prop: 'recoveryTime', received: props.recoveryTime, expected: 'a duration longer than 0' });
  }
  for (const [prop, region] of [['primaryRegion', props.primaryRegion], ['targetRegion', props.targetRegion]] as const) {
    if (region !== undefined && !props.regions.includes(region)) {
      throw new HaValidationError(scope, { prop, received: region, expected: `one of the plan's regions: ${props.regions.join(', ')}` });
    }
  }
  if (approach === RecoveryApproach.ACTIVE_ACTIVE) {
    if (props.primaryRegion !== undefined) {
      throw new HaValidationError(scope, { prop: 'primaryRegion', received: props.primaryRegion, expected: 'no primary region in an active/active plan (every region serves)' });
    }
    return { targetRegion: props.targetRegion ?? props.regions[0] };
  }
  const primaryRegion = props.primaryRegion ?? props.regions[0];
  const targetRegion = props.targetRegion ?? props.regions.find(r => r !== primaryRegion)!;
  if (targetRegion === primaryRegion) {
    throw new HaValidationError(scope, { prop: 'targetRegion', received: targetRegion, expected: `the region to activate, other than the primary region (${primaryRegion})` });
  }
  return { primaryRegion, targetRegion };
}
