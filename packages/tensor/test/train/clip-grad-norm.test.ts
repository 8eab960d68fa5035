import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, clipGradNorm } from '../../src/index';
import { describeBackends, expectTensorDelta } from '../helpers';

describeBackends('clipGradNorm', () => {
  it('scales {a: [3, 4], b: [12]} (norm 13) to norm 6.5: a = [1.5, 2], b = [6]', async () => {
    const grads = { a: tf.tensor1d([3, 4]), b: tf.tensor1d([12]) };
    // √(9 + 16 + 144) = 13; coef = 6.5 / (13 + 1e-6) = 0.49999996…
    const out = await expectTensorDelta(() => clipGradNorm(grads, 6.5), 2);
    expect(out.totalNorm).toBeCloseTo(13, 5);
    expect(Array.from(out.grads.a.dataSync())).toEqual([expect.closeTo(1.5, 5), expect.closeTo(2, 5)]);
    expect(out.grads.b.dataSync()[0]).toBeCloseTo(6, 5);
    expect(grads.a.isDisposed).toBe(false);
    tf.dispose([...Object.values(grads), ...Object.values(out.grads)]);
  });

  it('leaves gradients below maxNorm unchanged (coefficient clamped to 1)', () => {
    const grads = { w: tf.tensor2d([[3, -4]]) };
    const out = clipGradNorm(grads, 26);
    expect(out.totalNorm).toBeCloseTo(5, 6);
    expect(Array.from(out.grads.w.dataSync())).toEqual([3, -4]);
    expect(out.grads.w.shape).toEqual([1, 2]);
    tf.dispose([grads.w, out.grads.w]);
  });

  it('returns norm 0 and no gradients for an empty map', async () => {
    const out = await expectTensorDelta(() => clipGradNorm({}, 1), 0);
    expect(out).toEqual({ grads: {}, totalNorm: 0 });
  });

  it('throws InvalidValueError naming maxNorm or the bad gradient', async () => {
    const g = tf.scalar(1);
    await expect(expectTensorDelta(() => clipGradNorm({ g }, 0))).rejects.toThrow(/clipGradNorm: maxNorm must be a positive finite number, got 0/);
    expect(() => clipGradNorm({ g }, NaN)).toThrow(InvalidValueError);
    expect(() => clipGradNorm({ g: [1] as never }, 1)).toThrow(/grads\['g'\] must be a tf.Tensor/);
    expect(() => clipGradNorm([g] as never, 1)).toThrow(/grads must be an object of tensors/);
    g.dispose();
    expect(() => clipGradNorm({ g }, 1)).toThrow(/grads\['g'\] has been disposed/);
  });
});
