import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { classBalancedSoftmaxLoss, classBalancedWeights } from '../../../src/losses/single-label/class-balanced-softmax-loss';
import { LN2, describeBackends, expectTensorDelta, take } from '../../fixtures/helpers';

describe('classBalancedWeights', () => {
  it('is all ones for equal counts and for β = 0', () => {
    expect(classBalancedWeights([100, 100, 100])).toEqual([1, 1, 1]);
    expect(classBalancedWeights([1, 50], 0)).toEqual([1, 1]);
  });

  it('n=[1, 3] β=0.5: raw 0.5/0.5 = 1 and 0.5/0.875, normalised to sum 2', () => {
    const raw = [1, 0.5 / 0.875];
    const w = classBalancedWeights([1, 3], 0.5);
    expect(w[0]).toBeCloseTo((2 * raw[0]) / (raw[0] + raw[1]), 12);
    expect(w[1]).toBeCloseTo((2 * raw[1]) / (raw[0] + raw[1]), 12);
  });

  it('rejects a class with no samples', () => {
    expect(() => classBalancedWeights([0, 3])).toThrow(/samplesPerClass\[0\] must be an integer >= 1/);
  });
});

describeBackends('classBalancedSoftmaxLoss', () => {
  it('is the plain mean of w_y·CE: x=[[0,0],[ln 3,0]] y=[0,1] n=[1,3] β=0.5 gives (w₀ ln 2 + w₁ ln 4)/2', async () => {
    const x = tf.tensor2d([[0, 0], [Math.log(3), 0]]);
    const y = tf.tensor1d([0, 1], 'int32');
    const [w0, w1] = classBalancedWeights([1, 3], 0.5);
    expect(await take(classBalancedSoftmaxLoss(x, y, { samplesPerClass: [1, 3], beta: 0.5 }))).toBeCloseTo((w0 * LN2 + w1 * 2 * LN2) / 2, 5);
    // γ = 2 turns each row into the focal term: (1 − ½)² and (1 − ¼)².
    expect(await take(classBalancedSoftmaxLoss(x, y, { samplesPerClass: [1, 3], beta: 0.5, gamma: 2 }))).toBeCloseTo(
      (w0 * 0.25 * LN2 + w1 * 0.5625 * 2 * LN2) / 2,
      5,
    );
    tf.dispose([x, y]);
  });

  it('allocates only its scalar and rejects missing counts', async () => {
    const x = tf.zeros([2, 2]);
    const y = tf.tensor1d([0, 1], 'int32');
    (await expectTensorDelta(() => classBalancedSoftmaxLoss(x, y, { samplesPerClass: [4, 2] }), 1)).dispose();
    expect(() => classBalancedSoftmaxLoss(x, y, undefined as never)).toThrow(InvalidValueError);
    tf.dispose([x, y]);
  });
});
