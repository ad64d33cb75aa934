import * as path from 'path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AlarmRole, SignalKind } from '../core/alarm-role';
import { HaValidationError } from '../core/errors';
import { AutomationCall, FailureScenario } from '../core/failure-scenario';
import { RegionFailoverRunner } from '../core/region-failover';
import {
  addProbeSchedule, PROBE_SAMPLING, probeEnvironment, probeMetric, probeSamplesMetric, ProbeSamplingStep,
} from '../failover/cross-region-probe';
import { RegionFailoverStart } from '../failover/region-failover';
import { GlobalDatabaseBehavior, IRegionSwitchGlobalDatabase, RegionSwitchStep } from '../failover/region-switch-step';
import { knownCidr } from '../private/cidr';
import { HandlerFunction } from '../private/handler-function';
import { AlarmFactory } from './database-alarms';
import { HaDatabasePath, HaDatabaseProps } from './ha-database-props';
import { PromotionRegistry } from './promoters';
import type { HaDatabaseSecondary } from './secondary';
import { WRITER_PROBE_METRIC } from './writer-probe-metric';

/** How long the promoter waits for a promotion (Aurora: about a minute) before it fails. */
const PROMOTION_TIMEOUT = Duration.minutes(12);
/** How often the promoter asks whether the promotion is complete. */
const PROMOTION_POLL = Duration.seconds(5);
/** The promoter's timeout: the promotion's wait plus its calls, within Lambda's 15 minutes. */
const PROMOTER_TIMEOUT = Duration.minutes(14);

/** What the probe needs of the database it watches (`HaDatabase`, without importing it). */
export interface ProbedDatabase extends IRegionSwitchGlobalDatabase {
  readonly patternName: string;
  readonly connections: ec2.Connections;
}

/** The secondary region's probe of the primary writer and what hangs on it. */
export interface WriterProbe {
  /** The probe, which is also the global cluster's one promoter. */
  readonly handler: HandlerFunction;
  /** The rule that runs the probe. */
  readonly schedule: events.Rule;
  /** The alarm on the probe's samples (primary writer unreachable). */
  readonly alarm: cloudwatch.Alarm;
  /** How the probe alarm starts the failover (rule, runbook or Region switch plan). */
  readonly start: RegionFailoverStart;
  /** The probe's sampling, as a step of the cross-region path. */
  readonly step: ProbeSamplingStep;
  /** The VPC the probe connects from (the secondary's) and the VPC of the writer it connects to (the primary's). */
  readonly from: ec2.IVpc;
  readonly to: ec2.IVpc;
}

/**
 * The secondary region's probe of the primary writer, its alarms and (with `autoFailover`) the
 * rule that promotes the secondary: all in the secondary region, so they outlive the primary's.
 */
export function addWriterProbe(database: ProbedDatabase, secondary: HaDatabaseSecondary, props: HaDatabaseProps,
  createAlarm: AlarmFactory, promotions: PromotionRegistry): WriterProbe {
  const secondaryVpc = props.secondary!.vpc;
  const handler = createProbeFunction(database, secondary, secondaryVpc);
  admitProbeConnections(database, secondary, secondaryVpc);
  const calls = grantProbeCalls(database, handler, secondary);
  const schedule = addProbeSchedule(secondary, 'WriterProbeSchedule', handler.function,
    `Samples the primary writer ${secondary.primaryClusterIdentifier} in ${Stack.of(database).region} every ${PROBE_SAMPLING.interval.toSeconds()} s`);
  const autoFailover = props.autoFailover ?? true;
  const alarm = createProbeAlarm(database, secondary, props.failoverDetectionPeriods ?? 3, autoFailover, createAlarm);
  letPromoterReadAlarm(handler, alarm, calls);
  createProbeSilentAlarm(database, secondary, createAlarm);
  const start = startFailoverOnAlarm(database, secondary, props, { handler, alarm, calls, autoFailover });
  const step = new ProbeSamplingStep('writer probe sampling', handler.function, alarm);
  database.node.addValidation({ validate: () => step.validate(database, 'writerProbeFunction environment') });
  registerPromoter(promotions, secondary, handler, props, autoFailover);
  return { handler, schedule, alarm, start, step, from: secondaryVpc, to: props.vpc };
}

/**
 * The probe function in the secondary VPC, and the parameter where it keeps the last writer endpoint
 * the primary region's API named: the data-plane check connects there when that API is gone.
 */
