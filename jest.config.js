/**
 * Transpile-only (esbuild); `npm run typecheck` does the type checking.
 * `npm test` runs two workers (`--maxWorkers=2`): the suite is CPU-bound
 * (synthesis, the CloudFormation validation engine, cfn-guard).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/esbuild-transform.js' },
  testSequencer: '<rootDir>/test/sequencer.js',
  testTimeout: 120000,
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
