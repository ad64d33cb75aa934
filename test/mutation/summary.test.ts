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
  });

  test('an error the library, aws-cdk-lib or constructs threw while building the tree counts; a programming error does not', () => {
    const thrown = (head: string, frame: string) => ({ status: 'RuntimeError', statusReason: `${head}\n    ${frame}\n    at build (/s/test/x.test.ts:3:1)` });
    expect(isSetupKill(thrown("Primary/Config: Secondary is the pattern's own stack Error: Primary/Config: Secondary is the pattern's own stack",
      'at regionalScope (/s/.stryker-tmp/sandbox-1/lib/core/regional-scope.ts:61:205)'))).toBe(true);
    expect(isSetupKill(thrown("There is already a Construct with name 'X' in Stack2 Error: There is already a Construct with name 'X' in Stack2",
      'at Node.addChild (/s/node_modules/constructs/src/construct.ts:530:13)'))).toBe(true);
    expect(isSetupKill(thrown("Action '' is invalid. «ActionInvalid»", '...new PolicyStatement in aws-cdk-lib...'))).toBe(true);
    expect(isSetupKill(thrown("'3.33 seconds' cannot be converted into a whole number of minutes.", 'at convert (/s/node_modules/aws-cdk-lib/core/lib/duration.js:1:1)'))).toBe(true);

    expect(isSetupKill(thrown("Cannot read properties of undefined (reading 'x') TypeError: Cannot read properties of undefined (reading 'x')",
      'at regionalScope (/s/.stryker-tmp/sandbox-1/lib/core/regional-scope.ts:61:205)'))).toBe(false);
    expect(isSetupKill(thrown('Maximum call stack size exceeded RangeError: Maximum call stack size exceeded', 'at f (/s/lib/core/x.ts:1:1)'))).toBe(false);
    expect(isSetupKill(thrown('boom Error: boom', 'at helper (/s/test/helpers.ts:1:1)'))).toBe(false);
    expect(isSetupKill({ status: 'RuntimeError', statusReason: 'Error: something failed without a stack' })).toBe(false);
    expect(isSetupKill({ status: 'Survived', statusReason: 'Validation failed with the following errors:' })).toBe(false);
  });
});
