/**
 * Per-path recovery targets over every pattern: a target equal to a path's
 * computed worst case synthesizes; one second less fails synthesis with the
 * path, the prop that states the target, and either every prop it takes to
 * meet it (with the resulting figure) or the fastest the path can be configured to.
 */
import { Duration } from 'aws-cdk-lib';
import { testApp } from '../harness';
import { FIXTURES } from '../pattern-fixtures';

const cases = Object.entries(FIXTURES).flatMap(([name, fixture]) => {
  const pattern = fixture(testApp());
  return pattern.recoveryObjectives.paths.map(p => ({ name, fixture, path: p }));
});

describe('per-path recovery targets of every pattern', () => {
  test('every pattern declares at least one path', () => {
    expect(new Set(cases.map(c => c.name))).toEqual(new Set(Object.keys(FIXTURES)));
  });

  test.each(cases.map(c => [`${c.name} ${c.path.name} (${c.path.total.toSeconds()} s)`, c] as const))('%s: met exactly; missed by 1 s; below its fastest', (_title, c) => {
    const total = c.path.total.toMilliseconds();
    const met = testApp();
    // A target must be longer than 0: a path of 0 s is checked with 1 s.
    c.fixture(met, { paths: [{ path: c.path.name, rto: Duration.millis(Math.max(1000, total)) }] });
    expect(() => met.synth()).not.toThrow();
    if (total === 0) return;

    const head = `the '${c.path.name}' path takes .* worst case, target .* \\(recoveryTargets.paths\\[0\\].rto\\)`;
    const fastest = c.path.fastest.toMilliseconds();
    const target = Duration.millis(total - 1000);
    const missed = testApp();
    const pattern = c.fixture(missed, { paths: [{ path: c.path.name, rto: target }] });
    if (fastest > target.toMilliseconds()) {
      expect(() => missed.synth()).toThrow(new RegExp(`${head}.*No setting meets it.*Raise recoveryTargets.paths\\[0\\].rto to at least`));
    } else if (pattern.recoveryObjectives.path(c.path.name).total.toMilliseconds() <= target.toMilliseconds()) {
      // A default that follows the target (the Route 53 failure threshold) met it.
      expect(() => missed.synth()).not.toThrow();
    } else {
      // One error names every prop it takes, each with what it saves, and the resulting figure, within the target.
      const message = errorOf(() => missed.synth());
      expect(message).toMatch(new RegExp(`${head}.*To meet it, set .* \\(\u2212[0-9.]+ s\\) \u2192 `));
      const [, props, figure] = /To meet it, set (.*?) \u2192 ([0-9.]+ s|[0-9]+ min(?: [0-9]+ s)?)/.exec(message)!;
      expect(seconds(figure)).toBeLessThanOrEqual(target.toSeconds());
      const tunings = c.path.steps.map(s => s.tuning ?? '').join(' | ');
      for (const prop of props.split(' and ').map(p => p.replace(/(: .*| at its limit.*)$/, ''))) expect(tunings).toContain(prop);
    }

    if (fastest >= 1000) {
      const impossible = testApp();
      c.fixture(impossible, { paths: [{ path: c.path.name, rto: Duration.millis(fastest - 500) }] });
      expect(() => impossible.synth()).toThrow(new RegExp(`${head}.*No setting meets it: the fastest this path can be configured to is`));
    }
  });

  test('a target for a path the pattern does not have fails naming its paths', () => {
    const app = testApp();
    FIXTURES.SingletonDaemon(app, { paths: [{ path: 'task failure', rto: Duration.minutes(5) }] });
    expect(() => app.synth()).toThrow(/S\/Etl: invalid prop 'recoveryTargets.paths\[0\].path': received "task failure"; expected one of the pattern's path ids: 'task-failure'/);
  });
});

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

function seconds(figure: string): number {
  const m = /^(?:([0-9]+) min)? ?(?:([0-9.]+) s)?$/.exec(figure)!;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}
