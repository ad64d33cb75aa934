import { Duration } from 'aws-cdk-lib';
import type { ResolvedRecoveryStep, SingleSampleRisk } from './recovery-step';

/**
 * What a missed recovery-time target's error proposes: the settings of
 * every prop it takes, together, with the path's resulting figure.
 *
 * Each step whose figure the synthesized settings give as seconds x samples
 * (`StepModel`) contributes its knobs (`healthCheckInterval`,
 * `turnOnDetectionPeriods`, ...); a step that only knows a prop and a floor
 * contributes that prop "at its limit". A prop shared by several steps (one
 * health-check interval for the unhealthy and the healthy checks) takes one
 * value in all of them. Every combination is tried (there are a few
 * thousand at most), and the ones that meet the target are ranked: those
 * that keep two samples or more for a decision that loses data or moves
 * traffic first, then the fewest props changed, then the least change.
 */
export interface TargetAdvice {
  /** Ways to meet the target, best first; empty when no combination of the settings meets it. */
  readonly combinations: Combination[];
}

/** One way to meet a target. */
export interface Combination {
  /** The props changed, in the order they are applied, each with the seconds it saves. */
  readonly changes: Array<{ readonly setting: string; readonly saves: number }>;
  /** Each change with what it saves (or costs), e.g. `failureThreshold: 2 (−10 s)`. */
  readonly described: string;
  /** The path's worst case with them, in seconds. */
  readonly totalSeconds: number;
  /** The single-sample decisions the combination leaves (to warn about). */
  readonly singleSamples: Array<{ readonly prop: string; readonly seconds: number; readonly risk: SingleSampleRisk }>;
}

/** A prop of the path: its value now and the values to try. */
interface Variable {
  readonly prop: string;
  readonly current: number;
  readonly values: number[];
  /** The setting with a value, as the user writes it: `healthCheckInterval: 10 s`, `turnOnDetectionPeriods: 2`. */
  readonly describe: (v: number) => string;
}

/** At most this many combinations are evaluated (the values of the props with most values are thinned first). */
const MAX_COMBINATIONS = 200_000;
/** At most this many ways are proposed. */
const MAX_PROPOSALS = 3;

