/**
 * Class-balanced softmax loss (Cui et al. 2019): weights from the effective number of samples.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { checkLogitsLabels, checkNumber, checkNumberList, checkObject } from '../../internal/checks';
import { effectiveNumberWeights, oneHotRows } from '../internal';
import { focalRows } from './softmax-focal-loss';

/** Options of {@link classBalancedSoftmaxLoss}. @category Losses */
export interface ClassBalancedSoftmaxLossOptions {
  /** Training samples n_k of each class, `[K]`. */
  samplesPerClass: readonly number[];
  /** β of the effective number `(1 − βⁿ)/(1 − β)`, in [0, 1). @defaultValue 0.9999 */
  beta?: number;
  /** Focal γ ≥ 0; 0 gives the class-balanced softmax cross-entropy. @defaultValue 0 */
  gamma?: number;
}

/**
 * Defaults of {@link classBalancedSoftmaxLoss}: β = 0.9999 (Cui et al. 2019, the long-tailed
 * CIFAR setting) and γ = 0, the paper's class-balanced softmax loss.
 * @category Losses
 */
export const CLASS_BALANCED_SOFTMAX_LOSS_DEFAULTS = Object.freeze({
  /** Default of {@link ClassBalancedSoftmaxLossOptions.beta}. */
  beta: 0.9999,
  /** Default of {@link ClassBalancedSoftmaxLossOptions.gamma}. */
  gamma: 0,
});

/**
 * The class-balanced weights `w_k = (1 − β)/(1 − β^{n_k})`, normalised so that `Σ_k w_k = K`
 * (Cui et al. 2019; `class-balanced-loss` reference code). β = 0 gives all ones; β → 1
 * approaches inverse frequency.
 * @param samplesPerClass - n_k ≥ 1 per class
 * @param beta - β in [0, 1)
 * @returns one weight per class
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for counts below 1 or a bad β.
 * @see arXiv 1901.05555
 * @example
 * ```ts
 * classBalancedWeights([100, 100]); // [1, 1]
 * ```
 * @category Losses
 */
export function classBalancedWeights(samplesPerClass: readonly number[], beta: number = CLASS_BALANCED_SOFTMAX_LOSS_DEFAULTS.beta): number[] {
  const fn = 'classBalancedWeights';
  const n = checkNumberList(fn, 'samplesPerClass', samplesPerClass, undefined, 1, true);
  checkNumber(fn, 'beta', beta, 0, 1, { hi: true });
  return effectiveNumberWeights(n, beta);
}

/**
 * Softmax cross-entropy (or focal loss) weighted per class by the inverse effective number of samples.
 *
 * `L = (1/N)·Σ_i w_{y_i}·FL_γ(x_i, y_i)` with `w` from {@link classBalancedWeights} and
 * `FL_γ = −(1 − p)^γ·log p` (cross-entropy at γ = 0); the plain mean over samples, as the
 * reference's `tf.losses.softmax_cross_entropy` with sample weights.
 * @param logits - `[N, K]` logits
 * @param labels - `[N]` class indices in [0, K)
 * @param options - `samplesPerClass` (required), β and γ
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 1901.05555; richardaecn/class-balanced-loss
 * @example
 * ```ts
 * const loss = classBalancedSoftmaxLoss(logits, labels, { samplesPerClass: [5000, 50] });
 * ```
 * @category Losses
 */
export function classBalancedSoftmaxLoss(logits: tf.Tensor, labels: tf.Tensor, options: ClassBalancedSoftmaxLossOptions): tf.Scalar {
  const fn = 'classBalancedSoftmaxLoss';
  const [, k] = checkLogitsLabels(fn, logits, labels);
  checkObject(fn, 'options', options);
  if (options === undefined) throw new InvalidValueError(`${fn}: options must hold samplesPerClass, got undefined`);
  checkOptions(fn, options, ['samplesPerClass', 'beta', 'gamma']);
  const n = checkNumberList(fn, 'samplesPerClass', options.samplesPerClass, k, 1, true);
  const d = CLASS_BALANCED_SOFTMAX_LOSS_DEFAULTS;
  const beta = checkNumber(fn, 'beta', options.beta ?? d.beta, 0, 1, { hi: true });
  const gamma = checkNumber(fn, 'gamma', options.gamma ?? d.gamma, 0);
  const w = effectiveNumberWeights(n, beta);
  return tf.tidy(() => tf.mean(focalRows(logits, oneHotRows(labels, k), gamma, w)) as tf.Scalar);
}
