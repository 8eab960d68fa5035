import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { binaryCrossEntropy } from '../../../src/losses/multi-label/binary-cross-entropy';
import { LN2, describeBackends, expectTensorDelta, take } from '../../fixtures/helpers';

describeBackends('binaryCrossEntropy', () => {
  it('x=[[0, ln 3]] y=[[1, 0]] gives (ln 2 + ln 4)/2', async () => {
    const x = tf.tensor2d([[0, Math.log(3)]]);
    const y = tf.tensor2d([[1, 0]]);
    // p = [0.5, 0.75]: −log 0.5 = ln 2 and −log(1 − 0.75) = ln 4 = 2 ln 2; mean 1.5 ln 2.
    expect(await take(binaryCrossEntropy(x, y))).toBeCloseTo(1.5 * LN2, 5);
    // posWeight [3, 1] triples the positive term: (3 ln 2 + 2 ln 2)/2 = 2.5 ln 2.
    expect(await take(binaryCrossEntropy(x, y, { posWeight: [3, 1] }))).toBeCloseTo(2.5 * LN2, 5);
    tf.dispose([x, y]);
  });

  it('stays finite for logits of ±100: the loss of a confidently wrong element is |x|', async () => {
    const x = tf.tensor2d([[100, -100]]);
    const y = tf.tensor2d([[0, 1]]);
    expect(await take(binaryCrossEntropy(x, y))).toBeCloseTo(100, 3); // softplus(100) ≈ 100 each
    tf.dispose([x, y]);
  });

  it('allocates only its scalar, also on the error path', async () => {
    const x = tf.zeros([4, 3]);
    const y = tf.ones([4, 3]);
    const loss = await expectTensorDelta(() => binaryCrossEntropy(x, y), 1);
    loss.dispose();
    const wrong = tf.ones([4, 2]);
    await expect(expectTensorDelta(() => binaryCrossEntropy(x, wrong))).rejects.toThrow(ShapeError);
    tf.dispose([x, y, wrong]);
  });

  it('rejects mismatched shapes, a wrong-length posWeight and unknown options by name', () => {
    const x = tf.zeros([2, 3]);
    const narrow = tf.zeros([2, 2]);
    const flat = tf.zeros([6]);
    expect(() => binaryCrossEntropy(x, narrow)).toThrow(/targets must have the logits' shape/);
    expect(() => binaryCrossEntropy(flat, flat)).toThrow(/logits must have shape \[N, C\]/);
    expect(() => binaryCrossEntropy(x, x, { posWeight: [1, 2] })).toThrow(ShapeError);
    expect(() => binaryCrossEntropy(x, x, { posWeight: [1, -2, 1] })).toThrow(/posWeight\[1\]/);
    expect(() => binaryCrossEntropy(x, x, { pos_weight: [1, 1, 1] } as never)).toThrow(InvalidValueError);
    tf.dispose([x, narrow, flat]);
  });
});
