import { listedEquivalents, score } from '../../scripts/mutate';

describe('npm run mutate summary', () => {
  test('reads the equivalent-mutant table: `path:line`, mutator, reason', () => {
    const listed = listedEquivalents([
      '| mutant | mutator | reason |', '|---|---|---|',
      '| `lib/core/validation.ts:12` | StringLiteral | only the message text changes |',
      '| not a mutant | x | y |',
    ].join('\n'));
    expect([...listed]).toEqual([['lib/core/validation.ts:12 StringLiteral', 'only the message text changes']]);
  });

  test('score: killed (and timed out) of killed, survived and uncovered; errors and ignored mutants do not count', () => {
    expect(score({ killed: 90, survived: 5, noCoverage: 5, other: 40 })).toBe(90);
    expect(score({ killed: 0, survived: 0, noCoverage: 0, other: 3 })).toBe(100);
  });
});
