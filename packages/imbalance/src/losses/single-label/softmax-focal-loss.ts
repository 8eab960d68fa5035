/**
 * Softmax focal loss (Lin et al. 2017) for single-label outputs.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkLogitsLabels, checkNumber, checkNumberList, checkObject } from '../../internal/checks';
import { classRow, oneHotRows } from '../internal';

/** Options of {@link softmaxFocalLoss}. @category Losses */
export interface SoftmaxFocalLossOptions {
  /** Focusing parameter γ ≥ 0. @defaultValue 2 */
  gamma?: number;
  /** Weight α_k ≥ 0 per class, `[K]`. @defaultValue all ones */
  classWeights?: readonly number[];
}

/** Defaults of {@link softmaxFocalLoss}: γ = 2 (Lin et al. 2017, §3.2/§5.1); no class weights. @category Losses */
export const SOFTMAX_FOCAL_LOSS_DEFAULTS = Object.freeze({
  /** Default of {@link SoftmaxFocalLossOptions.gamma}. */
  gamma: 2,
});

/**
 * Softmax focal loss: cross-entropy down-weighted on confidently right samples.
 *
 * With `p_i = softmax(x_i)_{y_i}`: `ℓ_i = −α_{y_i}·(1 − p_i)^γ·log p_i`, and the loss is the mean
 * over the N samples. With γ = 0 and unit weights it is the plain cross-entropy.
 * @param logits - `[N, K]` logits
 * @param labels - `[N]` class indices in [0, K)
 * @param options - γ and the class weights
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 1708.02002
 * @example
 * ```ts
 * const loss = softmaxFocalLoss(logits, labels, { gamma: 2 });
 * ```
 * @category Losses
 */
export function softmaxFocalLoss(logits: tf.Tensor, labels: tf.Tensor, options: SoftmaxFocalLossOptions = {}): tf.Scalar {
  const fn = 'softmaxFocalLoss';
  const [, k] = checkLogitsLabels(fn, logits, labels);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['gamma', 'classWeights']);
  const gamma = checkNumber(fn, 'gamma', options.gamma ?? SOFTMAX_FOCAL_LOSS_DEFAULTS.gamma, 0);
  const w = options.classWeights === undefined ? undefined : checkNumberList(fn, 'classWeights', options.classWeights, k, 0);
  return tf.tidy(() => tf.mean(focalRows(logits, oneHotRows(labels, k), gamma, w)) as tf.Scalar);
}

/** Per-sample `−w_{y}·(1 − p_y)^γ·log p_y`, `[N]` (internal, shared with the class-balanced loss). */
export function focalRows(logits: tf.Tensor, oneHot: tf.Tensor, gamma: number, w: readonly number[] | undefined): tf.Tensor {
  const logP = tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1);
  let rows = tf.neg(logP);
  if (gamma !== 0) rows = tf.mul(tf.pow(tf.sub(1, tf.exp(logP)), gamma), rows);
  if (w !== undefined) rows = tf.mul(tf.sum(tf.mul(oneHot, classRow([...w])), 1), rows);
  return rows;
}
