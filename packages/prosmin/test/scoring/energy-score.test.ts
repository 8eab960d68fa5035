import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { crpsEnsemble } from '../../src/scoring/crps-ensemble';
import { ENERGY_SCORE_DEFAULTS, energyScore } from '../../src/scoring/energy-score';

/** Scalar value of a rank-0 tensor, disposing it. */
function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** Expected score Σ_y q(y)·ES(P, y) of a discrete uniform P (atoms) under a discrete uniform Q (points). */
function expectedScore(atoms: number[][], points: number[][], beta: number): number {
  return tf.tidy(() => {
    const x = tf.tensor3d(points.map(() => atoms)); // [|Q|, M, d]
    const es = energyScore(x, tf.tensor2d(points), { beta }); // nrg on the atoms is exact for uniform P
    return tf.mean(es).dataSync()[0];
  });
}

describeBackends('energyScore', () => {
  // Hand computation: ‖xᵢ − y‖ = 0, 5, 1 (mean 2); Σ_{i<j}‖xᵢ − xⱼ‖ = 5 + 1 + √20.
  const x = [[0, 0], [3, 4], [1, 0]];
  const pairSum = 5 + 1 + Math.sqrt(20);

  it('matches the nrg formula 2 − Σ_{i<j}/M² on x=[[0,0],[3,4],[1,0]] y=[0,0]', () => {
    const es = value(energyScore(tf.tensor2d(x), tf.tensor1d([0, 0])));
    expect(es).toBeCloseTo(2 - pairSum / 9, 5);
  });

  it('matches the fair formula 2 − Σ_{i<j}/(M(M−1)) on the same arrays', () => {
    const es = value(energyScore(tf.tensor2d(x), tf.tensor1d([0, 0]), { estimator: 'fair' }));
    expect(es).toBeCloseTo(2 - pairSum / 6, 5);
  });

  it('raises each distance to β: β=0.5 gives mean‖·‖^½ − Σ‖·‖^½/M²', () => {
    const fit = (0 + Math.sqrt(5) + 1) / 3;
    const spread = Math.sqrt(5) + 1 + Math.pow(20, 0.25);
    const es = value(energyScore(tf.tensor2d(x), tf.tensor1d([0, 0]), { beta: 0.5 }));
    expect(es).toBeCloseTo(fit - spread / 9, 5);
  });

  it('uses the mean absolute coordinate difference with distance mean-absolute', () => {
    // |xᵢ − y| averaged over d=2: 0, 3.5, 0.5 → 4/3; pairs: 3.5, 0.5, (2+4)/2 = 3 → Σ = 7.
    const es = value(energyScore(tf.tensor2d(x), tf.tensor1d([0, 0]), { distance: 'mean-absolute' }));
    expect(es).toBeCloseTo(4 / 3 - 7 / 9, 5);
  });

  it('equals the CRPS of the ensemble for d=1 β=1 (nrg), per instance', () => {
    const rng = new Rng(3);
    const xs = rng.normalTensor([5, 7, 1], 0.3, 2);
    const ys = rng.normalTensor([5, 1]);
    const es = energyScore(xs, ys);
    const crps = crpsEnsemble(tf.squeeze(xs, [2]), tf.squeeze(ys, [1]));
    const a = Array.from(es.dataSync());
    const b = Array.from(crps.dataSync());
    for (let i = 0; i < 5; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    tf.dispose([xs, ys, es, crps]);
  });

  it('averages to the Gaussian CRPS with fair and to CRPS + σ/(M√π) with nrg (M=10, 4000 instances)', () => {
    // E[nrg] = ES + E|X−X′|/(2M) and E|X−X′| = 2σ/√π for a Gaussian; fair is unbiased.
    const mu = 0.5;
    const sigma = 1.5;
    const y = -0.7;
    const s = (y - mu) / sigma;
    const phi = Math.exp(-s * s / 2) / Math.sqrt(2 * Math.PI);
    const Phi = 0.5 * (1 + erf(s / Math.SQRT2));
    const crps = sigma * (s * (2 * Phi - 1) + 2 * phi - 1 / Math.sqrt(Math.PI));
    const n = 4000;
    const m = 10;
    const xs = new Rng(11).normalTensor([n, m, 1], mu, sigma);
    const ys = tf.fill([n, 1], y);
    const fair = value(tf.tidy(() => tf.mean(energyScore(xs, ys, { estimator: 'fair' }))));
    const nrg = value(tf.tidy(() => tf.mean(energyScore(xs, ys))));
    expect(Math.abs(fair - crps)).toBeLessThan(0.03);
    expect(Math.abs(nrg - (crps + sigma / (m * Math.sqrt(Math.PI))))).toBeLessThan(0.03);
    // nrg − fair = Σ_{i<j}|xᵢ − xⱼ|/(M²(M−1)), whose mean is E|X−X′|/(2M) = σ/(M√π) ≈ 0.0846.
    expect(nrg - fair).toBeCloseTo(sigma / (m * Math.sqrt(Math.PI)), 2);
    tf.dispose([xs, ys]);
  });

  it('converges to the Gaussian CRPS as M grows: mean error over 16 instances shrinks ~1/√M from M=8 to M=512', () => {
    const y = 1.2;
    const Phi = 0.5 * (1 + erf(y / Math.SQRT2));
    const crps = y * (2 * Phi - 1) + 2 * Math.exp(-y * y / 2) / Math.sqrt(2 * Math.PI) - 1 / Math.sqrt(Math.PI); // N(0, 1)
    const meanError = (m: number, seed: number): number => {
      const n = 16;
      const xs = new Rng(seed).normalTensor([n, m, 1]);
      const es = energyScore(xs, tf.fill([n, 1], y), { estimator: 'fair' });
      const v = Array.from(es.dataSync());
      tf.dispose([xs, es]);
      return v.reduce((a, e) => a + Math.abs(e - crps), 0) / n;
    };
    const small = meanError(8, 5);
    const big = meanError(512, 6);
    expect(big).toBeLessThan(0.05);
    expect(small / big).toBeGreaterThan(3); // √(512/8) = 8 in expectation
  });

  it('is strictly proper for β ∈ {0.5, 1, 1.5}: the truth scores below every other forecast', () => {
    const q = [[0, 0], [1, 0], [0, 2], [1, 2]];
    const mean = [0.5, 1];
    const shift = q.map(([a, b]) => [a + 0.3, b - 0.2]);
    const scale = (k: number) => q.map(([a, b]) => [mean[0] + k * (a - mean[0]), mean[1] + k * (b - mean[1])]);
    const point = [mean];
    const swapped = [[0, 0], [1, 2], [0, 2], [1, 0], [0.5, 1]];
    for (const beta of [0.5, 1, 1.5]) {
      const truth = expectedScore(q, q, beta);
      for (const p of [shift, scale(0.5), scale(1.5), point, swapped]) {
        expect(expectedScore(p, q, beta) - truth, `beta=${beta}`).toBeGreaterThan(1e-4);
      }
    }
  });

  it('is proper but not strictly proper at β=2: a rescaled forecast with the true mean ties', () => {
    // ES₂(P, y) = ‖μ_P − y‖² (the spread terms cancel), so only the mean matters.
    const q = [[0, 0], [1, 0], [0, 2], [1, 2]];
    const scaled = q.map(([a, b]) => [0.5 + 2 * (a - 0.5), 1 + 2 * (b - 1)]);
    const truth = expectedScore(q, q, 2);
    expect(expectedScore(scaled, q, 2)).toBeCloseTo(truth, 4);
    expect(expectedScore(q.map(([a, b]) => [a + 0.3, b]), q, 2)).toBeCloseTo(truth + 0.09, 4); // ‖shift‖² = 0.09
  });

  it('fair is unbiased: its mean over all M=2 draws from K=3 atoms equals the exact score', () => {
    const atoms = [[0, 1], [2, -1], [1, 3]];
    const y = [0.5, 0.5];
    const tuples: number[][][] = [];
    for (const a of atoms) for (const b of atoms) tuples.push([a, b]);
    const exact = expectedScore(atoms, [y], 1);
    const mean = value(tf.tidy(() => tf.mean(energyScore(tf.tensor3d(tuples), tf.tensor2d(tuples.map(() => y)), { estimator: 'fair' }))));
    expect(mean).toBeCloseTo(exact, 5);
  });

  it('has gradient (1/M)Σ sign(y − xᵢ) in y for d=1 β=1', () => {
    const xs = tf.tensor2d([[0], [2], [5]]);
    const g = tf.grad((y: tf.Tensor) => energyScore(xs, y))(tf.tensor1d([1]));
    expect(g.dataSync()[0]).toBeCloseTo((1 - 1 - 1) / 3, 5);
    tf.dispose([xs, g]);
  });

  it('returns one new tensor and frees everything else', async () => {
    const xs = tf.ones([2, 4, 3]);
    const ys = tf.zeros([2, 3]);
    const es = await expectTensorDelta(() => energyScore(xs, ys, { estimator: 'fair' }), 1);
    expect(es.shape).toEqual([2]);
    tf.dispose([xs, ys, es]);
  });

  it('rejects β outside (0, 2], fair with M=1, mismatched shapes and unknown options', async () => {
    const xs = tf.ones([3, 2]);
    const ys = tf.zeros([2]);
    await expectTensorDelta(() => expect(() => energyScore(xs, ys, { beta: 0 })).toThrow(InvalidValueError));
    expect(() => energyScore(xs, ys, { beta: 2.5 })).toThrow(/beta must be a finite number in \(0, 2\]/);
    expect(() => energyScore(tf.ones([1, 2]), ys, { estimator: 'fair' })).toThrow(ShapeError);
    expect(() => energyScore(xs, tf.zeros([3]))).toThrow(/observation must have shape \[2\]/);
    expect(() => energyScore(xs, ys, { estimator: 'pwm' as 'fair' })).toThrow(/estimator must be one of/);
    expect(() => energyScore(xs, ys, { bet: 1 } as never)).toThrow(/unknown option 'bet'/);
    expect(ENERGY_SCORE_DEFAULTS).toEqual({ beta: 1, estimator: 'nrg', distance: 'euclidean' });
    expect(Object.isFrozen(ENERGY_SCORE_DEFAULTS)).toBe(true);
    tf.dispose([xs, ys]);
  });
});

/** erf by Abramowitz–Stegun 7.1.26 refined with a Taylor/continued-fraction free series (|err| < 1e-12 for |x| < 3). */
function erf(x: number): number {
  // Series erf(x) = 2/√π Σ (−1)ⁿ x^{2n+1} / (n!(2n+1)), exact enough for |x| ≤ 3.
  let sum = 0;
  let term = x;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
