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
 * writes that map to the sandbox (the other test-runner processes, and a
 * restarted one, read it there), and before each mutant run tells
 * test/sequencer.js, which runs in the same process, which files to keep
 * (HA_MUTANT_TEST_FILES). The tests that run are the same: only files
 * without a covering test are left out.
 */
const fs = require('fs');

const TEST_FILES_ENV = 'HA_MUTANT_TEST_FILES';

/** The files of the tests `ids`, or undefined when one of them is not in `files` (then nothing is left out). */
function filesOf(ids, files) {
  const out = new Set();
  for (const id of ids) {
    if (!Object.prototype.hasOwnProperty.call(files, id)) return undefined;
    out.add(files[id]);
  }
  return [...out];
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
    const keep = options.testFilter ? filesOf(options.testFilter, this.files) : undefined;
    if (keep && keep.length > 0) this.env[TEST_FILES_ENV] = JSON.stringify(keep);
    try {
      return await this.inner.mutantRun(options);
    } finally {
      delete this.env[TEST_FILES_ENV];
    }
  }
}

module.exports = { TEST_FILES_ENV, filesOf, keepFiles, JestByFileRunner };
