import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { clipGradValue } from '../../src/index';
import { describeBackends, expectTensorDelta } from '../helpers';

describeBackends('clipGradValue', () => {
  it('clamps every element to ±2.5: [3, 4, −12, 1] → [2.5, 2.5, −2.5, 1]', async () => {
    const grads = { a: tf.tensor2d([[3, 4], [-12, 1]]) };
    const out = await expectTensorDelta(() => clipGradValue(grads, 2.5), 1);
    expect(out.a.shape).toEqual([2, 2]);
    expect(Array.from(out.a.dataSync())).toEqual([2.5, 2.5, -2.5, 1]);
    expect(Array.from(grads.a.dataSync())).toEqual([3, 4, -12, 1]);
    tf.dispose([grads.a, out.a]);
  });

  it('throws InvalidValueError naming clipValue', () => {
    const g = tf.scalar(1);
    expect(() => clipGradValue({ g }, -1)).toThrow(/clipGradValue: clipValue must be a positive finite number, got -1/);
    expect(() => clipGradValue({ g }, Infinity)).toThrow(/clipValue must be a positive finite number/);
    g.dispose();
  });
});
