import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { GroupNorm } from '../../src/nn/group-norm';
import { LayerNorm } from '../../src/nn/layer-norm';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, pattern, take } from './reference';

describeBackends('GroupNorm', () => {
  it('normalises each group of consecutive channels over space (hand-computed, 2 groups of 2)', async () => {
    // x [1, 1, 2, 4]: pixel 0 = [1, 3, 0, 0], pixel 1 = [5, 7, 2, 6].
    // group 0 (c 0,1): {1,3,5,7} mean 4, var 5; group 1 (c 2,3): {0,0,2,6} mean 2, var 6.
    const gn = new GroupNorm(2, 4);
    const x = tf.tensor4d([1, 3, 0, 0, 5, 7, 2, 6], [1, 1, 2, 4]);
    const y = await expectTensorDelta(() => gn.call(x), 1);
    const a = Math.sqrt(5 + 1e-5);
    const b = Math.sqrt(6 + 1e-5);
    expectClose(take(y), [-3 / a, -1 / a, -2 / b, -2 / b, 1 / a, 3 / a, 0, 4 / b], 1e-6);
    x.dispose();
    gn.dispose();
  });

  it('with one group equals LayerNorm over [h, w, c] (without affine), per sample', () => {
    const gn = new GroupNorm(1, 3, { affine: false });
    const ln = new LayerNorm([2, 2, 3], { elementwiseAffine: false });
    const x = tf.tensor4d(pattern(2 * 2 * 2 * 3), [2, 2, 2, 3]);
    expectClose(take(gn.call(x)), take(ln.call(x)), 1e-5);
    x.dispose();
    gn.dispose();
    ln.dispose();
  });

  it('applies the per-channel affine map after normalising', () => {
    const gn = new GroupNorm(2, 4);
    const dict = { weight: tf.tensor1d([1, 2, 3, 4]), bias: tf.tensor1d([0, 1, 0, 1]) };
    gn.loadStateDict(dict);
    const x = tf.tensor4d([1, 3, 0, 0, 5, 7, 2, 6], [1, 1, 2, 4]);
    const a = Math.sqrt(5 + 1e-5);
    const b = Math.sqrt(6 + 1e-5);
    const base = [-3 / a, -1 / a, -2 / b, -2 / b, 1 / a, 3 / a, 0, 4 / b];
    expectClose(take(gn.call(x)), base.map((v, i) => v * [1, 2, 3, 4][i % 4] + [0, 1, 0, 1][i % 4]), 1e-6);
    x.dispose();
    dict.weight.dispose();
    dict.bias.dispose();
    gn.dispose();
  });

  it('rejects numGroups that do not divide numChannels and the wrong channel count', () => {
    expect(() => new GroupNorm(3, 4)).toThrow(InvalidValueError);
    expect(() => new GroupNorm(3, 4)).toThrow(/numGroups must divide numChannels/);
    const gn = new GroupNorm(2, 4);
    const x = tf.zeros([1, 2, 2, 3]);
    expect(() => gn.call(x)).toThrow(ShapeError);
    x.dispose();
    gn.dispose();
  });
});
