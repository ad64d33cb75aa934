/**
 * Jest test sequencer: Jest's own order (failed first, then slowest first by
 * the timings of the last run, then biggest file first), except that files
 * without a timing yet start with test/examples/. Each of those is a
 * three-line file that synthesizes a whole reference architecture through
 * every gate, so ordering them by file size would start the slowest files
 * last and leave a worker idle at the end of a first run (CI, a fresh clone).
 *
 * Under mutation testing (test/mutation/jest-by-file-runner.mjs) the runner
 * names, in HA_MUTANT_TEST_FILES, the files that hold a mutant's covering
 * tests: only those run.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { keepFiles, TEST_FILES_ENV } = require('./mutation/by-file');

const EXAMPLE_TEST = /[\\/]test[\\/]examples[\\/][^\\/]+\.test\.ts$/;

class ExamplesFirstSequencer extends Sequencer {
  sort(allTests) {
    const tests = keepFiles(allTests, process.env[TEST_FILES_ENV]);
    const rank = test => {
      if (this.hasFailed(test)) return 0;
      if (test.duration != null) return 3;
      return EXAMPLE_TEST.test(test.path) ? 1 : 2;
    };
    // Array.prototype.sort is stable: within a rank, Jest's order stays.
    return super.sort(tests).sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = ExamplesFirstSequencer;
