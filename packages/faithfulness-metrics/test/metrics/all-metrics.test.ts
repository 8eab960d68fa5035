import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InputXGradient } from '@lab/attribution';
import { Flatten, Linear, Rng, Sequential } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { ConstantImputer } from '../../src/imputation/constant-imputer';
import { metrics, type MetricName } from '../../src/index';

// Every registry entry through the one contract, on a 2-sample 4×4 case: the tensor count is
// unchanged on success and on the error path, and scores do not depend on batchSize.
const build = () => new Sequential(new Flatten(), new Linear(16, 3, { rng: new Rng(7) }));
const SMALL: Partial<Record<MetricName, object>> = {
  soundness: { maskRatios: [0.75, 0.5, 0.25], sign: 'abs' },
  completeness: { ratios: [0.3, 0.6], sign: 'abs' },
  'pixel-flipping': { pixelsPerStep: 4 },
  'region-perturbation': { patchSize: 2, regions: 3 },
  'road-morf': { percentages: [0.25, 0.5] },
  'road-lerf': { percentages: [0.25, 0.5] },
  irof: { segmentation: 'grid', segments: 4 },
  'faithfulness-correlation': { runs: 5, subsetSize: 4 },
  'faithfulness-estimate': { featuresInStep: 4 },
  'monotonicity-arya': { featuresInStep: 4 },
  'monotonicity-nguyen': { featuresInStep: 4, samples: 2 },
  'sensitivity-n': { fractions: [0.25, 0.5], samples: 4 },
  infidelity: { samples: 3 },
  'pointing-game': { tolerance: 1 },
  'top-k-intersection': { k: 4 },
  'attribution-localisation': { sign: 'abs' },
  'relevance-mass-accuracy': { sign: 'abs' },
  iou: { sign: 'abs' },
  iobb: { sign: 'abs' },
  ior: { sign: 'abs' },
  'max-sensitivity': { samples: 2 },
  'avg-sensitivity': { samples: 2 },
  'local-lipschitz-estimate': { samples: 2 },
  'non-sensitivity': { featuresInStep: 4, imputer: new ConstantImputer() },
};

describeBackends('metrics (all entries)', () => {
  it('evaluate leaves the tensor count unchanged, on success and when the maps hold NaN', async () => {
    const model = build();
    const inputs = tf.tensor4d(new Rng(1).uniform(32), [2, 4, 4, 1]);
    const attributions = tf.tensor4d(new Rng(2).uniform(32, -1, 1), [2, 4, 4, 1]);
    const mask = tf.tensor4d(Array.from({ length: 32 }, (_, i) => (i % 3 === 0 ? 1 : 0)), [2, 4, 4, 1]);
    const nan = tf.tensor4d(Array.from({ length: 32 }, (_, i) => (i === 5 ? NaN : 0.5)), [2, 4, 4, 1]);
    const input = { model, inputs, attributions, mask, method: new InputXGradient(), createModel: build };
    for (const name of Object.keys(metrics) as MetricName[]) {
      const m = metrics[name];
      const r = await expectTensorDelta(() => m.evaluate(input, SMALL[name] as never), 0);
      expect(Number.isFinite(r.score), name).toBe(true);
      expect(r.scores.length, name).toBe(2);
      if (m.requires.includes('attributions')) {
        await expect(expectTensorDelta(() => m.evaluate({ ...input, attributions: nan }, SMALL[name] as never)), name).rejects.toThrow(/finite/);
      }
    }
    tf.dispose([inputs, attributions, mask, nan]);
    model.dispose();
  });

  it('gives the same scores with batchSize 1 and 5 for every metric that evaluates the model', async () => {
    const model = build();
    const inputs = tf.tensor4d(new Rng(3).uniform(32), [2, 4, 4, 1]);
    const attributions = tf.tensor4d(new Rng(4).uniform(32, -1, 1), [2, 4, 4, 1]);
    const input = { model, inputs, attributions, method: new InputXGradient(), createModel: build };
    for (const name of Object.keys(metrics) as MetricName[]) {
      const m = metrics[name];
      if (!('batchSize' in m.defaults)) continue;
      const [a, b] = [await m.evaluate(input, { ...SMALL[name], batchSize: 1 } as never), await m.evaluate(input, { ...SMALL[name], batchSize: 5 } as never)];
      expect(b.scores, name).toEqual(a.scores);
    }
    tf.dispose([inputs, attributions]);
    model.dispose();
  });
});
