/** The recovery paths of a `WarmStandbyPair`: the takeover on the primary's task stopping, and on its not answering. */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { FailureScenario, PathLink } from '../core/failure-scenario';
import { RecoveryObjectives } from '../core/recovery-objectives';
import { RecoveryStep } from '../core/recovery-step';
import { ServiceTime } from '../core/service-time';
import { ProbeSamplingStep } from '../failover/cross-region-probe';
import { LeaseTable } from '../lease/lease-table';
import { leaseHandover, listenerSwitch, PairLauncherSettings } from './launcher-mode';
import { PrimaryProbe } from './primary-probe';
import { StandbyServer } from './standby-server';
import { SwitchAutomation } from './switch-automation';
import { WarmStandbyPairPath } from './warm-standby-pair-props';

/**
 * ECS reporting a stopping task and the takeover function's run (two ECS
 * calls, one SSM call). The catalogue's `EVENTBRIDGE_LAMBDA_AUTOMATION` is
 * the same kind of figure for an alarm's event.
 */
const ECS_EVENT_LAMBDA = ServiceTime.of('ECS task event + takeover function', Duration.seconds(10),
  'task state change event delivery (ECS sends it within seconds of the task stopping, best effort) and a Lambda run of two ECS calls ' +
  'and one SSM call: estimate (AWS publishes no bound)');

/** The takeover runbook started by the function: runbook start and one ModifyListener per listener. */
const SSM_RUNBOOK_MODIFY_LISTENER = ServiceTime.of('SSM Automation ModifyListener', Duration.seconds(15),
  'runbook start and one ModifyListener per stable listener: estimate (AWS publishes no bound; as EVENTBRIDGE_SSM_AUTOMATION)');

/** What the recovery paths of a pair read. */
export interface PairPathParts {
  readonly primary: StandbyServer;
  readonly secondary: StandbyServer;
  readonly automation: SwitchAutomation;
  /** The load balancer's alarm on the primary (a takeover trigger). */
  readonly primaryOfflineAlarm: cloudwatch.Alarm;
  /** The probe of the primary and its alarm, unless `primaryProbe: false`. */
  readonly probe?: { readonly probe: PrimaryProbe; readonly alarm: cloudwatch.Alarm };
  /** Launcher mode's settings and lease table. */
  readonly launcher?: { readonly settings: PairLauncherSettings; readonly leaseTable: LeaseTable };
}

/** The links every takeover path ends with: the runbook, the warm secondary, (launcher mode) the lease. */
interface TakeoverTail {
  readonly runbook: PathLink;
  readonly warmSecondary: PathLink;
  readonly leaseLinks: PathLink[];
}

/** Declares the takeover and unresponsive paths of `pair` and its data-loss bound (the configuration's). */
export function declarePairRecoveryPaths(pair: Construct, objectives: RecoveryObjectives, parts: PairPathParts): void {
  const { automation, secondary, launcher } = parts;
  const tail: TakeoverTail = {
    leaseLinks: launcher
      ? [PathLink.signal(launcher.leaseTable.table, 'lease item (its lapse or release lets the secondary\'s launcher start the server; DynamoDB spans the zones)')]
      : [],
    warmSecondary: PathLink.capacity(secondary.service, 'warm secondary server (serves once the listeners point at it)', { required: 1 }),
    runbook: PathLink.automation(automation.switchToSecondaryRunbook, 'takeover runbook (points the stable listeners at the secondary)',
      automation.automationRole, automation.takeoverRunbookCalls),
  };
  declareTakeoverPath(pair, objectives, parts, tail);
  declareUnresponsivePath(pair, objectives, parts, tail);
  objectives.addDataLossBound(RecoveryStep.constant('configuration (SSM Parameter Store)', Duration.seconds(0),
    'configuration writes are durable once acknowledged and shared by both servers; in-memory server state is not replicated by the pattern'));
}

/** Launcher mode: the secondary serves once the listeners point at it and its launcher holds the lease, whichever comes later. */
function withLease(parts: PairPathParts, what: string, listeners: RecoveryStep[]): RecoveryStep[] {
  return parts.launcher
    ? [RecoveryStep.slowest(`the later of ${what} and the lease handover`, [
      RecoveryStep.sequence(what, listeners), leaseHandover(parts.primary, parts.launcher.settings),
    ])]
    : listeners;
}

/** The primary's task stops: ECS's event, the takeover function, the runbook (no health-check or alarm wait). */
function declareTakeoverPath(pair: Construct, objectives: RecoveryObjectives, parts: PairPathParts, tail: TakeoverTail): void {
  const { automation, primary } = parts;
  const fn = automation.takeoverFunction;
  objectives.addRecoveryPath(WarmStandbyPairPath.TAKEOVER, parts.launcher
    ? withLease(parts, 'the listener switch', [listenerSwitch(ECS_EVENT_LAMBDA, SSM_RUNBOOK_MODIFY_LISTENER)])
    : [RecoveryStep.serviceTime(ECS_EVENT_LAMBDA), RecoveryStep.serviceTime(SSM_RUNBOOK_MODIFY_LISTENER)], {
    description: 'the primary server is lost (its task stops: a crash, an exit, a stop): ECS reports it, the takeover function finds no other primary task ' +
      'running and starts the runbook that points the listeners at the warm secondary (no health-check or alarm wait on this path)',
    scenarios: [FailureScenario.primaryServerLoss(Stack.of(pair).region)],
    links: [
      PathLink.signal(primary.service, 'task state changes of the primary server (ECS events)'),
      PathLink.eventRule(automation.primaryStoppedRule, 'primary-stopped rule'),
      PathLink.automation(fn, 'takeover function', fn.role, automation.takeoverFunctionCalls),
      tail.runbook,
      tail.warmSecondary,
      ...tail.leaseLinks,
    ],
  });
}

