// Lint rules from ../shared/STYLE.md that a linter can hold: no `any`,
// no console output from constructs (warnings go through Annotations),
// imports ordered (node built-ins, packages, then relative), no import cycles,
// layers (private/ below core/, core/ knows no pattern), no floating
// promises in handler and runtime code (type-aware), and the browser
// failover helper linted as the browser module it is (and its server as
// the Node.js module it is).
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The pattern rooms (ARCHITECTURE.md): above lib/failover, below the drills and the report. */
const PATTERNS = ['./lib/web-tier', './lib/latency-dns', './lib/ha-database', './lib/config-server', './lib/singleton', './lib/hot-standby',
  './lib/warm-standby', './lib/worker-pool', './lib/cells', './lib/multi-site', './lib/backup', './lib/network', './lib/lease'];

/** The plain JavaScript files shipped as they are (the browser helper and its server). */
const PLAIN_JS_RULES = {
  'eqeqeq': ['error', 'always', { null: 'ignore' }],
  'no-var': 'error',
  'prefer-const': 'error',
  'no-unused-vars': 'error',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', '**/*.d.ts', '**/*.js', '**/*.mjs', '!lib/web-tier/browser/failover.js', '!lib/web-tier/browser/serve.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    // Resolve the relative .ts imports, so import-x/no-cycle sees the module graph.
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'eqeqeq': ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'curly': ['error', 'multi-line'],
      'import-x/order': ['error', {
        groups: ['builtin', 'external', ['parent', 'sibling', 'index']],
        'newlines-between': 'never',
        alphabetize: { order: 'asc', caseInsensitive: true },
      }],
      'import-x/no-cycle': 'error',
      // Layers: private/ sits below core/, and patterns import each other only through core/ and lease/.
      'import-x/no-restricted-paths': ['error', {
        zones: [
          { target: './lib/private', from: './lib/core', message: 'lib/private sits below lib/core' },
          { target: './lib/core', from: ['./lib/web-tier', './lib/latency-dns', './lib/ha-database', './lib/config-server', './lib/singleton',
            './lib/hot-standby', './lib/warm-standby', './lib/worker-pool', './lib/cells', './lib/multi-site', './lib/failover', './lib/drills'], message: 'lib/core knows no pattern' },
          { target: './lib/hot-standby', from: './lib/singleton', message: 'shared lease pieces live in lib/lease' },
          // ARCHITECTURE.md: core and private at the bottom, the automations (lib/failover) beneath the patterns,
          // the drills, the report, prove and the command above them, never imported by them.
          { target: './lib/core', from: ['./lib/report', './lib/prove', './lib/cli', './lib/backup', './lib/network', './lib/lease'], message: 'lib/core sits below every other room (ARCHITECTURE.md)' },
          { target: './lib/failover', from: PATTERNS.concat(['./lib/drills', './lib/report', './lib/prove', './lib/cli']), message: 'lib/failover (the automations patterns run) sits beneath the patterns (ARCHITECTURE.md)' },
          { target: PATTERNS, from: ['./lib/drills', './lib/report', './lib/prove', './lib/cli'], message: 'the patterns never import the drills, the report, prove or the command above them (ARCHITECTURE.md)' },
          { target: ['./lib/drills', './lib/report'], from: ['./lib/prove', './lib/cli'], message: 'prove and the command sit on top (ARCHITECTURE.md)' },
        ],
      }],
    },
  },
  {
    // Code that runs in users' processes and in Lambda: a forgotten await loses errors.
    files: ['lib/runtime/**/*.ts', 'lib/**/handler/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Constructs report through errors and Annotations, never the console.
    files: ['lib/**/*.ts'],
    ignores: ['lib/runtime/**', 'lib/**/handler/**', 'lib/**/browser/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // The browser failover helper: a dependency-free ES module loaded by pages.
    files: ['lib/web-tier/browser/failover.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
    rules: PLAIN_JS_RULES,
  },
  {
    // The function that serves the helper beside a site: CommonJS, deployed as it is.
    files: ['lib/web-tier/browser/serve.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { ...PLAIN_JS_RULES, '@typescript-eslint/no-require-imports': 'off' },
  },
);
