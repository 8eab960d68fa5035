import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { ConstantImputer } from '../../../src/imputation/constant-imputer';
import { deletion } from '../../../src/metrics/faithfulness/deletion';
import { insertion } from '../../../src/metrics/faithfulness/insertion';
import { pixelFlipping } from '../../../src/metrics/faithfulness/pixel-flipping';
import { row, weightedSum } from '../../fixtures/models';

// f(x) = 4x₀ + 3x₁ + 2x₂ + x₃ on x = 1: removing the most relevant pixel first drops f fastest.
const f = weightedSum([4, 3, 2, 1]);
const raw = { softmax: false, pixelsPerStep: 1, target: 0 };
const zeros = new ConstantImputer({ value: 0 });

describeBackends('deletion', () => {
  it('x=[1,1,1,1], a = w: curve 10, 6, 3, 1, 0 and AUC (5 + 6 + 3 + 1 + 0)/4 = 3.75', async () => {
    const [x, a] = [row([1, 1, 1, 1]), row([4, 3, 2, 1])];
    const r = await deletion(f, x, a, raw);
    expect(r.sampleCurves[0].map((v) => Number(v.toFixed(4)))).toEqual([10, 6, 3, 1, 0]);
    expect(r.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(r.score).toBeCloseTo(3.75, 5);
    tf.dispose([x, a]);
  });

  it('scores the reversed map worse: curve 10, 9, 7, 4, 0, AUC 6.25', async () => {
    const [x, a] = [row([1, 1, 1, 1]), row([1, 2, 3, 4])];
    expect((await deletion(f, x, a, raw)).score).toBeCloseTo(6.25, 5);
    tf.dispose([x, a]);
  });

  it('removes one image row per step by default (a 1×4 image: one step of 4 pixels)', async () => {
    const [x, a] = [row([1, 1, 1, 1]), row([4, 3, 2, 1])];
    const r = await expectTensorDelta(() => deletion(f, x, a, { softmax: false, target: 0 }), 0);
    expect(r.fractions).toEqual([0, 1]);
    expect(r.imputer).toBe('constant');
    tf.dispose([x, a]);
  });

  it('does not depend on batchSize', async () => {
    const x = tf.tidy(() => tf.randomUniform([3, 4, 4, 1], 0, 1, 'float32', 1));
    const a = tf.tidy(() => tf.randomUniform([3, 4, 4, 1], 0, 1, 'float32', 2));
    const g = weightedSum(Array.from({ length: 16 }, (_, i) => i - 8));
    const [r1, r7] = [await deletion(g, x, a, { ...raw, batchSize: 1 }), await deletion(g, x, a, { ...raw, batchSize: 7 })];
    expect(r7.sampleCurves).toEqual(r1.sampleCurves);
    tf.dispose([x, a]);
  });

  it('rejects pixelsPerStep beyond H·W', async () => {
    const [x, a] = [row([1, 1, 1, 1]), row([4, 3, 2, 1])];
    await expect(deletion(f, x, a, { pixelsPerStep: 5 })).rejects.toThrow(/pixelsPerStep must be an integer in \[1, 4\]/);
    tf.dispose([x, a]);
  });
});

describeBackends('insertion', () => {
  it('inserts most relevant first into a zero canvas: curve 0, 4, 7, 9, 10 and AUC 6.25; reversed map 3.75', async () => {
    const x = row([1, 1, 1, 1]);
    const [good, bad] = [row([4, 3, 2, 1]), row([1, 2, 3, 4])];
    const r = await insertion(f, x, good, { ...raw, imputer: zeros });
    expect(r.sampleCurves[0].map((v) => Number(v.toFixed(4)))).toEqual([0, 4, 7, 9, 10]);
    expect(r.score).toBeCloseTo(6.25, 5);
    expect((await insertion(f, x, bad, { ...raw, imputer: zeros })).score).toBeCloseTo(3.75, 5);
    tf.dispose([x, good, bad]);
  });

  it('starts from the blurred image by default', async () => {
    const [x, a] = [row([1, 1, 1, 1]), row([4, 3, 2, 1])];
    const r = await insertion(f, x, a, raw);
    expect(r.imputer).toBe('blur');
    expect(r.sampleCurves[0][4]).toBeCloseTo(10, 4); // everything inserted: the original image
    expect(r.sampleCurves[0][0]).toBeLessThan(10); // the blurred canvas (zero padding) has less mass
    tf.dispose([x, a]);
  });
});

describeBackends('pixelFlipping', () => {
  it('flips one pixel per step to 0 with raw outputs by default: AUC 3.75 for a = w', async () => {
    const [x, a] = [row([1, 1, 1, 1]), row([4, 3, 2, 1])];
    const r = await pixelFlipping(f, x, a, { target: 0 });
    expect(r.fractions.length).toBe(5);
    expect(r.score).toBeCloseTo(3.75, 5);
    tf.dispose([x, a]);
  });
});
