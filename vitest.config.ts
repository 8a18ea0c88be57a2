import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['agent/**/*.test.ts', 'hal/**/*.test.ts', 'bin/**/*.test.ts', 'scenarios/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Two test files at a time, also on 2 cores (vitest's default there is one): most files wait on
    // sockets, child processes and serial ptys rather than compute, so the suite used 1.1 cores with
    // two workers and took 268 s instead of about 480 s with one. Tests wait on events or the
    // virtual clock, so the other worker's load changes their duration, not their outcome.
    maxWorkers: 2,
    // The JSON report feeds the totals line printed by .ci/run.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
