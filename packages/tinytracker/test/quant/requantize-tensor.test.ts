import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@lab/tensor';
import { expect, it } from 'vitest';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../src/quant/fixed-point';
import { requantConstants, requantizeTensor } from '../../src/quant/requantize-tensor';
import { describeBackends, expectTensorDelta } from '../helpers';

describeBackends('requantizeTensor', () => {
  it('equals MultiplyByQuantizedMultiplier on 4000 seeded accumulators, 8 channels, shifts −25…+2', async () => {
    const rng = new Rng(3);
    const channels = 8;
    const multiplier = new Int32Array(channels);
    const shift = new Int32Array(channels);
    for (let c = 0; c < channels; c++) {
      const m = quantizeMultiplier(Math.exp(rng.next() * 18 - 16)); // 1e-7 … 7
      multiplier[c] = m.multiplier;
      shift[c] = Math.max(m.shift, -25);
    }
    const rows = 500;
    const acc = new Float32Array(rows * channels);
    for (let i = 0; i < acc.length; i++) {
      const limit = 2 ** (23 - Math.max(shift[i % channels], 0)); // |acc·2^left| < 2^24
      acc[i] = rng.int(-limit, limit);
    }
    // ties of the right shift: exact multiples of half a step for the first row
    for (let c = 0; c < channels; c++) acc[c] = 3 * 2 ** Math.max(-shift[c] - 1, 0);
    const t = tf.tensor2d(acc, [rows, channels]);
    try {
      const y = await expectTensorDelta(() => requantizeTensor(t, requantConstants(multiplier, shift)), 1);
      const got = await y.data();
      y.dispose();
      for (let i = 0; i < acc.length; i++) {
        const c = i % channels;
        expect(got[i] + 0).toBe(multiplyByQuantizedMultiplier(acc[i], multiplier[c], shift[c])); // + 0: −0 → 0
      }
    } finally {
      t.dispose();
    }
  });
});
