import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ShapeError } from '../../src/errors';
import { Flatten } from '../../src/nn/flatten';
import { Linear } from '../../src/nn/linear';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, nhwc, take } from './reference';

describeBackends('Flatten', () => {
  it('flattens NHWC in PyTorch NCHW order by default: element (h,w,c) lands at c·H·W + h·W + w', async () => {
    const shape = [2, 2, 3, 2];
    const x = tf.tensor4d(Array.from({ length: 24 }, (_, i) => i), shape as [number, number, number, number]);
    const y = await expectTensorDelta(() => new Flatten().call(x), 1);
    expect(y.shape).toEqual([2, 12]);
    const ys = take(y);
    for (let n = 0; n < 2; n++)
      for (let h = 0; h < 2; h++)
        for (let w = 0; w < 3; w++)
          for (let c = 0; c < 2; c++) expect(ys[n * 12 + c * 6 + h * 3 + w]).toBe(nhwc(shape, n, h, w, c));
    x.dispose();
  });

  it('keeps NHWC memory order with torchOrder false', () => {
    const x = tf.tensor4d(Array.from({ length: 8 }, (_, i) => i), [2, 2, 1, 2]);
    expect(Array.from(take(new Flatten({ torchOrder: false }).call(x)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    x.dispose();
  });

  it('lets a Linear with PyTorch weights see the NCHW-flattened features', () => {
    // torch weight of Linear(4 → 1) over NCHW features of a [1, 1, 2, 2] map: picks channel 1, pixel 0.
    const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]); // pixel 0 = [1, 2], pixel 1 = [3, 4]
    const fc = new Linear(4, 1, { bias: false });
    const dict = { weight: tf.tensor2d([[0, 0, 1, 0]]) }; // NCHW order: c0p0, c0p1, c1p0, c1p1
    fc.loadStateDict(dict);
    expectClose(take(fc.call(new Flatten().call(x))), [2]);
    x.dispose();
    dict.weight.dispose();
    fc.dispose();
  });

  it('rejects rank-1 input with a ShapeError', () => {
    const x = tf.zeros([3]);
    expect(() => new Flatten().call(x)).toThrow(ShapeError);
    x.dispose();
  });
});
