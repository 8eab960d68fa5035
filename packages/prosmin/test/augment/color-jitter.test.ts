import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { COLOR_JITTER_DEFAULTS, colorJitter } from '../../src/augment/color-jitter';
import { randomGrayscale } from '../../src/augment/random-grayscale';

function stats(v: ArrayLike<number>, from: number, to: number): { mean: number; sd: number } {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i];
  const mean = s / (to - from);
  let q = 0;
  for (let i = from; i < to; i++) q += (v[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(q / (to - from)) };
}

describeBackends('colorJitter', () => {
  it('is the identity at p=0 and with zero jitter', () => {
    const x = new Rng(1).uniformTensor([3, 4, 4, 3]) as tf.Tensor4D;
    const a = colorJitter(x, { p: 0, rng: new Rng(0) });
    const b = colorJitter(x, { brightness: 0, contrast: 0, saturation: 0, p: 1, rng: new Rng(0) });
    const ref = x.dataSync();
    a.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ref[i], 6));
    b.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ref[i], 6));
    tf.dispose([x, a, b]);
  });

  it('keeps each grey image mean and scales its spread by a factor in [0.6, 1.4] under contrast 0.4', () => {
    const x = new Rng(2).uniformTensor([20, 5, 5, 1], 0.4, 0.6) as tf.Tensor4D; // no clipping at factors ≤ 1.4
    const y = colorJitter(x, { brightness: 0, contrast: 0.4, p: 1, rng: new Rng(3) });
    const a = x.dataSync();
    const b = y.dataSync();
    const factors: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s0 = stats(a, 25 * i, 25 * i + 25);
      const s1 = stats(b, 25 * i, 25 * i + 25);
      expect(s1.mean).toBeCloseTo(s0.mean, 5);
      factors.push(s1.sd / s0.sd);
    }
    for (const f of factors) expect(f).toBeGreaterThanOrEqual(0.6 - 1e-4);
    for (const f of factors) expect(f).toBeLessThanOrEqual(1.4 + 1e-4);
    expect(new Set(factors.map((f) => f.toFixed(3))).size).toBeGreaterThan(10); // drawn per image
    tf.dispose([x, y]);
  });

  it('returns one new tensor in [0, 1] and rejects negative jitter', async () => {
    const x = new Rng(4).uniformTensor([4, 3, 3, 3]) as tf.Tensor4D;
    const y = await expectTensorDelta(() => colorJitter(x, { brightness: 0.9, rng: new Rng(1) }), 1);
    expect(Math.max(...y.dataSync())).toBeLessThanOrEqual(1);
    expect(() => colorJitter(x, { contrast: -0.1 })).toThrow(/contrast must be a finite number in \[0, ∞\)/);
    expect(COLOR_JITTER_DEFAULTS).toEqual({ brightness: 0.4, contrast: 0.4, saturation: 0.2, p: 0.8 });
    tf.dispose([x, y]);
  });
});

describeBackends('randomGrayscale', () => {
  it('replaces RGB by the luma 0.299R + 0.587G + 0.114B on every channel at p=1', () => {
    const x = tf.tensor4d([[[[1, 0, 0], [0, 1, 0], [0.2, 0.4, 1]]]]);
    const y = randomGrayscale(x, { p: 1, rng: new Rng(0) });
    const v = y.dataSync();
    const luma = [0.299, 0.587, 0.299 * 0.2 + 0.587 * 0.4 + 0.114];
    luma.forEach((l, px) => [0, 1, 2].forEach((c) => expect(v[3 * px + c]).toBeCloseTo(l, 5)));
    tf.dispose([x, y]);
  });

  it('copies one-channel images and returns one new tensor', async () => {
    const x = tf.tensor4d([0.1, 0.7], [1, 1, 2, 1]);
    const y = await expectTensorDelta(() => randomGrayscale(x, { p: 1 }), 1);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(() => randomGrayscale(x, { q: 1 } as never)).toThrow(/unknown option 'q'/);
    tf.dispose([x, y]);
  });
});
