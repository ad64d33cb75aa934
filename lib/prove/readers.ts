import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmHistoryCommand, DescribeAlarmHistoryCommandOutput } from '@aws-sdk/client-cloudwatch';
import type { ProveClients } from './default-clients';
import { ExperimentIdentifier, Measurement, PlanIdentifier, PracticeRunIdentifier, ProveVerdict, TimelineEvent } from './model';
import { FisExperiment, RegionSwitchExecution } from './signed-client';

/** Region switch execution states of a run that has not finished. */
const EXECUTION_RUNNING = new Set(['pending', 'inProgress', 'pendingManualApproval', 'pausedByOperator', 'completedMonitoringApplicationHealth']);
/** Region switch execution states of a run that finished well. */
const EXECUTION_DONE = new Set(['completed', 'completedWithExceptions']);
/** FIS experiment states of a run that has not finished. */
const EXPERIMENT_RUNNING = new Set(['pending', 'initiating', 'running', 'stopping']);

/** The last execution of a Region switch plan: its state and the actual recovery time Region switch measured. */
export async function readPlan(clients: ProveClients, id: PlanIdentifier): Promise<Measurement> {
  const api = clients.regionSwitch(id.region);
  const plan = (await api.listPlansInRegion()).find(p => p.name === id.planName);
  if (!plan) return { verdict: ProveVerdict.NEVER_RUN, detail: `no plan named ${id.planName} in ${id.region} (not deployed?)`, timeline: [] };
  const executions = await api.listPlanExecutions(plan.arn);
  const last = [...executions].sort((a, b) => b.startTime - a.startTime)[0];
  if (!last) return { verdict: ProveVerdict.NEVER_RUN, detail: `plan ${plan.arn} has no execution`, timeline: [] };
  const execution = { ...last, ...(await api.getPlanExecution(plan.arn, last.executionId)) };
  const timeline = planTimeline(execution);
  const what = `execution ${execution.executionId} (${[execution.executionAction, execution.executionRegion, execution.mode].filter(Boolean).join(' ')}) ${execution.executionState}`;
  const base = { runId: execution.executionId, timeline };
  if (EXECUTION_RUNNING.has(execution.executionState)) return { ...base, verdict: ProveVerdict.RUNNING, detail: what };
  if (!EXECUTION_DONE.has(execution.executionState)) return { ...base, verdict: ProveVerdict.FAILED, detail: what };
  const measured = execution.actualRecoveryTime !== undefined ? isoSeconds(execution.actualRecoveryTime)
    : execution.endTime !== undefined ? execution.endTime - execution.startTime : undefined;
  const source = execution.actualRecoveryTime !== undefined ? `actual recovery time ${execution.actualRecoveryTime}` : 'no actual recovery time: end minus start';
  return { ...base, verdict: ProveVerdict.WITHIN, measuredSeconds: measured, detail: `${what}; ${source}` };
}

