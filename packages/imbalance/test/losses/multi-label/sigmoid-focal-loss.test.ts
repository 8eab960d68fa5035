import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ShapeError } from '@lab/tensor';
import { binaryCrossEntropy } from '../../../src/losses/multi-label/binary-cross-entropy';
import { SIGMOID_FOCAL_LOSS_DEFAULTS, sigmoidFocalLoss } from '../../../src/losses/multi-label/sigmoid-focal-loss';
import { LN2, describeBackends, expectTensorDelta, randomLogits, take } from '../../fixtures/helpers';

describeBackends('sigmoidFocalLoss', () => {
  it('equals λ·BCE with γ = 0 and α_t = 1 (α = 1, all-positive targets)', async () => {
    const x = randomLogits(3, 4, 21);
    const y = tf.ones([3, 4]);
    const bce = await take(binaryCrossEntropy(x, y));
    expect(await take(sigmoidFocalLoss(x, y, { gamma: 0, alpha: 1 }))).toBeCloseTo(10 * bce, 4);
    tf.dispose([x, y]);
  });

  it('x=[[0, ln 3]] y=[[1, 0]] with the defaults gives 10·(0.25·0.5²·ln 2 + 0.75·0.75²·ln 4)/2', async () => {
    const x = tf.tensor2d([[0, Math.log(3)]]);
    const y = tf.tensor2d([[1, 0]]);
    // positive: p = 0.5, α_t = 0.25, (1 − p_t)² = 0.25; negative: p = 0.75, α_t = 0.75, (1 − p_t)² = 0.5625.
    const expected = (10 * (0.25 * 0.25 * LN2 + 0.75 * 0.5625 * 2 * LN2)) / 2;
    expect(await take(sigmoidFocalLoss(x, y))).toBeCloseTo(expected, 5);
    // Per-class α [1, 0.5]: 1·0.25·ln 2 and 0.5·0.5625·ln 4.
    expect(await take(sigmoidFocalLoss(x, y, { alpha: [1, 0.5], lossWeight: 1 }))).toBeCloseTo((0.25 * LN2 + 0.5 * 0.5625 * 2 * LN2) / 2, 5);
    tf.dispose([x, y]);
  });

  it('documents the reference defaults α 0.25, γ 2, λ 10', () => {
    expect(SIGMOID_FOCAL_LOSS_DEFAULTS).toEqual({ alpha: 0.25, gamma: 2, lossWeight: 10 });
    expect(Object.isFrozen(SIGMOID_FOCAL_LOSS_DEFAULTS)).toBe(true);
  });

  it('allocates only its scalar and rejects α outside [0, 1] or of the wrong length', async () => {
    const x = tf.zeros([2, 3]);
    (await expectTensorDelta(() => sigmoidFocalLoss(x, x), 1)).dispose();
    expect(() => sigmoidFocalLoss(x, x, { alpha: 1.5 })).toThrow(/alpha must be a finite number >= 0 and <= 1/);
    expect(() => sigmoidFocalLoss(x, x, { alpha: [0.1, 0.2] })).toThrow(ShapeError);
    expect(() => sigmoidFocalLoss(x, x, { alpha: [0.1, 0.2, 2] })).toThrow(/alpha\[2\]/);
    expect(() => sigmoidFocalLoss(x, x, { gamma: -1 })).toThrow(/gamma/);
    x.dispose();
  });
});
