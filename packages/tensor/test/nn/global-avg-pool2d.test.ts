import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ShapeError } from '../../src/errors';
import { GlobalAvgPool2d } from '../../src/nn/global-avg-pool2d';
import { describeBackends, expectTensorDelta } from '../helpers';
import { take } from './reference';

describeBackends('GlobalAvgPool2d', () => {
  it('averages each channel over h and w: [[1,10],[3,30]] per pixel → [2, 20]', async () => {
    const x = tf.tensor4d([1, 10, 3, 30], [1, 1, 2, 2]);
    const y = await expectTensorDelta(() => new GlobalAvgPool2d().call(x), 1);
    expect(y.shape).toEqual([1, 2]);
    expect(Array.from(take(y))).toEqual([2, 20]);
    const k = new GlobalAvgPool2d({ keepDims: true }).call(x);
    expect(k.shape).toEqual([1, 1, 1, 2]);
    k.dispose();
    x.dispose();
  });

  it('rejects non-rank-4 input and unknown options', () => {
    const x = tf.zeros([2, 3]);
    expect(() => new GlobalAvgPool2d().call(x)).toThrow(ShapeError);
    expect(() => new GlobalAvgPool2d({ keepdims: true } as object)).toThrow(/unknown option 'keepdims'/);
    x.dispose();
  });
});
