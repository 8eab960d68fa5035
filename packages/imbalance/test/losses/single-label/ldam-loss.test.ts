import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { classBalancedWeights } from '../../../src/losses/single-label/class-balanced-softmax-loss';
import { deferredReweightingWeights, ldamLoss, ldamMargins } from '../../../src/losses/single-label/ldam-loss';
import { describeBackends, expectTensorDelta, take } from '../../fixtures/helpers';

describe('ldamMargins', () => {
  it('n=[16, 1] gives Δ ∝ n^{−1/4} = [½, 1] scaled to max 0.5: [0.25, 0.5]', () => {
    expect(ldamMargins([16, 1])).toEqual([0.25, 0.5]);
    expect(ldamMargins([16, 1], 1)).toEqual([0.5, 1]);
  });
});

describe('deferredReweightingWeights', () => {
  it('is all ones before drwEpoch and the class-balanced weights from it on', () => {
    expect(deferredReweightingWeights([100, 1], 159)).toEqual([1, 1]);
    expect(deferredReweightingWeights([100, 1], 160)).toEqual(classBalancedWeights([100, 1], 0.9999));
    expect(deferredReweightingWeights([100, 1], 3, { drwEpoch: 3, beta: 0.5 })).toEqual(classBalancedWeights([100, 1], 0.5));
  });

  it('rejects a negative epoch and unknown options', () => {
    expect(() => deferredReweightingWeights([1, 2], -1)).toThrow(/epoch must be an integer >= 0/);
    expect(() => deferredReweightingWeights([1, 2], 0, { start: 1 } as never)).toThrow(/unknown option 'start'/);
  });
});

describeBackends('ldamLoss', () => {
  it('x=[[0, 0]] y=[0] n=[16, 1] gives CE of 30·[−0.25, 0] = log(1 + e^{7.5})', async () => {
    const x = tf.tensor2d([[0, 0]]);
    const y = tf.tensor1d([0], 'int32');
    expect(await take(ldamLoss(x, y, { samplesPerClass: [16, 1] }))).toBeCloseTo(Math.log1p(Math.exp(7.5)), 4);
    // The rare class has the larger margin: label 1 gives log(1 + e^{15}).
    const y1 = tf.tensor1d([1], 'int32');
    expect(await take(ldamLoss(x, y1, { samplesPerClass: [16, 1] }))).toBeCloseTo(Math.log1p(Math.exp(15)), 3);
    tf.dispose([x, y, y1]);
  });

  it('uses the weighted mean Σ w_y ℓ / Σ w_y with class weights', async () => {
    const x = tf.tensor2d([[0, 0], [0, 0]]);
    const y = tf.tensor1d([0, 1], 'int32');
    const l0 = Math.log1p(Math.exp(7.5));
    const l1 = Math.log1p(Math.exp(15));
    expect(await take(ldamLoss(x, y, { samplesPerClass: [16, 1], classWeights: [1, 3] }))).toBeCloseTo((l0 + 3 * l1) / 4, 3);
    tf.dispose([x, y]);
  });

  it('allocates only its scalar and rejects a zero scale', async () => {
    const x = tf.zeros([1, 2]);
    const y = tf.tensor1d([1], 'int32');
    (await expectTensorDelta(() => ldamLoss(x, y, { samplesPerClass: [2, 2] }), 1)).dispose();
    expect(() => ldamLoss(x, y, { samplesPerClass: [2, 2], scale: 0 })).toThrow(/scale must be a finite number > 0/);
    tf.dispose([x, y]);
  });
});
