import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { softmaxFocalLoss } from '../../../src/losses/single-label/softmax-focal-loss';
import { weightedCrossEntropy } from '../../../src/losses/single-label/weighted-cross-entropy';
import { LN2, describeBackends, expectTensorDelta, randomLogits, take } from '../../fixtures/helpers';

describeBackends('softmaxFocalLoss', () => {
  it('equals cross-entropy at γ = 0', async () => {
    const x = randomLogits(5, 4, 61);
    const y = tf.tensor1d([0, 3, 1, 1, 2], 'int32');
    expect(await take(softmaxFocalLoss(x, y, { gamma: 0 }))).toBeCloseTo(await take(weightedCrossEntropy(x, y)), 5);
    tf.dispose([x, y]);
  });

  it('x=[[0, 0], [ln 3, 0]] y=[0, 1] γ=2 gives (0.5²·ln 2 + 0.75²·ln 4)/2, class weights multiply rows', async () => {
    const x = tf.tensor2d([[0, 0], [Math.log(3), 0]]);
    const y = tf.tensor1d([0, 1], 'int32');
    // p_y = ½ and ¼: (1 − ½)² ln 2 and (1 − ¼)² ln 4.
    expect(await take(softmaxFocalLoss(x, y))).toBeCloseTo((0.25 * LN2 + 0.5625 * 2 * LN2) / 2, 5);
    expect(await take(softmaxFocalLoss(x, y, { classWeights: [2, 0] }))).toBeCloseTo((2 * 0.25 * LN2) / 2, 5);
    tf.dispose([x, y]);
  });

  it('allocates only its scalar and rejects a negative γ', async () => {
    const x = tf.zeros([2, 2]);
    const y = tf.tensor1d([0, 1], 'int32');
    (await expectTensorDelta(() => softmaxFocalLoss(x, y), 1)).dispose();
    expect(() => softmaxFocalLoss(x, y, { gamma: -0.5 })).toThrow(/softmaxFocalLoss: gamma/);
    tf.dispose([x, y]);
  });
});
