import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // The JSON report is what .ci/run counts to print its final `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    testTimeout: 60_000,
    // The suite is CPU-bound; two workers match the CI machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
