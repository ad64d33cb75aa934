import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyMutant, claimsKilled, isEquivalentTimeout, isSetupKill, killingTests, lastRun, listedEquivalents, listedReason, score, survivorRow } from '../../scripts/mutate';

describe('npm run mutate summary', () => {
  test('reads the equivalent-mutant table: `path:line`, mutator, reason', () => {
    const listed = listedEquivalents([
      '| mutant | mutator | reason |', '|---|---|---|',
      '| `lib/core/validation.ts:12` | StringLiteral | only the message text changes |',
      '| not a mutant | x | y |',
    ].join('\n'));
    expect([...listed]).toEqual([['lib/core/validation.ts:12 StringLiteral', 'only the message text changes']]);
  });

  test('a row may name the replacement: it then covers that mutant of the line only, before the mutator\'s row', () => {
    const listed = listedEquivalents([
      '| `lib/a.ts:3` | ConditionalExpression `true` | clearTimeout(undefined) does nothing |',
      '| `lib/a.ts:3` | ConditionalExpression `false` | not equivalent, killed: test/a.test.ts |',
      '| `lib/a.ts:9` | StringLiteral | only the message text changes |',
      '| `lib/a.ts:12` | StringLiteral `` `a` `` | a template |',
    ].join('\n'));
    const mutant = (line: number, mutatorName: string, replacement?: string) =>
      ({ id: '1', mutatorName, replacement, status: 'Survived', location: { start: { line, column: 1 }, end: { line, column: 2 } } });
    expect([
      listedReason(listed, 'lib/a.ts', mutant(3, 'ConditionalExpression', 'true')),
      listedReason(listed, 'lib/a.ts', mutant(3, 'ConditionalExpression', 'false')),
      listedReason(listed, 'lib/a.ts', mutant(3, 'ConditionalExpression', 'x > 1')),
      listedReason(listed, 'lib/a.ts', mutant(9, 'StringLiteral', '""')),
      listedReason(listed, 'lib/a.ts', mutant(12, 'StringLiteral', '`a`')),
      listedReason(listed, 'lib/b.ts', mutant(9, 'StringLiteral', '""')),
    ]).toEqual([
      'clearTimeout(undefined) does nothing', 'not equivalent, killed: test/a.test.ts', undefined, 'only the message text changes', 'a template', undefined,
    ]);
  });

  test('score: killed (and timed out) of killed, survived and uncovered; errors and ignored mutants do not count', () => {
    expect(score({ killed: 90, killedAtSetup: 0, survived: 5, noCoverage: 5, other: 40 })).toBe(90);
    expect(score({ killed: 0, killedAtSetup: 0, survived: 0, noCoverage: 0, other: 3 })).toBe(100);
    expect(score({ killed: 80, killedAtSetup: 10, survived: 5, noCoverage: 5, other: 40 })).toBe(90);
  });

  test('score with the rechecked kills: survivors a later test killed on recheck count as detected, over the same mutants', () => {
    const t = { killed: 80, killedAtSetup: 5, survived: 10, noCoverage: 5, other: 7, rechecked: 10 };
    expect([score(t), score(t, true), score({ ...t, rechecked: undefined }, true)]).toEqual([85, 95, 85]);
  });

  test('the test files that kill a claimed kill: those its row names, or the previous claimed kill\'s ("as above")', () => {
    const tests = killingTests([
      '| `lib/a.ts:1` | StringLiteral | not equivalent, killed: `test/a.test.ts` and `test/b/c.test.ts` fail with the mutant applied by hand |',
      '| `lib/a.ts:2` | StringLiteral | not equivalent, killed: as above |',
      '| `lib/a.ts:3` | StringLiteral | only the message text changes (`lib/x.ts`, `test/z.test.ts`) |',
      '| `lib/a.ts:4` | ConditionalExpression `true` | not equivalent, killed: as above (both bounds) |',
      '| `lib/a.ts:5` | EqualityOperator | not equivalent, killed: `test/d.test.ts` "x" and `test/d.test.ts` "y"; `lib/a.ts` is not a test |',
    ].join('\n'));
    expect([...tests]).toEqual([
      ['lib/a.ts:1 StringLiteral', ['test/a.test.ts', 'test/b/c.test.ts']],
      ['lib/a.ts:2 StringLiteral', ['test/a.test.ts', 'test/b/c.test.ts']],
      ['lib/a.ts:4 ConditionalExpression `true`', ['test/a.test.ts', 'test/b/c.test.ts']],
      ['lib/a.ts:5 EqualityOperator', ['test/d.test.ts']],
    ]);
    expect([claimsKilled('not equivalent, killed: as above'), claimsKilled('`true`: not equivalent'), claimsKilled(undefined)]).toEqual([true, false, false]);
  });

  test('a survivor\'s row: a claimed kill the recheck confirmed, refuted or has not run; an equivalent one; an unlisted one', () => {
    const mutant = { id: '1', mutatorName: 'EqualityOperator', replacement: 'a >= 0', status: 'Survived', location: { start: { line: 2, column: 5 }, end: { line: 2, column: 10 } } };
    const survivor = (reason?: string) => ({ file: 'lib/a.ts', mutant, source: 'x\nif (a > 0) go();\n', reason, equivalentTimeout: false });
    const claim = survivor('not equivalent, killed: `test/a.test.ts`');
    const why = (row: string) => row.split(' | ').slice(-1)[0];
    expect([
      why(survivorRow(claim, { mutant: 'k', tests: ['test/a.test.ts'], killed: true })),
      why(survivorRow(claim, { mutant: 'k', tests: ['test/a.test.ts'], killed: false })),
      why(survivorRow(claim, undefined)),
      why(survivorRow(survivor('only the text changes'), undefined)),
      why(survivorRow(survivor(), undefined)),
    ]).toEqual([
      'killed on recheck by test/a.test.ts |',
      '**not explained**: the list says a test kills it, but test/a.test.ts passed with it applied |',
      'explained (a claimed kill, not rechecked: npm run mutate -- --recheck): not equivalent, killed: `test/a.test.ts` |',
      'explained: only the text changes |',
      '**not explained** |',
    ]);
    expect(survivorRow(survivor(), undefined)).toBe('| `lib/a.ts:2` | EqualityOperator | Survived | `if (a > 0) go();` → `a >= 0` | **not explained** |');
  });

  test('applies a mutant at its 1-based span, across lines', () => {
    const source = 'const a = 1;\nif (a > 0) {\n  go();\n}\n';
    expect(applyMutant(source, { replacement: 'a >= 0', location: { start: { line: 2, column: 5 }, end: { line: 2, column: 10 } } }))
      .toBe('const a = 1;\nif (a >= 0) {\n  go();\n}\n');
    expect(applyMutant(source, { replacement: '{}', location: { start: { line: 2, column: 12 }, end: { line: 4, column: 2 } } }))
      .toBe('const a = 1;\nif (a > 0) {}\n');
    expect(applyMutant(source, { location: { start: { line: 1, column: 11 }, end: { line: 1, column: 12 } } })).toBe('const a = ;\nif (a > 0) {\n  go();\n}\n');
  });

  test('a timeout the list explains as equivalent is no kill; one it lists as killed by a test, or does not list, is', () => {
    expect(isEquivalentTimeout({ status: 'Timeout' }, 'the marker is read with `in`: its value never')).toBe(true);
    expect(isEquivalentTimeout({ status: 'Timeout' }, 'not equivalent, killed: test/x.test.ts fails with the mutant applied by hand')).toBe(false);
    expect(isEquivalentTimeout({ status: 'Timeout' }, undefined)).toBe(false);
    expect(isEquivalentTimeout({ status: 'Survived' }, 'only the message text changes')).toBe(false);
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

  test('a stopped run continued by a run over the rest: every mutant counts once, the later result wins, and all planned tested is a full measure', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutate-'));
    try {
      const at = (line: number, column: number, zeroBased: boolean) => zeroBased ? { line: line - 1, column: column - 1 } : { line, column };
      const mutant = (id: string, line: number, zeroBased: boolean) => ({
        id, fileName: '/elsewhere/wt/lib/core/errors.ts', mutatorName: 'StringLiteral', replacement: '""',
        location: { start: at(line, 5, zeroBased), end: at(line, 9, zeroBased) },
      });
      const write = (sub: string, name: string, body: unknown) => {
        fs.mkdirSync(path.join(dir, sub), { recursive: true });
        fs.writeFileSync(path.join(dir, sub, name), JSON.stringify(body));
      };
      write('events', '00001-onMutationTestingPlanReady.json', { mutantPlans: [1, 2, 3].map(l => ({ mutant: mutant(String(l), l, true) })) });
      write('events', '00002-onMutantTested.json', { ...mutant('1', 1, false), status: 'Survived' });
      write('events', '00003-onMutantTested.json', { ...mutant('2', 2, false), status: 'Killed' });

      expect(lastRun(dir)?.partial).toBe('2 of 3 mutants');

      // Run 2 (other ids) tests mutant 3 and, again, mutant 1, which new tests now kill.
      write('events-2', '00002-onMutantTested.json', { ...mutant('0', 3, false), status: 'Killed' });
      write('events-2', '00003-onMutantTested.json', { ...mutant('7', 1, false), status: 'Killed' });
      const run = lastRun(dir);
      expect(run?.partial).toBeUndefined();
      expect(run?.runs).toBe(2);
      expect(run?.report.files['lib/core/errors.ts'].mutants.map(m => [m.location.start.line, m.status]).sort()).toEqual([[1, 'Killed'], [2, 'Killed'], [3, 'Killed']]);

      // Without the run over the rest, the count says so.
      fs.rmSync(path.join(dir, 'events-2', '00002-onMutantTested.json'));
      expect(lastRun(dir)?.partial).toBe('2 of 3 mutants in 2 runs');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
