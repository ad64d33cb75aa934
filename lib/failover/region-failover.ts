import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AutomationCall, PathLink } from '../core/failure-scenario';
import { RecoveryStep } from '../core/recovery-step';
import { RegionFailoverRunner } from '../core/region-failover';
import { ServiceTime } from '../core/service-time';
import { DrillPurpose } from './drill-description';
import { RegionSwitchPlan } from './region-switch-plan';
import { RegionSwitchStep } from './region-switch-step';

/** The assumed time for a paged person to confirm a regional outage and start the failover (no AWS figure). */
const ON_CALL_RESPONSE = Duration.minutes(5);

/** The automation that acts once the failover has started: a function with its role and calls. */
export interface FailoverAutomation {
  /** The construct that acts (a function, a runbook). */
  readonly construct: Construct;
  /** What it is, for messages (`turn-on function`). */
  readonly description: string;
  readonly role: iam.IRole;
  readonly calls: AutomationCall[];
}

/** How a pattern's regional failover starts: which runner, and what it runs. */
export interface RegionFailoverOptions {
  readonly runner: RegionFailoverRunner;
  /** Whether the failover starts without a person (`autoTurnOn`, `autoFailover`). */
  readonly automatic: boolean;
  /** The prop that makes it automatic, for the tuning hint (`autoTurnOn`). */
  readonly automaticProp: string;
  /** The probe alarm in the surviving region. */
  readonly alarm: cloudwatch.IAlarm;
  /**
   * Further alarms the library's rule starts on, by ARN: another region's alarm forwarded to this
   * region's default bus while that region lives (the plan's trigger is `alarm` alone).
   * @default none
   */
  readonly alsoOn?: string[];
  /** The region the failover recovers from. */
  readonly primaryRegion: string;
  /** The function the library's rule invokes (LIBRARY_AUTOMATION). */
  readonly fn: lambda.IFunction;
  /** The rule's construct id and description. */
  readonly ruleId: string;
  readonly ruleDescription: string;
  /** What on-call runs without the plan when the failover is not automatic (the function itself, or a runbook). */
  readonly manual: FailoverAutomation;
  /** What the rule's function does, as an automation link. */
  readonly automation: FailoverAutomation;
  /** The plan's workflow (REGION_SWITCH_PLAN). */
  readonly planSteps: RegionSwitchStep[];
  /**
   * The steps of the plan's failback workflow.
   * @default the plan's steps that run for either region
   */
  readonly planFailbackSteps?: RegionSwitchStep[];
  /** Automations the plan's steps run in their turn (a function a step invokes), as links after the plan's. */
  readonly planAutomations: FailoverAutomation[];
  /** The calls the plan's role makes for its steps. */
  readonly planCalls: AutomationCall[];
  /** What the plan proves, for its outputs and the report (its recovery time is the path's). */
  readonly planPurpose: (recoveryTime: Duration) => DrillPurpose;
}

/**
 * The start of a regional failover in the surviving region's `scope`: the
 * library's rule and function, or a Region switch plan whose trigger is the
 * probe alarm; the step the path counts for it and the links the analysis
 * checks. `links` creates the plan (its RTO is the path's).
 */
export class RegionFailoverStart {
  /** The rule that runs the library's automation, if any. */
  public readonly rule?: events.Rule;
  /** The plan, once `links` has run (REGION_SWITCH_PLAN). */
  public plan?: RegionSwitchPlan;
  private linked?: PathLink[];

  constructor(private readonly scope: Construct, private readonly options: RegionFailoverOptions) {
    if (options.runner === RegionFailoverRunner.LIBRARY_AUTOMATION && options.automatic) {
      this.rule = new events.Rule(scope, options.ruleId, {
        description: options.ruleDescription,
        // In the alarm's region: alarm state changes reach its default bus only.
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          resources: [options.alarm.alarmArn, ...(options.alsoOn ?? [])],
          detail: { state: { value: ['ALARM'] } },
        },
        targets: [new targets.LambdaFunction(options.fn, { retryAttempts: 4, maxEventAge: Duration.hours(1) })],
      });
    }
  }

  /** Whether the failover starts without a person. */
  public get automatic(): boolean {
    return this.options.automatic;
  }

  /** The step the path counts from the probe alarm to the automation's first call. */
  public step(): RecoveryStep {
    const { runner, automatic, automaticProp } = this.options;
    const region = Stack.of(this.scope).region;
    const plan = runner === RegionFailoverRunner.REGION_SWITCH_PLAN;
    if (automatic) {
      return plan
        ? RecoveryStep.serviceTime(ServiceTime.REGION_SWITCH_TRIGGER, 'Region switch plan started by the probe alarm')
        : RecoveryStep.serviceTime(ServiceTime.EVENTBRIDGE_LAMBDA_AUTOMATION, `${this.options.automation.description} (EventBridge rule in ${region})`);
    }
    const what = plan ? 'starts the Region switch plan' : `runs the ${this.options.manual.description}`;
    return RecoveryStep.tunable(`on-call ${what}`, ON_CALL_RESPONSE,
      `assumed on-call response: a paged person confirms the regional outage and ${what} (no AWS figure)`,
      { prop: `${automaticProp} (true)`, floor: plan ? ServiceTime.REGION_SWITCH_TRIGGER.duration : ServiceTime.EVENTBRIDGE_LAMBDA_AUTOMATION.duration });
  }

  /**
   * Creates the plan (REGION_SWITCH_PLAN) and returns the links from the
   * rule or plan on: the plan must exist before the path that names it, so
   * its RTO is the sum of `steps` (the path's own steps). The first call
   * decides; later calls return the same links.
   */
  public links(steps: RecoveryStep[]): PathLink[] {
    this.linked ??= this.createLinks(steps);
    return this.linked;
  }

  private createLinks(steps: RecoveryStep[]): PathLink[] {
    const o = this.options;
    if (o.runner === RegionFailoverRunner.LIBRARY_AUTOMATION) {
      return o.automatic
        ? [PathLink.eventRule(this.rule!, 'failover rule'), automationLink(o.automation)]
        : [automationLink({ ...o.manual, description: `${o.manual.description} (run by on-call)` })];
    }
    const recoveryTime = RecoveryStep.sequence('the path', steps).resolve().duration;
    const here = Stack.of(this.scope).region;
    this.plan = new RegionSwitchPlan(this.scope, 'RegionSwitchPlan', {
      regions: [o.primaryRegion, here],
      primaryRegion: o.primaryRegion,
      targetRegion: here,
      steps: o.planSteps,
      failbackSteps: o.planFailbackSteps,
      recoveryTime,
      triggerAlarms: [o.alarm],
      automaticExecution: o.automatic,
      purpose: o.planPurpose(recoveryTime),
    });
    return [
      PathLink.automation(this.plan, o.automatic ? 'Region switch plan (triggered by the probe alarm)' : 'Region switch plan (started by on-call)',
        this.plan.role, o.planCalls),
      ...o.planAutomations.map(automationLink),
    ];
  }
}

function automationLink(a: FailoverAutomation): PathLink {
  return PathLink.automation(a.construct, a.description, a.role, a.calls);
}
