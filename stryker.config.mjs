// Mutation testing (`npm run mutate`): see test/mutation/README.md for the
// scope, the scores and how to run it on a few files.
// STRYKER_CONCURRENCY sets the number of test-runner processes (default 1:
// the machines this runs on are shared).

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // The unit tests only (no example snapshot tests): jest.mutation.config.js.
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  // A mutant reached only while modules load or a describe block builds its stack (tables such
  // as Fargate's sizes, the service-time catalogue) needs every related test file per mutant
  // (about a minute each here): it is reported as Ignored, and counted in test/mutation/README.md.
  // A mutant reached there and by tests is still run, against those tests.
  ignoreStatic: true,
  checkers: ['typescript'],
  // The checker compiles the library alone (tsconfig.mutation.json): much faster than the whole project, and a mutant
  // that breaks only a test's types is run (and killed) instead of being set aside.
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // The code that decides failover (issue 13). Re-export files (lib/index.ts,
  // lib/<folder>/index.ts) and type declarations are left out; the handlers'
  // entry points (lib/<pattern>/handler/index.ts) are in.
  mutate: [
    'lib/core/**/*.ts',
    'lib/runtime/**/*.ts',
    'lib/*/handler/**/*.ts',
    'lib/web-tier/browser/*.js',
    'lib/config-server/writer-guard.ts',
    'lib/latency-dns/failure-threshold.ts',
    'lib/private/**/*.ts',
    '!lib/index.ts',
    '!lib/*/index.ts',
    '!lib/**/*.d.ts',
  ],
  // Kept out of the sandbox copies (large, and no test reads them).
  ignorePatterns: ['cdk.out', 'dist', 'reports', '.stryker-tmp', 'coverage', '*.log'],
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // Synthesis is slow on a busy 2-core machine: give a mutant time before calling it a timeout.
  timeoutMS: 10000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
