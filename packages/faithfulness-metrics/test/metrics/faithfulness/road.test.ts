import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { ConstantImputer } from '../../../src/imputation/constant-imputer';
import { road } from '../../../src/metrics/faithfulness/road';
import { sumVsHalf, twoSampleCase } from '../../fixtures/models';

const opts = { percentages: [0.25, 0.5, 0.75], imputer: new ConstantImputer({ value: 0 }), target: 0 };

describeBackends('road', () => {
  it('MoRF: accuracy 0.5, 0.5, 0 and score 0.375 on the two-sample case', async () => {
    const { x, a } = twoSampleCase();
    const r = await expectTensorDelta(() => road(sumVsHalf, x, a, { ...opts, direction: 'morf' }), 0);
    // s0 [.6 .1 .1 .1], a [4 3 2 1]: removing pixel 0 first leaves ≤ .3 → wrong at every fraction.
    // s1 [.3 .3 0 0], a [1 2 3 4]: removes the zeros first: .6, .6, then .3 → right, right, wrong.
    expect(r.accuracy).toEqual([0.5, 0.5, 0]);
    // Trapezoid over .25….75: (.25·(.5+.5)/2 + .25·(.5+0)/2)/.5 = .375.
    expect(r.score).toBeCloseTo(0.375, 6);
    tf.dispose([x, a]);
  });

  it('LeRF: accuracy 0.5, 0.5, 0.5 (s0 keeps its carrying pixel, s1 loses one first)', async () => {
    const { x, a } = twoSampleCase();
    const r = await road(sumVsHalf, x, a, { ...opts, direction: 'lerf' });
    expect(r.accuracy).toEqual([0.5, 0.5, 0.5]);
    expect(r.scores).toEqual([1, 0]);
    tf.dispose([x, a]);
  });

  it('uses the noisy linear imputer by default and reports it', async () => {
    const { x, a } = twoSampleCase();
    const r = await road(sumVsHalf, x, a, { target: 0 });
    expect(r.imputer).toBe('noisy-linear');
    expect(r.percentages).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    tf.dispose([x, a]);
  });
});
