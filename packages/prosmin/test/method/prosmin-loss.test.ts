import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { PROSMIN_LOSS_DEFAULTS, prosminLoss } from '../../src/method/prosmin-loss';
import { energyScore } from '../../src/scoring/energy-score';

const value = (t: tf.Tensor): number => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

/** E|Z| for Z ~ N(m, v). */
function meanAbsNormal(m: number, v: number): number {
  const s = Math.sqrt(v);
  const z = m / s;
  return s * Math.sqrt(2 / Math.PI) * Math.exp(-z * z / 2) + m * (1 - 2 * phiCdf(-z));
}
function phiCdf(x: number): number {
  const zz = x / Math.SQRT2;
  let sum = 0;
  let term = zz;
  for (let n = 0; n < 100; n++) {
    sum += term / (2 * n + 1);
    term *= (-zz * zz) / (n + 1);
  }
  return 0.5 * (1 + (2 / Math.sqrt(Math.PI)) * sum);
}

/** Expected loss/scale for samples from N(μ, σ²) and targets from N(a, s²): 2E|X − Y| − (λ/2)E|X − X′|. */
function expectedLoss(mu: number, sigma: number, a: number, s: number, lambda: number): number {
  return 2 * meanAbsNormal(mu - a, sigma * sigma + s * s) - (lambda / 2) * meanAbsNormal(0, 2 * sigma * sigma);
}

describeBackends('prosminLoss', () => {
  it('gives 10·(2·1 − λ·2/2) = −4 for samples {0, 2}, target 1, λ = 2.4 (hand computation)', () => {
    // fit: mean(|0−1|, |2−1|) = 1, doubled; spread: λ/(M(M−1))·|0−2| = 2.4·2/2.
    const loss = value(prosminLoss(tf.tensor4d([0, 2], [2, 1, 1, 1]), tf.tensor3d([1], [1, 1, 1])));
    expect(loss).toBeCloseTo(-4, 5);
  });

  it('equals 2·scale·mean fair energy score (β=1, mean-absolute) at λ=2, over all view pairs', () => {
    const rng = new Rng(4);
    const [M, V, G, n, d] = [4, 3, 2, 5, 6];
    const s = rng.normalTensor([M, V, n, d]);
    const t = rng.normalTensor([G, n, d]);
    const loss = value(prosminLoss(s, t, { lambda: 2, scale: 10 }));
    const es = value(
      tf.tidy(() => {
        // [V, G, n, M, d] samples against [V, G, n, d] targets: every (online view, target view) pair.
        const x = tf.tile(tf.expandDims(tf.transpose(s, [1, 2, 0, 3]), 1), [1, G, 1, 1, 1]);
        const y = tf.tile(tf.expandDims(t, 0), [V, 1, 1, 1]);
        return tf.mean(energyScore(x, y, { estimator: 'fair', distance: 'mean-absolute' }));
      }),
    );
    expect(loss).toBeCloseTo(2 * 10 * es, 3);
    tf.dispose([s, t]);
  });

  it('has expectation 2E|X−Y| − (λ/2)E|X−X′|, minimised at μ = a and σ = s when λ = 2', () => {
    const n = 20000;
    const a = 0.3;
    const sd = 0.8;
    const eps = new Rng(7).normalTensor([4, 1, n, 1]);
    const t = new Rng(8).normalTensor([1, n, 1], a, sd);
    const at = (mu: number, sigma: number, lambda: number): number =>
      value(tf.tidy(() => prosminLoss(tf.add(tf.mul(eps, sigma), mu), t, { lambda, scale: 1 })));
    // Monte Carlo agrees with the closed form.
    expect(at(a, sd, 2)).toBeCloseTo(expectedLoss(a, sd, a, sd, 2), 1);
    expect(at(a + 0.5, 0.4, 2)).toBeCloseTo(expectedLoss(a + 0.5, 0.4, a, sd, 2), 1);
    // Common random numbers: the truth beats every perturbation on the grid.
    const best = at(a, sd, 2);
    for (const [mu, sigma] of [[a - 0.4, sd], [a + 0.4, sd], [a, 0.5 * sd], [a, 1.5 * sd], [a, 2 * sd]]) {
      expect(at(mu, sigma, 2), `mu=${mu} sigma=${sigma}`).toBeGreaterThan(best);
    }
    tf.dispose([eps, t]);
  });

  it('rewards over-dispersion at the default λ = 2.4: σ ≈ 1.6·s beats σ = s (closed form σ* = s·√(0.72/0.28))', () => {
    // d/dσ [2√(2/π)√(σ²+s²) − λσ/√π] = 0 ⇔ σ/√(σ²+s²) = λ/(2√2) = 0.8485 ⇔ σ* = 1.604 s.
    const sd = 1;
    expect(expectedLoss(0, 1.604, 0, sd, 2.4)).toBeLessThan(expectedLoss(0, 1, 0, sd, 2.4));
    const n = 20000;
    const eps = new Rng(9).normalTensor([4, 1, n, 1]);
    const t = new Rng(10).normalTensor([1, n, 1], 0, sd);
    const at = (sigma: number): number => value(tf.tidy(() => prosminLoss(tf.mul(eps, sigma), t, { scale: 1 })));
    expect(at(1.6)).toBeLessThan(at(1));
    expect(at(1.6)).toBeLessThan(at(2.2));
    tf.dispose([eps, t]);
  });

  it('returns one new tensor and rejects M < 2, mismatched targets and bad options', async () => {
    const s = tf.ones([2, 1, 3, 4]);
    const t = tf.zeros([2, 3, 4]);
    const loss = await expectTensorDelta(() => prosminLoss(s, t), 1);
    expect(loss.rank).toBe(0);
    const one = tf.ones([1, 1, 3, 4]);
    const wrong = tf.zeros([2, 3, 5]);
    expect(() => prosminLoss(one, t)).toThrow(ShapeError);
    expect(() => prosminLoss(s, wrong)).toThrow(/targets must have shape \[G, 3, 4\]/);
    expect(() => prosminLoss(s, t, { lambda: -1 })).toThrow(/lambda must be a finite number/);
    expect(() => prosminLoss(s, t, { lamda: 2 } as never)).toThrow(/unknown option 'lamda'/);
    expect(PROSMIN_LOSS_DEFAULTS).toEqual({ lambda: 2.4, scale: 10 });
    tf.dispose([s, t, loss, one, wrong]);
  });
});
