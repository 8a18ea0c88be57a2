import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['agent/**/*.test.ts', 'hal/**/*.test.ts', 'bin/**/*.test.ts', 'scenarios/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // The JSON report feeds the totals line printed by .ci/run.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
