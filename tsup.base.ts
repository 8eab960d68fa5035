import type { Options } from 'tsup';

/**
 * The one tsup configuration every package builds with: ESM + CJS, `.d.ts` + `.d.cts`,
 * tfjs (and every `@lab/*` sibling) kept external so an application shares one engine.
 */
export function labTsup(overrides: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    treeshake: true,
    splitting: false,
    external: [/^@tensorflow\/tfjs-core$/, /^@tensorflow\/tfjs-backend-(wasm|cpu)$/, /^@lab\//],
    ...overrides,
  };
}
