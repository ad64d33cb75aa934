import { IConstruct } from 'constructs';
import { AlarmRole } from '../core/alarm-role';
import { HaPattern } from '../core/ha-pattern';
import { reportComponent } from './component';
import { ResilienceReport } from './reported';

/**
 * Builds the resilience report of every pattern under `scope`: how each
 * detects failure, its computed worst-case RTO and RPO (per recovery path),
 * the targets, the alarms that fire and who is notified.
 * Call it after the patterns are constructed (ideally after synthesis, so
 * the figures are those of the synthesized settings).
 */
export function buildResilienceReport(scope: IConstruct, title = scope.node.path || 'app'): ResilienceReport {
  const patterns = scope.node.findAll().filter(HaPattern.isHaPattern);
  // An enclosing pattern that notifies for a part may sit outside `scope`: look for it in the whole app.
  const all = scope.node.root.node.findAll().filter(HaPattern.isHaPattern);
  return { title, components: patterns.map(pattern => reportComponent(pattern, all)) };
}

/** Renders reports as Markdown tables a design review can paste. */
export function renderResilienceReportMarkdown(reports: ResilienceReport[]): string {
  const lines: string[] = ['# Resilience report', ''];
  for (const report of reports) {
    lines.push(`## ${report.title}`, '');
    if (report.components.length === 0) {
      lines.push('No HA patterns.', '');
      continue;
    }
    lines.push('| component | pattern | detection | worst-case RTO | RPO | targets | alarms (triggers) | notified |');
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const c of report.components) {
      const paths = c.paths.map(p => `${p.name}: ${fmt(p.totalSeconds)}${p.targetSeconds !== undefined ? ` (target ${fmt(p.targetSeconds)})` : ''}` +
        `${p.fastestSeconds < p.totalSeconds ? `, fastest ${fmt(p.fastestSeconds)}` : ''}`).join('<br>');
      const targets = [
        c.rtoTargetSeconds !== undefined ? `RTO ${fmt(c.rtoTargetSeconds)}` : '',
        c.rpoTargetSeconds !== undefined ? `RPO ${fmt(c.rpoTargetSeconds)}` : '',
      ].filter(Boolean).join(', ') || 'none';
      const alarms = c.alarms.filter(a => a.role === AlarmRole.FAILOVER_TRIGGER).map(a => escape(a.condition)).join('<br>');
      lines.push(`| \`${c.constructPath}\` | ${c.pattern} | ${escape(c.detection)} | **${fmt(c.rtoSeconds)}**<br>${paths} | **${fmt(c.rpoSeconds)}** | ${targets} | ${alarms} | ${escape(c.notified)} |`);
    }
    lines.push('', ...renderScenarioMatrix(report), '');
    for (const c of report.components) {
      lines.push(`### \`${c.constructPath}\` (${c.pattern})`, '');
      for (const p of c.paths) {
        lines.push(`- recovery path **${p.name}**${p.description ? ` (${p.description})` : ''}: ${p.steps.map(s => `${s.component} ${fmt(s.seconds)} [${s.derivation}]`).join(' + ')} = **${fmt(p.totalSeconds)}**` +
          `; fastest configurable ${fmt(p.fastestSeconds)}${p.steps.some(s => s.tuning) ? ` (${[...new Set(p.steps.filter(s => s.tuning).map(s => s.tuning))].join('; ')})` : ' (AWS service times only)'}` +
          (p.dataLoss ? `; data loss on this path: ${p.dataLoss.component} ${fmt(p.dataLoss.seconds)} [${p.dataLoss.derivation}]` : ''));
      }
      const others = c.alarms.filter(a => a.role !== AlarmRole.FAILOVER_TRIGGER && !a.condition.startsWith('composite'));
      for (const a of others) {
        lines.push(`- ${a.role === AlarmRole.NOTIFYING ? 'notifying' : 'informational'} alarm \`${a.path}\`: ${a.condition}`);
      }
      for (const d of c.dataLoss) {
        lines.push(`- data-loss bound: ${d.component} ${fmt(d.seconds)} [${d.derivation}]`);
      }
      if (c.dataLoss.length === 0) lines.push('- data-loss bound: none (the component holds no data of its own)');
      lines.push('');
    }
  }
  return lines.join('\n');
}

/**
 * The scenario matrix of one report: a row per failure scenario, a column
 * per component; each cell the path that handles it, its worst-case RTO and
 * RPO, and "survives" or the broken link.
 */
function renderScenarioMatrix(report: ResilienceReport): string[] {
  const scenarios = [...new Set(report.components.flatMap(c => c.paths.flatMap(p => p.scenarios.map(o => o.scenario))))].sort();
  if (scenarios.length === 0) return ['No recovery path declares a failure scenario.'];
  const components = report.components.filter(c => c.paths.some(p => p.scenarios.length > 0));
  const lines = [
    '**Failure scenarios** (each cell: the path that handles it, worst-case RTO / RPO, and whether every link survives the failure)', '',
    `| scenario | ${components.map(c => `\`${c.constructPath}\``).join(' | ')} |`,
    `|---|${components.map(() => '---').join('|')}|`,
  ];
  for (const scenario of scenarios) {
    const cells = components.map(c => {
      const handled = c.paths.flatMap(p => p.scenarios.filter(o => o.scenario === scenario).map(o => ({ p, o })));
      if (handled.length === 0) return '';
      return handled.map(({ p, o }) => `${p.name}: ${fmt(p.totalSeconds)} / ${fmt(p.dataLoss?.seconds ?? c.rpoSeconds)}, ` +
        (o.survives ? 'survives' : o.acknowledged !== undefined ? `acknowledged: ${escape(o.acknowledged)}` : `**broken**: ${escape(o.brokenLinks.join('; '))}`)).join('<br>');
    });
    lines.push(`| ${scenario} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function fmt(seconds: number): string {
  if (seconds >= 120 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${Math.round(seconds * 10) / 10} s`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
