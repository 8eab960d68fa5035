import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { ConstantImputer } from '../../../src/imputation/constant-imputer';
import { NoisyLinearImputer } from '../../../src/imputation/noisy-linear-imputer';
import { SOUNDNESS_DEFAULTS, soundness } from '../../../src/metrics/faithfulness/soundness';
import { alwaysZero, sumVsHalf, twoSampleCase } from '../../fixtures/models';

const close = (v: readonly number[], d = 5) => v.map((t) => Number(t.toFixed(d)));
const zeroFill = new ConstantImputer({ value: 0 });
const RATIOS = [0.75, 0.5, 0.25, 0]; // 1×4 images: keep the top 1, 2, 3, 4 pixels (counts trunc(4m) = 3, 2, 1, 0)

describe('SOUNDNESS_DEFAULTS', () => {
  it('holds the reference schedule: 96 mask ratios 0.98, 0.97, …, 0.03, τ = 0.01, s₀ = 0.04', () => {
    const m = SOUNDNESS_DEFAULTS.maskRatios;
    expect(m.length).toBe(96);
    expect([m[0], m[1], m[94], m[95]]).toEqual([0.98, 0.97, 0.04, 0.03]);
    expect([SOUNDNESS_DEFAULTS.gainThreshold, SOUNDNESS_DEFAULTS.startThreshold]).toEqual([0.01, 0.04]);
  });
});

