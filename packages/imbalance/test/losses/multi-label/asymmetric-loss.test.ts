import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { asymmetricLoss } from '../../../src/losses/multi-label/asymmetric-loss';
import { binaryCrossEntropy } from '../../../src/losses/multi-label/binary-cross-entropy';
import { LN2, describeBackends, expectTensorDelta, randomLogits, take } from '../../fixtures/helpers';

describeBackends('asymmetricLoss', () => {
  it('equals BCE with m = 0 and γ⁺ = γ⁻ = 0', async () => {
    const x = randomLogits(3, 4, 51);
    const y = tf.tensor2d([[1, 0, 0, 1], [0, 1, 0, 0], [1, 1, 1, 0]]);
    const bce = await take(binaryCrossEntropy(x, y));
    expect(await take(asymmetricLoss(x, y, { clip: 0, gammaPos: 0, gammaNeg: 0 }))).toBeCloseTo(bce, 4);
    tf.dispose([x, y]);
  });

  it('x=[[0, ln 3]] y=[[1, 0]] with the defaults gives (0.5·ln 2 + 0.7⁴·(−ln 0.3))/2', async () => {
    const x = tf.tensor2d([[0, Math.log(3)]]);
    const y = tf.tensor2d([[1, 0]]);
    // positive: (1 − 0.5)¹·ln 2; negative: p = 0.75, p_m = 0.70, 0.7⁴·(−log(1 − 0.7)).
    const expected = (0.5 * LN2 + 0.7 ** 4 * -Math.log(0.3)) / 2;
    expect(await take(asymmetricLoss(x, y))).toBeCloseTo(expected, 5);
    tf.dispose([x, y]);
  });

  it('discards a negative whose probability is below the margin', async () => {
    const x = tf.tensor2d([[-5]]); // p ≈ 0.0067 < m = 0.05: p_m = 0, loss 0
    const y = tf.tensor2d([[0]]);
    expect(await take(asymmetricLoss(x, y))).toBe(0);
    tf.dispose([x, y]);
  });

  it('has a finite gradient with γ = 0 and a saturated negative', async () => {
    const x = tf.tensor2d([[-5, 0.3]]);
    const y = tf.tensor2d([[0, 1]]);
    const g = tf.grad((v: tf.Tensor) => asymmetricLoss(v, y, { gammaPos: 0, gammaNeg: 0 }))(x);
    const values = await g.data();
    expect(values[0]).toBe(0); // the margin cuts the negative off
    expect(values[1]).toBeCloseTo((-(1 - 1 / (1 + Math.exp(-0.3)))) / 2, 5); // −(1 − p)/2 for the positive
    tf.dispose([x, y, g]);
  });

  it('allocates only its scalar and rejects a margin of 1', async () => {
    const x = tf.zeros([2, 2]);
    (await expectTensorDelta(() => asymmetricLoss(x, x), 1)).dispose();
    expect(() => asymmetricLoss(x, x, { clip: 1 })).toThrow(/clip must be a finite number >= 0 and < 1/);
    x.dispose();
  });
});
