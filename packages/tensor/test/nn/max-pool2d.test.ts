import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { MaxPool2d } from '../../src/nn/max-pool2d';
import { describeBackends, expectTensorDelta } from '../helpers';
import { take } from './reference';

const ramp = (h: number, w: number, sign = 1) =>
  tf.tensor4d(Array.from({ length: h * w }, (_, i) => sign * (i + 1)), [1, h, w, 1]);

describeBackends('MaxPool2d', () => {
  it('takes the max of each 2×2 block of 1..16: [6,8,14,16]', async () => {
    const x = ramp(4, 4);
    const y = await expectTensorDelta(() => new MaxPool2d(2).call(x), 1);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(take(y))).toEqual([6, 8, 14, 16]);
    x.dispose();
  });

  it('never picks padding: −(1..16), k=3 s=2 p=1 gives [−1,−2,−5,−6]', () => {
    // windows start at rows/cols −1 and 1; the best real value in each is its top-left pixel
    const x = ramp(4, 4, -1);
    expect(Array.from(take(new MaxPool2d(3, { stride: 2, padding: 1 }).call(x)))).toEqual([-1, -2, -5, -6]);
    x.dispose();
  });

  it('with ceilMode keeps partial windows: 5×5 k=2 → [7,9,10,17,19,20,22,24,25] (floor: [7,9,17,19])', () => {
    const x = ramp(5, 5);
    expect(Array.from(take(new MaxPool2d(2).call(x)))).toEqual([7, 9, 17, 19]);
    const y = new MaxPool2d(2, { ceilMode: true }).call(x);
    expect(y.shape).toEqual([1, 3, 3, 1]);
    expect(Array.from(take(y))).toEqual([7, 9, 10, 17, 19, 20, 22, 24, 25]);
    x.dispose();
  });

  it('drops a ceil-mode window that would start in the right padding (h=5 k=2 s=2 p=1 → 3, not 4)', () => {
    const x = ramp(5, 5);
    const y = new MaxPool2d(2, { padding: 1, ceilMode: true }).call(x);
    expect(y.shape).toEqual([1, 3, 3, 1]);
    // rows/cols windows {0}, {1,2}, {3,4}
    expect(Array.from(take(y))).toEqual([1, 3, 5, 11, 13, 15, 21, 23, 25]);
    x.dispose();
  });

  it('routes the gradient to the argmax of each window', () => {
    const x = tf.tensor4d([1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 1, 2, 0, 0, 3, 4], [1, 4, 4, 1]);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(new MaxPool2d(2).call(xi)))(x);
    expect(Array.from(take(g))).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    x.dispose();
  });

  it('rejects padding above half the kernel and inputs smaller than the window', () => {
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(InvalidValueError);
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(/MaxPool2d: padding must be at most half the kernel size/);
    const x = tf.zeros([1, 1, 1, 1]);
    expect(() => new MaxPool2d(2).call(x)).toThrow(ShapeError);
    x.dispose();
  });
});
