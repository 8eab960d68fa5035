import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { pearson, spearman } from '../../../src/core/stats';
import { ConstantImputer } from '../../../src/imputation/constant-imputer';
import { faithfulnessCorrelation } from '../../../src/metrics/faithfulness/faithfulness-correlation';
import { faithfulnessEstimate } from '../../../src/metrics/faithfulness/faithfulness-estimate';
import { infidelity } from '../../../src/metrics/faithfulness/infidelity';
import { monotonicityArya } from '../../../src/metrics/faithfulness/monotonicity-arya';
import { monotonicityNguyen } from '../../../src/metrics/faithfulness/monotonicity-nguyen';
import { sensitivityN } from '../../../src/metrics/faithfulness/sensitivity-n';
import { sufficiency } from '../../../src/metrics/faithfulness/sufficiency';
import { row, sumVsHalf, weightedSum } from '../../fixtures/models';

// A linear model on x = 1: removing (zeroing) a set S drops f by exactly Σ_{p∈S} w_p, so a = w
// predicts every drop and a = −w predicts its negative.
const w = [4, 3, -2, 1, 0.5, -1];
const f = weightedSum(w);
const zeros = new ConstantImputer({ value: 0 });

describe('pearson / spearman', () => {
  it('give 1, −1 and 0 (constant series) by hand', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
    // ranks with ties: [1, 2.5, 2.5, 4] vs [1, 2, 3, 4] → ρ = 0.948683
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.948683, 5);
  });
});

describeBackends('faithfulnessCorrelation', () => {
  it('is 1 for a = w, −1 for a = −w and 0 for a constant map on a linear model', async () => {
    const x = row([1, 1, 1, 1, 1, 1]);
    const maps = [row(w), row(w.map((v) => -v)), row(w.map(() => 0.3))];
    const o = { runs: 12, subsetSize: 2, imputer: zeros, target: 0 };
    const got = [];
    for (const a of maps) got.push((await faithfulnessCorrelation(f, x, a, o)).score);
    expect(got[0]).toBeCloseTo(1, 5);
    expect(got[1]).toBeCloseTo(-1, 5);
    expect(got[2]).toBe(0);
    tf.dispose([x, ...maps]);
  });

  it('does not depend on batchSize and allocates no tensor', async () => {
    const x = tf.tidy(() => tf.randomUniform([2, 1, 6, 1], 0, 1, 'float32', 5));
    const a = tf.tidy(() => tf.randomUniform([2, 1, 6, 1], -1, 1, 'float32', 6));
    const r1 = await expectTensorDelta(() => faithfulnessCorrelation(f, x, a, { runs: 10, subsetSize: 3, target: 0, batchSize: 1 }), 0);
    const r9 = await faithfulnessCorrelation(f, x, a, { runs: 10, subsetSize: 3, target: 0, batchSize: 9 });
    expect(r9.scores).toEqual(r1.scores);
    tf.dispose([x, a]);
  });

  it('rejects a subset larger than the image', async () => {
    const [x, a] = [row([1, 1]), row([1, 2])];
    await expect(faithfulnessCorrelation(f, x, a, { subsetSize: 3 })).rejects.toThrow(/subsetSize must be an integer in \[1, 2\]/);
    tf.dispose([x, a]);
  });
});

describeBackends('sensitivityN', () => {
  it('gives ρ_n = 1 at every n for a = w on a linear model (sizes 2, 3, 5 of 6 pixels)', async () => {
    const [x, a] = [row([1, 1, 1, 1, 1, 1]), row(w)];
    const r = await sensitivityN(f, x, a, { fractions: [0.3, 0.5, 0.8], samples: 10, target: 0 });
    expect(r.sizes).toEqual([2, 3, 5]);
    r.curve.forEach((v) => expect(v).toBeCloseTo(1, 5));
    tf.dispose([x, a]);
  });
});

