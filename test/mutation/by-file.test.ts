import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
const ExamplesFirstSequencer = require('../sequencer');
const { JestByFileRunner, TEST_FILES_ENV, byFile, keepFiles } = require('./by-file');

const FILES = { 'pool scales': '/s/test/a.test.ts', 'pool heals': '/s/test/a.test.ts', 'lease renews': '/s/test/b.test.ts' };

describe('jest-by-file mutation runner', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'by-file-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("a mutant's tests by file, the file with the most of them first", () => {
    expect(byFile(['pool scales', 'pool heals'], FILES)).toEqual([['/s/test/a.test.ts', ['pool scales', 'pool heals']]]);
    expect(byFile(['lease renews', 'pool heals', 'pool scales'], FILES)).toEqual([
      ['/s/test/a.test.ts', ['pool heals', 'pool scales']],
      ['/s/test/b.test.ts', ['lease renews']],
    ]);
  });

  test('a test the dry run did not see leaves no file out', () => {
    expect(byFile(['pool scales', 'a test added since'], FILES)).toBeUndefined();
    expect(byFile(['toString'], FILES)).toBeUndefined();
  });

  test('the sequencer keeps the named files, and every file when none is named or none matches', () => {
    const tests = [{ path: '/s/test/a.test.ts' }, { path: '/s/test/b.test.ts' }, { path: '/s/test/c.test.ts' }];
    expect(keepFiles(tests, JSON.stringify(['/s/test/c.test.ts', '/s/test/a.test.ts']))).toEqual([tests[0], tests[2]]);
    expect(keepFiles(tests, undefined)).toBe(tests);
    expect(keepFiles(tests, JSON.stringify(['/elsewhere.test.ts']))).toBe(tests);
  });

  test("Jest's sequencer reads the list from the environment the runner sets", async () => {
    const context = { config: { cacheDirectory: dir, id: 'p' }, hasteFS: { getSize: () => 1 } };
    const tests = ['/s/test/a.test.ts', '/s/test/b.test.ts'].map(p => ({ path: p, context }));
    const sequencer = new ExamplesFirstSequencer();
    process.env[TEST_FILES_ENV] = JSON.stringify(['/s/test/b.test.ts']);
    try {
      expect((await sequencer.sort(tests)).map((t: { path: string }) => t.path)).toEqual(['/s/test/b.test.ts']);
    } finally {
      delete process.env[TEST_FILES_ENV];
    }
    expect(await sequencer.sort(tests)).toHaveLength(2);
  });

  type Result = { status: string; nrOfTests?: number };
  /** Stryker's jest runner as the wrapper sees it: `outcome` decides each run's result from the file it may run. */
  function fakeJest(seen: Array<[string | undefined, string[] | undefined]>, env: Record<string, string | undefined>,
    outcome: (file: string | undefined) => Result = () => ({ status: 'survived', nrOfTests: 1 })) {
    return {
      capabilities: () => ({ reloadEnvironment: true }),
      dryRun: async () => ({ status: 'complete', tests: Object.entries(FILES).map(([id, fileName]) => ({ id, name: id, fileName })).concat([{ id: 'no file', name: 'no file' } as never]) }),
      mutantRun: async (options: { testFilter?: string[] }) => {
        const only = env[TEST_FILES_ENV];
        seen.push([only, options.testFilter]);
        return outcome(only && JSON.parse(only)[0]);
      },
    };
  }

  test('the dry run leaves the map in its file; each file runs with its own tests, named only while it runs', async () => {
    const env: Record<string, string | undefined> = {};
    const seen: Array<[string | undefined, string[] | undefined]> = [];
    const map = path.join(dir, 'files.json');
    const runner = new JestByFileRunner(fakeJest(seen, env), map, env);
    await runner.dryRun({});
    expect(JSON.parse(fs.readFileSync(map, 'utf-8'))).toEqual(FILES);

    expect(await runner.mutantRun({ testFilter: ['lease renews', 'pool scales', 'pool heals'] })).toEqual({ status: 'survived', nrOfTests: 2 });
    expect(seen).toEqual([
      [JSON.stringify(['/s/test/a.test.ts']), ['pool scales', 'pool heals']],
      [JSON.stringify(['/s/test/b.test.ts']), ['lease renews']],
    ]);
    expect(env[TEST_FILES_ENV]).toBeUndefined();
  });

  test('an unknown test or no filter runs as Stryker would: one run, every related file', async () => {
    const env: Record<string, string | undefined> = {};
    const seen: Array<[string | undefined, string[] | undefined]> = [];
    const runner = new JestByFileRunner(fakeJest(seen, env), path.join(dir, 'none.json'), env);
    await runner.dryRun({});
    await runner.mutantRun({ testFilter: ['pool heals', 'unknown'] });
    await runner.mutantRun({});
    expect(seen).toEqual([[undefined, ['pool heals', 'unknown']], [undefined, undefined]]);
  });

  test.each(['killed', 'timeout', 'error'])('the first file that ends in %s ends the run with its result', async status => {
    const env: Record<string, string | undefined> = {};
    const seen: Array<[string | undefined, string[] | undefined]> = [];
    const result = { status, killedBy: ['pool heals'], nrOfTests: 2 };
    const runner = new JestByFileRunner(fakeJest(seen, env, file => file === '/s/test/a.test.ts' ? result : { status: 'survived', nrOfTests: 1 }), path.join(dir, 'm.json'), env);
    await runner.dryRun({});
    expect(await runner.mutantRun({ testFilter: ['lease renews', 'pool heals', 'pool scales'] })).toBe(result);
    expect(seen.map(([only]) => only)).toEqual([JSON.stringify(['/s/test/a.test.ts'])]);
  });

  test('a later file can kill what the first spared', async () => {
    const env: Record<string, string | undefined> = {};
    const killed = { status: 'killed', killedBy: ['lease renews'], nrOfTests: 1 };
    const runner = new JestByFileRunner(fakeJest([], env, file => file === '/s/test/b.test.ts' ? killed : { status: 'survived', nrOfTests: 2 }), path.join(dir, 'k.json'), env);
    await runner.dryRun({});
    expect(await runner.mutantRun({ testFilter: ['pool heals', 'pool scales', 'lease renews'] })).toBe(killed);
  });

  test('another runner process reads the map the dry run left; an incomplete dry run leaves none', async () => {
    const map = path.join(dir, 'files.json');
    await new JestByFileRunner(fakeJest([], {}), map, {}).dryRun({});
    const env: Record<string, string | undefined> = {};
    const seen: Array<[string | undefined, string[] | undefined]> = [];
    await new JestByFileRunner(fakeJest(seen, env), map, env).mutantRun({ testFilter: ['pool scales'] });
    expect(seen).toEqual([[JSON.stringify(['/s/test/a.test.ts']), ['pool scales']]]);

    const failed = { ...fakeJest([], {}), dryRun: async () => ({ status: 'error', errorMessage: 'x' }) };
    const other = path.join(dir, 'other.json');
    await new JestByFileRunner(failed, other, {}).dryRun({});
    expect(fs.existsSync(other)).toBe(false);
  });

  test('the env is cleared even when the run throws', async () => {
    const env: Record<string, string | undefined> = {};
    const throwing = { ...fakeJest([], env), mutantRun: async () => { throw new Error('crashed'); } };
    const runner = new JestByFileRunner(throwing, path.join(dir, 'none.json'), env);
    runner.files = FILES;
    await expect(runner.mutantRun({ testFilter: ['pool scales'] })).rejects.toThrow('crashed');
    expect(env[TEST_FILES_ENV]).toBeUndefined();
  });
});
