import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { AdaptiveAvgPool2d } from '../../src/nn/adaptive-avg-pool2d';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, take } from './reference';

describeBackends('AdaptiveAvgPool2d', () => {
  it('equals a 2×2 average pool when sizes divide: 4×4 1..16 → [3.5,5.5,11.5,13.5]', async () => {
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
    const y = await expectTensorDelta(() => new AdaptiveAvgPool2d(2).call(x), 1);
    expect(Array.from(take(y))).toEqual([3.5, 5.5, 11.5, 13.5]);
    x.dispose();
  });

  it('uses bins [⌊i·in/out⌋, ⌈(i+1)·in/out⌉): width 5 → 3 averages {0,1},{1,2,3},{3,4} of 1..5 = [1.5,3,4.5]', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5], [1, 1, 5, 1]);
    const y = new AdaptiveAvgPool2d([1, 3]).call(x);
    expect(y.shape).toEqual([1, 1, 3, 1]);
    expectClose(take(y), [1.5, 3, 4.5], 1e-6);
    x.dispose();
  });

  it('pools 3×3 1..9 to 2×2 with overlapping bins: [3,4,6,7]', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    expectClose(take(new AdaptiveAvgPool2d(2).call(x)), [3, 4, 6, 7], 1e-6);
    x.dispose();
  });

  it('grows 2 → 3 with bins {0},{0,1},{1}: [1,3] → [1,2,3]', () => {
    const x = tf.tensor4d([1, 3], [1, 1, 2, 1]);
    expectClose(take(new AdaptiveAvgPool2d([1, 3]).call(x)), [1, 2, 3], 1e-6);
    x.dispose();
  });

  it('has gradient Σ 1/|bin| over the bins containing each input (width 5 → 3)', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5], [1, 1, 5, 1]);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(new AdaptiveAvgPool2d([1, 3]).call(xi)))(x);
    expectClose(take(g), [1 / 2, 1 / 2 + 1 / 3, 1 / 3, 1 / 3 + 1 / 2, 1 / 2], 1e-6);
    x.dispose();
  });

  it('rejects a bad output size and non-rank-4 input', () => {
    expect(() => new AdaptiveAvgPool2d(0)).toThrow(InvalidValueError);
    const x = tf.zeros([3, 3]);
    expect(() => new AdaptiveAvgPool2d(1).call(x)).toThrow(ShapeError);
    x.dispose();
  });
});
