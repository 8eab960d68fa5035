/**
 * The position-bias lookup of GRL's attention as a custom-gradient op. Not exported.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `out[i, j] = row[index[i·n2 + j]]`: the position bias of every query/key pair of one head.
 *
 * The gather runs in JavaScript over the cached index (several times faster than the wasm
 * `GatherV2` kernel here) and its gradient is the matching scatter-add into the table row, so the
 * op needs no `UnsortedSegmentSum` kernel.
 * @param row - `[T]` bias per table row of one head
 * @param index - `[n1·n2]` table rows per pair
 * @param n1 - queries
 * @param n2 - keys
 * @returns `[n1, n2]`; the caller disposes it
 */
export function gatherBias(row: tf.Tensor1D, index: Int32Array, n1: number, n2: number): tf.Tensor2D {
  const body = (x: tf.Tensor) => {
    const t = x.dataSync() as Float32Array;
    const out = new Float32Array(n1 * n2);
    for (let i = 0; i < out.length; i++) out[i] = t[index[i]];
    const size = x.size;
    return {
      value: tf.tensor2d(out, [n1, n2]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const acc = new Float32Array(size);
        for (let i = 0; i < g.length; i++) acc[index[i]] += g[i];
        return tf.tensor1d(acc);
      },
    };
  };
  return tf.customGrad(body as unknown as Parameters<typeof tf.customGrad>[0])(row) as tf.Tensor2D;
}
