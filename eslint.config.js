// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/generated/**',
      // The production build's output (infra/build/build.mjs).
      'services/host/dist/**',
      'services/host/examples/**',
      'docs/**',
      '.duban/**',
      '.ci/.cache/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Every promise is awaited, returned or explicitly voided: a dropped one loses errors silently.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='only']",
          message: 'no .only: it silently skips the rest',
        },
      ],
    },
  },
  {
    // The pure domain: no framework, transport or database imports (see docs/architecture.md).
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      // AppError and assertNever come from '@duban/kit/errors', which imports nothing.
      'no-restricted-imports': [
        'error',
        {
          paths: ['@duban/kit', 'fastify', 'kafkajs', 'pg', '@duban/db', '@duban/bus', '@duban/runtime'],
          patterns: [{ group: ['@prisma/*'], message: 'the domain does not touch the database' }],
        },
      ],
    },
  },
  {
    // The contract knows nothing but zod.
    files: ['packages/events/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@duban/*', 'fastify', 'kafkajs', 'pg', '@prisma/*'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The web console runs in the browser (ES modules served as they are: ADR 0017).
    files: ['services/console/web/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'localStorage',
          'sessionStorage',
          'fetch',
          'URL',
          'URLSearchParams',
          'AbortController',
          'TextDecoderStream',
          'addEventListener',
          'removeEventListener',
          'setTimeout',
          'clearTimeout',
          'console',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
