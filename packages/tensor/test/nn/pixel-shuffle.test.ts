import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { PixelShuffle } from '../../src/nn/pixel-shuffle';
import { PixelUnshuffle } from '../../src/nn/pixel-unshuffle';
import { describeBackends, expectTensorDelta } from '../helpers';
import { nhwc, pattern, take } from './reference';

describeBackends('PixelShuffle', () => {
  it('reads channel c·r² + i·r + j for output channel c at offset (i, j): [0..7] → [0,4,1,5,2,6,3,7]', async () => {
    // r = 2, C = 2; output (i, j, c) in NHWC order: (0,0,0)=0 (0,0,1)=4 (0,1,0)=1 (0,1,1)=5 (1,0,0)=2 ...
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]);
    const y = await expectTensorDelta(() => new PixelShuffle(2).call(x), 1);
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(take(y))).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    x.dispose();
  });

  it('follows y[n, h·r+i, w·r+j, c] = x[n, h, w, c·r²+i·r+j] at every index (x=[2,2,3,18], r=3)', () => {
    const shape: [number, number, number, number] = [2, 2, 3, 18];
    const xs = pattern(shape.reduce((a, b) => a * b), 0).map((v, k) => v + k); // distinct values
    const x = tf.tensor4d(xs, shape);
    const y = new PixelShuffle(3).call(x);
    const ys = y.dataSync();
    const out = y.shape;
    for (let n = 0; n < 2; n++)
      for (let h = 0; h < 2; h++)
        for (let w = 0; w < 3; w++)
          for (let c = 0; c < 2; c++)
            for (let i = 0; i < 3; i++)
              for (let j = 0; j < 3; j++) {
                expect(ys[nhwc(out, n, h * 3 + i, w * 3 + j, c)]).toBe(xs[nhwc(shape, n, h, w, c * 9 + i * 3 + j)]);
              }
    x.dispose();
    y.dispose();
  });

  it('differs from tf.depthToSpace (DCR order) when C > 1', () => {
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 1, 1, 8]);
    const d2s = tf.depthToSpace(x, 2); // reads channel (i·r + j)·C + c: [0,1,2,...]
    expect(Array.from(take(d2s))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(take(new PixelShuffle(2).call(x)))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    x.dispose();
  });

  it('is differentiable: the gradient of Σ w·shuffle(x) is unshuffle(w)', () => {
    const x = tf.tensor4d(pattern(1 * 2 * 2 * 8), [1, 2, 2, 8]);
    const w = tf.tensor4d(pattern(1 * 4 * 4 * 2, 5), [1, 4, 4, 2]);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(new PixelShuffle(2).call(xi), w)))(x);
    expect(Array.from(take(g))).toEqual(Array.from(take(new PixelUnshuffle(2).call(w))));
    x.dispose();
    w.dispose();
  });

  it('rejects channels that are not a multiple of r² and a bad factor', () => {
    const x = tf.zeros([1, 2, 2, 6]);
    expect(() => new PixelShuffle(2).call(x)).toThrow(ShapeError);
    expect(() => new PixelShuffle(2).call(x)).toThrow(/PixelShuffle: x must have a multiple of 4 channels/);
    expect(() => new PixelShuffle(0)).toThrow(InvalidValueError);
    x.dispose();
  });
});

describeBackends('PixelUnshuffle', () => {
  it('inverts PixelShuffle exactly in both orders (r=2)', async () => {
    const x = tf.tensor4d(pattern(2 * 3 * 2 * 12), [2, 3, 2, 12]);
    const up = new PixelShuffle(2);
    const down = new PixelUnshuffle(2);
    const y = up.call(x);
    const back = await expectTensorDelta(() => down.call(y), 1);
    expect(back.shape).toEqual([2, 3, 2, 12]);
    expect(Array.from(take(back))).toEqual(Array.from(x.dataSync()));
    const z = tf.tensor4d(pattern(1 * 4 * 6 * 3, 2), [1, 4, 6, 3]);
    expect(Array.from(take(up.call(down.call(z))))).toEqual(Array.from(z.dataSync()));
    for (const t of [x, y, z]) t.dispose();
  });

  it('puts x[h·r+i, w·r+j, c] into channel c·r²+i·r+j: [1,2,2,1] 1..4 → [1,2,3,4]; [1,2,2,2] → [0,2,4,6,1,3,5,7]', () => {
    const a = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(Array.from(take(new PixelUnshuffle(2).call(a)))).toEqual([1, 2, 3, 4]);
    // pixel (i,j) holds channels [2k, 2k+1] for k = 2i + j; channel c = 0 first: 0,2,4,6 then 1,3,5,7
    const b = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 2, 2]);
    expect(Array.from(take(new PixelUnshuffle(2).call(b)))).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    a.dispose();
    b.dispose();
  });

  it('rejects a height or width not divisible by r', () => {
    const x = tf.zeros([1, 3, 4, 1]);
    expect(() => new PixelUnshuffle(2).call(x)).toThrow(/PixelUnshuffle: x must have height and width divisible by 2/);
    x.dispose();
  });
});
