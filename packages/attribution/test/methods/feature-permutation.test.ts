import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { FeaturePermutation } from '../../src/methods/feature-permutation';
import { linearModel, take } from '../fixtures/perturbation-models';

const round = (a: number[]) => a.map((v) => Number(v.toFixed(5)));

describeBackends('FeaturePermutation', () => {
  const fp = new FeaturePermutation();

  it('swaps the two samples of a batch of 2 (the only non-identity permutation): linear model hand values', async () => {
    const input = tf.tensor2d([[1, 10, 5], [3, 20, 5]]);
    const { attributions } = await fp.attribute(linearModel([1, 2, -1]), input);
    input.dispose();
    // φ_{n,j} = w_j (x_{n,j} − x_{1−n,j}): feature 0: (1−3, 3−1); feature 1: 2·(10−20, 20−10); feature 2: equal values → 0
    expect(round(await take(attributions))).toEqual([-2, -20, 0, 2, 20, 0]);
  });

  it('permutes a feature group together (mask [0, 0, 1])', async () => {
    const input = tf.tensor2d([[1, 10, 5], [3, 20, 5]]);
    const mask = tf.tensor1d([0, 0, 1], 'int32');
    const { attributions } = await fp.attribute(linearModel([1, 2, -1]), input, { featureMask: mask });
    tf.dispose([input, mask]);
    expect(round(await take(attributions))).toEqual([-22, -22, 0, 22, 22, 0]); // group {0,1}: (1+20) − (3+40) = −22
  });

  it('repeats for a seed and gives identical results for batchSize 1, 4 and 32 (N = 5)', async () => {
    const input = tf.tidy(() => tf.reshape(tf.range(0, 20), [5, 4]));
    const f = linearModel([1, -2, 3, 0.5]);
    const outs = [];
    for (const batchSize of [1, 4, 32]) outs.push(await take((await fp.attribute(f, input, { batchSize, seed: 3 })).attributions));
    const again = await take((await fp.attribute(f, input, { seed: 3 })).attributions);
    input.dispose();
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
    expect(again).toEqual(outs[0]);
  });

  it('leaves numTensors unchanged except the returned attributions', async () => {
    const input = tf.ones([3, 3]);
    const r = await expectTensorDelta(() => fp.attribute(linearModel([1, 1, 1]), input), 1);
    tf.dispose([input, r.attributions]);
  });

  it('throws InvalidValueError for a single sample and ShapeError for a per-sample mask', async () => {
    const one = tf.ones([1, 3]);
    await expect(expectTensorDelta(() => fp.attribute(linearModel([1, 1, 1]), one))).rejects.toThrow(/at least 2 samples/);
    await expect(fp.attribute(linearModel([1, 1, 1]), one)).rejects.toThrow(InvalidValueError);
    const two = tf.ones([2, 3]);
    const mask = tf.tensor2d([[0, 1, 2], [0, 0, 1]], [2, 3], 'int32');
    await expect(fp.attribute(linearModel([1, 1, 1]), two, { featureMask: mask })).rejects.toThrow(ShapeError);
    tf.dispose([one, two, mask]);
  });
});
