import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Saliency } from '@lab/attribution';
import { Flatten, InvalidValueError, Linear, ReLU, Rng, Sequential } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { modelParameterRandomisation, parameterLayers } from '../../../src/metrics/randomisation/model-parameter-randomisation';
import { randomLogit } from '../../../src/metrics/randomisation/random-logit';
import { inputAsMap } from '../../fixtures/methods';
import { weightedSum } from '../../fixtures/models';

const build = () => new Sequential(new Flatten(), new Linear(4, 3, { rng: new Rng(1) }), new ReLU(), new Linear(3, 2, { rng: new Rng(2) }));

describeBackends('modelParameterRandomisation', () => {
  it('randomises the layers that own parameters top-down on a clone, leaving the model untouched', async () => {
    const net = build();
    const x = tf.tensor4d([0.2, 0.9, 0.4, 0.7, 0.6, 0.1, 0.8, 0.3], [2, 1, 4, 1]);
    const before = net.stateDict();
    const r = await expectTensorDelta(() => modelParameterRandomisation(net, x, new Saliency(), { createModel: build, target: 0 }), 0);
    expect(parameterLayers(net)).toEqual(['1', '3']);
    expect(r.layers).toEqual(['3', '1']);
    expect(r.layerScores.length).toBe(2);
    const after = net.stateDict();
    for (const k of Object.keys(before)) expect(Array.from(after[k].dataSync())).toEqual(Array.from(before[k].dataSync()));
    tf.dispose([x, ...Object.values(before), ...Object.values(after)]);
    net.dispose();
  });

  it('scores a model-blind explanation (the input itself) 1 at every layer, and saliency lower', async () => {
    const net = build();
    const x = tf.tensor4d([0.2, 0.9, 0.4, 0.7], [1, 1, 4, 1]);
    const blind = await modelParameterRandomisation(net, x, inputAsMap, { createModel: build, target: 0 });
    expect(blind.similarity).toEqual([1, 1]);
    const sal = await modelParameterRandomisation(net, x, new Saliency(), { createModel: build, target: 0, mode: 'independent' });
    expect(sal.score).toBeLessThan(1);
    tf.dispose(x);
    net.dispose();
  });

  it('requires createModel and a Module', async () => {
    const net = build();
    const x = tf.zeros([1, 1, 4, 1]);
    await expect(modelParameterRandomisation(net, x, new Saliency())).rejects.toThrow(/createModel must be a function/);
    await expect(modelParameterRandomisation(weightedSum([1, 1, 1, 1]) as never, x, new Saliency(), { createModel: build })).rejects.toThrow(InvalidValueError);
    tf.dispose(x);
    net.dispose();
  });
});

describeBackends('randomLogit', () => {
  it('compares the maps of the target and the other class: ρ(w₀, w₁) = −1 for reversed weight rows', async () => {
    // Saliency of a linear model is the weight row of the class: w₀ = [1,2,3,4], w₁ = [4,3,2,1].
    const f = (t: tf.Tensor) => tf.tidy(() => tf.matMul(tf.reshape(t, [t.shape[0] as number, -1]), tf.tensor2d([1, 4, 2, 3, 3, 2, 4, 1], [4, 2])));
    const x = tf.tensor4d([0.5, 0.5, 0.5, 0.5], [1, 1, 4, 1]);
    const r = await expectTensorDelta(() => randomLogit(f, x, new Saliency(), { target: 0 }), 0);
    expect(r.otherClasses).toEqual([1]);
    expect(r.scores[0]).toBeCloseTo(-1, 12);
    expect((await randomLogit(f, x, inputAsMap, { target: 0 })).score).toBe(0); // constant input: no rank information → 0
    x.dispose();
  });

  it('rejects a model with a single output', async () => {
    const x = tf.ones([1, 1, 4, 1]);
    await expect(randomLogit(weightedSum([1, 1, 1, 1]), x, new Saliency())).rejects.toThrow(/at least 2 outputs/);
    x.dispose();
  });
});