describeBackends('soundness', () => {
  it('accumulates false mass once per step for the dataset (accuracy): hand-derived 1×4 case', async () => {
    const { x, a } = twoSampleCase();
    const r = await soundness(sumVsHalf, x, a, { maskRatios: RATIOS, imputer: zeroFill, target: 0 });
    tf.dispose([x, a]);
    // Maps /4: s0 = [1, .75, .5, .25], s1 = [.25, .5, .75, 1]. LeRF keeps top k = 1..4 pixels.
    // Sums kept: s0 0.6, 0.7, 0.8, 0.9 (correct); s1 0, 0, 0.3, 0.6 (correct only at k=4) → P = .5, .5, .5, 1.
    // Kept mass R = 1, 1.75, 2.25, 2.5 (both); new mass 1, .75, .5, .25.
    // j0: gain .5 > τ. j1: gain 0 → F = .75. j2: gain 0 → F = 1.25. j3: gain .5 → no update.
    // S = (R − F_{j−1})/R = 1, 1, (2.25 − .75)/2.25 = .666667, (2.5 − 1.25)/2.5 = .5.
    expect(close(r.performance)).toEqual([0.5, 0.5, 0.5, 1]);
    expect(close(r.soundness)).toEqual([1, 1, 0.66667, 0.5]);
    expect(close(r.falseMass)).toEqual([1.25, 1.25]);
    // AUC over kept fraction .25…1: (.25·(1+1) + .25·(1+.6667) + .25·(.6667+.5))/2 / .75 = .805556.
    expect(r.score).toBeCloseTo(0.805556, 5);
    expect(r.scores.length).toBe(2);
    expect(r.imputer).toBe('constant');
  });

  it('decides per sample with pred-score: hand-derived 1×4 case', async () => {
    const { x, a } = twoSampleCase();
    const r = await soundness(sumVsHalf, x, a, { maskRatios: RATIOS, imputer: zeroFill, target: 0, performance: 'pred-score' });
    tf.dispose([x, a]);
    // Scores (logit 0 = kept sum): s0 .6 .7 .8 .9 (every gain .1 > τ → F0 = 0, S = 1 throughout);
    // s1 0 0 .3 .6: j0 gain 0 → F1 = 1; j1 S = (1.75 − 1)/1.75 = .428571, gain 0 → F1 = 1.75;
    // j2 S = (2.25 − 1.75)/2.25 = .222222; j3 S = (2.5 − 1.75)/2.5 = .3.
    expect(close(r.sampleCurves[0] as number[])).toEqual([1, 1, 1, 1]);
    expect(close(r.sampleCurves[1] as number[])).toEqual([1, 0.42857, 0.22222, 0.3]);
    expect(close(r.performance)).toEqual([0.3, 0.35, 0.55, 0.75]); // mean scores
    expect(close(r.falseMass)).toEqual([0, 1.75]);
    expect(r.scores[0]).toBeGreaterThan(r.scores[1]); // the right map is the sounder one
  });

  it('skips the steps whose performance is ≤ s₀ (s₀ = 0.5 skips the first three steps, F stays 0)', async () => {
    const { x, a } = twoSampleCase();
    const r = await soundness(sumVsHalf, x, a, { maskRatios: RATIOS, imputer: zeroFill, target: 0, startThreshold: 0.5 });
    tf.dispose([x, a]);
    expect(r.skippedSteps).toBe(3);
    expect(close(r.soundness)).toEqual([1, 1, 1, 1]);
  });

  it('gives a constant map S = (k_j − F_{j−1})/k_j with uniform mass on an input-blind model: 1, 1, 2/3, 1/2', async () => {
    // Accuracy 1 at every step: j0 gain 1 > τ; later gains 0 → each new pixel (mass 1 after max-normalisation) is false.
    // R = 1, 2, 3, 4; F before each step 0, 0, 1, 2 → S = 1, 1, 2/3, 1/2, whatever the tie-breaking seed.
    const x = tf.ones([1, 1, 4, 1]);
    const a = tf.fill([1, 1, 4, 1], 0.3);
    for (const seed of [0, 1]) {
      const r = await soundness(alwaysZero, x, a, { maskRatios: RATIOS, imputer: zeroFill, seed });
      expect(close(r.soundness)).toEqual([1, 1, 0.66667, 0.5]);
    }
    tf.dispose([x, a]);
  });

  it('scores an all-zero map 0 at every step, never NaN', async () => {
    const x = tf.ones([1, 1, 4, 1]);
    const a = tf.zeros([1, 1, 4, 1]);
    const r = await soundness(alwaysZero, x, a, { maskRatios: RATIOS, imputer: zeroFill });
    tf.dispose([x, a]);
    expect(r.soundness).toEqual([0, 0, 0, 0]);
    expect(r.score).toBe(0);
  });

  it('divides accuracy by N + 1e−6 and quantises maps to 8 bits in the reference preset', async () => {
    const { x, a } = twoSampleCase();
    const r = await soundness(sumVsHalf, x, a, { maskRatios: RATIOS, imputer: zeroFill, target: 0, preset: 'reference' });
    tf.dispose([x, a]);
    expect(r.performance[0]).toBe(1 / (2 + 1e-6));
    // q = ⌊255·[1, .75, .5, .25]⌋ = 255, 191, 127, 63 → kept mass at j1 = (255 + 191)/255; F after j1 = 191/255.
    // S_2 = (573 − 191)/573 = 2/3 as with float maps; S_1 = 1.
    expect(close(r.soundness)).toEqual([1, 1, 0.66667, 0.5]);
    expect(r.preset).toBe('reference');
  });

  it('gives results that do not depend on batchSize (ROAD imputation with warm starts)', async () => {
    const x = tf.tidy(() => tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 7) as tf.Tensor4D);
    const a = tf.tidy(() => tf.randomUniform([3, 6, 6, 1], 0, 1, 'float32', 8) as tf.Tensor4D);
    const run = (batchSize: number) => soundness(sumVsHalf, x, a, { maskRatios: [0.9, 0.6, 0.3], imputer: new NoisyLinearImputer(), batchSize, performance: 'pred-score', target: 0 });
    const [r1, r4] = [await run(1), await run(4)];
    tf.dispose([x, a]);
    expect(r4.sampleCurves).toEqual(r1.sampleCurves);
    expect(r4.performance).toEqual(r1.performance);
  });

  it('allocates no tensor (success and error paths)', async () => {
    const { x, a } = twoSampleCase();
    await expectTensorDelta(() => soundness(sumVsHalf, x, a, { maskRatios: RATIOS }), 0);
    const neg = tf.tensor4d([1, -1, 0, 0, 1, 1, 1, 1], [2, 1, 4, 1]);
    await expect(expectTensorDelta(() => soundness(sumVsHalf, x, neg, { maskRatios: RATIOS }))).rejects.toThrow(InvalidValueError);
    tf.dispose([x, a, neg]);
  });

  it('rejects a signed map unless a conversion is named, and accepts it with sign: "positive"', async () => {
    const { x } = twoSampleCase();
    const signed = tf.tensor4d([4, -3, 2, 1, 1, 2, 3, 4], [2, 1, 4, 1]);
    await expect(soundness(sumVsHalf, x, signed, { maskRatios: RATIOS })).rejects.toThrow(/non-negative.*sign/);
    const r = await soundness(sumVsHalf, x, signed, { maskRatios: RATIOS, sign: 'positive', imputer: zeroFill, target: 0 });
    expect(r.soundness.every(Number.isFinite)).toBe(true);
    tf.dispose([x, signed]);
  });

  it('rejects NaN maps, mismatched shapes, bad schedules and unknown options, naming them', async () => {
    const { x, a } = twoSampleCase();
    const nan = tf.tensor4d([NaN, 0, 0, 0, 0, 0, 0, 0], [2, 1, 4, 1]);
    const wrong = tf.zeros([2, 1, 3, 1]);
    await expect(soundness(sumVsHalf, x, nan)).rejects.toThrow(/attributions must be finite, got NaN in sample 0/);
    await expect(soundness(sumVsHalf, x, wrong)).rejects.toThrow(ShapeError);
    await expect(soundness(sumVsHalf, x, a, { maskRatios: [0.2, 0.5] })).rejects.toThrow(/maskRatios must be strictly decreasing/);
    await expect(soundness(sumVsHalf, x, a, { tau: 0.1 } as never)).rejects.toThrow(/unknown option 'tau'/);
    await expect(soundness(sumVsHalf, x, a, { target: 5 })).rejects.toThrow(/target must hold integers in \[0, 2\)/);
    tf.dispose([x, a, nan, wrong]);
  });
});
