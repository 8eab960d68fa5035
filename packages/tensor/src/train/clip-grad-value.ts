import * as tf from '@tensorflow/tfjs-core';
import { type GradMap, checkGradMap, checkPositive } from './grad-map';

/**
 * Clamps every gradient element to `[−clipValue, clipValue]`, like PyTorch's
 * `torch.nn.utils.clip_grad_value_`.
 *
 * `g_i ← min(max(g_i, −clipValue), clipValue)` for every element of every gradient.
 * @param grads - gradients by name (e.g. from `tf.variableGrads`); not disposed
 * @param clipValue - the bound, > 0
 * @returns the clipped gradients: new tensors with the same keys and shapes; the caller disposes them
 * @throws {@link InvalidValueError} when `grads` is not an object of live tensors or `clipValue` is
 * not a positive finite number.
 * @see https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_value_.html
 * @example
 * ```ts
 * const clipped = clipGradValue({ w: tf.tensor1d([3, -12]) }, 2.5); // w → [2.5, −2.5]
 * ```
 * @category Training
 */
export function clipGradValue(grads: GradMap, clipValue: number): GradMap {
  const fn = 'clipGradValue';
  checkGradMap(fn, grads);
  checkPositive(fn, 'clipValue', clipValue);
  return clipGradValueTensors(grads, clipValue);
}

/** {@link clipGradValue} without validation (internal, used by `fit`). */
export function clipGradValueTensors(grads: GradMap, clipValue: number): GradMap {
  return tf.tidy(() => {
    const out: GradMap = {};
    for (const [n, g] of Object.entries(grads)) out[n] = tf.clipByValue(g, -clipValue, clipValue);
    return out;
  });
}
