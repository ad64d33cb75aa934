/**
 * An experiment runs long enough for its stop conditions to act: from the
 * start of its last fault, at least its stop alarms' detection time
 * (evaluation periods x period, a composite's slowest child, + 1 minute).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DrillPurpose, FaultAction, FaultExperiment, FaultExperimentProps, TargetSelection } from '../../lib';
import { testApp, testEnv } from '../harness';

const purpose: DrillPurpose = { paths: ['task-failure'], scenario: 'task-loss of eu-west-1', proves: 'a replacement takes over', passes: 'a new task runs' };

function setup() {
  const app = testApp();
  const stack = new Stack(app, 'S', { env: testEnv() });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task });
  const alarm = (id: string, minutes: number, periods: number) => new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'N', metricName: id, period: Duration.minutes(minutes) }), threshold: 1, evaluationPeriods: periods,
  });
  const experiment = (props: Partial<FaultExperimentProps>) => new FaultExperiment(stack, 'Drill', {
    actions: [FaultAction.stopTasks(service, TargetSelection.all())], stopAlarms: [alarm('Hurt', 1, 3)], purpose, ...props,
  });
  return { app, stack, vpc, cluster, service, alarm, experiment };
}

const actionsOf = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::FIS::ExperimentTemplate'))[0].Properties.Actions;

describe('FaultExperiment: observation time', () => {
  test('an instantaneous fault is followed by a wait of the stop alarm\'s detection time: 3 x 1 min + 1 min', () => {
    const { stack, experiment } = setup();
    expect(experiment({}).observationTime.toSeconds()).toBe(240);
    expect(actionsOf(stack)).toEqual({
      Step1StopTasks: expect.objectContaining({ ActionId: 'aws:ecs:stop-task' }),
      Step2Wait: { ActionId: 'aws:fis:wait', Description: 'wait 4 min', Parameters: { duration: 'PT4M' }, StartAfter: ['Step1StopTasks'] },
    });
  });

  test('the slowest stop alarm counts, and a composite alarm counts as its slowest child', () => {
    const { stack, alarm, experiment } = setup();
    const composite = new cloudwatch.CompositeAlarm(stack, 'Any', { alarmRule: cloudwatch.AlarmRule.anyOf(alarm('Fast', 1, 2), alarm('Slow', 5, 3)) });
    expect(experiment({ stopAlarms: [alarm('Other', 1, 1), composite] }).observationTime.toSeconds()).toBe(15 * 60 + 60);
    expect(actionsOf(stack).Step2Wait.Parameters).toEqual({ duration: 'PT16M' });
  });

  test('a math expression\'s alarm counts its metrics\' period', () => {
    const { stack, experiment } = setup();
    const expression = new cloudwatch.Alarm(stack, 'Math', {
      metric: new cloudwatch.MathExpression({ expression: 'a + b', usingMetrics: { a: new cloudwatch.Metric({ namespace: 'N', metricName: 'A' }), b: new cloudwatch.Metric({ namespace: 'N', metricName: 'B' }) }, period: Duration.minutes(2) }),
      threshold: 1, evaluationPeriods: 4,
    });
    expect(experiment({ stopAlarms: [expression] }).observationTime.toSeconds()).toBe(9 * 60);
  });

  test('a last fault with a duration counts: only the rest is waited, and nothing when it lasts long enough', () => {
    const a = setup();
    a.experiment({ actions: [FaultAction.disruptZone(a.vpc, 'eu-west-1a', Duration.minutes(3))] });
    expect(actionsOf(a.stack).Step2Wait.Parameters).toEqual({ duration: 'PT1M' });
    const b = setup();
    b.experiment({ actions: [FaultAction.disruptZone(b.vpc, 'eu-west-1a', Duration.minutes(5))] });
    expect(Object.keys(actionsOf(b.stack))).toEqual(['Step1DisruptZone']);
  });

  test('counts from the start of the last fault: a wait between two faults does not shorten the observation', () => {
    const { stack, service, experiment } = setup();
    experiment({ actions: [FaultAction.stopTasks(service, TargetSelection.count(1)), FaultAction.wait(Duration.minutes(10)), FaultAction.stopTasks(service, TargetSelection.count(1))] });
    expect(actionsOf(stack).Step4Wait).toEqual(expect.objectContaining({ Parameters: { duration: 'PT4M' }, StartAfter: ['Step3StopTasks'] }));
  });

  test('observationTime lengthens it', () => {
    const { stack, experiment } = setup();
    experiment({ observationTime: Duration.minutes(30) });
    expect(actionsOf(stack).Step2Wait.Parameters).toEqual({ duration: 'PT30M' });
  });

  test('an imported stop alarm counts 5 minutes, with a warning naming it', () => {
    const { stack, experiment } = setup();
    const imported = cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:elsewhere');
    const e = experiment({ stopAlarms: [imported] });
    expect(e.observationTime.toSeconds()).toBe(300);
    const warnings = e.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/stop alarm\(s\) S\/Imported cannot be read.*set observationTime.*cdk-ha-patterns:stop-alarm-detection-unknown/)]);
  });

  test('fails when observationTime is shorter than the stop alarms\' detection time', () => {
    const { experiment } = setup();
    expect(() => experiment({ observationTime: Duration.minutes(2) }))
      .toThrow(/S\/Drill: invalid prop 'observationTime': received 2 minutes; expected at least 4 min, the stop alarms' detection time/);
  });

  test('a lease-holder stop is a fault on its own (no target); a wait alone is still not', () => {
    const { stack, cluster, experiment } = setup();
    const table = new dynamodb.TableV2(stack, 'Leases', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    expect(() => experiment({ actions: [FaultAction.stopLeaseHolder({ table, leaseName: 'singleton', cluster })] })).not.toThrow();
    expect(Object.values(actionsOf(stack)).map(a => (a as { ActionId: string }).ActionId)).toEqual(['aws:ssm:start-automation-execution', 'aws:fis:wait']);
    const other = setup();
    expect(() => other.experiment({ actions: [FaultAction.wait(Duration.minutes(1))] })).toThrow(/expected at least one action with a target/);
  });
});
