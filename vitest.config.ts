import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Database tests share one server per run; files run in parallel on separate databases.
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
  },
});
