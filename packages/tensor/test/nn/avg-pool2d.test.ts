import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError } from '../../src/errors';
import { AvgPool2d } from '../../src/nn/avg-pool2d';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, take } from './reference';

const ramp = (h: number, w: number) => tf.tensor4d(Array.from({ length: h * w }, (_, i) => i + 1), [1, h, w, 1]);

describeBackends('AvgPool2d', () => {
  it('averages each 2×2 block of 1..16: [3.5,5.5,11.5,13.5]', async () => {
    const x = ramp(4, 4);
    const y = await expectTensorDelta(() => new AvgPool2d(2).call(x), 1);
    expect(Array.from(take(y))).toEqual([3.5, 5.5, 11.5, 13.5]);
    x.dispose();
  });

  it('counts padded zeros by default: 1..9, k=3 s=1 p=1 → corner 12/9, edge 21/9, centre 45/9', () => {
    const x = ramp(3, 3);
    const y = take(new AvgPool2d(3, { stride: 1, padding: 1 }).call(x));
    expectClose(y, [12 / 9, 21 / 9, 16 / 9, 27 / 9, 45 / 9, 33 / 9, 24 / 9, 39 / 9, 28 / 9], 1e-6);
    x.dispose();
  });

  it('divides by the real pixels with countIncludePad false: corner 12/4, edge 21/6, centre 45/9', () => {
    const x = ramp(3, 3);
    const y = take(new AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false }).call(x));
    expectClose(y, [12 / 4, 21 / 6, 16 / 4, 27 / 6, 45 / 9, 33 / 6, 24 / 4, 39 / 6, 28 / 4], 1e-6);
    x.dispose();
  });

  it('spreads the gradient 1/(kh·kw) over each window (k=2: 0.25 everywhere)', () => {
    const x = ramp(4, 4);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(new AvgPool2d(2).call(xi)))(x);
    expect(Array.from(take(g))).toEqual(new Array(16).fill(0.25));
    x.dispose();
  });

  it('rejects padding above half the kernel and unknown options', () => {
    expect(() => new AvgPool2d(3, { padding: 2 })).toThrow(InvalidValueError);
    expect(() => new AvgPool2d(3, { ceilMode: true } as object)).toThrow(/unknown option 'ceilMode'/);
  });
});