function planTimeline(e: RegionSwitchExecution): TimelineEvent[] {
  const events: TimelineEvent[] = [{ at: iso(e.startTime), what: `execution started (${[e.executionAction, e.mode].filter(Boolean).join(', ')})` }];
  for (const s of e.stepStates ?? []) {
    if (s.startTime !== undefined) events.push({ at: iso(s.startTime), what: `step ${s.name ?? '?'} started` });
    if (s.endTime !== undefined) events.push({ at: iso(s.endTime), what: `step ${s.name ?? '?'} ${s.status ?? 'ended'}` });
  }
  if (e.endTime !== undefined) events.push({ at: iso(e.endTime), what: `execution ${e.executionState}` });
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * The last experiment of an FIS template: its state and timeline, and, for a
 * completed one, the recovery its stop-condition alarms saw (from the first
 * action's start until the last of them is back to OK; none if no alarm
 * went into ALARM).
 */
export async function readExperiment(clients: ProveClients, id: ExperimentIdentifier, boundSeconds: number | undefined): Promise<Measurement> {
  const fis = clients.fis(id.region);
  const templateId = (await fis.listExperimentTemplates()).find(t => t.tags?.Name === id.nameTag)?.id;
  if (!templateId) return { verdict: ProveVerdict.NEVER_RUN, detail: `no experiment template tagged Name=${id.nameTag} in ${id.region} (not deployed?)`, timeline: [] };
  const last = [...await fis.listExperiments(templateId)].sort((a, b) => (b.creationTime ?? 0) - (a.creationTime ?? 0))[0];
  if (!last) return { verdict: ProveVerdict.NEVER_RUN, detail: `template ${templateId} has no experiment`, timeline: [] };
  const experiment = await fis.getExperiment(last.id);
  const state = experiment.state?.status ?? 'unknown';
  const reason = experiment.state?.reason ? ` (${experiment.state.reason})` : '';
  const timeline = experimentTimeline(experiment);
  const what = `experiment ${last.id} of ${templateId} ${state}${reason}`;
  const base = { runId: last.id, timeline };
  if (EXPERIMENT_RUNNING.has(state)) return { ...base, verdict: ProveVerdict.RUNNING, detail: what };
  if (state !== 'completed') return { ...base, verdict: ProveVerdict.FAILED, detail: what };

  const faultStart = firstActionStart(experiment) ?? experiment.startTime;
  if (faultStart === undefined) return { ...base, verdict: ProveVerdict.WITHIN, detail: `${what}; no start time to measure from` };
  const alarms = (experiment.stopConditions ?? []).map(s => s.value).filter((v): v is string => !!v && v.includes(':alarm:')).map(arn => arn.split(':alarm:')[1]);
  // Read the alarms from the fault's start until well past the figure: a recovery that outlasts the experiment still counts.
  const until = Math.max(experiment.endTime ?? faultStart, faultStart) + 2 * (boundSeconds ?? 300);
  const recovery = await alarmRecovery(clients, id.region, alarms, new Date(faultStart * 1000), new Date(until * 1000));
  timeline.push(...recovery.events);
  timeline.sort((a, b) => a.at.localeCompare(b.at));
  if (recovery.unrecovered.length > 0) {
    return { ...base, verdict: ProveVerdict.FAILED, detail: `${what}; ${recovery.unrecovered.join(', ')} went into ALARM and did not return to OK` };
  }
  if (recovery.recoveredAt === undefined) {
    return { ...base, verdict: ProveVerdict.WITHIN, detail: `${what}; its stop alarms (${alarms.join(', ') || 'none'}) never went into ALARM: the recovery stayed below what they detect` };
  }
  const measured = recovery.recoveredAt.getTime() / 1000 - faultStart;
  return { ...base, verdict: ProveVerdict.WITHIN, measuredSeconds: measured, detail: `${what}; from the fault (${iso(faultStart)}) until ${recovery.lastAlarm} was OK again` };
}

/** The first start of an action that injects something (waits inject nothing). */
function firstActionStart(e: FisExperiment): number | undefined {
  const starts = Object.values(e.actions ?? {}).filter(a => a.actionId !== 'aws:fis:wait' && a.startTime !== undefined).map(a => a.startTime!);
  return starts.length > 0 ? Math.min(...starts) : undefined;
}

function experimentTimeline(e: FisExperiment): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  if (e.startTime !== undefined) events.push({ at: iso(e.startTime), what: 'experiment started' });
  for (const [name, a] of Object.entries(e.actions ?? {})) {
    if (a.startTime !== undefined) events.push({ at: iso(a.startTime), what: `action ${name} (${a.actionId ?? '?'}) started` });
    if (a.endTime !== undefined) events.push({ at: iso(a.endTime), what: `action ${name} ${a.state?.status ?? 'ended'}` });
  }
  if (e.endTime !== undefined) events.push({ at: iso(e.endTime), what: `experiment ${e.state?.status ?? 'ended'}` });
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

interface AlarmRecovery {
  readonly events: TimelineEvent[];
  /** When the last alarm that went into ALARM returned to OK. */
  readonly recoveredAt?: Date;
  readonly lastAlarm?: string;
  /** Alarms that went into ALARM and stayed there. */
  readonly unrecovered: string[];
}

/**
 * From each alarm's history (`DescribeAlarmHistory`, state updates, metric
 * and composite alarms): the first move into ALARM after `from`, then the
 * first move back to OK after it.
 */
export async function alarmRecovery(clients: ProveClients, region: string, alarmNames: string[], from: Date, to: Date): Promise<AlarmRecovery> {
  const cw = clients.cloudWatch(region);
  const events: TimelineEvent[] = [];
  const unrecovered: string[] = [];
  let recoveredAt: Date | undefined;
  let lastAlarm: string | undefined;
  for (const name of alarmNames) {
    const items: Array<{ at: Date; state: string }> = [];
    let token: string | undefined;
    do {
      const page: DescribeAlarmHistoryCommandOutput = await cw.send(new DescribeAlarmHistoryCommand({
        AlarmName: name, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], HistoryItemType: 'StateUpdate',
        StartDate: from, EndDate: to, ScanBy: 'TimestampAscending', NextToken: token,
      }));
      for (const item of page.AlarmHistoryItems ?? []) {
        const state = newState(item.HistoryData);
        if (item.Timestamp && state) items.push({ at: item.Timestamp, state });
      }
      token = page.NextToken;
    } while (token);
    items.sort((a, b) => a.at.getTime() - b.at.getTime());
    const alarmAt = items.find(i => i.state === 'ALARM');
    if (!alarmAt) continue;
    events.push({ at: alarmAt.at.toISOString(), what: `alarm ${name} ALARM` });
    const okAt = items.find(i => i.state === 'OK' && i.at.getTime() > alarmAt.at.getTime());
    if (!okAt) {
      unrecovered.push(name);
      continue;
    }
    events.push({ at: okAt.at.toISOString(), what: `alarm ${name} OK` });
    if (!recoveredAt || okAt.at.getTime() > recoveredAt.getTime()) {
      recoveredAt = okAt.at;
      lastAlarm = name;
    }
  }
  return { events, recoveredAt, lastAlarm, unrecovered };
}

