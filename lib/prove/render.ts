import { DrillKind } from '../failover/drill-description';
import { ProveDrill, ProveRow } from './model';

const KIND: Record<string, string> = {
  [DrillKind.FAULT_INJECTION]: 'FIS experiment',
  [DrillKind.REGION_SWITCH]: 'Region switch plan',
  [DrillKind.ZONAL_AUTOSHIFT]: 'zonal autoshift',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function seconds(s: number | undefined): string {
  return s === undefined ? '-' : `${Math.round(s * 10) / 10} s`;
}

/** The ledger as a Markdown table (or JSON). */
export function renderLedger(rows: ProveRow[], exitCode: number, json: boolean, title?: string): string {
  if (json) return JSON.stringify({ dryRun: false, exitCode, rows }, undefined, 2);
  const lines: string[] = [];
  if (title) lines.push(`## ${title}: measured against computed`, '');
  if (rows.length === 0) {
    lines.push('No drill: deploy the app with its drills (`-c drills=true`).');
    return lines.join('\n');
  }
  lines.push('| pattern | path | drill | computed | measured | verdict | what was read |', '|---|---|---|---|---|---|---|');
  for (const r of rows) {
    lines.push(`| ${r.patternName} \`${cell(r.patternPath)}\` | ${cell(r.path)} | ${KIND[r.kind] ?? r.kind} \`${cell(r.drill)}\` (${r.region}) | ${seconds(r.computedSeconds)} | ${seconds(r.measuredSeconds)} | **${r.verdict}** | ${cell(r.detail)} |`);
  }
  const count = (v: string) => rows.filter(r => r.verdict === v).length;
  lines.push('', `${rows.length} path rows: ${['within', 'OVER', 'failed', 'running', 'never run'].map(v => `${count(v)} ${v}`).join(', ')}. ` +
    (exitCode === 1 ? 'Exit 1: a measured figure is over the computed one, or a run failed.'
      : exitCode === 2 ? 'Exit 2: a drill could not be read (see "could not read").'
        : 'Exit 0.'));
  return lines.join('\n');
}

/** What `prove` would read for one drill: the API calls with their identifiers. */
export function plannedReads(drill: ProveDrill): string[] {
  if (drill.plan) {
    const p = drill.plan;
    return [
      `arc-region-switch ListPlansInRegion (${p.region}): the plan named ${p.planName} (its ARN is also output ${p.planArnOutput.outputKey} of stack ${p.planArnOutput.stackName})`,
      'arc-region-switch ListPlanExecutions (planArn), then GetPlanExecution of the latest: executionState, actualRecoveryTime, stepStates',
    ];
  }
  if (drill.experiment) {
    const e = drill.experiment;
    return [
      `fis ListExperimentTemplates (${e.region}): the template tagged Name=${e.nameTag}`,
      'fis ListExperiments (experiments of that template), then GetExperiment of the latest: state, start/end, actions\' times, stop conditions',
      `cloudwatch DescribeAlarmHistory (${e.region}, StateUpdate, metric and composite alarms): each stop-condition alarm from the fault's start, ALARM until OK`,
    ];
  }
  if (drill.practiceRuns) {
    const o = drill.practiceRuns.loadBalancerArnOutput;
    return [
      `cloudformation DescribeStacks (${o.region}): output ${o.outputKey} of stack ${o.stackName} (the load balancer's ARN)`,
      `arc-zonal-shift ListZonalShifts (${drill.practiceRuns.region}, resourceIdentifier = that ARN): the latest PRACTICE_RUN and its practiceRunOutcome`,
    ];
  }
  return ['nothing: the drill has no identifier to query'];
}

/** The dry run: no credentials, so what `prove` would read per drill. */
export function renderDryRun(drills: ProveDrill[], json: boolean): string {
  if (json) {
    return JSON.stringify({
      dryRun: true, exitCode: 0,
      drills: drills.map(d => ({
        kind: d.description.kind, drill: d.description.constructPath, region: d.description.region,
        patternPath: d.description.patternPath, paths: d.paths, reads: plannedReads(d),
      })),
    }, undefined, 2);
  }
  const lines = [
    'No AWS credentials found (environment, shared profile, SSO, container or instance role): nothing was read.',
    'With credentials, prove reads:',
    '',
  ];
  for (const d of drills) {
    const paths = d.paths.map(p => `${p.id} (computed ${seconds(p.computedSeconds)})`).join(', ');
    lines.push(`- ${KIND[d.description.kind] ?? d.description.kind} \`${d.description.constructPath}\` (${d.description.region}), paths ${paths || '-'}:`);
    for (const read of plannedReads(d)) lines.push(`  - ${read}`);
  }
  if (drills.length === 0) lines.push('- no drill: build the app with its drills (`-c drills=true`).');
  return lines.join('\n');
}
