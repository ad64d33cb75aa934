// Mutation testing (`npm run mutate`): see test/mutation/README.md for the
// scope, the scores and how to run it on a few files.
// STRYKER_CONCURRENCY sets the number of test-runner processes (default 1:
// the machines this runs on are shared).

// The scope runs in chunks (scripts/mutate.ts runs them one after another and adds up the
// scores): each chunk has its own incremental file and reports under reports/mutation/<chunk>/,
// so a rerun after a change re-tests only the mutants that change touched.
const SCOPE = {
  handlers: ['lib/*/handler/**/*.ts'],
  runtime: ['lib/runtime/**/*.ts', 'lib/web-tier/browser/*.js'],
  // lib/core in three: each run is long (its mutants reach most construct tests), and only a finished run keeps its results.
  'core-paths': ['lib/core/failure-scenario.ts', 'lib/core/recovery-step.ts', 'lib/core/recovery-objectives.ts', 'lib/core/recovery-figures.ts', 'lib/core/alarm-role.ts', 'lib/core/target-advice.ts'],
  // The ledger's verdicts (a measured figure over the computed one fails the command).
  prove: ['lib/prove/prove.ts', 'lib/prove/readers.ts'],
  'core-patterns': ['lib/core/ha-pattern.ts', 'lib/core/failover-notifications.ts', 'lib/core/validation.ts', 'lib/core/errors.ts',
    'lib/core/placement.ts', 'lib/core/regional-scope.ts', 'lib/core/pattern.ts', 'lib/core/region-failover.ts'],
  'core-report': ['lib/report/*.ts', 'lib/core/ha-dashboard.ts', 'lib/core/service-time.ts'],
  constructs: ['lib/private/**/*.ts', 'lib/failover/**/*.ts', 'lib/config-server/writer-guard.ts', 'lib/latency-dns/failure-threshold.ts'],
};
const chunk = process.env.MUTATE_CHUNK;
const mutate = chunk ? SCOPE[chunk] : Object.values(SCOPE).flat();
if (!mutate) throw new Error(`MUTATE_CHUNK=${chunk}: expected one of ${Object.keys(SCOPE).join(', ')}`);
const out = `reports/mutation/${chunk ?? 'all'}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  // Stryker's jest runner, running each mutant's covering test files only (test/mutation/jest-by-file-runner.mjs).
  testRunner: 'jest-by-file',
  plugins: ['@stryker-mutator/*', './test/mutation/jest-by-file-runner.mjs'],
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
  mutate: [...mutate, '!lib/index.ts', '!lib/*/index.ts', '!lib/**/*.d.ts'],
  // Kept out of the sandbox copies (large, and no test reads them).
  ignorePatterns: ['cdk.out', 'dist', 'reports', '.stryker-tmp', 'coverage', '*.log'],
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // A mutant's tests may take four times as long as in the initial run (plus 15 s) before it
  // counts as a timeout: on a shared 2-core machine a busy spell otherwise passes for an
  // infinite loop, and a timeout counts as a kill.
  timeoutFactor: 4,
  timeoutMS: 15000,
  // The initial run of a chunk's related tests takes about two minutes alone; on a busy machine more than Stryker's 5.
  dryRunTimeoutMinutes: 20,
  incremental: true,
  incrementalFile: `${out}/stryker-incremental.json`,
  // event-recorder writes each tested mutant as it is done (reports/mutation/<chunk>/events): a run stopped early
  // still counts (scripts/mutate.ts adds those up, marked partial).
  reporters: ['html', 'json', 'clear-text', 'progress', 'event-recorder'],
  eventReporter: { baseDir: `${out}/events` },
  htmlReporter: { fileName: `${out}/mutation.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