function createProbeFunction(database: ProbedDatabase, secondary: HaDatabaseSecondary, secondaryVpc: ec2.IVpc): HandlerFunction {
  const primaryRegion = Stack.of(database).region;
  const endpointParameter = new ssm.StringParameter(secondary, 'WriterEndpoint', {
    description: `The primary writer endpoint (host:port) of ${database.node.path}, kept by its probe in ${Stack.of(secondary).region}`,
    stringValue: 'unknown',
  });
  const handler = new HandlerFunction(secondary, 'WriterProbe', {
    entry: path.join(__dirname, 'handler', 'index'),
    description: `Probes the primary writer of ${database.node.path} in ${primaryRegion} from ${Stack.of(secondary).region}; the global cluster's promoter`,
    // The probe samples for a minute; a promotion is waited for (at most PROMOTION_TIMEOUT) and announced.
    timeout: PROMOTER_TIMEOUT,
    // The data-plane check connects to the writer from this VPC, through the route between the VPCs.
    vpc: secondaryVpc,
    environment: {
      PRIMARY_REGION: primaryRegion,
      PRIMARY_CLUSTER_ID: secondary.primaryClusterIdentifier,
      GLOBAL_CLUSTER_ID: secondary.globalClusterIdentifier,
      TARGET_CLUSTER_ARN: secondary.clusterArn,
      ENDPOINT_PARAMETER: endpointParameter.parameterName,
      PROMOTION_TIMEOUT_SECONDS: String(PROMOTION_TIMEOUT.toSeconds()),
      PROMOTION_POLL_SECONDS: String(PROMOTION_POLL.toSeconds()),
      ...probeEnvironment(),
    },
  });
  endpointParameter.grantRead(handler.role);
  endpointParameter.grantWrite(handler.role);
  return handler;
}

/** The writer accepts the probe's connections from the secondary VPC (a CIDR: the security groups live in two regions). */
function admitProbeConnections(database: ProbedDatabase, secondary: HaDatabaseSecondary, secondaryVpc: ec2.IVpc): void {
  const secondaryCidr = knownCidr(secondaryVpc);
  if (!secondaryCidr) {
    // Without the rule every connection would fail: a control-plane brownout alone would then promote.
    throw new HaValidationError(database, {
      prop: 'secondary.vpc', received: secondaryVpc.node.path,
      expected: 'a VPC whose IPv4 CIDR is known at synthesis (created in the app, or imported with vpcCidrBlock): the writer admits the probe\'s connections from it',
    });
  }
  database.connections.allowFrom(ec2.Peer.ipv4(secondaryCidr), database.connections.defaultPort!,
    `probe of the writer from ${Stack.of(secondary).region} (data plane, through the route between the VPCs)`);
}

/**
 * Lets the probe ask the primary region's RDS API about the writer, promote the secondary and announce it;
 * returns the calls it makes (its automation link).
 */
function grantProbeCalls(database: ProbedDatabase, handler: HandlerFunction, secondary: HaDatabaseSecondary): AutomationCall[] {
  const primaryClusterArn = Stack.of(secondary).formatArn({
    service: 'rds', region: Stack.of(database).region, resource: 'cluster', resourceName: secondary.primaryClusterIdentifier,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const eventBusArn = Stack.of(secondary).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
  const calls: AutomationCall[] = [
    { actions: ['rds:DescribeDBClusters'], resource: primaryClusterArn },
    ...secondary.promotionCalls(),
    { actions: ['events:PutEvents'], resource: eventBusArn },
  ];
  handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [primaryClusterArn] }));
  handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [eventBusArn] }));
  secondary.grantPromotion(handler.role);
  return calls;
}

/** The alarm on the probe: the primary writer unreachable for `periods` periods (primary region lost). */
function createProbeAlarm(database: ProbedDatabase, secondary: HaDatabaseSecondary, periods: number, autoFailover: boolean,
  createAlarm: AlarmFactory): cloudwatch.Alarm {
  const primaryId = secondary.primaryClusterIdentifier;
  const seconds = periods * PROBE_SAMPLING.alarmPeriod.toSeconds();
  return createAlarm(secondary, 'WriterProbeAlarm', {
    metric: probeMetric(WRITER_PROBE_METRIC, primaryId),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: periods,
    // A period without samples is not a failure: the probe-silent alarm pages for a probe that stopped.
    signal: SignalKind.LEVEL,
    role: AlarmRole.NOTIFYING,
    description: `${database.node.path}: for ${seconds} s the primary writer ${primaryId} in ${Stack.of(database).region} has refused connections from ${Stack.of(secondary).region} ` +
      'and its region\'s RDS API has failed or said it is down ' +
      (autoFailover ? `(primary region lost): the secondary ${secondary.clusterIdentifier} is being promoted (FailoverGlobalCluster, AllowDataLoss).`
        : '(primary region lost): run the Failover runbook in this region if the primary region is lost.'),
  });
}

