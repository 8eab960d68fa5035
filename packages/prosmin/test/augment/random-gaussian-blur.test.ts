import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { RANDOM_GAUSSIAN_BLUR_DEFAULTS, randomGaussianBlur } from '../../src/augment/random-gaussian-blur';

describeBackends('randomGaussianBlur', () => {
  it('keeps the mass of a centred impulse and spreads it symmetrically at p=1', () => {
    const size = 21;
    const data = new Float32Array(size * size);
    data[10 * size + 10] = 1;
    const x = tf.tensor4d(data, [1, size, size, 1]);
    const y = randomGaussianBlur(x, { p: 1, sigma: [0.8, 1.2], rng: new Rng(1) });
    const v = y.dataSync();
    expect(Array.from(v).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5); // σ ≤ 1.2 → support ≤ 5 px from the centre
    expect(v[10 * size + 10]).toBeLessThan(0.25); // 1/(2πσ²) ≤ 0.249 for σ ≥ 0.8
    expect(v[10 * size + 9]).toBeCloseTo(v[10 * size + 11], 6);
    expect(v[9 * size + 10]).toBeCloseTo(v[10 * size + 9], 6);
    tf.dispose([x, y]);
  });

  it('is the identity at p=0 and keeps constant images constant', () => {
    const x = new Rng(2).uniformTensor([2, 6, 6, 1]) as tf.Tensor4D;
    const y = randomGaussianBlur(x, { p: 0, rng: new Rng(0) });
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    const c = tf.fill([2, 6, 6, 2], 0.4) as tf.Tensor4D;
    const z = randomGaussianBlur(c, { p: 1, rng: new Rng(0) });
    z.dataSync().forEach((v) => expect(v).toBeCloseTo(0.4, 5));
    tf.dispose([x, y, c, z]);
  });

  it('returns one new tensor and rejects a reversed sigma range', async () => {
    const x = tf.ones([2, 5, 5, 1]) as tf.Tensor4D;
    const y = await expectTensorDelta(() => randomGaussianBlur(x, { p: 1, rng: new Rng(0) }), 1);
    expect(() => randomGaussianBlur(x, { sigma: [2, 1] })).toThrow(/sigma must be a pair/);
    expect(RANDOM_GAUSSIAN_BLUR_DEFAULTS).toEqual({ p: 0.5, sigma: [0.1, 2] });
    tf.dispose([x, y]);
  });
});
