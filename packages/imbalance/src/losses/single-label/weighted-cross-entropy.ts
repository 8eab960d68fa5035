/**
 * Softmax cross-entropy with per-class weights.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkLogitsLabels, checkNumberList, checkObject } from '../../internal/checks';
import { classRow, crossEntropyRows, oneHotRows } from '../internal';

/** Options of {@link weightedCrossEntropy}. @category Losses */
export interface WeightedCrossEntropyOptions {
  /** Weight w_k ≥ 0 per class, `[K]`. @defaultValue all ones (plain cross-entropy) */
  classWeights?: readonly number[];
}

/**
 * Softmax cross-entropy of single-label logits with one weight per class, averaged with
 * PyTorch's weighted mean.
 *
 * `ℓ_i = −log softmax(x_i)_{y_i}` and `L = Σ_i w_{y_i}·ℓ_i / Σ_i w_{y_i}` (PyTorch
 * `F.cross_entropy(weight=w)`, `reduction='mean'`). Common choices of `w`: inverse frequency
 * `1/n_k`, or {@link classBalancedWeights}.
 * @param logits - `[N, K]` logits
 * @param labels - `[N]` class indices in [0, K) (int32, or integral floats)
 * @param options - the class weights
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see PyTorch `torch.nn.functional.cross_entropy`
 * @example
 * ```ts
 * const loss = weightedCrossEntropy(logits, labels, { classWeights: [1, 10] });
 * ```
 * @category Losses
 */
export function weightedCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options: WeightedCrossEntropyOptions = {}): tf.Scalar {
  const fn = 'weightedCrossEntropy';
  const [, k] = checkLogitsLabels(fn, logits, labels);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['classWeights']);
  const w = options.classWeights === undefined ? undefined : checkNumberList(fn, 'classWeights', options.classWeights, k, 0);
  return tf.tidy(() => weightedMean(logits, oneHotRows(labels, k), w));
}

/** `Σ w_{y_i}·ℓ_i / Σ w_{y_i}` of cross-entropy rows (plain mean without weights). */
export function weightedMean(logits: tf.Tensor, oneHot: tf.Tensor, w: readonly number[] | undefined): tf.Scalar {
  const ce = crossEntropyRows(logits, oneHot);
  if (w === undefined) return tf.mean(ce) as tf.Scalar;
  const sampleW = tf.sum(tf.mul(oneHot, classRow([...w])), 1);
  return tf.div(tf.sum(tf.mul(sampleW, ce)), tf.sum(sampleW)) as tf.Scalar;
}
