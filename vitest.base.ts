import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

/**
 * Shared vitest settings: node environment, generous timeouts for wasm kernels on 2 cores, and
 * `@lab/<name>` resolved to the sibling package's `src/index.ts`, so a package's tests run against
 * its dependencies' sources (the built packages are checked by the packed-package smoke test).
 */
export const labVitest: ViteUserConfig = {
  resolve: {
    alias: [{ find: /^@lab\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` }],
  },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // tfjs's cpu backend prints an "install tfjs-node" banner once per process in Node; drop it.
    onConsoleLog: (log) => !log.includes('tfjs-node'),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
};
