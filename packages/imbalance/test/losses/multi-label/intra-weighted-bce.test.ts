import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { binaryCrossEntropy } from '../../../src/losses/multi-label/binary-cross-entropy';
import { intraFallbackWeight, intraWeightedBce } from '../../../src/losses/multi-label/intra-weighted-bce';
import { LN2, describeBackends, expectTensorDelta, randomLogits, take } from '../../fixtures/helpers';

const COUNTS = { positives: [10, 4], negatives: [30, 36] }; // n⁻/n⁺ = 3 and 9: fallback 3

describeBackends('intraWeightedBce', () => {
  it('equals BCE on a batch with as many positives as negatives in every class', async () => {
    const x = randomLogits(4, 2, 11);
    const y = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0]]);
    const expected = await take(binaryCrossEntropy(x, y)); // w⁺ = N⁻/N⁺ = 2/2 = 1 in both classes
    expect(await take(intraWeightedBce(x, y, { counts: COUNTS }))).toBeCloseTo(expected, 5);
    tf.dispose([x, y]);
  });

  it('weights positives by the batch ratio N⁻/N⁺ and falls back to min n⁻/n⁺ for an all-positive class', async () => {
    const x = tf.zeros([3, 2]); // every element has BCE ln 2
    const y = tf.tensor2d([[1, 1], [0, 1], [0, 1]]);
    // class 0: w⁺ = 2/1 → 2 ln 2 + ln 2 + ln 2; class 1 has no negative → w⁺ = min(30/10, 36/4) = 3 → 3·3 ln 2.
    // Σ = 13 ln 2 over 6 elements.
    expect(await take(intraWeightedBce(x, y, { counts: COUNTS }))).toBeCloseTo((13 / 6) * LN2, 5);
    expect(await take(intraWeightedBce(x, y, { counts: COUNTS, lossWeight: 2 }))).toBeCloseTo((13 / 3) * LN2, 5);
    tf.dispose([x, y]);
  });

  it('allocates only its scalar', async () => {
    const x = tf.zeros([3, 2]);
    const y = tf.ones([3, 2]);
    (await expectTensorDelta(() => intraWeightedBce(x, y, { counts: COUNTS }), 1)).dispose();
    tf.dispose([x, y]);
  });

  it('rejects missing counts, counts of another class count and unknown options', () => {
    const x = tf.zeros([2, 2]);
    expect(() => intraWeightedBce(x, x, undefined as never)).toThrow(/training-set counts/);
    expect(() => intraWeightedBce(x, x, { counts: { positives: [1, 2, 3], negatives: [1, 1, 1] } })).toThrow(ShapeError);
    expect(() => intraWeightedBce(x, x, { counts: { positives: [1.5, 2], negatives: [1, 1] } })).toThrow(/counts\.positives\[0\]/);
    expect(() => intraWeightedBce(x, x, { counts: COUNTS, weight: 1 } as never)).toThrow(InvalidValueError);
    x.dispose();
  });
});

describe('intraFallbackWeight', () => {
  it('is the smallest n⁻/n⁺ over classes with positives', () => {
    expect(intraFallbackWeight({ positives: [2, 5, 0], negatives: [8, 5, 10] })).toBe(1); // min(4, 1); class 2 skipped
  });

  it('rejects a training set without any positive', () => {
    expect(() => intraFallbackWeight({ positives: [0, 0], negatives: [3, 3] })).toThrow(InvalidValueError);
  });
});
