/**
 * Channel gathering for the built-in layer pruners.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Module, StateDict } from '@lab/tensor';

/**
 * Loads into `target` the state dict of `source` with every listed key gathered along the given
 * axis (PyTorch layout); keys not listed are copied as they are. Frees every tensor it makes.
 * @internal
 */
export function loadGathered(
  target: Module<any, any>,
  source: Module<any, any>,
  gathers: Readonly<Record<string, { axis: number; keep: readonly number[] }[]>>,
): void {
  const dict: StateDict = source.stateDict();
  const out: StateDict = {};
  try {
    tf.tidy(() => {
      for (const [key, value] of Object.entries(dict)) {
        let t: tf.Tensor = value;
        for (const g of gathers[key] ?? []) {
          if (g.keep.length === t.shape[g.axis]) continue;
          t = tf.gather(t, tf.tensor1d(Array.from(g.keep), 'int32'), g.axis);
        }
        out[key] = tf.keep(t === value ? t.clone() : t);
      }
    });
    target.loadStateDict(out);
  } finally {
    tf.dispose(Object.values(dict));
    tf.dispose(Object.values(out));
  }
}

/** `0, 1, …, n−1`. @internal */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
