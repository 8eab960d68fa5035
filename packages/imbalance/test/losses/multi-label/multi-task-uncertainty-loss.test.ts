import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { binaryCrossEntropy } from '../../../src/losses/multi-label/binary-cross-entropy';
import { MultiTaskUncertaintyLoss, multiTaskUncertaintyLoss } from '../../../src/losses/multi-label/multi-task-uncertainty-loss';
import { LN2, describeBackends, expectTensorDelta, randomLogits, take } from '../../fixtures/helpers';

/** Per-element BCE from logits, by hand: log(1 + e^{−x}) for y = 1, log(1 + e^{x}) for y = 0. */
function bce(x: number, y: number): number {
  return y === 1 ? Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

describeBackends('multiTaskUncertaintyLoss', () => {
  it('s = [ln 2, 0] at x = 0 gives (½ ln 2 + ln 2)/2 + ½ ln 2 = 1.25 ln 2', async () => {
    const x = tf.zeros([1, 2]);
    const y = tf.tensor2d([[1, 0]]);
    const s = tf.tensor1d([LN2, 0]);
    expect(await take(multiTaskUncertaintyLoss(x, y, s))).toBeCloseTo(1.25 * LN2, 5);
    tf.dispose([x, y, s]);
  });

  it('equals BCE when every s_c = 0', async () => {
    const x = randomLogits(3, 4, 41);
    const y = tf.tensor2d([[1, 0, 0, 1], [0, 1, 0, 0], [1, 1, 1, 0]]);
    const s = tf.zeros([4]);
    expect(await take(multiTaskUncertaintyLoss(x, y, s))).toBeCloseTo(await take(binaryCrossEntropy(x, y)), 5);
    tf.dispose([x, y, s]);
  });

  it('has gradient −e^{−s_c}·BCE_c + ½ with respect to s_c (BCE_c = Σ_n BCE_nc/(N·C))', async () => {
    const xs = [[0.3, -1.2, 2], [1.5, 0.1, -0.7]];
    const ys = [[1, 0, 0], [0, 1, 1]];
    const sv = [0.5, -0.25, 1];
    const x = tf.tensor2d(xs);
    const y = tf.tensor2d(ys);
    const s = tf.tensor1d(sv);
    const g = tf.grad((v: tf.Tensor) => multiTaskUncertaintyLoss(x, y, v))(s);
    const got = await g.data();
    for (let c = 0; c < 3; c++) {
      const bceC = (bce(xs[0][c], ys[0][c]) + bce(xs[1][c], ys[1][c])) / 6;
      expect(got[c]).toBeCloseTo(-Math.exp(-sv[c]) * bceC + 0.5, 5);
    }
    tf.dispose([x, y, s, g]);
  });

  it('allocates only its scalar and rejects a logVariance of the wrong length', async () => {
    const x = tf.zeros([2, 3]);
    const s = tf.zeros([3]);
    (await expectTensorDelta(() => multiTaskUncertaintyLoss(x, x, s), 1)).dispose();
    const short = tf.zeros([2]);
    await expect(expectTensorDelta(() => multiTaskUncertaintyLoss(x, x, short))).rejects.toThrow(/logVariance must have shape \[3\]/);
    tf.dispose([x, s, short]);
  });
});

describeBackends('MultiTaskUncertaintyLoss', () => {
  it('owns one trainable log_variance [C] initialised to 0, and one Adam step lowers s where BCE_c < ½', async () => {
    const mt = await expectTensorDelta(() => new MultiTaskUncertaintyLoss(3), 1);
    expect(mt.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([['log_variance', [3]]]);
    expect(Array.from(await mt.logVariance.data())).toEqual([0, 0, 0]);
    const x = tf.zeros([2, 3]);
    const y = tf.ones([2, 3]);
    // BCE_c = 2·ln 2/6 ≈ 0.231 < ½, so ∂ℓ/∂s_c = −0.231 + 0.5 > 0 and descent lowers s_c.
    const opt = tf.train.sgd(0.1);
    opt.minimize(() => mt.call(x, y), false, mt.parameters());
    const s = await mt.logVariance.data();
    for (const v of s) expect(v).toBeCloseTo(-0.1 * (0.5 - LN2 / 3), 5);
    opt.dispose();
    tf.dispose([x, y]);
    mt.dispose();
  });

  it('rejects a wrong class count, a bad config and logits of another width', () => {
    expect(() => new MultiTaskUncertaintyLoss(0)).toThrow(InvalidValueError);
    expect(() => new MultiTaskUncertaintyLoss(2, { init: 1 } as never)).toThrow(/unknown option 'init'/);
    const mt = new MultiTaskUncertaintyLoss(2, { initialLogVariance: 1 });
    const x = tf.zeros([1, 3]);
    expect(() => mt.call(x, x)).toThrow(ShapeError);
    x.dispose();
    mt.dispose();
  });
});
