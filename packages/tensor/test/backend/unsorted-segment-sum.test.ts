import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/index';
import { expectTensorDelta, useBackend } from '../helpers';

describe('UnsortedSegmentSum [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  it('sums rows into their segments by hand and drops out-of-range ids', async () => {
    const x = tf.tensor2d([
      [1, 2],
      [10, 20],
      [100, 200],
      [1000, 2000],
      [5, 5],
    ]);
    const ids = tf.tensor1d([2, 0, 2, -1, 7], 'int32');
    const out = await expectTensorDelta(() => tf.unsortedSegmentSum(x, ids, 3), 1);
    expect(out.shape).toEqual([3, 2]);
    // segment 0 ← row 1; segment 1 ← nothing; segment 2 ← rows 0 and 2; rows 3 (id −1) and 4 (id 7) dropped.
    expect(Array.from(out.dataSync())).toEqual([10, 20, 0, 0, 101, 202]);
    tf.dispose([x, ids, out]);
  });

  it('keeps int32 values exact', async () => {
    const x = tf.tensor1d([3, 4, 5], 'int32');
    const ids = tf.tensor1d([1, 1, 0], 'int32');
    const out = tf.unsortedSegmentSum(x, ids, 2);
    expect(out.dtype).toBe('int32');
    expect(Array.from(out.dataSync())).toEqual([5, 7]);
    tf.dispose([x, ids, out]);
  });

  it('gives gather a gradient: repeated indices accumulate, as on the cpu backend', async () => {
    const table = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [10, 11, 12],
    ]);
    const idx = tf.tensor2d(
      [
        [3, 0],
        [3, 1],
      ],
      undefined,
      'int32',
    );
    const weights = tf.tensor3d([
      [
        [1, 0, 2],
        [0.5, 1, 1],
      ],
      [
        [3, 3, 3],
        [-1, 2, 0],
      ],
    ]);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), weights));
    const grad = await expectTensorDelta(() => tf.grad(f)(table), 1);
    // d/dtable[r] = Σ of the weights at the positions that read row r.
    expect(Array.from(grad.dataSync())).toEqual([0.5, 1, 1, -1, 2, 0, 0, 0, 0, 4, 3, 5]);
    tf.dispose([table, idx, weights, grad]);
  });
});
