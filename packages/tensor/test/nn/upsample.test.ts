import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { Upsample, type UpsampleOptions } from '../../src/nn/upsample';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, take } from './reference';

describeBackends('Upsample', () => {
  it('nearest ×2 repeats each pixel in a 2×2 block: [[1,2],[3,4]]', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = await expectTensorDelta(() => new Upsample({ scaleFactor: 2 }).call(x), 1);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    expect(Array.from(take(y))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    x.dispose();
  });

  it('nearest with size reads ⌊dst·in/out⌋: width 3 → 5 gives [0,0,1,1,2]', () => {
    const x = tf.tensor4d([0, 1, 2], [1, 1, 3, 1]);
    expect(Array.from(take(new Upsample({ size: [1, 5] }).call(x)))).toEqual([0, 0, 1, 1, 2]);
    x.dispose();
  });

  it('nearest with scaleFactor 0.7 on width 5 uses PyTorch scale 1/0.7: ⌊d/0.7⌋ = [0,1,2] (in/out would give [0,1,3])', () => {
    const x = tf.tensor4d([0, 1, 2, 3, 4], [1, 1, 5, 1]);
    const y = new Upsample({ scaleFactor: [1, 0.7] }).call(x);
    expect(y.shape).toEqual([1, 1, 3, 1]);
    expect(Array.from(take(y))).toEqual([0, 1, 2]);
    x.dispose();
  });

  it('bilinear ×2 uses half-pixel centres, clamped at the border (hand-computed on [[0,1],[2,3]])', () => {
    // rows: src = (d + ½)/2 − ½ = −¼→0, ¼, ¾, 1¼→1; along a row [0,1] → [0, .25, .75, 1]
    const x = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
    const y = new Upsample({ scaleFactor: 2, mode: 'bilinear' }).call(x);
    expectClose(take(y), [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3], 1e-6);
    x.dispose();
  });

  it('bilinear with alignCorners maps corners to corners: [[0,1],[2,3]] → 3×3 [0,.5,1,1,1.5,2,2,2.5,3]', () => {
    const x = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
    const y = new Upsample({ size: 3, mode: 'bilinear', alignCorners: true }).call(x);
    expectClose(take(y), [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3], 1e-6);
    x.dispose();
  });

  it('bilinear with scaleFactor 0.7 on a ramp samples src = (d+½)/0.7 − ½ = [0.214286, 1.642857, 3.071429]', () => {
    // On x = [0,1,2,3,4] linear interpolation returns src itself.
    const x = tf.tensor4d([0, 1, 2, 3, 4], [1, 1, 5, 1]);
    const y = new Upsample({ scaleFactor: [1, 0.7], mode: 'bilinear' }).call(x);
    expectClose(take(y), [0.5 / 0.7 - 0.5, 1.5 / 0.7 - 0.5, 2.5 / 0.7 - 0.5], 1e-6);
    x.dispose();
  });

  it('is differentiable: Σy has gradient 4 per input for nearest ×2, and bin counts for scale 0.7', () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(new Upsample({ scaleFactor: 2 }).call(xi)))(x);
    expect(Array.from(take(g))).toEqual([4, 4, 4, 4]);
    const r = tf.tensor4d([0, 1, 2, 3, 4], [1, 1, 5, 1]);
    const gr = tf.grad((xi: tf.Tensor) => tf.sum(new Upsample({ scaleFactor: [1, 0.7] }).call(xi)))(r);
    expect(Array.from(take(gr))).toEqual([1, 1, 1, 0, 0]);
    x.dispose();
    r.dispose();
  });

  it('rejects inconsistent options naming them, and non-rank-4 input', () => {
    expect(() => new Upsample({})).toThrow(/exactly one of scaleFactor and size/);
    expect(() => new Upsample({ size: 4, scaleFactor: 2 })).toThrow(InvalidValueError);
    expect(() => new Upsample({ scaleFactor: 2, alignCorners: true })).toThrow(/alignCorners can only be set with mode 'bilinear'/);
    expect(() => new Upsample({ scaleFactor: 2, mode: 'bicubic' } as unknown as UpsampleOptions)).toThrow(/mode must be/);
    expect(() => new Upsample({ scaleFactor: -1 })).toThrow(/scaleFactor must be a positive number/);
    const x = tf.zeros([2, 2, 1]);
    expect(() => new Upsample({ scaleFactor: 2 }).call(x)).toThrow(ShapeError);
    const tiny = tf.zeros([1, 1, 1, 1]);
    expect(() => new Upsample({ scaleFactor: 0.5 }).call(tiny)).toThrow(/output size must be positive/);
    x.dispose();
    tiny.dispose();
  });
});
