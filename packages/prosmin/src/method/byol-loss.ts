/**
 * BYOL's symmetrised normalised-MSE loss.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { checkTensor } from '../internal/validate';
import { l2Normalize } from '../nn/dino-head';

/**
 * Computes BYOL's loss: for each image, `(2 − 2·cos(q₁, z′₂)) + (2 − 2·cos(q₂, z′₁))`, averaged
 * over the batch, where q are the online predictions and z′ the target projections of the two views.
 * @param predictions - `[2, n, d]`: online predictions of view 1 and view 2
 * @param targets - `[2, n, d]`: target projections of view 1 and view 2 (treated as constants)
 * @returns a scalar in [0, 8]; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for shapes other than `[2, n, d]` or a mismatch
 * @see Grill et al. 2020, arXiv:2006.07733, Eq. 2 and the symmetrised loss of §3.1
 * @example
 * ```ts
 * const loss = byolLoss(tf.stack([q1, q2]), tf.stack([z1, z2])); // 0 when qᵥ ∥ z′ of the other view
 * ```
 * @category Method
 */
export function byolLoss(predictions: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  const fn = 'byolLoss';
  const q = checkTensor(fn, 'predictions', predictions, 3);
  const z = checkTensor(fn, 'targets', targets, 3);
  if (q.shape[0] !== 2) throw new ShapeError(`${fn}: predictions must have shape [2, n, d], got [${q.shape}]`);
  if (z.shape.some((s, i) => s !== q.shape[i])) {
    throw new ShapeError(`${fn}: targets must have the shape of predictions [${q.shape}], got [${z.shape}]`);
  }
  return tf.tidy(() => {
    const qn = l2Normalize(q);
    const zn = l2Normalize(tf.reverse(z, 0)); // pair view 1 with view 2 and vice versa
    const cos = tf.sum(tf.mul(qn, zn), -1); // [2, n]
    return tf.mean(tf.sum(tf.sub(2, tf.mul(cos, 2)), 0)) as tf.Scalar;
  });
}