/** The primary's task runs but its server does not answer: the probe's alarm (or the load balancer's), the rule, the runbook. */
function declareUnresponsivePath(pair: Construct, objectives: RecoveryObjectives, parts: PairPathParts, tail: TakeoverTail): void {
  const { automation, probe } = parts;
  if (probe) {
    const sampling = new ProbeSamplingStep('primary probe sampling', probe.probe.handler.function, probe.alarm);
    pair.node.addValidation({ validate: () => sampling.validate(pair, 'PrimaryProbe function environment') });
  }
  objectives.addRecoveryPath(WarmStandbyPairPath.UNRESPONSIVE, withLease(parts, 'the alarm\'s listener switch',
    probe ? probeSteps(probe.probe, probe.alarm) : loadBalancerSteps(parts)), {
    description: unresponsiveDescription(parts),
    scenarios: [FailureScenario.zoneLoss(Stack.of(pair).region)],
    links: [
      ...(probe
        ? [PathLink.signal(probe.probe.schedule, 'probe of the primary through its direct listener (a function in the pair\'s VPC, every minute)'),
          PathLink.alarm(probe.alarm, 'PrimaryProbe alarm')]
        : [
          PathLink.signal(parts.primary.tcpTargetGroup, 'load balancer health checks of the primary'),
          PathLink.alarm(parts.primaryOfflineAlarm, 'PrimaryOffline alarm'),
        ]),
      PathLink.eventRule(automation.takeoverRule, 'takeover rule'),
      PathLink.automation(automation.takeoverRule, 'takeover rule\'s target (starts the runbook as the events role)', automation.eventsRole, automation.takeoverRuleCalls),
      tail.runbook,
      tail.warmSecondary,
      ...tail.leaseLinks,
    ],
  });
}

/** Detection by the probe: its samples fail for 30 s, its alarm, the runbook. */
function probeSteps(probe: PrimaryProbe, alarm: cloudwatch.Alarm): RecoveryStep[] {
  return [
    new ProbeSamplingStep('primary probe sampling', probe.handler.function, alarm),
    RecoveryStep.alarmEvaluation('PrimaryProbe alarm', alarm),
    RecoveryStep.serviceTime(ServiceTime.EVENTBRIDGE_SSM_AUTOMATION, 'EventBridge + SSM Automation ModifyListener'),
  ];
}

/** Detection by the load balancer (`primaryProbe: false`): its health checks, the PrimaryOffline alarm, the runbook. */
function loadBalancerSteps(parts: PairPathParts): RecoveryStep[] {
  return [
    RecoveryStep.targetGroupUnhealthy('load balancer health check of the primary', parts.primary.tcpTargetGroup,
      {
        prop: 'healthCheckInterval (5 to 300 s) and unhealthyThresholdCount (2 to 10)', floor: Duration.seconds(10),
        seconds: { prop: 'healthCheckInterval', values: [5, 10, 15, 20, 30, 60, 120, 300] },
        samples: { prop: 'unhealthyThresholdCount', values: [2, 3, 4, 5, 6, 7, 8, 9, 10] },
        singleSample: { slug: 'warm-standby-single-sample-takeover', action: 'points the listeners at the warm secondary' },
      }),
    RecoveryStep.alarmEvaluation('PrimaryOffline alarm', parts.primaryOfflineAlarm),
    RecoveryStep.serviceTime(ServiceTime.EVENTBRIDGE_SSM_AUTOMATION, 'EventBridge + SSM Automation ModifyListener'),
  ];
}

/** What the unresponsive path covers, by mode: the lease's lapse (launcher), the probe, or the load balancer's health checks. */
function unresponsiveDescription(parts: PairPathParts): string {
  if (parts.launcher) {
    return 'the primary\'s task loses its network or zone: its server stops answering and its launcher cannot renew the lease either, so the lease lapses ' +
      'and the secondary\'s launcher starts the server, while the alarm points the listeners at it. A hung server whose launcher still renews keeps ' +
      'the lease: its task must be stopped (README, launcher mode) before the secondary can start';
  }
  return parts.probe
    ? 'the primary\'s task keeps running but its server stops accepting connections (a hung server, a lost network or zone): the probe\'s samples ' +
      'through the primary\'s direct listener fail for 30 s, its alarm fires and the runbook points the listeners at the warm secondary ' +
      '(the load balancer\'s PrimaryOffline alarm starts the same runbook later, should the probe be silent)'
    : 'the primary\'s task keeps running but fails its health checks (a hung server, a lost network or zone): its target group turns unhealthy, ' +
      'the alarm fires and the runbook points the listeners at the warm secondary';
}
