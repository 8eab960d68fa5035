import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, InvalidValueError } from '@lab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldBatchNorm } from '../../src/quant/fold-batch-norm';
import { expectTensorDelta, useBackend } from '../helpers';

describe('foldBatchNorm', () => {
  beforeAll(() => useBackend('cpu'));

  it('scales weights by γ/√(σ²+ε) and shifts the bias by β − γμ/√(σ²+ε) (1×1 conv, 2 channels, hand values)', async () => {
    const conv = new Conv2d(1, 2, 1);
    const bn = new BatchNorm2d(2, { eps: 0 });
    try {
      conv.weight.assign(tf.tensor4d([2, 3], [1, 1, 1, 2]));
      (conv.bias as tf.Variable).assign(tf.tensor1d([1, -1]));
      bn.runningMean?.assign(tf.tensor1d([0.5, 1]));
      bn.runningVar?.assign(tf.tensor1d([4, 0.25]));
      bn.weight?.assign(tf.tensor1d([1, 2]));
      bn.bias?.assign(tf.tensor1d([0, 3]));
      const f = await expectTensorDelta(() => foldBatchNorm(conv, bn), 0);
      // channel 0: a = 1/2 → w 1, b = 0 + 0.5·(1 − 0.5) = 0.25; channel 1: a = 2/0.5 = 4 → w 12, b = 3 + 4·(−1 − 1) = −5
      expect(Array.from(f.weight)).toEqual([1, 12]);
      expect(Array.from(f.bias)).toEqual([0.25, -5]);
    } finally {
      conv.dispose();
      bn.dispose();
    }
  });

  it('folds a depthwise conv per channel and equals conv → bn in eval mode', async () => {
    const conv = new Conv2d(3, 3, 3, { groups: 3, padding: 1, bias: false });
    const bn = new BatchNorm2d(3, { eps: 1e-3 });
    const x = tf.randomUniform([1, 5, 5, 3], -1, 1, 'float32', 1);
    try {
      bn.runningMean?.assign(tf.tensor1d([0.1, -0.2, 0.3]));
      bn.runningVar?.assign(tf.tensor1d([0.5, 2, 1.5]));
      bn.weight?.assign(tf.tensor1d([1.2, 0.8, -0.5]));
      bn.eval();
      const f = foldBatchNorm(conv, bn);
      const want = await tf.tidy(() => bn.call(conv.call(x))).data();
      const got = await tf
        .tidy(() => tf.add(tf.depthwiseConv2d(x as tf.Tensor4D, tf.tensor4d(f.weight, [3, 3, 3, 1]), 1, 'same'), tf.tensor1d(f.bias)))
        .data();
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    } finally {
      conv.dispose();
      bn.dispose();
      x.dispose();
    }
  });

  it('copies the conv weights without a norm and rejects mismatched channels', () => {
    const conv = new Conv2d(2, 4, 1);
    const bn = new BatchNorm2d(3);
    try {
      expect(Array.from(foldBatchNorm(conv, null).weight)).toEqual(Array.from(conv.weight.dataSync()));
      expect(() => foldBatchNorm(conv, bn)).toThrow(/foldBatchNorm: bn must have 4 features \(the conv's outChannels\), got 3/);
      expect(() => foldBatchNorm({} as Conv2d, null)).toThrow(InvalidValueError);
    } finally {
      conv.dispose();
      bn.dispose();
    }
  });
});
