/**
 * The figures and messages `RecoveryObjectives` derives from its paths: a
 * missed target's advice, the slowest step, a step as a report row.
 */
import { Duration } from 'aws-cdk-lib';
import { RecoveryPathSummary, RecoveryStepReport } from './recovery-report';
import { ResolvedRecoveryStep } from './recovery-step';
import { adviseTarget, formatSeconds, humanDuration } from './target-advice';
import { isDuration } from './validation';

/**
 * The message of a missed path target: every prop it takes to meet it, set
 * together, with the path's resulting figure (`adviseTarget`); when no
 * setting meets it, the fastest the path can be configured to.
 */
export function describeMissedTarget(path: RecoveryPathSummary, targetProp: string): string {
  const head = `recovery time target not met: the '${path.name}' path takes ${human(path.total)} worst case, target ${human(path.target!)} (${targetProp})`;
  const steps = path.steps.map(s => `${s.component} ${human(s.duration)}`).join(' + ');
  const fastest = `The fastest this path can be configured to is ${human(path.fastest)} (${describeFloors(path)})`;
  if (path.fastest.toMilliseconds() > path.target!.toMilliseconds()) {
    return `${head} = ${steps}. No setting meets it: the fastest this path can be configured to is ${human(path.fastest)} ` +
      `(${describeFloors(path)}). Raise ${targetProp} to at least ${human(path.fastest)}.`;
  }
  const advice = adviseTarget(path.steps, path.target!.toMilliseconds() / 1000);
  const [best] = advice.combinations;
  if (!best) {
    // The floors meet it but the props' values do not combine to it: name the slowest prop to shorten.
    const tunable = slowestOf(path.steps.filter(s => s.tuning && s.fastest.toMilliseconds() < s.duration.toMilliseconds()))!;
    return `${head} = ${steps}. Slowest component you can shorten: ${tunable.component} (${tunable.derivation} = ${human(tunable.duration)}); ` +
      `shorten it with ${tunable.tuning}, down to ${human(tunable.fastest)}. ${fastest}; or raise ${targetProp}.`;
  }
  const ways = advice.combinations.map(c =>
    `set ${c.described} \u2192 ${formatSeconds(c.totalSeconds)}`);
  const risks = best.singleSamples.length === 0 ? '' :
    ' No setting that keeps every decision on two samples or more meets it: with these, ' +
    best.singleSamples.map(r => `one bad ${formatSeconds(r.seconds)} sample ${r.risk.action} (${r.prop}: 1; synthesis will warn cdk-ha-patterns:${r.risk.slug})`).join(', and ') +
    '; raising the target avoids that.';
  return `${head} = ${steps}. To meet it, ${ways.join('; or ')}.${risks} ${fastest}; or raise ${targetProp}.`;
}

/** Each step at its fastest, `fixed` when no setting shortens it. */
function describeFloors(path: RecoveryPathSummary): string {
  return path.steps.map(s => `${s.component} ${human(s.fastest)}${s.tuning ? '' : ' fixed'}`).join(' + ');
}

/** The longest step (the first of equals). */
export function slowestOf(steps: ResolvedRecoveryStep[]): ResolvedRecoveryStep | undefined {
  return steps.reduce<ResolvedRecoveryStep | undefined>(
    (worst, s) => (!worst || s.duration.toMilliseconds() > worst.duration.toMilliseconds() ? s : worst), undefined);
}

/** A step as a report row, in seconds. */
export function stepReport(s: ResolvedRecoveryStep): RecoveryStepReport {
  return { component: s.component, derivation: s.derivation, seconds: secs(s.duration), fastestSeconds: secs(s.fastest), tuning: s.tuning };
}

/** A duration in seconds, for reports. */
export function secs(d: Duration): number {
  return d.toMilliseconds() / 1000;
}

/** A target as written, for a message (a token target is shown as such). */
export function describeRto(d: Duration): string {
  return isDuration(d) && !d.isUnresolved() ? human(d) : '<token>';
}

/** `90 s`, `5 min`, `2 min 30 s`: shorter than Duration.toHumanString() for messages. */
export function human(d: Duration): string {
  return humanDuration(d);
}
