import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Rng, initBackend } from '@lab/tensor';
import { Prosmin, crpsGaussian, energyScore, extractFeatures, pretrain } from '../src/index';

describe('README quick start', () => {
  it('runs as written: 2 epochs of 2 steps, features of the target backbone, and the scoring-rule identity', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    // --- README block (random images stand in for a dataset) ---
    const images = new Rng(0).uniformTensor([64, 28, 28, 1]) as tf.Tensor4D; // NHWC in [0, 1]
    const method = new Prosmin({ widths: [16, 32, 64], seed: 0 });
    const { losses } = await pretrain(method, images, { epochs: 2, batchSize: 32, lr: 0.02, warmupEpochs: 1, crops: { localCrops: 2 } });
    const features = extractFeatures(method, images); // [64, 64]: frozen target-backbone features
    // --- end ---
    expect(losses.length).toBe(4); // 2 epochs × ⌊64/32⌋ steps
    expect(features.shape).toEqual([64, 64]);
    // ES(d=1, β=1) of a large Gaussian ensemble ≈ the closed-form CRPS (README catalogue, category "Scoring rules").
    const es = tf.tidy(() => energyScore(new Rng(1).normalTensor([2000, 1]), tf.tensor1d([0.5]), { estimator: 'fair' }).dataSync()[0]);
    const crps = tf.tidy(() => crpsGaussian(tf.scalar(0.5), tf.scalar(0), tf.scalar(1)).dataSync()[0]);
    expect(Math.abs(es - crps)).toBeLessThan(0.03);
    tf.dispose([images, features]);
    method.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
