import type { ViteUserConfig } from 'vitest/config';

/** Shared vitest settings: node environment, generous timeouts for wasm kernels on 2 cores. */
export const labVitest: ViteUserConfig = {
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
};
