import { isSetupKill, listedEquivalents, score } from '../../scripts/mutate';

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
    expect(score({ killed: 90, killedAtSetup: 0, survived: 5, noCoverage: 5, other: 40 })).toBe(90);
    expect(score({ killed: 0, killedAtSetup: 0, survived: 0, noCoverage: 0, other: 3 })).toBe(100);
    expect(score({ killed: 80, killedAtSetup: 10, survived: 5, noCoverage: 5, other: 40 })).toBe(90);
  });

  test('a runtime error counts as a kill only when synthesis rejected what the tests build', () => {
    expect(isSetupKill({ status: 'RuntimeError', statusReason: 'Validation failed with the following errors:\n  [App/Web] recovery path ...' })).toBe(true);
    expect(isSetupKill({ status: 'RuntimeError', statusReason: "App/Web: invalid prop 'spares': received []; expected ..." })).toBe(true);
    expect(isSetupKill({ status: 'RuntimeError', statusReason: 'HaValidationError: App/Web: ...' })).toBe(true);
    expect(isSetupKill({ status: 'RuntimeError', statusReason: 'TypeError: Cannot read properties of undefined' })).toBe(false);
    expect(isSetupKill({ status: 'RuntimeError', statusReason: 'Test runner process crashed' })).toBe(false);
    expect(isSetupKill({ status: 'RuntimeError' })).toBe(false);
    expect(isSetupKill({ status: 'Survived', statusReason: 'Validation failed with the following errors:' })).toBe(false);
  });
});
