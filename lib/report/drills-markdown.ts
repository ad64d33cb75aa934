import type { DrillDescription } from '../failover/drill-description';

/** The drills of one app (or example), for `renderDrillsMarkdown`. */
export interface DrillSection {
  /** The section's heading: the app's or example's name. */
  readonly title: string;
  /** Its drills. */
  readonly drills: DrillDescription[];
}

/**
 * Renders drills as Markdown: per section, each drill, the pattern and
 * scenario, the paths with their computed worst case, what it proves and
 * the one command that starts it. `intro` follows the `# Drills` heading.
 */
export function renderDrillsMarkdown(sections: DrillSection[], intro: string): string {
  const lines = ['# Drills', '', intro, ''];
  for (const { title, drills } of sections) {
    lines.push(`## ${title}`, '');
    if (drills.length === 0) {
      lines.push('No drills.', '');
      continue;
    }
    lines.push('| drill | pattern | scenario | paths (worst case) | proves | start |', '|---|---|---|---|---|---|');
    for (const d of drills) {
      const figure = d.expectedRecoverySeconds !== undefined ? ` (${d.expectedRecoverySeconds} s)` : '';
      lines.push(`| ${d.kind} \`${d.constructPath}\` | ${d.patternName ?? ''} | ${d.scenario} | ${d.paths.join(', ')}${figure} | ${escapeCell(d.proves)} | \`${escapeCell(d.startCommand)}\` |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
