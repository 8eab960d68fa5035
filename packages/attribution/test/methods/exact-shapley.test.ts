import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { ExactShapley } from '../../src/methods/exact-shapley';
import type { AttributionModel } from '../../src/core/types';
import { linearModel, take, vectorA, vectorB, vectorC, vectorD, vectorE, vectorF } from '../fixtures/perturbation-models';

async function run(method: ExactShapley, model: AttributionModel, x: number[][], options: Record<string, unknown> = {}) {
  const input = tf.tensor2d(x);
  const r = await method.attribute(model, input, options);
  input.dispose();
  return { a: await take(r.attributions), d: await take(r.delta) };
}

describeBackends('ExactShapley', () => {
  const shap = new ExactShapley();
  const cases: [string, AttributionModel, number[][], number[], number[] | undefined][] = [
    // spec §6, Shapley column (baseline 0 unless stated)
    ['A: ReLU(x₁+x₂−1), x=(1,1) → (.5,.5)', vectorA, [[1, 1]], [0.5, 0.5], undefined],
    ['B: 1−ReLU(1−x), x=2 → 1', vectorB, [[2]], [1], undefined],
    ['C: min(x₁,x₂), x=(3,1) → (.5,.5)', vectorC, [[3, 1]], [0.5, 0.5], undefined],
    ['D: x₁x₂+x₃, x=(1,1,1) → (.5,.5,1)', vectorD, [[1, 1, 1]], [0.5, 0.5, 1], undefined],
    ['E: step(Σx≥2), x=(1,1,1) → (⅓,⅓,⅓)', vectorE, [[1, 1, 1]], [1 / 3, 1 / 3, 1 / 3], undefined],
    ['F: 2x₁−3x₂+0.5, x=(1,2), b=(0.5,−1) → (1,−9)', vectorF, [[1, 2]], [1, -9], [0.5, -1]],
  ];
  for (const [name, model, x, expected, b] of cases) {
    it(`reproduces spec vector ${name}`, async () => {
      const baselines = b ? tf.tensor1d(b) : undefined;
      const { a, d } = await run(shap, model, x, { baselines });
      baselines?.dispose();
      expected.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 5));
      expect(d[0]).toBeCloseTo(0, 5); // efficiency: Σφ = f(x) − f(b)
    });
  }

  it('gives 0 to a dummy feature (x₃ ignored by 2x₁ − x₂)', async () => {
    const { a } = await run(shap, linearModel([2, -1, 0]), [[1, 3, 5]]);
    expect(a).toEqual([expect.closeTo(2, 5), expect.closeTo(-3, 5), 0]); // φ_j = w_j x_j for a linear model; dummy → exactly 0
  });

  it('gives every element of a feature group the group value (featureMask [0,0,1])', async () => {
    const mask = tf.tensor1d([0, 0, 1], 'int32');
    const { a } = await run(shap, vectorD, [[1, 1, 1]], { featureMask: mask });
    mask.dispose();
    // groups {x₁,x₂} and {x₃}: v({g0}) = 1, v({g1}) = 1 → φ = (1, 1), spread over the elements
    expect(a.map((v) => Number(v.toFixed(5)))).toEqual([1, 1, 1]);
  });

  it('gives identical results for batchSize 1, 3 and 32 (x=[2,3] batch, vector D)', async () => {
    const outs = [];
    for (const batchSize of [1, 3, 32]) outs.push((await run(shap, vectorD, [[1, 1, 1], [2, -1, 0.5]], { batchSize })).a);
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  it('uses per-sample targets on a 2-output model', async () => {
    const model = (x: tf.Tensor) => tf.tidy(() => tf.concat([tf.reshape(vectorD(x), [-1, 1]), tf.slice(tf.mul(x, 10), [0, 0], [-1, 1])], 1));
    const { a } = await run(shap, model, [[1, 1, 1], [1, 1, 1]], { target: [0, 1] });
    expect(a.map((v) => Number(v.toFixed(5)))).toEqual([0.5, 0.5, 1, 10, 0, 0]); // D's Shapley values; 10·x₁ → (10,0,0)
  });

  it('leaves numTensors unchanged except the two returned tensors', async () => {
    const input = tf.tensor2d([[1, 1, 1]]);
    const r = await expectTensorDelta(() => shap.attribute(vectorD, input), 2);
    tf.dispose([input, r.attributions, r.delta as tf.Tensor]);
  });

  it('throws InvalidValueError naming featureMask for 13 features', async () => {
    const input = tf.zeros([1, 13]);
    await expect(expectTensorDelta(() => shap.attribute(linearModel(new Array(13).fill(1)), input))).rejects.toThrow(InvalidValueError);
    await expect(shap.attribute(linearModel(new Array(13).fill(1)), input)).rejects.toThrow(/featureMask must define at most 12/);
    input.dispose();
  });

  it('throws on unknown options, bad maxFeatures and a mask that does not broadcast', async () => {
    expect(() => new ExactShapley({ maxFeatures: 21 })).toThrow(/maxFeatures must be <= 20/);
    expect(() => new ExactShapley({ foo: 1 } as never)).toThrow(/unknown option 'foo'/);
    const input = tf.tensor2d([[1, 1, 1]]);
    await expect(shap.attribute(vectorD, input, { steps: 3 } as never)).rejects.toThrow(InvalidValueError);
    const mask = tf.tensor1d([0, 1], 'int32');
    await expect(expectTensorDelta(() => shap.attribute(vectorD, input, { featureMask: mask }))).rejects.toThrow(ShapeError);
    tf.dispose([input, mask]);
  });
});
