/**
 * Jest for mutation testing (`npm run mutate`, see test/mutation/README.md):
 * the unit tests only. The example tests (test/examples/) are left out: they
 * assert snapshots, which `jest -u` would accept with a mutant in them, so a
 * "kill" there proves nothing; and they synthesize whole architectures,
 * which Stryker would repeat for every mutant they cover. The browser test
 * is left out too: it runs the helper inside Chromium, where Stryker cannot
 * switch mutants on; test/web-tier/browser-failover-logic.test.ts drives the
 * same module in Node.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  // Stryker runs each mutant against the tests related to its file (--findRelatedTests). Jest
  // sees a module's importers only among the files under its roots, so the library and the
  // examples are roots too: a test that reaches lib/core/validation.ts through lib/index.ts
  // counts. (No test file lives there: testMatch finds none.)
  roots: [...base.roots, '<rootDir>/lib', '<rootDir>/examples'],
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, '<rootDir>/test/examples/', '<rootDir>/test/web-tier/browser-failover\\.test\\.ts$'],
};
