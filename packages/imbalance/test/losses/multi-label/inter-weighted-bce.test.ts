import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { interClassWeights, interWeightedBce } from '../../../src/losses/multi-label/inter-weighted-bce';
import { LN2, describeBackends, expectTensorDelta, take } from '../../fixtures/helpers';

const COUNTS = { positives: [3, 1], negatives: [1, 3] };
// w = √(3/(3+4)), √(1/7); normalised: √3/(√3+1) and 1/(√3+1).
const W0 = Math.sqrt(3) / (Math.sqrt(3) + 1);
const W1 = 1 / (Math.sqrt(3) + 1);

describe('interClassWeights', () => {
  it('positives [3, 1] give √3/(√3+1) and 1/(√3+1)', () => {
    const w = interClassWeights(COUNTS);
    expect(w[0]).toBeCloseTo(W0, 12);
    expect(w[1]).toBeCloseTo(W1, 12);
  });

  it('gives weight 0 to a class without positives and rejects all-zero positives', () => {
    expect(interClassWeights({ positives: [4, 0], negatives: [0, 4] })).toEqual([1, 0]);
    expect(() => interClassWeights({ positives: [0, 0], negatives: [4, 4] })).toThrow(InvalidValueError);
  });
});

describeBackends('interWeightedBce', () => {
  it('x=[[0, ln 3]] y=[[1, 1]] gives 15·(ŵ₀ ln 2 + ŵ₁ ln(4/3))/2', async () => {
    const x = tf.tensor2d([[0, Math.log(3)]]);
    const y = tf.tensor2d([[1, 1]]);
    const expected = (15 * (W0 * LN2 + W1 * Math.log(4 / 3))) / 2; // p = 0.5, 0.75
    expect(await take(interWeightedBce(x, y, { counts: COUNTS }))).toBeCloseTo(expected, 5);
    expect(await take(interWeightedBce(x, y, { counts: COUNTS, lossWeight: 1 }))).toBeCloseTo(expected / 15, 5);
    tf.dispose([x, y]);
  });

  it('allocates only its scalar and rejects a negative lossWeight', async () => {
    const x = tf.zeros([2, 2]);
    (await expectTensorDelta(() => interWeightedBce(x, x, { counts: COUNTS }), 1)).dispose();
    expect(() => interWeightedBce(x, x, { counts: COUNTS, lossWeight: -1 })).toThrow(/lossWeight must be a finite number >= 0/);
    x.dispose();
  });
});
