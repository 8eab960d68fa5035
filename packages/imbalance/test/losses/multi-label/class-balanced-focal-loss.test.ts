import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { classBalancedAlpha, classBalancedFocalLoss } from '../../../src/losses/multi-label/class-balanced-focal-loss';
import { sigmoidFocalLoss } from '../../../src/losses/multi-label/sigmoid-focal-loss';
import { describeBackends, expectTensorDelta, randomLogits, take } from '../../fixtures/helpers';

describe('classBalancedAlpha', () => {
  it('is 0.5 when n⁺ = n⁻, for any β', () => {
    expect(classBalancedAlpha({ positives: [10, 500], negatives: [10, 500] })).toEqual([0.5, 0.5]);
    expect(classBalancedAlpha({ positives: [3], negatives: [3] }, 0.5)).toEqual([0.5]);
  });

  it('n⁺=1 n⁻=3 β=0.5 gives (1 − 0.125)/((1 − 0.5) + (1 − 0.125)) = 0.875/1.375', () => {
    expect(classBalancedAlpha({ positives: [1], negatives: [3] }, 0.5)[0]).toBeCloseTo(0.875 / 1.375, 12);
  });

  it('approaches n⁻/(n⁺ + n⁻) for β → 1 and gives α = 1 to a class without positives', () => {
    // E(n) → n as β → 1: α → n⁻/(n⁺ + n⁻) = 90/100.
    expect(classBalancedAlpha({ positives: [10], negatives: [90] }, 1 - 1e-9)[0]).toBeCloseTo(0.9, 6);
    expect(classBalancedAlpha({ positives: [0], negatives: [7] })).toEqual([1]);
  });

  it('rejects β outside [0, 1)', () => {
    expect(() => classBalancedAlpha({ positives: [1], negatives: [1] }, 1)).toThrow(InvalidValueError);
  });
});

describeBackends('classBalancedFocalLoss', () => {
  it('equals the sigmoid focal loss with α = classBalancedAlpha(counts) and λ = 50', async () => {
    const counts = { positives: [5, 40, 20], negatives: [95, 60, 80] };
    const x = randomLogits(4, 3, 31);
    const y = tf.tensor2d([[1, 0, 0], [0, 1, 1], [0, 0, 1], [1, 1, 0]]);
    const expected = await take(sigmoidFocalLoss(x, y, { alpha: classBalancedAlpha(counts), gamma: 2, lossWeight: 50 }));
    expect(await take(classBalancedFocalLoss(x, y, { counts }))).toBeCloseTo(expected, 4);
    tf.dispose([x, y]);
  });

  it('allocates only its scalar and rejects unknown options', async () => {
    const x = tf.zeros([2, 1]);
    const counts = { positives: [1], negatives: [1] };
    (await expectTensorDelta(() => classBalancedFocalLoss(x, x, { counts }), 1)).dispose();
    expect(() => classBalancedFocalLoss(x, x, { counts, alpha: 0.5 } as never)).toThrow(/unknown option 'alpha'/);
    x.dispose();
  });
});