function newState(historyData: string | undefined): string | undefined {
  if (!historyData) return undefined;
  try {
    return (JSON.parse(historyData) as { newState?: { stateValue?: string } }).newState?.stateValue;
  } catch {
    return undefined;
  }
}

/** The last practice run of a load balancer's zonal autoshift: its outcome (practice runs prove survival, not a time). */
export async function readPracticeRuns(clients: ProveClients, id: PracticeRunIdentifier): Promise<Measurement> {
  const out = id.loadBalancerArnOutput;
  const stacks = await clients.cloudFormation(out.region).send(new DescribeStacksCommand({ StackName: out.stackName }));
  const arn = stacks.Stacks?.[0]?.Outputs?.find(o => o.OutputKey === out.outputKey)?.OutputValue;
  if (!arn) return { verdict: ProveVerdict.NEVER_RUN, detail: `stack ${out.stackName} has no output ${out.outputKey} (not deployed with the drills?)`, timeline: [] };
  const runs = (await clients.zonalShift(id.region).listZonalShifts(arn)).filter(s => s.shiftType === 'PRACTICE_RUN');
  const interrupted = runs.filter(r => r.practiceRunOutcome === 'INTERRUPTED').length;
  // An interrupted run (a blocking alarm, or cancelled) says nothing about the zone-loss path: the last conclusive one counts.
  const last = runs.filter(r => r.practiceRunOutcome !== 'INTERRUPTED').sort((a, b) => b.startTime - a.startTime)[0];
  const skipped = interrupted > 0 ? ` (${interrupted} interrupted run${interrupted > 1 ? 's' : ''} ignored)` : '';
  if (!last) return { verdict: ProveVerdict.NEVER_RUN, detail: `no practice run of ${arn}${skipped}`, timeline: [] };
  const timeline: TimelineEvent[] = [{ at: iso(last.startTime), what: `practice run away from ${last.awayFrom} started` }];
  if (last.expiryTime !== undefined && last.status !== 'ACTIVE') timeline.push({ at: iso(last.expiryTime), what: `practice run ${last.status} (${last.practiceRunOutcome ?? '?'})` });
  const what = `practice run ${last.zonalShiftId} away from ${last.awayFrom} ${last.status}, outcome ${last.practiceRunOutcome ?? 'unknown'}${skipped}`;
  const base = { runId: last.zonalShiftId, timeline };
  if (last.status === 'ACTIVE' || last.practiceRunOutcome === 'PENDING') return { ...base, verdict: ProveVerdict.RUNNING, detail: what };
  if (last.practiceRunOutcome === 'SUCCEEDED') return { ...base, verdict: ProveVerdict.WITHIN, detail: `${what}: the outcome alarms stayed OK` };
  return { ...base, verdict: ProveVerdict.FAILED, detail: what };
}

/** Seconds of an ISO 8601 duration (`PT3M20S`, `P1DT2H`). */
export function isoSeconds(duration: string): number {
  const m = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!m) throw new Error(`not an ISO 8601 duration: ${duration}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(v => (v === undefined ? 0 : Number(v)));
  return (((y * 365 + mo * 30 + d) * 24 + h) * 60 + mi) * 60 + s;
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}
