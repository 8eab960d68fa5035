import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { KernelShap, shapleyKernelWeight } from '../../src/methods/kernel-shap';
import { ExactShapley } from '../../src/methods/exact-shapley';
import type { AttributionModel } from '../../src/core/types';
import { interactionModel, linearModel, take, vectorA, vectorD, vectorF } from '../fixtures/perturbation-models';

async function run(method: KernelShap | ExactShapley, model: AttributionModel, x: number[][], options: Record<string, unknown> = {}) {
  const input = tf.tensor2d(x);
  const r = await method.attribute(model, input, options);
  input.dispose();
  return { a: await take(r.attributions), d: await take(r.delta) };
}

describeBackends('KernelShap', () => {
  const all = new KernelShap({ exact: true });

  it('computes the Shapley kernel weight (M−1)/(C(M,k)·k·(M−k))', () => {
    expect(shapleyKernelWeight(4, 1)).toBeCloseTo(3 / (4 * 1 * 3), 12); // hand: C(4,1) = 4
    expect(shapleyKernelWeight(4, 2)).toBeCloseTo(3 / (6 * 2 * 2), 12); // hand: C(4,2) = 6
    expect(shapleyKernelWeight(4, 0)).toBe(Infinity);
    expect(shapleyKernelWeight(4, 4)).toBe(Infinity);
  });

  it('equals the spec Shapley values of vectors A, D, F with all coalitions (exact: auto, 2^M ≤ 25)', async () => {
    const auto = new KernelShap();
    expect((await run(auto, vectorA, [[1, 1]])).a.map((v) => Number(v.toFixed(5)))).toEqual([0.5, 0.5]); // spec §6 A
    expect((await run(auto, vectorD, [[1, 1, 1]])).a.map((v) => Number(v.toFixed(5)))).toEqual([0.5, 0.5, 1]); // spec §6 D
    const b = tf.tensor1d([0.5, -1]);
    const f = await run(auto, vectorF, [[1, 2]], { baselines: b });
    b.dispose();
    expect(f.a.map((v) => Number(v.toFixed(4)))).toEqual([1, -9]); // spec §6 F
    expect(f.d[0]).toBeCloseTo(0, 4); // efficiency holds by construction
  });

  it('equals exact Shapley on a random 6-feature linear + interaction model (64 coalitions)', async () => {
    const rng = new Rng(11);
    const w = Array.from(rng.normal(6));
    const x = [Array.from(rng.uniform(6, -2, 2))];
    const b = tf.tensor1d(rng.uniform(6, -1, 1));
    const model = interactionModel(w);
    const ks = await run(all, model, x, { baselines: b });
    const ex = await run(new ExactShapley(), model, x, { baselines: b });
    b.dispose();
    ks.a.forEach((v, i) => expect(v).toBeCloseTo(ex.a[i], 4)); // theorem: kernel regression over all coalitions = Shapley
  });

  it('gives 0 to a dummy feature, enumerated and sampled', async () => {
    const model = linearModel([1.5, 0, -2, 0.5, 1]);
    const x = [[1, 4, 2, -1, 3]];
    const enumerated = await run(all, model, x);
    const sampled = await run(new KernelShap({ samples: 40, exact: false }), model, x, { seed: 5 });
    for (const a of [enumerated.a, sampled.a]) {
      // φ_j = w_j x_j for a linear model (baseline 0): the surrogate fits exactly
      [1.5, 0, -4, -0.5, 3].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 4));
    }
    expect(sampled.a[1]).toBeCloseTo(0, 5); // the dummy feature
  });

  it('repeats for a seed and gives identical results for batchSize 1, 7 and 32 (sampling, 2 samples)', async () => {
    const ks = new KernelShap({ samples: 30, exact: false });
    const model = interactionModel([1, -1, 0.5, 2, 0, 1]);
    const x = [[1, 2, -1, 0.5, 1, -2], [0.3, -1, 2, 1, 1, 1]];
    const outs = [];
    for (const batchSize of [1, 7, 32]) outs.push((await run(ks, model, x, { batchSize, seed: 2 })).a);
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
    const other = (await run(ks, model, x, { seed: 3 })).a;
    expect(other).not.toEqual(outs[0]); // a different seed draws different coalitions
  });

  it('satisfies efficiency in sampling mode: delta ≈ 0', async () => {
    const { d } = await run(new KernelShap({ samples: 20, exact: false }), interactionModel([1, -1, 0.5, 2, 0, 1]), [[1, 2, -1, 0.5, 1, -2]]);
    expect(Math.abs(d[0])).toBeLessThan(1e-4);
  });

  it('leaves numTensors unchanged except the two returned tensors', async () => {
    const input = tf.ones([2, 6]);
    const r = await expectTensorDelta(() => new KernelShap({ samples: 10, exact: false }).attribute(interactionModel([1, 1, 1, 1, 1, 1]), input), 2);
    tf.dispose([input, r.attributions, r.delta as tf.Tensor]);
  });

  it('throws InvalidValueError for samples < 2, a bad exact flag, 21 enumerated groups and unknown options', async () => {
    expect(() => new KernelShap({ samples: 1 })).toThrow(/samples must be >= 2/);
    expect(() => new KernelShap({ exact: 'yes' as never })).toThrow(/exact must be/);
    expect(() => new KernelShap({ n: 3 } as never)).toThrow(InvalidValueError);
    const input = tf.zeros([1, 21]);
    await expect(expectTensorDelta(() => all.attribute(linearModel(new Array(21).fill(1)), input))).rejects.toThrow(/at most 20 groups/);
    input.dispose();
  });
});
