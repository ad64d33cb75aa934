import * as path from 'path';
import { Aws, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AutomationCall } from '../core/failure-scenario';
import { RegionSwitchStep, RegionToRun } from '../failover/region-switch-step';
import { HandlerFunction } from '../private/handler-function';
import { SITE_PROBE_METRIC } from './site-probe-metric';
import { WebTierSite } from './web-tier-site';

/** How often a spare probes the primary site (EventBridge's finest schedule). */
export const PROBE_INTERVAL = Duration.minutes(1);
/** A probe request without an answer in this time is a failure. */
export const PROBE_TIMEOUT = Duration.seconds(5);

/** How far a spare's scale-up scales and what it probes. */
export interface SpareScaleUpOptions {
  /** N + 1. */
  readonly desiredCount: number;
  /** The health URL of the primary site the spare probes, e.g. `https://agents.eu-west-1.example.com/health`. */
  readonly probeUrl: string;
  /** The primary site's name (the probe metric's `Site` dimension). */
  readonly probeSite: string;
}

/** What `addSpareScaleUp` created, for the tier's recovery-path links. */
export interface SpareAutomation {
  /** The function that probes the primary, scales the spare and sets its initial count. */
  readonly handler: HandlerFunction;
  /** The schedule that starts the probe. */
  readonly schedule: events.Rule;
  /** The API calls the scale-up makes. */
  readonly calls: AutomationCall[];
}

/**
 * The probe metric of a spare: 1 when the primary site answered its health path, else 0
 * (minimum over the probe interval), in the spare's own region.
 */
export function metricPrimaryProbe(site: string, region: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: SITE_PROBE_METRIC.namespace,
    metricName: SITE_PROBE_METRIC.name,
    dimensionsMap: { [SITE_PROBE_METRIC.dimension]: site },
    statistic: 'Minimum',
    period: PROBE_INTERVAL,
    region,
  });
}

/**
 * The automation of one spare site, all of it in the spare's own region so
 * that it survives the loss of the primary's region (and of us-east-1):
 * - a function allowed to describe and update the spare service only;
 * - a schedule that makes it probe the primary site's health path every
 *   minute (its metric feeds `probeAlarm`, in this region);
 * - the spare's desired count, left out of the service's template and set
 *   once by a custom resource, so a deploy during an incident keeps the
 *   count the automation set.
 */
export function addSpareScaleUp(spare: WebTierSite, opts: SpareScaleUpOptions): SpareAutomation {
  const { desiredCount } = opts;
  const spareStack = Stack.of(spare);
  const fn = new HandlerFunction(spare, 'ScaleUp', {
    entry: path.join(__dirname, 'handler', 'index'),
    description: `Probes the primary web site and scales the spare service to ${desiredCount} tasks when the primary fails`,
    environment: {
      CLUSTER_NAME: spare.cluster.clusterName,
      SERVICE_NAME: spare.service.serviceName,
      DESIRED_COUNT: String(desiredCount),
      // The failback scales the spare back to its own count (its mode's), once the primary answers.
      SPARE_COUNT: String(spare.runningTasks),
      PROBE_URL: opts.probeUrl,
      PROBE_SITE: opts.probeSite,
      PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT.toMilliseconds()),
    },
  });
  const calls: AutomationCall[] = [{ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resource: spare.service.serviceArn }];
  for (const call of calls) fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: call.actions, resources: [call.resource] }));

  const schedule = new events.Rule(spare, 'ProbeSchedule', {
    description: `Probes ${opts.probeUrl} from ${spareStack.region} every minute`,
    schedule: events.Schedule.rate(PROBE_INTERVAL),
    targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 0 })],
  });

  // The count is the automation's: a deploy must not reset it (CloudFormation re-applies a template's
  // DesiredCount on every update of the service). ECS starts a service without one at 1 task; the
  // custom resource then sets the floor once, and later only raises it when the floor is raised.
  (spare.service.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
  const initialCount = new CustomResource(spare, 'InitialDesiredCount', {
    serviceToken: fn.function.functionArn,
    resourceType: 'Custom::SpareDesiredCount',
    properties: { Cluster: spare.cluster.clusterName, Service: spare.service.serviceName, DesiredCount: String(spare.runningTasks) },
  });
  initialCount.node.addDependency(spare.service);
  return { handler: fn, schedule, calls };
}

/**
 * The failback's step of a spare: its scale-up function, run in the region the failback leaves (the
 * spare's: a graceful failback has both regions up), scales the spare back to its own count once the
 * primary site answers its health path 3 times in a row from there; a primary not yet back fails the step.
 */
export function scaleBackStep(fn: lambda.IFunction, spare: WebTierSite): RegionSwitchStep {
  return RegionSwitchStep.invokeFunction(fn, {
    name: 'scale-back-spare',
    regionToRun: RegionToRun.DEACTIVATING,
    description: `Scales the spare in ${Stack.of(spare).region} back to ${spare.runningTasks} task(s) once the primary site answers (the spare's own function, in its region)`,
    payload: JSON.stringify({ action: 'scale-back' }),
  });
}

/** The ARN of the primary's failover alarm, from its literal name (no cross-region token). */
export function primaryAlarmArn(primaryRegion: string, account: string, alarmName: string): string {
  return `arn:${Aws.PARTITION}:cloudwatch:${primaryRegion}:${account}:alarm:${alarmName}`;
}

/**
 * Forwards the primary's failover alarm state changes to the default bus of
 * `spareRegion` (alarm state changes reach their own region's bus only), so the
 * spare's rule there sees failures a probe of one path does not, while the
 * primary region lives.
 */
export function forwardPrimaryAlarm(tier: Construct, spareRegion: string, spareAccount: string, alarmArn: string): void {
  const forward = new events.Rule(tier, `ForwardToSpare${spareRegion.replace(/[^a-z0-9]/g, '')}`, {
    description: `Forwards the primary's failover alarm to the default event bus of ${spareRegion}, where the scale-up function runs`,
    eventPattern: { source: ['aws.cloudwatch'], detailType: ['CloudWatch Alarm State Change'], resources: [alarmArn], detail: { state: { value: ['ALARM'] } } },
  });
  const bus = events.EventBus.fromEventBusArn(forward, 'SpareBus', `arn:${Aws.PARTITION}:events:${spareRegion}:${spareAccount}:event-bus/default`);
  forward.addTarget(new targets.EventBus(bus));
}
