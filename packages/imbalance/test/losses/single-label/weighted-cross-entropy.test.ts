import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { weightedCrossEntropy } from '../../../src/losses/single-label/weighted-cross-entropy';
import { LN2, describeBackends, expectTensorDelta, take } from '../../fixtures/helpers';

describeBackends('weightedCrossEntropy', () => {
  it('x=[[0, 0], [ln 3, 0]] y=[0, 1] gives (ln 2 + ln 4)/2, and (ln 2 + 3 ln 4)/4 with weights [1, 3]', async () => {
    const x = tf.tensor2d([[0, 0], [Math.log(3), 0]]);
    const y = tf.tensor1d([0, 1], 'int32');
    // softmax rows: [½, ½] and [¾, ¼]: −log ½ = ln 2, −log ¼ = ln 4.
    expect(await take(weightedCrossEntropy(x, y))).toBeCloseTo(1.5 * LN2, 5);
    expect(await take(weightedCrossEntropy(x, y, { classWeights: [1, 3] }))).toBeCloseTo((LN2 + 3 * 2 * LN2) / 4, 5);
    tf.dispose([x, y]);
  });

  it('accepts integral float labels', async () => {
    const x = tf.tensor2d([[0, 0]]);
    const y = tf.tensor1d([1]);
    expect(await take(weightedCrossEntropy(x, y))).toBeCloseTo(LN2, 5);
    tf.dispose([x, y]);
  });

  it('allocates only its scalar and rejects labels out of range, of the wrong shape or non-integral', async () => {
    const x = tf.zeros([2, 3]);
    const y = tf.tensor1d([0, 2], 'int32');
    (await expectTensorDelta(() => weightedCrossEntropy(x, y), 1)).dispose();
    const bad = tf.tensor1d([0, 3], 'int32');
    const half = tf.tensor1d([0, 0.5]);
    const long = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => weightedCrossEntropy(x, bad)).toThrow(/labels must be class indices in \[0, 3\), got 3 at \[1\]/);
    expect(() => weightedCrossEntropy(x, half)).toThrow(InvalidValueError);
    expect(() => weightedCrossEntropy(x, long)).toThrow(ShapeError);
    expect(() => weightedCrossEntropy(x, y, { classWeights: [1, 1] })).toThrow(ShapeError);
    tf.dispose([x, y, bad, half, long]);
  });
});
