/**
 * The logic of the `jest-by-file` Stryker test runner
 * (jest-by-file-runner.mjs, which wires it to Stryker's jest runner): each
 * mutant runs only the test files that hold the tests covering it.
 *
 * Stryker's jest runner runs a mutant with `--findRelatedTests <its file>`
 * and a name pattern of its covering tests. For a module of lib/core that is
 * nearly every test file, and Jest loads each of them, building the stacks
 * its describe blocks build, only to skip all its tests by name: most of a
 * mutant's run went there. The dry run knows each test's file: the runner
 * writes that map to a file of this Stryker run (jest-by-file-runner.mjs:
 * in the temporary directory, named by the Stryker process; the other
 * test-runner processes, and a restarted one, read it there), and before
 * each mutant run tells
 * test/sequencer.js, which runs in the same process, which files to keep
 * (HA_MUTANT_TEST_FILES). The tests that run are the same: only files
 * without a covering test are left out.
 *
 * And it runs those files one after another, the file with the most
 * covering tests first, and stops at the first that kills the mutant (or
 * errs, or times out): Jest's `bail`, which Stryker cannot pass to Jest, at
 * the grain of a file. A mutant survives only when every file ran.
 */
const fs = require('fs');

const TEST_FILES_ENV = 'HA_MUTANT_TEST_FILES';

/**
 * The tests `ids` by file, the file with the most of them first: `[file, ids]`
 * pairs, or undefined when one of them is not in `files` (then nothing is
 * left out).
 */
function byFile(ids, files) {
  const out = new Map();
  for (const id of ids) {
    if (!Object.prototype.hasOwnProperty.call(files, id)) return undefined;
    const file = files[id];
    out.set(file, [...(out.get(file) ?? []), id]);
  }
  // Array.prototype.sort is stable: equal counts keep the order of `ids`.
  return [...out].sort((a, b) => b[1].length - a[1].length);
}

/** `tests` (Jest's) whose file is one of the JSON list `only`: all of them when `only` is unset or keeps none. */
function keepFiles(tests, only) {
  if (!only) return tests;
  const files = new Set(JSON.parse(only));
  const kept = tests.filter(test => files.has(test.path));
  return kept.length > 0 ? kept : tests;
}

class JestByFileRunner {
  /** `inner`: Stryker's jest runner; `mapFile`: where the dry run leaves each test's file. */
  constructor(inner, mapFile, env = process.env) {
    this.inner = inner;
    this.mapFile = mapFile;
    this.env = env;
    this.files = undefined;
  }

  capabilities() { return this.inner.capabilities(); }
  async init() { await this.inner.init?.(); }
  async dispose() { await this.inner.dispose?.(); }

  async dryRun(options) {
    const result = await this.inner.dryRun(options);
    if (result.status === 'complete') {
      const files = {};
      for (const test of result.tests) if (test.fileName) files[test.id] = test.fileName;
      fs.writeFileSync(this.mapFile, JSON.stringify(files));
      this.files = files;
    }
    return result;
  }

  async mutantRun(options) {
    if (this.files === undefined) {
      this.files = fs.existsSync(this.mapFile) ? JSON.parse(fs.readFileSync(this.mapFile, 'utf-8')) : {};
    }
    const groups = options.testFilter ? byFile(options.testFilter, this.files) : undefined;
    if (!groups || groups.length === 0) return this.inner.mutantRun(options);
    let nrOfTests = 0;
    for (const [file, ids] of groups) {
      this.env[TEST_FILES_ENV] = JSON.stringify([file]);
      let result;
      try {
        result = await this.inner.mutantRun({ ...options, testFilter: ids });
      } finally {
        delete this.env[TEST_FILES_ENV];
      }
      if (result.status !== 'survived') return result;
      nrOfTests += result.nrOfTests;
    }
    return { status: 'survived', nrOfTests };
  }
}

module.exports = { TEST_FILES_ENV, byFile, keepFiles, JestByFileRunner };