describeBackends('faithfulnessEstimate', () => {
  it('is 1 for a = w and −1 for a = −w with single-pixel groups', async () => {
    const x = row([1, 1, 1, 1, 1, 1]);
    const [good, bad] = [row(w), row(w.map((v) => -v))];
    expect((await faithfulnessEstimate(f, x, good, { target: 0 })).score).toBeCloseTo(1, 5);
    expect((await faithfulnessEstimate(f, x, bad, { target: 0 })).score).toBeCloseTo(-1, 5);
    tf.dispose([x, good, bad]);
  });
});

describeBackends('monotonicityArya', () => {
  it('is 1 when ascending insertion of a = w never lowers f, and 0 for a = |w|', async () => {
    // f = 4x₀ + 3x₁ − 2x₂ + x₃ into a zero canvas. Ascending a = w inserts pixel 2 (−2), 3 (1), 1 (3),
    // 0 (4): f = −2, −1, 2, 6 (monotone). Ascending |w| inserts pixel 3 then pixel 2: f = 1, −1 (drops).
    const g = weightedSum([4, 3, -2, 1]);
    const x = row([1, 1, 1, 1]);
    const [good, abs] = [row([4, 3, -2, 1]), row([4, 3, 2, 1])];
    const r = await monotonicityArya(g, x, good, { softmax: false, target: 0 });
    expect(r.sampleCurves[0].map((v) => Number(v.toFixed(4)))).toEqual([-2, -1, 2, 6]);
    expect(r.score).toBe(1);
    expect((await monotonicityArya(g, x, abs, { softmax: false, target: 0 })).score).toBe(0);
    tf.dispose([x, good, abs]);
  });
});

describeBackends('monotonicityNguyen', () => {
  it('is 1 when the attribution ranks the groups as their output variance does, −1 when reversed', async () => {
    // Zeroing pixel p on x = 1 changes f by w_p: variance w_p²/f(x)²; a = |w| ranks as w² → ρ = 1.
    const x = row([1, 1, 1, 1]);
    const g = weightedSum([4, 3, -2, 1]);
    const [good, bad] = [row([4, 3, 2, 1]), row([1, 2, 3, 4])];
    const o = { samples: 1, imputer: zeros, target: 0 };
    expect((await monotonicityNguyen(g, x, good, o)).score).toBeCloseTo(1, 6);
    expect((await monotonicityNguyen(g, x, bad, o)).score).toBeCloseTo(-1, 6);
    tf.dispose([x, good, bad]);
  });
});

describeBackends('infidelity', () => {
  it('is 0 for a = w on a linear model, and for a = 2w once normalised by β = 1/2', async () => {
    const x = row([1, 1, 1, 1, 1, 1]);
    const [exact, double] = [row(w), row(w.map((v) => 2 * v))];
    expect((await infidelity(f, x, exact, { target: 0 })).score).toBeLessThan(1e-8);
    expect((await infidelity(f, x, double, { target: 0, normalize: true })).score).toBeLessThan(1e-8);
    // Unnormalised 2w: E[(Iᵀw)²] over the same draws, clearly positive (σ²Σw² = 0.01·31.25 ≈ 0.31 in expectation).
    expect((await infidelity(f, x, double, { target: 0 })).score).toBeGreaterThan(0.05);
    tf.dispose([x, exact, double]);
  });
});

describeBackends('sufficiency', () => {
  it('counts same-prediction neighbours in explanation space: 1/2, 1/2, 1 → 2/3', async () => {
    // Predictions (sum > .5 → class 0): x0 sums 1 → 0, x1 sums 0 → 1, x2 sums 1 → 0.
    // Maps: a0 = a1 = e0 (distance 0), a2 = e3 (distance √2 > .6 from both).
    const x = tf.tensor4d([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [3, 1, 4, 1]);
    const a = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1], [3, 1, 4, 1]);
    const r = await expectTensorDelta(() => sufficiency(sumVsHalf, x, a), 0);
    expect(r.scores).toEqual([0.5, 0.5, 1]);
    expect(r.score).toBeCloseTo(2 / 3, 12);
    tf.dispose([x, a]);
  });
});
