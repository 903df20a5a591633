import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.spec.ts', 'test/**/*.test.ts', 'test/**/*.spec.ts'],
    // Cross-process tests spawn servers; each must end on its own, and a hung one must not hold CI.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
  },
});
