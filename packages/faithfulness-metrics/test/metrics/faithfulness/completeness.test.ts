import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { ConstantImputer } from '../../../src/imputation/constant-imputer';
import { NoisyLinearImputer } from '../../../src/imputation/noisy-linear-imputer';
import { COMPLETENESS_DEFAULTS, completeness } from '../../../src/metrics/faithfulness/completeness';
import { sumVsHalf, twoSampleCase } from '../../fixtures/models';

const close = (v: readonly number[], d = 5) => v.map((t) => Number(t.toFixed(d)));
const zeroFill = new ConstantImputer({ value: 0 });
const RATIOS = [0.1, 0.3, 0.6, 0.9];

describe('COMPLETENESS_DEFAULTS', () => {
  it('holds the reference value-threshold ratios 0.1, 0.2, …, 0.9', () => {
    expect(COMPLETENESS_DEFAULTS.ratios).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  });
});

describeBackends('completeness', () => {
  it('measures the accuracy drop when pixels above (1 − t)·max are removed: hand-derived 1×4 case', async () => {
    const { x, a } = twoSampleCase();
    const r = await completeness(sumVsHalf, x, a, { ratios: RATIOS, imputer: zeroFill, target: 0 });
    tf.dispose([x, a]);
    // Maps /4: s0 [1, .75, .5, .25] → removes {0}, {0,1}, {0,1,2}, all (a > .9, .7, .4, .1): sums .3 .2 .1 0 → wrong.
    // s1 [.25, .5, .75, 1] → removes {3}, {2,3}, {1,2,3}, all: sums .6 .6 .3 0 → right, right, wrong, wrong.
    expect(r.cleanPerformance).toBe(1);
    expect(close(r.performance)).toEqual([0.5, 0.5, 0, 0]);
    expect(close(r.drops)).toEqual([0.5, 0.5, 1, 1]);
    expect(close(r.removedFractions)).toEqual([0.25, 0.5, 0.75, 1]);
    // AUC: (.2·(.5+.5) + .3·(.5+1) + .3·(1+1))/2 / .8 = .78125; per sample 1 and (.3·.5 + .3)/.8 = .5625.
    expect(r.score).toBeCloseTo(0.78125, 6);
    expect(close(r.scores)).toEqual([1, 0.5625]);
  });

  it('measures the mean target-score drop with pred-score', async () => {
    const { x, a } = twoSampleCase();
    const r = await completeness(sumVsHalf, x, a, { ratios: RATIOS, imputer: zeroFill, target: 0, performance: 'pred-score' });
    tf.dispose([x, a]);
    // s0: 0.9 → .3 .2 .1 0 (drops .6 .7 .8 .9); s1: 0.6 → .6 .6 .3 0 (drops 0 0 .3 .6); mean .3 .35 .55 .75.
    expect(close(r.drops)).toEqual([0.3, 0.35, 0.55, 0.75]);
    expect(r.cleanPerformance).toBeCloseTo(0.75, 5);
  });

  it('removes every pixel of a constant map at every t, and none of an all-zero map', async () => {
    const { x } = twoSampleCase();
    const constant = tf.fill([2, 1, 4, 1], 0.2);
    const zero = tf.zeros([2, 1, 4, 1]);
    const c = await completeness(sumVsHalf, x, constant, { ratios: RATIOS, imputer: zeroFill, target: 0 });
    const z = await completeness(sumVsHalf, x, zero, { ratios: RATIOS, imputer: zeroFill, target: 0 });
    tf.dispose([x, constant, zero]);
    expect(c.removedFractions).toEqual([1, 1, 1, 1]);
    expect(c.drops).toEqual([1, 1, 1, 1]);
    expect(z.removedFractions).toEqual([0, 0, 0, 0]);
    expect(z.drops).toEqual([0, 0, 0, 0]);
  });

  it('compares 8-bit values with a float32 threshold in the reference preset', async () => {
    // A map whose second value sits just above the t = 0.3 threshold in floats but quantises onto it:
    // a = [1, 0.7004]: float 0.7004 > 0.7 → removed; 8-bit ⌊255·0.7004⌋ = 178 ≤ fround(255·0.7) = 178.5 → kept.
    const x = tf.tensor4d([0.6, 0.6], [1, 1, 2, 1]);
    const a = tf.tensor4d([1, 0.7004], [1, 1, 2, 1]);
    const pkg = await completeness(sumVsHalf, x, a, { ratios: [0.3], imputer: zeroFill, target: 0 });
    const ref = await completeness(sumVsHalf, x, a, { ratios: [0.3], imputer: zeroFill, target: 0, preset: 'reference' });
    tf.dispose([x, a]);
    expect(pkg.removedFractions).toEqual([1]);
    expect(ref.removedFractions).toEqual([0.5]);
    expect(ref.cleanPerformance).toBe(1 / (1 + 1e-6));
  });

  it('gives results that do not depend on batchSize and allocates no tensor', async () => {
    const x = tf.tidy(() => tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 3) as tf.Tensor4D);
    const a = tf.tidy(() => tf.randomUniform([3, 6, 6, 1], 0, 1, 'float32', 4) as tf.Tensor4D);
    const run = (batchSize: number) => completeness(sumVsHalf, x, a, { ratios: RATIOS, imputer: new NoisyLinearImputer(), batchSize, performance: 'pred-score', target: 0 });
    const r1 = await expectTensorDelta(() => run(1), 0);
    const r5 = await run(5);
    tf.dispose([x, a]);
    expect(r5.drops).toEqual(r1.drops);
    expect(r5.scores).toEqual(r1.scores);
  });

  it('rejects an increasing-order violation and a signed map without a conversion', async () => {
    const { x, a } = twoSampleCase();
    const signed = tf.tensor4d([1, -1, 0, 0, 0, 0, 0, 1], [2, 1, 4, 1]);
    await expect(completeness(sumVsHalf, x, a, { ratios: [0.5, 0.5] })).rejects.toThrow(/ratios must be strictly increasing/);
    await expect(completeness(sumVsHalf, x, signed)).rejects.toThrow(/non-negative/);
    tf.dispose([x, a, signed]);
  });
});
