/**
 * Transpile-only (esbuild); `npm run typecheck` does the type checking.
 * `npm test` runs two workers (`--maxWorkers=2`): the suite is CPU-bound
 * (synthesis, the CloudFormation validation engine, cfn-guard).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The browser failover helper is an ES module: tests in Node import it through the same transform.
  transform: { '^.+\\.ts$': '<rootDir>/test/esbuild-transform.js', '/lib/web-tier/browser/.+\\.js$': '<rootDir>/test/esbuild-transform.js' },
  // Stryker's sandboxes (npm run mutate) are copies of the project: never tests or modules of this run.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/'],
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  testSequencer: '<rootDir>/test/sequencer.js',
  // The CloudFormation validation engine, built once per worker instead of once per test file (test/validation-engine/engines.js).
  moduleNameMapper: { '^@aws/cloudformation-validate$': '<rootDir>/test/validation-engine/index.js' },
  testTimeout: 120000,
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
