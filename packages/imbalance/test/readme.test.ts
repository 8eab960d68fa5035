import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '@lab/tensor';
import { classCounts, createMultiLabelLoss, multiLabelMetrics } from '../src/index';

describe('README quick start', () => {
  it('runs as written: a class-balanced focal loss and the multi-label metrics', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    // --- quick start (README.md) ---
    const labels = [[1, 0], [1, 1], [1, 0], [0, 0]]; // 4 samples, 2 classes; class 1 is rare
    const loss = createMultiLabelLoss('class-balanced-focal', classCounts(labels));
    const logits = tf.tensor2d([[2, -1], [1, 0.5], [0.5, -2], [-1, -1]]);
    const targets = tf.tensor2d(labels);
    const value = loss.compute(logits, targets); // scalar; the caller disposes it
    const scores = tf.sigmoid(logits);
    const { auroc, macroAuroc } = multiLabelMetrics(scores, labels);
    tf.dispose([logits, targets, value, scores]);
    // --- end ---
    expect(auroc).toEqual([1, 1]); // both classes ranked perfectly by these logits
    expect(macroAuroc).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