/** The promoter fails over with data loss only while the probe alarm is in ALARM; otherwise it switches over. */
function letPromoterReadAlarm(handler: HandlerFunction, alarm: cloudwatch.Alarm, calls: AutomationCall[]): void {
  handler.function.addEnvironment('PROBE_ALARM_NAME', alarm.alarmName);
  handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [alarm.alarmArn] }));
  calls.push({ actions: ['cloudwatch:DescribeAlarms'], resource: alarm.alarmArn });
}

/** Pages a probe that stopped publishing samples: a loss of the primary region would go unseen. */
function createProbeSilentAlarm(database: ProbedDatabase, secondary: HaDatabaseSecondary, createAlarm: AlarmFactory): cloudwatch.Alarm {
  return createAlarm(secondary, 'WriterProbeSilentAlarm', {
    metric: probeSamplesMetric(WRITER_PROBE_METRIC, secondary.primaryClusterIdentifier),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 3,
    signal: SignalKind.HEARTBEAT,
    role: AlarmRole.NOTIFYING,
    description: `${database.node.path}: the probe of the primary writer in ${Stack.of(secondary).region} published no sample for 3 minutes: ` +
      'a loss of the primary region would not be detected (check the WriterProbe function).',
  });
}

/** The probe's parts the failover start runs or names. */
interface ProbeRunner {
  readonly handler: HandlerFunction;
  readonly alarm: cloudwatch.Alarm;
  readonly calls: AutomationCall[];
  readonly autoFailover: boolean;
}

/** How the probe alarm starts the promotion: the library's rule, the Failover runbook by on-call, or a Region switch plan. */
function startFailoverOnAlarm(database: ProbedDatabase, secondary: HaDatabaseSecondary, props: HaDatabaseProps, probe: ProbeRunner): RegionFailoverStart {
  const primaryRegion = Stack.of(database).region;
  const there = Stack.of(secondary).region;
  const { handler, alarm, calls, autoFailover } = probe;
  return new RegionFailoverStart(secondary, {
    runner: props.failoverRunner ?? RegionFailoverRunner.LIBRARY_AUTOMATION,
    automatic: autoFailover, automaticProp: 'autoFailover',
    alarm, primaryRegion,
    fn: handler.function, ruleId: 'FailoverOnProbeAlarm',
    ruleDescription: `Promotes ${secondary.clusterIdentifier} when the probe of the primary writer (${primaryRegion}) enters ALARM`,
    automation: { construct: handler, description: 'failover function', role: handler.role, calls },
    manual: { construct: secondary.failoverDocument, description: 'Failover runbook', role: secondary.runbookRole, calls: secondary.failoverCalls() },
    // Graceful executions switch over (no data loss); only an ungraceful one fails over with data loss.
    planSteps: [RegionSwitchStep.auroraGlobalDatabase(database, GlobalDatabaseBehavior.SWITCHOVER_ONLY)],
    planCalls: secondary.failoverCalls(),
    planAutomations: [],
    planPurpose: rto => ({
      patternPath: database.node.path, patternName: database.patternName, paths: [HaDatabasePath.CROSS_REGION],
      scenario: FailureScenario.regionLoss(primaryRegion).description, expectedRecovery: rto,
      proves: `the '${HaDatabasePath.CROSS_REGION}' path: the ${there} cluster of ${secondary.globalClusterIdentifier} becomes the writer`,
      passes: `the graceful execution (a real switchover, no data loss) completes and the global cluster names the ${there} cluster its writer within the plan's RTO.`,
    }),
  });
}

/** Registers the global cluster's promoter for the failure analysis: the Region switch plan, or the probe function. */
function registerPromoter(promotions: PromotionRegistry, secondary: HaDatabaseSecondary, handler: HandlerFunction, props: HaDatabaseProps,
  automatic: boolean): void {
  const plan = (props.failoverRunner ?? RegionFailoverRunner.LIBRARY_AUTOMATION) === RegionFailoverRunner.REGION_SWITCH_PLAN;
  promotions.addPromoter(plan
    ? { construct: secondary, description: 'the database\'s Region switch plan (failoverRunner REGION_SWITCH_PLAN, triggered by the writer probe alarm)', automatic }
    : { construct: handler.function, description: 'the database\'s promoter (the writer probe alarm\'s rule)', automatic });
}
