import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { TinyTracker, evaluateGazeError, generateGazeData, modelSize, quantizeModel } from '../src/index';

describe('README quick start', () => {
  it('runs as written, leaves no tensors, and counts the int8 size by hand', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const net = new TinyTracker({ inputSize: 32 }); // README geometry is 112 (the default)
    const { images, gazeCm } = generateGazeData(8, { size: 32 }); // faces in [−1, 1], gaze in cm
    const q = quantizeModel(net, images); // int8, calibrated on the images
    const cm = await evaluateGazeError(q, images, gazeCm); // mean Euclidean error (cm)
    tf.dispose([images, gazeCm]);
    net.dispose();
    expect(Number.isFinite(cm)).toBe(true);
    // At 32 px the flatten holds 1·1·2 values, so fc1 has 2·128 weights instead of 32·128 at 112 px:
    // int8 weights 422,289 − 3,840; biases 6,191 × 4 B; 12 B per quantisation entry: 47 tensors +
    // 2 × (6,061 conv channels + 2 per-tensor FC weights).
    expect(modelSize(q).totalBytes).toBe(422289 - 3840 + 6191 * 4 + 12 * (47 + 2 * (6061 + 2)));
    expect(tf.memory().numTensors).toBe(before);
  });
});
