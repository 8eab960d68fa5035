import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { ConstantImputer } from '../../../src/imputation/constant-imputer';
import { irof } from '../../../src/metrics/faithfulness/irof';
import { regionPerturbation } from '../../../src/metrics/faithfulness/region-perturbation';
import { weightedSum } from '../../fixtures/models';

const zeros = new ConstantImputer({ value: 0 });
const f = weightedSum([4, 3, 2, 1]);

describeBackends('regionPerturbation', () => {
  it('AOPC (0 + 4 + 7)/3 = 3.6667 for 1-pixel patches of a 2×2 image, two regions', async () => {
    const x = tf.ones([1, 2, 2, 1]);
    const a = tf.tensor4d([4, 3, 2, 1], [1, 2, 2, 1]);
    const r = await expectTensorDelta(() => regionPerturbation(f, x, a, { patchSize: 1, regions: 2, imputer: zeros, target: 0 }), 0);
    // f(x) = 10; top patch (pixel 0) removed → 6 (drop 4); top two → 3 (drop 7).
    expect(r.scores[0]).toBeCloseTo(11 / 3, 5);
    expect(r.curve.map((v) => Number(v.toFixed(4)))).toEqual([0, 4, 7]);
    tf.dispose([x, a]);
  });

  it('ranks patches by summed attribution: 2×4 image, 2×2 patches, the right patch first', async () => {
    // Patches: left {0,1,4,5}, right {2,3,6,7}; map mass 1 left, 5 right → right removed first.
    const g = weightedSum([1, 1, 0, 0, 1, 1, 0, 0]);
    const x = tf.ones([1, 2, 4, 1]);
    const a = tf.tensor4d([0.25, 0.25, 1, 1, 0.25, 0.25, 1.5, 1.5], [1, 2, 4, 1]);
    const r = await regionPerturbation(g, x, a, { patchSize: 2, regions: 1, imputer: zeros, target: 0 });
    expect(r.curve.map((v) => Number(v.toFixed(4)))).toEqual([0, 0]); // the right patch does not move f
    tf.dispose([x, a]);
  });
});

describeBackends('irof', () => {
  it('IROF = 1 − AUC(p_k/p_0): 0.6 for a = w and 0.4 for the reversed map (2 grid segments of 1×4)', async () => {
    const x = tf.ones([1, 1, 4, 1]);
    const [good, bad] = [tf.tensor4d([4, 3, 2, 1], [1, 1, 4, 1]), tf.tensor4d([1, 2, 3, 4], [1, 1, 4, 1])];
    const o = { segmentation: 'grid' as const, segments: 2, softmax: false, imputer: zeros, target: 0 };
    // Segments {0,1} (mean a 3.5) and {2,3}: curve 10 → 3 → 0, c = 1, .3, 0; AUC over 0, .5, 1 = .4.
    const r = await irof(f, x, good, o);
    expect(r.sampleCurves[0].map((v) => Number(v.toFixed(4)))).toEqual([1, 0.3, 0]);
    expect(r.score).toBeCloseTo(0.6, 5);
    // Reversed: 10 → 7 → 0, c = 1, .7, 0, AUC .6 → IROF .4.
    expect((await irof(f, x, bad, o)).score).toBeCloseTo(0.4, 5);
    tf.dispose([x, good, bad]);
  });

  it('segments RGB images with SLIC by default and leaks no tensor', async () => {
    // Left half red, right half blue: SLIC separates at least the two halves.
    const x = tf.tensor4d(Array.from({ length: 64 }, (_, p) => (p % 8 < 4 ? [1, 0, 0] : [0, 0, 1])).flat(), [1, 8, 8, 3]);
    const a = tf.tidy(() => tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 4));
    const g = (t: tf.Tensor) => tf.tidy(() => tf.concat([tf.reshape(tf.mean(t, [1, 2, 3]), [-1, 1]), tf.zeros([t.shape[0] as number, 1])], 1));
    const r = await expectTensorDelta(() => irof(g, x, a, { segments: 4 }), 0);
    expect(r.sampleCurves[0][0]).toBe(1);
    expect(r.sampleCurves[0].length).toBeGreaterThan(2);
    tf.dispose([x, a]);
  });

  it('rejects raw outputs with a non-positive clean score', async () => {
    const x = tf.zeros([1, 1, 4, 1]);
    const a = tf.tensor4d([4, 3, 2, 1], [1, 1, 4, 1]);
    await expect(irof(f, x, a, { segmentation: 'grid', segments: 2, softmax: false, target: 0 })).rejects.toThrow(/clean class score must be > 0/);
    tf.dispose([x, a]);
  });
});
