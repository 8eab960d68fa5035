import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect } from 'vitest';

/** Backends every numeric test runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Switches the active tfjs backend (awaits wasm initialisation). */
export async function useBackend(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`could not activate backend ${name}`);
}

/**
 * Runs the same suite once per backend. `skip` maps a backend to the reason it is skipped,
 * so a backend gap is explicit and named.
 */
export function describeBackends(
  name: string,
  body: (backend: BackendName) => void,
  options: { skip?: Partial<Record<BackendName, string>> } = {},
): void {
  for (const backend of BACKENDS) {
    const reason = options.skip?.[backend];
    if (reason) {
      describe.skip(`${name} [${backend}] (skipped: ${reason})`, () => body(backend));
      continue;
    }
    describe(`${name} [${backend}]`, () => {
      // Each describe switches backend in a beforeAll so suites do not interfere.
      beforeAll(() => useBackend(backend));
      body(backend);
    });
  }
}

/**
 * Runs `fn` and asserts that `tf.memory().numTensors` changed by exactly `delta`
 * (0 for functions that return no tensors). Works for sync and async functions, and on the
 * error path when `fn` is expected to throw (the error is re-thrown after the check).
 */
export async function expectTensorDelta<T>(fn: () => T | Promise<T>, delta = 0): Promise<T> {
  const before = tf.memory().numTensors;
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    expect(tf.memory().numTensors - before, 'tensors leaked on the error path').toBe(0);
    throw e;
  }
  expect(tf.memory().numTensors - before, 'tensor count change').toBe(delta);
  return result;
}

/** Max relative error |a-b| / max(|b|, 1e-6·max|b|) over two arrays; used to compare backends. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3 * scale, 1e-12);
    if (err > worst) worst = err;
  }
  return worst;
}

/** Location of the shared test data, or undefined when it is absent (tests then skip with a message). */
export function sharedDataDir(): string | undefined {
  const candidates = [process.env.LAB_DATA, path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/data')].filter(
    (p): p is string => !!p,
  );
  return candidates.find((p) => fs.existsSync(path.join(p, 'weights')) || fs.existsSync(path.join(p, 'set5')));
}
