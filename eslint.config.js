import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'coverage', 'src/generated', 'web/dist', 'scratch'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The viability core is pure: no I/O, no environment, no adapters.
    files: ['src/viability/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/generated/**', '@prisma/*', 'ioredis', 'express', 'pg', 'better-sqlite3'],
              message: 'The viability core does no I/O.',
            },
            {
              group: [
                '**/bot/**',
                '**/http/**',
                '**/integrations/**',
                '**/findme/**',
                '**/jobs/**',
                '**/ozmap-model/**',
                '**/config*',
              ],
              message: 'The core imports nothing of the adapters.',
            },
            {
              group: ['node:fs', 'node:net', 'node:http', 'node:child_process'],
              message: 'The viability core does no I/O.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The core reads no environment.' },
      ],
    },
  },
  {
    files: ['src/bot/conversation/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'telegraf',
                'telegraf/*',
                '@whiskeysockets/*',
                '**/telegram/**',
                '**/whatsapp/**',
              ],
              message: 'The conversation engine is channel-neutral.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
