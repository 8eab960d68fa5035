import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { randomGaussianNoise } from '../../src/augment/random-gaussian-noise';

describeBackends('randomGaussianNoise', () => {
  it('adds noise of standard deviation std (0.1 on a 0.5 image: no clipping at 5σ)', () => {
    const x = tf.fill([4, 20, 20, 1], 0.5) as tf.Tensor4D;
    const y = randomGaussianNoise(x, { std: 0.1, rng: new Rng(3) });
    const v = Array.from(y.dataSync()).map((e) => e - 0.5);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.01); // 1600 draws: se 0.0025
    expect(sd).toBeGreaterThan(0.09);
    expect(sd).toBeLessThan(0.11);
    tf.dispose([x, y]);
  });

  it('clips to [0, 1], leaves images alone at p=0 and returns one new tensor', async () => {
    const x = tf.fill([2, 4, 4, 1], 0.99) as tf.Tensor4D;
    const y = await expectTensorDelta(() => randomGaussianNoise(x, { std: 0.5, rng: new Rng(1) }), 1);
    expect(Math.max(...y.dataSync())).toBeLessThanOrEqual(1);
    expect(Math.min(...y.dataSync())).toBeGreaterThanOrEqual(0);
    const z = randomGaussianNoise(x, { p: 0, rng: new Rng(1) });
    z.dataSync().forEach((v) => expect(v).toBeCloseTo(0.99, 6));
    expect(() => randomGaussianNoise(x, { std: -1 })).toThrow(/std must be a finite number/);
    tf.dispose([x, y, z]);
  });
});
