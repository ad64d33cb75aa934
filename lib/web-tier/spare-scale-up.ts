import * as path from 'path';
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HandlerFunction } from '../private/handler-function';
import { WebTierSite } from './web-tier-site';

/** What starts a spare's scale-up and how far it scales. */
export interface SpareScaleUpOptions {
  /** Region of the primary's failover alarm. */
  readonly primaryRegion: string;
  /** Account of the primary's failover alarm. */
  readonly account: string;
  /** The primary's failover alarm, by its literal name (no cross-region token). */
  readonly alarmName: string;
  /** N + 1. */
  readonly desiredCount: number;
  /** An alarm in the spare's own region that also starts the scale-up (the primary's Route 53 health check). */
  readonly healthCheckAlarm?: cloudwatch.IAlarm;
}

/**
 * The scale-up automation of one spare site: a function in the spare's
 * region allowed to describe and update the spare service only, started by
 * a rule on the primary's failover alarm (forwarded from the primary's
 * region, where alarm state changes are delivered) or on `healthCheckAlarm`.
 */
export function addSpareScaleUp(tier: Construct, spare: WebTierSite, opts: SpareScaleUpOptions): lambda.IFunction {
const { primaryRegion, account, alarmName, desiredCount, healthCheckAlarm } = opts;
  const spareStack = Stack.of(spare);
  const fn = new HandlerFunction(spare, 'ScaleUp', {
    entry: path.join(__dirname, 'handler', 'index'),
    description: `Scales the spare web tier service to ${desiredCount} tasks when the primary site's failover alarm fires`,
    environment: {
      CLUSTER_NAME: spare.cluster.clusterName,
      SERVICE_NAME: spare.service.serviceName,
      DESIRED_COUNT: String(desiredCount),
    },
  });
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
    resources: [spare.service.serviceArn],
  }));

  const primaryAlarmArn = `arn:${Aws.PARTITION}:cloudwatch:${primaryRegion}:${account}:alarm:${alarmName}`;
  const pattern = (resources: string[]): events.EventPattern => ({
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    resources,
    detail: { state: { value: ['ALARM'] } },
  });
  const rule = new events.Rule(spare, 'ScaleUpRule', {
    description: `Scales the spare up when the primary's failover alarm (${alarmName}) enters ALARM`,
    eventPattern: pattern([primaryAlarmArn, ...(healthCheckAlarm ? [healthCheckAlarm.alarmArn] : [])]),
  });
  rule.addTarget(new targets.LambdaFunction(fn.function, { retryAttempts: 4, maxEventAge: Duration.hours(1) }));

  // Alarm state changes reach the default bus of the alarm's region only: forward them.
  if (Stack.of(tier).region !== spareStack.region) {
    const forward = new events.Rule(tier, `ForwardToSpare${spareStack.region.replace(/[^a-z0-9]/g, '')}`, {
      description: `Forwards the primary's failover alarm to the default event bus of ${spareStack.region}, where the scale-up function runs`,
      eventPattern: pattern([primaryAlarmArn]),
    });
    const bus = events.EventBus.fromEventBusArn(forward, 'SpareBus',
      `arn:${Aws.PARTITION}:events:${spareStack.region}:${spareStack.account}:event-bus/default`);
    forward.addTarget(new targets.EventBus(bus));
  }
  return fn.function;
}
