import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { byolLoss } from '../../src/method/byol-loss';

const loss = (q: number[][][], z: number[][][]): number => tf.tidy(() => byolLoss(tf.tensor3d(q), tf.tensor3d(z)).dataSync()[0]);

describeBackends('byolLoss', () => {
  it('is 0 when each prediction points like the other view’s target, whatever the norms', () => {
    expect(loss([[[1, 0]], [[0, 2]]], [[[0, 5]], [[3, 0]]])).toBeCloseTo(0, 6);
  });

  it('is 4 for orthogonal pairs and 8 for opposite pairs (2 − 2cos, summed over both views)', () => {
    // q₁ = (1,0) against z₂ = (0,1) and q₂ = (0,1) against z₁ = (1,0): both orthogonal, 2 + 2.
    expect(loss([[[1, 0]], [[0, 1]]], [[[1, 0]], [[0, 1]]])).toBeCloseTo(4, 5);
    expect(loss([[[1, 0]], [[0, 1]]], [[[0, -1]], [[-1, 0]]])).toBeCloseTo(8, 5);
  });

  it('averages over the batch: (0 + 8)/2 for one aligned and one opposite image', () => {
    const q = [[[1, 0], [1, 0]], [[1, 0], [1, 0]]];
    const z = [[[1, 0], [-1, 0]], [[1, 0], [-1, 0]]];
    expect(loss(q, z)).toBeCloseTo(4, 5);
  });

  it('returns one new tensor and rejects shapes other than [2, n, d]', async () => {
    const q = tf.ones([2, 3, 4]);
    const z = tf.ones([2, 3, 4]);
    const l = await expectTensorDelta(() => byolLoss(q, z), 1);
    const three = tf.ones([3, 3, 4]);
    expect(() => byolLoss(three, three)).toThrow(ShapeError);
    expect(() => byolLoss(q, tf.ones([2, 3, 5]))).toThrow(/targets must have the shape of predictions/);
    tf.dispose([q, z, l, three]);
  });
});
