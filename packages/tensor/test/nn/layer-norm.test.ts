import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { LayerNorm } from '../../src/nn/layer-norm';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, take } from './reference';

describeBackends('LayerNorm', () => {
  it('normalises the last axis: [1,2,3,4] → (x − 2.5)/√(1.25 + eps)', async () => {
    const ln = new LayerNorm(4);
    const x = tf.tensor2d([[1, 2, 3, 4], [2, 2, 2, 2]]);
    const y = await expectTensorDelta(() => ln.call(x), 1);
    const s = Math.sqrt(1.25 + 1e-5);
    // a constant row normalises to 0
    expectClose(take(y), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, 0, 0, 0, 0], 1e-6);
    x.dispose();
    ln.dispose();
  });

  it('normalises over several trailing axes and applies weight and bias element-wise', () => {
    const ln = new LayerNorm([2, 2]);
    const dict = { weight: tf.tensor2d([[1, 2], [3, 4]]), bias: tf.tensor2d([[0, 0], [1, 1]]) };
    ln.loadStateDict(dict);
    const x = tf.tensor3d([[[1, 2], [3, 4]]]);
    const s = Math.sqrt(1.25 + 1e-5);
    expectClose(take(ln.call(x)), [-1.5 / s, (-0.5 / s) * 2, (0.5 / s) * 3 + 1, (1.5 / s) * 4 + 1], 1e-6);
    x.dispose();
    dict.weight.dispose();
    dict.bias.dispose();
    ln.dispose();
  });

  it('has no parameters without elementwiseAffine', () => {
    const ln = new LayerNorm(3, { elementwiseAffine: false });
    expect(ln.numParameters()).toBe(0);
    ln.dispose();
  });

  it('rejects trailing axes that differ from normalizedShape (ShapeError) and bad arguments', () => {
    const ln = new LayerNorm([2, 3]);
    const x = tf.zeros([4, 3, 2]);
    expect(() => ln.call(x)).toThrow(ShapeError);
    expect(() => ln.call(x)).toThrow(/LayerNorm: x must end in shape \[2,3\]/);
    expect(() => new LayerNorm([])).toThrow(InvalidValueError);
    expect(() => new LayerNorm(3, { affine: true } as object)).toThrow(/unknown option 'affine'/);
    x.dispose();
    ln.dispose();
  });
});
