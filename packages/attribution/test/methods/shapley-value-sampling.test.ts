import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { ShapleyValueSampling } from '../../src/methods/shapley-value-sampling';
import type { AttributionModel } from '../../src/core/types';
import { linearModel, take } from '../fixtures/perturbation-models';

async function run(method: ShapleyValueSampling, model: AttributionModel, x: number[][], options: Record<string, unknown> = {}) {
  const input = tf.tensor2d(x);
  const r = await method.attribute(model, input, options);
  input.dispose();
  return { a: await take(r.attributions), d: await take(r.delta) };
}

/** g(x) = x₀x₁ + 2x₀x₂x₃ − x₃ (4 features, interactions); `gJs` is the same in plain JS. */
const gJs = (x: number[]) => x[0] * x[1] + 2 * x[0] * x[2] * x[3] - x[3];
const g: AttributionModel = (x) =>
  tf.tidy(() => {
    const c = (j: number) => tf.reshape(tf.slice(x, [0, j], [-1, 1]), [-1]);
    return tf.sub(tf.add(tf.mul(c(0), c(1)), tf.mul(2, tf.mul(c(0), tf.mul(c(2), c(3))))), c(3));
  });

/** All permutations of 0..m−1. */
function permutations(m: number): number[][] {
  if (m === 1) return [[0]];
  return permutations(m - 1).flatMap((p) => Array.from({ length: m }, (_, i) => [...p.slice(0, i), m - 1, ...p.slice(i)]));
}

describeBackends('ShapleyValueSampling', () => {
  it('is exact for an additive model with any number of orderings (3)', async () => {
    const { a, d } = await run(new ShapleyValueSampling({ samples: 3 }), linearModel([2, -1, 0, 4]), [[1, 2, 3, 0.5]]);
    [2, -2, 0, 2].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 5)); // φ_j = w_j x_j (additive ⇒ every marginal is exact)
    expect(d[0]).toBeCloseTo(0, 5);
  });

  it('converges to exact Shapley within 4σ_i/√S on a 4-feature interaction model (S = 200)', async () => {
    const x = [1, 2, -1, 3];
    const v = (set: Set<number>) => gJs(x.map((xi, j) => (set.has(j) ? xi : 0)));
    // Exact values and the standard deviation σ_i of the marginal contribution over all 24 orderings.
    const perms = permutations(4);
    const marg = perms.map((p) => {
      const out = new Array(4).fill(0);
      const s = new Set<number>();
      for (const j of p) {
        const before = v(s);
        s.add(j);
        out[j] = v(s) - before;
      }
      return out;
    });
    const exact = [0, 1, 2, 3].map((j) => marg.reduce((t, m) => t + m[j], 0) / perms.length);
    const sigma = [0, 1, 2, 3].map((j) => Math.sqrt(marg.reduce((t, m) => t + (m[j] - exact[j]) ** 2, 0) / perms.length));
    const S = 200;
    const { a, d } = await run(new ShapleyValueSampling({ samples: S }), g, [x], { seed: 7 });
    exact.forEach((e, j) => expect(Math.abs(a[j] - e)).toBeLessThanOrEqual((4 * sigma[j]) / Math.sqrt(S) + 1e-5));
    expect(d[0]).toBeCloseTo(0, 4); // orderings telescope: efficiency is exact
  });

  it('repeats for a seed and gives identical results for batchSize 1, 4 and 32', async () => {
    const svs = new ShapleyValueSampling({ samples: 5 });
    const x = [[1, 2, -1, 3], [0.5, 1, 1, -2]];
    const outs = [];
    for (const batchSize of [1, 4, 32]) outs.push((await run(svs, g, x, { batchSize, seed: 1 })).a);
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  it('leaves numTensors unchanged except the two returned tensors', async () => {
    const input = tf.ones([2, 4]);
    const r = await expectTensorDelta(() => new ShapleyValueSampling({ samples: 2 }).attribute(g, input), 2);
    tf.dispose([input, r.attributions, r.delta as tf.Tensor]);
  });

  it('throws InvalidValueError for a non-positive sample count and unknown options', async () => {
    expect(() => new ShapleyValueSampling({ samples: 0 })).toThrow(/samples must be a positive integer/);
    const input = tf.ones([1, 4]);
    await expect(new ShapleyValueSampling().attribute(g, input, { seed: NaN })).rejects.toThrow(InvalidValueError);
    await expect(new ShapleyValueSampling().attribute(g, input, { nSamples: 3 } as never)).rejects.toThrow(/unknown option 'nSamples'/);
    input.dispose();
  });
});
