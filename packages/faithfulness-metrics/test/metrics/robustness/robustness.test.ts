import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InputXGradient, Saliency } from '@lab/attribution';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { rngFor, STREAM } from '../../../src/core/seeds';
import { localLipschitzEstimate } from '../../../src/metrics/robustness/local-lipschitz-estimate';
import { avgSensitivity, maxSensitivity } from '../../../src/metrics/robustness/max-sensitivity';
import { weightedSum } from '../../fixtures/models';

const w = [2, -1, 0.5, 3];
const f = weightedSum(w);
const x0 = [0.2, 0.4, 0.6, 0.8];

describeBackends('maxSensitivity', () => {
  it('is 0 for saliency of a linear model (the gradient w does not move)', async () => {
    const x = tf.tensor4d(x0, [1, 1, 4, 1]);
    const r = await expectTensorDelta(() => maxSensitivity(f, x, new Saliency(), { target: 0 }), 0);
    expect(r.scores).toEqual([0]);
    x.dispose();
  });

  it('for input × gradient of a linear model is max_k ‖δ_k ⊙ w‖ / ‖x ⊙ w‖ (the same seeded δ_k)', async () => {
    const x = tf.tensor4d(x0, [1, 1, 4, 1]);
    const r = await maxSensitivity(f, x, new InputXGradient(), { target: 0, samples: 5, radius: 0.1, seed: 3 });
    const avg = await avgSensitivity(f, x, new InputXGradient(), { target: 0, samples: 5, radius: 0.1, seed: 3 });
    // Hand derivation: a(x) = x ⊙ w, so a(x + δ) − a(x) = δ ⊙ w.
    const denom = Math.hypot(...x0.map((v, p) => v * w[p]));
    const ratios = [0, 1, 2, 3, 4].map((k) => {
      const d = rngFor(3, STREAM.perturbation, 0, k).uniform(4, -0.1, 0.1);
      return Math.hypot(...Array.from(d, (v, p) => v * w[p])) / denom;
    });
    expect(r.scores[0]).toBeCloseTo(Math.max(...ratios), 5);
    expect(avg.scores[0]).toBeCloseTo(ratios.reduce((s, v) => s + v, 0) / 5, 5);
    x.dispose();
  });

  it('does not depend on batchSize (deterministic method)', async () => {
    const x = tf.tensor4d([...x0, ...x0.map((v) => 1 - v)], [2, 1, 4, 1]);
    const o = { target: 0, samples: 3 };
    const [a, b] = [await maxSensitivity(f, x, new InputXGradient(), { ...o, batchSize: 1 }), await maxSensitivity(f, x, new InputXGradient(), { ...o, batchSize: 4 })];
    expect(b.scores).toEqual(a.scores);
    x.dispose();
  });

  it('rejects a method without attribute() and methodOptions that set target', async () => {
    const x = tf.tensor4d(x0, [1, 1, 4, 1]);
    await expect(maxSensitivity(f, x, {} as never)).rejects.toThrow(/method must be an AttributionMethod/);
    await expect(maxSensitivity(f, x, new Saliency(), { methodOptions: { target: 1 } })).rejects.toThrow(/must not set target/);
    x.dispose();
  });
});

describeBackends('localLipschitzEstimate', () => {
  it('is |c| for input × gradient of f = c·Σx: ‖c·δ‖/‖δ‖ = |c| for every draw', async () => {
    const x = tf.tensor4d(x0, [1, 1, 4, 1]);
    const r = await expectTensorDelta(() => localLipschitzEstimate(weightedSum([2, 2, 2, 2]), x, new InputXGradient(), { target: 0, samples: 4 }), 0);
    expect(r.scores[0]).toBeCloseTo(2, 5);
    x.dispose();
  });
});
