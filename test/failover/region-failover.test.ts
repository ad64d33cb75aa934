/**
 * The start of a regional failover (lib/failover/region-failover.ts), built
 * in each test: the library's rule (what it listens to, how it retries), the
 * step each runner counts, and the links the analysis checks, for the
 * library's automation and for a Region switch plan, automatic or started by
 * on-call.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PathLinkKind, RecoveryStep, RegionFailoverRunner } from '../../lib';
import { RegionFailoverStart } from '../../lib/failover/region-failover';
import { RegionSwitchPlan } from '../../lib/failover/region-switch-plan';
import { RegionSwitchStep } from '../../lib/failover/region-switch-step';
import { testApp, testEnv } from '../harness';

function start(runner: RegionFailoverRunner, automatic: boolean, forwarded = true) {
  const alsoOn = forwarded ? ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:forwarded'] : undefined;
  const stack = new Stack(testApp(), 'Standby', { env: testEnv('us-east-1') });
  const fn = new lambda.Function(stack, 'TurnOn', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
  const alarm = new cloudwatch.Alarm(stack, 'ProbeAlarm', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 3 });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const automation = { construct: fn, description: 'turn-on function', role, calls: [] };
  const failover = new RegionFailoverStart(stack, {
    runner, automatic, automaticProp: 'autoTurnOn', alarm, alsoOn,
    primaryRegion: 'eu-west-1', fn, ruleId: 'TurnOnRule', ruleDescription: 'turns the standby on',
    manual: { ...automation, description: 'turn-on runbook' }, automation,
    planSteps: [RegionSwitchStep.invokeFunction(fn)], planAutomations: [automation], planCalls: [],
    planPurpose: rto => ({ paths: ['writes'], scenario: 'loss of eu-west-1', proves: 'the writes path', passes: 'it completes', expectedRecovery: rto }),
  });
  return { stack, alarm, failover };
}

const steps = [RecoveryStep.constant('detection', Duration.seconds(40), '4 x 10 s')];

/** A step's figures, durations in seconds. */
function figures(step: RecoveryStep) {
  const r = step.resolve();
  return { component: r.component, derivation: r.derivation, duration: r.duration.toSeconds(), fastest: r.fastest.toSeconds(), tuning: r.tuning };
}

describe('the library\'s automation, automatic', () => {
  test('a rule on the probe alarm and the forwarded alarm entering ALARM invokes the function, retrying 4 times within an hour', () => {
    const { stack, alarm, failover } = start(RegionFailoverRunner.LIBRARY_AUTOMATION, true);
    expect(failover.rule).toBeDefined();
    expect(failover.automatic).toBe(true);
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const props = rules[0].Properties;
    expect(props.Description).toBe('turns the standby on');
    expect(props.EventPattern).toEqual({
      'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'],
      'resources': [stack.resolve(alarm.alarmArn), 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:forwarded'],
      'detail': { state: { value: ['ALARM'] } },
    });
    expect(props.Targets).toHaveLength(1);
    expect(props.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TurnOn/), 'Arn'] });
    expect(props.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 });
  });

  test('without forwarded alarms the rule listens to the probe alarm alone', () => {
    const { stack, alarm } = start(RegionFailoverRunner.LIBRARY_AUTOMATION, true, false);
    const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    expect(rule.Properties.EventPattern.resources).toEqual([stack.resolve(alarm.alarmArn)]);
  });

  test('counts the EventBridge and Lambda automation in the standby region, and links the rule, then the function', () => {
    const { failover } = start(RegionFailoverRunner.LIBRARY_AUTOMATION, true);
    expect(figures(failover.step())).toEqual({
      component: 'turn-on function (EventBridge rule in us-east-1)', duration: 10, fastest: 10, tuning: undefined,
      derivation: expect.stringContaining('estimate'),
    });
    const links = failover.links(steps);
    expect(links.map(l => [l.kind, l.description, l.construct.node.id])).toEqual([
      [PathLinkKind.EVENT_RULE, 'failover rule', 'TurnOnRule'],
      [PathLinkKind.AUTOMATION, 'turn-on function', 'TurnOn'],
    ]);
    expect(failover.links(steps)).toBe(links);
    expect(failover.plan).toBeUndefined();
  });
});

describe('the library\'s automation, started by on-call', () => {
  test('no rule; the step is the on-call response, shortened by the automatic prop to the automation\'s time', () => {
    const { stack, failover } = start(RegionFailoverRunner.LIBRARY_AUTOMATION, false);
    expect(failover.rule).toBeUndefined();
    expect(failover.automatic).toBe(false);
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 0);
    expect(figures(failover.step())).toEqual({
      component: 'on-call runs the turn-on runbook', duration: 300, fastest: 10, tuning: 'autoTurnOn (true)',
      derivation: 'assumed on-call response: a paged person confirms the regional outage and runs the turn-on runbook (no AWS figure)',
    });
  });

  test('links the runbook, run by on-call', () => {
    const { failover } = start(RegionFailoverRunner.LIBRARY_AUTOMATION, false);
    expect(failover.links(steps).map(l => [l.kind, l.description])).toEqual([[PathLinkKind.AUTOMATION, 'turn-on runbook (run by on-call)']]);
  });
});

describe('a Region switch plan', () => {
  test.each([true, false])('automatic: %s: no rule of the library; the plan, created by the first links() call, holds the path\'s recovery time', automatic => {
    const { stack, alarm, failover } = start(RegionFailoverRunner.REGION_SWITCH_PLAN, automatic);
    expect(failover.rule).toBeUndefined();
    expect(failover.plan).toBeUndefined();
    const links = failover.links(steps);
    expect(failover.links(steps)).toBe(links);
    const plans = stack.node.findAll().filter((c): c is RegionSwitchPlan => c instanceof RegionSwitchPlan);
    expect(plans).toEqual([failover.plan]);
    expect(links.map(l => [l.kind, l.description])).toEqual([
      [PathLinkKind.AUTOMATION, automatic ? 'Region switch plan (triggered by the probe alarm)' : 'Region switch plan (started by on-call)'],
      [PathLinkKind.AUTOMATION, 'turn-on function'],
    ]);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 0);
    const [plan] = Object.values(template.findResources('AWS::ARCRegionSwitch::Plan'));
    expect(plan.Properties.Regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(plan.Properties.PrimaryRegion).toBe('eu-west-1');
    expect(plan.Properties.RecoveryTimeObjectiveMinutes).toBe(1);
    // the probe alarm is the plan's trigger, which starts it only when the failover is automatic
    expect(JSON.stringify(plan.Properties.AssociatedAlarms)).toContain(JSON.stringify(stack.resolve(alarm.alarmArn)));
    expect((plan.Properties.Triggers ?? []).length).toBe(automatic ? 1 : 0);
  });

  test('a plan needs the path\'s steps for its recovery time', () => {
    const { failover } = start(RegionFailoverRunner.REGION_SWITCH_PLAN, true);
    expect(() => failover.links([])).toThrow('the path: RecoveryStep.sequence() needs at least one step');
  });

  test.each([
    [true, 'Region switch plan started by the probe alarm', 60, 60, undefined],
    [false, 'on-call starts the Region switch plan', 300, 60, 'autoTurnOn (true)'],
  ])('automatic: %s: the step counts %s', (automatic, component, duration, fastest, tuning) => {
    const { failover } = start(RegionFailoverRunner.REGION_SWITCH_PLAN, automatic);
    expect(figures(failover.step())).toEqual(expect.objectContaining({ component, duration, fastest, tuning }));
  });
});
