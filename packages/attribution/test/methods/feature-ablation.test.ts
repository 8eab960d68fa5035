import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { FeatureAblation } from '../../src/methods/feature-ablation';
import type { AttributionModel } from '../../src/core/types';
import { linearModel, quadrantMean, take, vectorA, vectorB, vectorC, vectorD, vectorE, vectorF } from '../fixtures/perturbation-models';

const round = (a: number[]) => a.map((v) => Number(v.toFixed(5)));

describeBackends('FeatureAblation', () => {
  const fa = new FeatureAblation();
  const cases: [string, AttributionModel, number[][], number[], number[] | undefined][] = [
    // spec §6, "1-feature occlusion" column (ablation of each feature alone is the same quantity)
    ['A → (1,1)', vectorA, [[1, 1]], [1, 1], undefined],
    ['B → 1', vectorB, [[2]], [1], undefined],
    ['C → (1,1)', vectorC, [[3, 1]], [1, 1], undefined],
    ['D → (1,1,1)', vectorD, [[1, 1, 1]], [1, 1, 1], undefined],
    ['E → (0,0,0)', vectorE, [[1, 1, 1]], [0, 0, 0], undefined],
    ['F, b=(0.5,−1) → (1,−9)', vectorF, [[1, 2]], [1, -9], [0.5, -1]],
  ];
  for (const [name, model, x, expected, b] of cases) {
    it(`reproduces the 1-feature ablation of spec vector ${name}`, async () => {
      const input = tf.tensor2d(x);
      const baselines = b ? tf.tensor1d(b) : undefined;
      const { attributions } = await fa.attribute(model, input, { baselines });
      tf.dispose([input, baselines as tf.Tensor]);
      expect(round(await take(attributions))).toEqual(expected);
    });
  }

  it('ablates a group together and gives each member the group drop (mask [0,0,1] on vector D)', async () => {
    const input = tf.tensor2d([[1, 1, 1]]);
    const mask = tf.tensor1d([0, 0, 1], 'int32');
    const { attributions } = await fa.attribute(vectorD, input, { featureMask: mask });
    tf.dispose([input, mask]);
    expect(round(await take(attributions))).toEqual([1, 1, 1]); // f(1,1,1) − f(0,0,1) = 1; f − f(1,1,0) = 1
  });

  it('uses per-sample masks of the input shape [2, 3] and any integer labels', async () => {
    const input = tf.tensor2d([[1, 2, 3], [1, 2, 3]]);
    const mask = tf.tensor2d([[7, 7, -1], [0, 1, 1]], [2, 3], 'int32');
    const { attributions } = await fa.attribute(linearModel([1, 1, 1]), input, { featureMask: mask });
    tf.dispose([input, mask]);
    expect(round(await take(attributions))).toEqual([3, 3, 3, 1, 5, 5]); // group sums of x (linear model, b = 0)
  });

  it('groups the channels of each pixel with an [H, W, 1] mask on NHWC input', async () => {
    const input = tf.ones([1, 2, 2, 3]);
    const mask = tf.tensor3d([0, 1, 2, 3], [2, 2, 1], 'int32');
    const { attributions } = await fa.attribute((x) => tf.sum(x, [1, 2, 3]), input, { featureMask: mask });
    tf.dispose([input, mask]);
    expect(round(await take(attributions))).toEqual(new Array(12).fill(3)); // each pixel holds 3 ones
  });

  it('gives identical results for batchSize 1, 5 and 32 (2×4×4×2 images)', async () => {
    const input = tf.tidy(() => tf.div(tf.reshape(tf.range(0, 64), [2, 4, 4, 2]), 10));
    const outs = [];
    for (const batchSize of [1, 5, 32]) outs.push(await take((await fa.attribute(quadrantMean, input, { batchSize })).attributions));
    input.dispose();
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  it('leaves numTensors unchanged except the returned attributions', async () => {
    const input = tf.ones([2, 3]);
    const r = await expectTensorDelta(() => fa.attribute(vectorD, input), 1);
    tf.dispose([input, r.attributions]);
  });

  it('throws typed errors for bad masks, targets and options', async () => {
    const input = tf.ones([2, 3]);
    const frac = tf.tensor1d([0, 0.5, 1]);
    await expect(expectTensorDelta(() => fa.attribute(vectorD, input, { featureMask: frac }))).rejects.toThrow(/featureMask must hold integers/);
    const wrong = tf.tensor1d([0, 1], 'int32');
    await expect(fa.attribute(vectorD, input, { featureMask: wrong })).rejects.toThrow(ShapeError);
    await expect(fa.attribute(vectorD, input, { target: [0, 0, 0] })).rejects.toThrow(/target must have one index per sample/);
    await expect(fa.attribute(vectorD, input, { mask: wrong } as never)).rejects.toThrow(InvalidValueError);
    // a class index out of range is caught while evaluating, without leaking tensors
    await expect(expectTensorDelta(() => fa.attribute(vectorD, input, { target: 3 }))).rejects.toThrow(/target must be an integer in \[0, 1\)/);
    tf.dispose([input, frac, wrong]);
  });
});
