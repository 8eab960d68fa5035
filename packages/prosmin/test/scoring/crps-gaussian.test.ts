import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { crpsGaussian } from '../../src/scoring/crps-gaussian';

const SQRT_PI = Math.sqrt(Math.PI);

/** Standard normal CDF via a power series of erf (exact to ~1e-12 for |x| ≤ 3). */
function Phi(x: number): number {
  const z = x / Math.SQRT2;
  let sum = 0;
  let term = z;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-z * z) / (n + 1);
  }
  return 0.5 * (1 + (2 / SQRT_PI) * sum);
}
const phi = (x: number): number => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);

function crps(y: number, mu: number, sigma: number): number {
  return tf.tidy(() => crpsGaussian(tf.scalar(y), tf.scalar(mu), tf.scalar(sigma)).dataSync()[0]);
}

describeBackends('crpsGaussian', () => {
  it('gives σ(2φ(0) − 1/√π) = 0.233695σ at y = μ', () => {
    // 2/√(2π) − 1/√π = 0.7978846 − 0.5641896 = 0.2336950
    expect(crps(0, 0, 1)).toBeCloseTo(0.233695, 5);
    expect(crps(3, 3, 2.5)).toBeCloseTo(2.5 * 0.233695, 5);
  });

  it('is σ·CRPS(N(0,1), (y−μ)/σ) (location-scale equivariance)', () => {
    expect(crps(1.7, 0.2, 3)).toBeCloseTo(3 * crps(1.5 / 3, 0, 1), 5);
  });

  it('approaches |y − μ| − σ/√π far in the tails (y=12, μ=0, σ=1)', () => {
    expect(crps(12, 0, 1)).toBeCloseTo(12 - 1 / SQRT_PI, 4);
    expect(crps(-12, 0, 1)).toBeCloseTo(12 - 1 / SQRT_PI, 4);
  });

  it('has ∂/∂μ = 1 − 2Φ(s) and ∂/∂σ = 2φ(s) − 1/√π, matching finite differences', () => {
    const y = 0.9;
    const mu = -0.4;
    const sigma = 1.3;
    const s = (y - mu) / sigma;
    const [gMu, gSigma] = tf.grads((m: tf.Tensor, sg: tf.Tensor) => crpsGaussian(tf.scalar(y), m, sg))([tf.scalar(mu), tf.scalar(sigma)]);
    const dMu = gMu.dataSync()[0];
    const dSigma = gSigma.dataSync()[0];
    tf.dispose([gMu, gSigma]);
    expect(dMu).toBeCloseTo(1 - 2 * Phi(s), 4);
    expect(dSigma).toBeCloseTo(2 * phi(s) - 1 / SQRT_PI, 4);
    const h = 1e-2; // central differences in float32; error O(h²)
    expect(dMu).toBeCloseTo((crps(y, mu + h, sigma) - crps(y, mu - h, sigma)) / (2 * h), 3);
    expect(dSigma).toBeCloseTo((crps(y, mu, sigma + h) - crps(y, mu, sigma - h)) / (2 * h), 3);
  });

  it('broadcasts y [3] against μ [2,1] and σ scalar to [2,3]', () => {
    const out = tf.tidy(() => crpsGaussian(tf.tensor1d([0, 1, 2]), tf.tensor2d([[0], [1]]), tf.scalar(1)));
    expect(out.shape).toEqual([2, 3]);
    const v = out.dataSync();
    expect(v[0]).toBeCloseTo(0.233695, 5); // y = μ = 0
    expect(v[4]).toBeCloseTo(0.233695, 5); // y = μ = 1
    expect(v[1]).toBeCloseTo(v[3], 6); // |y − μ| = 1 on both rows
    out.dispose();
  });

  it('returns one new tensor and frees everything else', async () => {
    const y = tf.zeros([4]);
    const m = tf.ones([4]);
    const s = tf.ones([4]);
    const out = await expectTensorDelta(() => crpsGaussian(y, m, s), 1);
    tf.dispose([y, m, s, out]);
  });

  it('rejects σ ≤ 0 and shapes that do not broadcast, allocating nothing', async () => {
    const y = tf.zeros([3]);
    const m = tf.zeros([3]);
    const bad = tf.tensor1d([1, 0, 2]);
    await expectTensorDelta(() => expect(() => crpsGaussian(y, m, bad)).toThrow(InvalidValueError));
    expect(() => crpsGaussian(y, m, bad)).toThrow(/sigma must be positive and finite/);
    const wrong = tf.ones([2]);
    expect(() => crpsGaussian(y, m, wrong)).toThrow(ShapeError);
    expect(() => crpsGaussian(y, 1 as never, wrong)).toThrow(/mu must be a tf.Tensor/);
    tf.dispose([y, m, bad, wrong]);
  });
});
