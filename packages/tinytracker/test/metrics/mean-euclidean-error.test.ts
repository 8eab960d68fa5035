import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { meanEuclideanError } from '../../src/metrics/mean-euclidean-error';
import { describeBackends, expectTensorDelta } from '../helpers';

describeBackends('meanEuclideanError', () => {
  it('averages ‖ŷ − y‖₂: (5 + 0 + 13)/3 = 6 (hand values)', async () => {
    const pred = tf.tensor2d([[3, 4], [1, 1], [-5, 12]]);
    const target = tf.tensor2d([[0, 0], [1, 1], [0, 0]]);
    try {
      expect(await expectTensorDelta(() => meanEuclideanError(pred, target), 0)).toBeCloseTo(6, 6);
    } finally {
      tf.dispose([pred, target]);
    }
  });

  it('is symmetric and zero for identical points', () => {
    const a = tf.tensor2d([[1, 2], [3, -4]]);
    const b = tf.tensor2d([[0, 2], [0, 0]]);
    try {
      expect(meanEuclideanError(a, b)).toBeCloseTo(meanEuclideanError(b, a), 6);
      expect(meanEuclideanError(a, a)).toBe(0);
    } finally {
      tf.dispose([a, b]);
    }
  });

  it('rejects mismatched shapes by argument', () => {
    const a = tf.zeros([2, 2]);
    const b = tf.zeros([3, 2]);
    try {
      expect(() => meanEuclideanError(a, b)).toThrow(/meanEuclideanError: target must have shape \[2, 2\], got \[3,2\]/);
      expect(() => meanEuclideanError(tf.zeros([2, 3]), a)).toThrow(ShapeError);
    } finally {
      tf.dispose([a, b]);
    }
  });
});
