import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { GradientShap } from '../../src/methods/gradient-shap';
import { randomInput, reluCnn, vectorD, vectorF } from '../fixtures/gradient-models';

async function run(gs: GradientShap, model: Parameters<GradientShap['attribute']>[0], x: tf.Tensor, options = {}) {
  const { attributions, delta } = await gs.attribute(model, x, options);
  const out = { a: Array.from(await attributions.data()), d: Array.from((await delta?.data()) ?? []) };
  tf.dispose([attributions, delta as tf.Tensor]);
  return out;
}

describeBackends('GradientShap', () => {
  it('gives (1,−9) for vector F with the single baseline b=(.5,−1)', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    const b = tf.tensor1d([0.5, -1]);
    const { a, d } = await run(new GradientShap(), model, x, { baselines: b });
    expect(a).toEqual([1, -9].map((v) => expect.closeTo(v, 5))); // spec §6 vector F, Shapley column (linear: every draw gives w ⊙ (x − b))
    expect(d[0]).toBeCloseTo(0, 5);
    tf.dispose([x, b]);
    model.dispose();
  });

  it('sums to f(x) − mean f(b_k) over the drawn baselines on a linear model', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2], [0, 0]]);
    const dist = tf.tensor2d([[0.5, -1], [2, 2], [-1, 0]]);
    const { a, d } = await run(new GradientShap({ samples: 7 }), model, x, { baselines: dist, seed: 4 });
    expect(Math.abs(d[0])).toBeLessThan(1e-5); // linear model: each draw is exactly complete
    expect(Math.abs(d[1])).toBeLessThan(1e-5);
    expect(a.some((v) => Math.abs(v) > 0.1)).toBe(true);
    tf.dispose([x, dist]);
    model.dispose();
  });

  it('estimates IG = (.5,.5,1) for vector D: x₁x₂+x₃ with a zero baseline, S=3000', async () => {
    const x = tf.tensor2d([[1, 1, 1]]);
    const { a } = await run(new GradientShap({ samples: 3000 }), vectorD, x, { seed: 2, batchSize: 1000 });
    // φ₁ = E[x₁·α x₂] = E[α] = ½ ± 3·(1/√12)/√S ≈ 0.016 (spec §6 vector D, Shapley/IG column)
    expect(Math.abs(a[0] - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(a[1] - 0.5)).toBeLessThan(0.02);
    expect(a[2]).toBeCloseTo(1, 5);
    tf.dispose(x);
  });

  it('gives the same result for batchSize 1, 4 and 100 with noise and a baseline distribution', async () => {
    const model = reluCnn(14);
    const x = randomInput([2, 6, 6, 3], 51);
    const dist = tf.mul(randomInput([3, 6, 6, 3], 52), 0.2);
    const gs = new GradientShap({ samples: 6, stdev: 0.1 });
    const runs = [];
    for (const batchSize of [1, 4, 100]) runs.push(await run(gs, model, x, { target: [0, 2], baselines: dist, batchSize, seed: 8 }));
    for (const r of runs.slice(1)) {
      expect(maxRelError(r.a, runs[0].a)).toBeLessThan(1e-4);
      for (let i = 0; i < 2; i++) expect(r.d[i]).toBeCloseTo(runs[0].d[i], 4);
    }
    tf.dispose([x, dist]);
    model.dispose();
  });

  it('draws baselines from a sampler, independently of batchSize', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const sampler = (count: number, rng: Rng) => rng.uniformTensor([count, 2], -1, 1);
    const r1 = await run(new GradientShap({ samples: 5 }), model, x, { baselines: sampler, batchSize: 1, seed: 3 });
    const r7 = await run(new GradientShap({ samples: 5 }), model, x, { baselines: sampler, batchSize: 7, seed: 3 });
    expect(maxRelError(r1.a, r7.a)).toBeLessThan(1e-5);
    expect(Math.abs(r1.d[0])).toBeLessThan(1e-5);
    tf.dispose(x);
    model.dispose();
  });

  it('leaves numTensors unchanged except the two returned tensors', async () => {
    const model = reluCnn(15);
    const x = randomInput([2, 6, 6, 3], 53);
    const r = await expectTensorDelta(() => new GradientShap({ samples: 3, stdev: 0.1 }).attribute(model, x, { target: 1, batchSize: 4, baselines: 0.5 }), 2);
    tf.dispose([x, r.attributions, r.delta as tf.Tensor]);
    model.dispose();
  });

  it('rejects mis-shaped baselines and samplers and bad settings, leaking nothing', async () => {
    expect(() => new GradientShap({ samples: 0 })).toThrow(/samples must be an integer >= 1/);
    expect(() => new GradientShap({ n_samples: 3 } as never)).toThrow(/unknown option 'n_samples'/);
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    const bad = tf.zeros([2, 3]);
    await expect(expectTensorDelta(() => new GradientShap().attribute(model, x, { baselines: bad }))).rejects.toThrow(ShapeError);
    await expect(expectTensorDelta(() => new GradientShap().attribute(model, x, { baselines: (c: number) => tf.zeros([c, 5]) }))).rejects.toThrow(/sampler must return a tensor of shape/);
    tf.dispose([x, bad]);
    model.dispose();
  });
});
