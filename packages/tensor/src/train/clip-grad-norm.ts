import * as tf from '@tensorflow/tfjs-core';
import { type GradMap, checkGradMap, checkPositive } from './grad-map';

/** What {@link clipGradNorm} returns. @category Training */
export interface ClipGradNormResult {
  /** The scaled gradients, same keys and shapes as the input; new tensors the caller disposes. */
  grads: GradMap;
  /** Global L2 norm of the input gradients, before clipping. */
  totalNorm: number;
}

/** The additive guard of PyTorch's `clip_grad_norm_`: `coef = maxNorm / (totalNorm + 1e-6)` (torch/nn/utils/clip_grad.py). @category Training */
export const CLIP_GRAD_NORM_EPS = 1e-6;

/**
 * Scales gradients so that their global L2 norm is at most `maxNorm`, like PyTorch's
 * `torch.nn.utils.clip_grad_norm_` (L2 norm).
 *
 * `totalNorm = sqrt(Σ_g Σ_i g_i²)` over every gradient; each gradient is multiplied by
 * `min(1, maxNorm / (totalNorm + 1e-6))`. Non-finite norms propagate (PyTorch's default
 * `error_if_nonfinite=False`).
 * @param grads - gradients by name (e.g. from `tf.variableGrads`); not disposed
 * @param maxNorm - largest allowed global norm, > 0
 * @returns the clipped gradients (new tensors, caller disposes) and the norm before clipping
 * @throws {@link InvalidValueError} when `grads` is not an object of live tensors or `maxNorm` is not
 * a positive finite number.
 * @see https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
 * @example
 * ```ts
 * const { grads } = tf.variableGrads(() => loss(model.call(x), y), model.parameters());
 * const clipped = clipGradNorm(grads, 1.0);  // grads' norm √(Σ g²) scaled down to ≤ 1
 * optimizer.applyGradients(clipped.grads);
 * tf.dispose([...Object.values(grads), ...Object.values(clipped.grads)]);
 * ```
 * @category Training
 */
export function clipGradNorm(grads: GradMap, maxNorm: number): ClipGradNormResult {
  const fn = 'clipGradNorm';
  checkGradMap(fn, grads);
  checkPositive(fn, 'maxNorm', maxNorm);
  const { grads: out, totalNorm } = clipGradNormTensors(grads, maxNorm);
  const norm = totalNorm.dataSync()[0];
  totalNorm.dispose();
  return { grads: out, totalNorm: norm };
}

/**
 * The tensor computation of {@link clipGradNorm} without a device read (internal, used by `fit`):
 * returns new clipped gradients and the total norm as a scalar tensor, both owned by the caller.
 */
export function clipGradNormTensors(grads: GradMap, maxNorm: number): { grads: GradMap; totalNorm: tf.Scalar } {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const squares = names.map((n) => tf.sum(tf.square(tf.cast(grads[n], 'float32'))));
    const totalNorm = (squares.length === 0 ? tf.scalar(0) : tf.sqrt(tf.addN(squares))) as tf.Scalar;
    const coef = tf.minimum(tf.div(tf.scalar(maxNorm), tf.add(totalNorm, CLIP_GRAD_NORM_EPS)), 1);
    const out: GradMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], coef);
    return { grads: out, totalNorm };
  });
}