/** Ranks the ways to bring the path's `steps` to `targetSeconds` or below. */
export function adviseTarget(steps: ResolvedRecoveryStep[], targetSeconds: number): TargetAdvice {
  const variables = new Map<string, Variable>();
  const add = (v: Variable) => { if (!variables.has(v.prop)) variables.set(v.prop, v); };
  // How each step's figure follows from an assignment of the variables.
  const figures: Array<(a: Map<string, number>) => number> = [];
  const decisions: Array<(a: Map<string, number>) => Combination['singleSamples']> = [];
  for (const step of steps) {
    const m = step.model;
    const seconds = step.duration.toMilliseconds() / 1000;
    if (m && (m.secondsKnob || m.samplesKnob)) {
      const { secondsKnob, samplesKnob } = m;
      if (secondsKnob) add({ prop: secondsKnob.prop, current: m.seconds, values: secondsKnob.values, describe: v => `${secondsKnob.prop}: ${v} s` });
      if (samplesKnob) add({ prop: samplesKnob.prop, current: m.samples, values: samplesKnob.values, describe: v => `${samplesKnob.prop}: ${v}` });
      const secondsOf = (a: Map<string, number>) => (m.secondsKnob ? a.get(m.secondsKnob.prop) ?? m.seconds : m.seconds);
      const samplesOf = (a: Map<string, number>) => (m.samplesKnob ? a.get(m.samplesKnob.prop) ?? m.samples : m.samples);
      figures.push(a => secondsOf(a) * samplesOf(a));
      if (m.sampled && m.singleSample) {
        const risk = m.singleSample;
        decisions.push(a => samplesOf(a) === 1 ? [{ prop: m.samplesKnob?.prop ?? step.component, seconds: secondsOf(a), risk }] : []);
      }
    } else if (step.tuning && step.fastest.toMilliseconds() < step.duration.toMilliseconds()) {
      const floor = step.fastest.toMilliseconds() / 1000;
      const prop = step.tuning;
      // 1: at its limit, 0: as it is.
      add({ prop: step.tuning, current: 0, values: [1], describe: () => `${prop} at its limit` });
      figures.push(a => (a.get(prop) === 1 ? floor : seconds));
    } else {
      figures.push(() => seconds);
    }
  }
  const vars = thin([...variables.values()].map(v => ({ ...v, values: [...new Set([v.current, ...v.values])].sort((x, y) => x - y) })));
  const totalOf = (a: Map<string, number>) => figures.reduce((t, f) => t + f(a), 0);
  const current = new Map(vars.map(v => [v.prop, v.current]));
  const found: Array<{ assignment: Map<string, number>; total: number; changed: Variable[]; risky: boolean }> = [];
  forEachAssignment(vars, assignment => {
    const total = totalOf(assignment);
    if (total > targetSeconds + 1e-9) return;
    const changed = vars.filter(v => assignment.get(v.prop) !== v.current);
    if (changed.length === 0) return;
    const risky = decisions.some(d => d(assignment).length > 0);
    found.push({ assignment: new Map(assignment), total, changed, risky });
  });
  found.sort((a, b) => Number(a.risky) - Number(b.risky) || a.changed.length - b.changed.length || b.total - a.total ||
    a.changed.map(v => v.prop).join().localeCompare(b.changed.map(v => v.prop).join()));
  // One proposal per set of props changed (none a superset of another: changing more is no other way), of the same safety as the best.
  const proposals: typeof found = [];
  for (const f of found) {
    if (proposals.length >= MAX_PROPOSALS) break;
    if (proposals.length && f.risky !== proposals[0].risky) break;
    if (proposals.some(p => p.changed.every(v => f.changed.includes(v)))) continue;
    proposals.push(f);
  }
  return {
    combinations: proposals.map(p => {
      // Apply the changes one at a time: what each saves adds up to the whole.
      const step = new Map(current);
      let before = totalOf(step);
      const changes = p.changed.map(v => {
        step.set(v.prop, p.assignment.get(v.prop)!);
        const after = totalOf(step);
        const saves = before - after;
        before = after;
        return { setting: v.describe(p.assignment.get(v.prop)!), saves };
      });
      const described = changes.map(c => `${c.setting} (${c.saves >= 0 ? '\u2212' : '+'}${formatSeconds(Math.abs(c.saves))})`).join(' and ');
      return { changes, described, totalSeconds: p.total, singleSamples: decisions.flatMap(d => d(p.assignment)) };
    }),
  };
}

/** Calls `visit` with every assignment of the variables' values (one map, reused). */
function forEachAssignment(vars: Variable[], visit: (a: Map<string, number>) => void): void {
  const a = new Map<string, number>();
  const walk = (i: number) => {
    if (i === vars.length) {
      visit(a);
      return;
    }
    for (const v of vars[i].values) {
      a.set(vars[i].prop, v);
      walk(i + 1);
    }
  };
  walk(0);
}

/** Drops every other value (keeping the current one and both ends) of the widest variables until the combinations fit. */
function thin(vars: Variable[]): Variable[] {
  let out = vars;
  const count = () => out.reduce((n, v) => n * v.values.length, 1);
  while (count() > MAX_COMBINATIONS) {
    const widest = out.reduce((w, v) => (v.values.length > w.values.length ? v : w));
    if (widest.values.length <= 3) break;
    const last = widest.values.length - 1;
    const values = widest.values.filter((x, i) => i % 2 === 0 || i === last || x === widest.current);
    out = out.map(v => (v === widest ? { ...v, values } : v));
  }
  return out;
}

/** `5 s`, `2 min 30 s`, for the advice. */
export function formatSeconds(s: number): string {
  return humanDuration(Duration.millis(Math.round(s * 1000)));
}

/** `90 s`, `5 min`, `2 min 30 s`: shorter than Duration.toHumanString() for messages. */
export function humanDuration(d: Duration): string {
  const ms = d.toMilliseconds();
  if (ms % 1000 !== 0) return `${ms / 1000} s`;
  const s = ms / 1000;
  if (s < 120) return `${s} s`;
  return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}
