/**
 * Class-balanced sigmoid focal loss (Cui et al. 2019) with α from effective numbers of samples.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { type ClassCounts, checkClassCounts } from '../../core/class-counts';
import { checkLogitsTargets, checkNumber, checkObject } from '../../internal/checks';
import { asFloat, classRow, focalElements } from '../internal';

/** Options of {@link classBalancedFocalLoss}. @category Losses */
export interface ClassBalancedFocalLossOptions {
  /** Positive and negative counts of the training set (see `classCounts`). */
  counts: ClassCounts;
  /** β of the effective number `E(n) = (1 − βⁿ)/(1 − β)`, in [0, 1). @defaultValue 0.9999 */
  beta?: number;
  /** Focusing parameter γ ≥ 0. @defaultValue 2 */
  gamma?: number;
  /** Factor λ on the loss. @defaultValue 50 */
  lossWeight?: number;
}

/**
 * Defaults of {@link classBalancedFocalLoss}: β = 0.9999 and γ = 2 (imba-explain
 * `configs/_base_/losses/cb_focal.py`, after Cui et al. 2019), λ = 50 (the reference's NIH configs,
 * specs/imbalance.md §3).
 * @category Losses
 */
export const CLASS_BALANCED_FOCAL_LOSS_DEFAULTS = Object.freeze({
  /** Default of {@link ClassBalancedFocalLossOptions.beta}. */
  beta: 0.9999,
  /** Default of {@link ClassBalancedFocalLossOptions.gamma}. */
  gamma: 2,
  /** Default of {@link ClassBalancedFocalLossOptions.lossWeight}. */
  lossWeight: 50,
});

/**
 * The per-class focal α of {@link classBalancedFocalLoss}: `α_c = r_c/(1 + r_c)` with
 * `r_c = E(n⁻_c)/E(n⁺_c) = (1 − β^{n⁻_c})/(1 − β^{n⁺_c})`, computed as
 * `(1 − β^{n⁻})/((1 − β^{n⁺}) + (1 − β^{n⁻}))` so a class without positives gets α = 1.
 * α = 0.5 when n⁺ = n⁻.
 * @param counts - training-set counts
 * @param beta - β in [0, 1); with β = 0 every α is 0.5
 * @returns one α per class
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad counts or β.
 * @see arXiv 1901.05555
 * @example
 * ```ts
 * classBalancedAlpha({ positives: [10], negatives: [10] }); // [0.5]
 * ```
 * @category Losses
 */
export function classBalancedAlpha(counts: ClassCounts, beta: number = CLASS_BALANCED_FOCAL_LOSS_DEFAULTS.beta): number[] {
  const fn = 'classBalancedAlpha';
  const { positives, negatives } = checkClassCounts(fn, 'counts', counts);
  checkNumber(fn, 'beta', beta, 0, 1, { hi: true });
  return alphas(positives, negatives, beta);
}

function alphas(positives: number[], negatives: number[], beta: number): number[] {
  // 1 − βⁿ without cancellation for β near 1: −expm1(n·log β).
  const e = (n: number): number => (beta === 0 ? (n > 0 ? 1 : 0) : -Math.expm1(n * Math.log(beta)));
  return positives.map((p, c) => e(negatives[c]) / (e(p) + e(negatives[c])));
}

/**
 * Sigmoid focal loss whose α per class comes from the effective numbers of positives and negatives.
 *
 * `ℓ = λ·α_t·(1 − p_t)^γ·BCE(x, y)`, averaged over the `N·C` elements, with `α_t = α_c` for
 * positives and `1 − α_c` for negatives and `α_c` from {@link classBalancedAlpha}. A rare class
 * (n⁺ ≪ n⁻) gets α_c near 1, so its positives weigh more.
 * @param logits - `[N, C]` logits
 * @param targets - `[N, C]` labels in {0, 1}
 * @param options - training-set `counts` (required), β, γ and λ
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 1901.05555; arXiv 2204.01729; imba-explain `ClassBalancedLoss`
 * @example
 * ```ts
 * const loss = classBalancedFocalLoss(logits, targets, { counts: classCounts(trainLabels) });
 * ```
 * @category Losses
 */
export function classBalancedFocalLoss(logits: tf.Tensor, targets: tf.Tensor, options: ClassBalancedFocalLossOptions): tf.Scalar {
  const fn = 'classBalancedFocalLoss';
  const [, c] = checkLogitsTargets(fn, logits, targets);
  checkObject(fn, 'options', options);
  if (options === undefined) throw new InvalidValueError(`${fn}: options must hold the training-set counts, got undefined`);
  checkOptions(fn, options, ['counts', 'beta', 'gamma', 'lossWeight']);
  const d = CLASS_BALANCED_FOCAL_LOSS_DEFAULTS;
  const { positives, negatives } = checkClassCounts(fn, 'counts', options.counts, c);
  const beta = checkNumber(fn, 'beta', options.beta ?? d.beta, 0, 1, { hi: true });
  const gamma = checkNumber(fn, 'gamma', options.gamma ?? d.gamma, 0);
  const lossWeight = checkNumber(fn, 'lossWeight', options.lossWeight ?? d.lossWeight, 0);
  const alpha = alphas(positives, negatives, beta);
  return tf.tidy(() => tf.mul(lossWeight, tf.mean(focalElements(logits, asFloat(targets), classRow(alpha), gamma))) as tf.Scalar);
}
