/**
 * Sigmoid focal loss (Lin et al. 2017) for multi-label outputs.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkLogitsTargets, checkNumber, checkNumberList, checkObject } from '../../internal/checks';
import { asFloat, classRow, focalElements } from '../internal';

/** Options of {@link sigmoidFocalLoss}. @category Losses */
export interface SigmoidFocalLossOptions {
  /** α, the weight of positives (1 − α for negatives): one number, or one per class in [0, 1]. @defaultValue 0.25 */
  alpha?: number | readonly number[];
  /** Focusing parameter γ ≥ 0. @defaultValue 2 */
  gamma?: number;
  /** Factor λ on the loss. @defaultValue 10 */
  lossWeight?: number;
}

/**
 * Defaults of {@link sigmoidFocalLoss}: α = 0.25 and γ = 2 (Lin et al. 2017, mmcls `FocalLoss`),
 * λ = 10 (imba-explain `configs/_base_/losses/focal.py`, `loss_weight=10.0`).
 * @category Losses
 */
export const SIGMOID_FOCAL_LOSS_DEFAULTS = Object.freeze({
  /** Default of {@link SigmoidFocalLossOptions.alpha}. */
  alpha: 0.25,
  /** Default of {@link SigmoidFocalLossOptions.gamma}. */
  gamma: 2,
  /** Default of {@link SigmoidFocalLossOptions.lossWeight}. */
  lossWeight: 10,
});

/**
 * Sigmoid focal loss: binary cross-entropy down-weighted on well-classified elements.
 *
 * `ℓ = λ·α_t·(1 − p_t)^γ·BCE(x, y)`, averaged over the `N·C` elements, with `p_t = p` for
 * positives and `1 − p` for negatives, and `α_t = α` for positives and `1 − α` for negatives.
 * With γ = 0 and α_t = 1 on every element it is λ·BCE.
 * @param logits - `[N, C]` logits
 * @param targets - `[N, C]` labels in {0, 1}
 * @param options - α, γ and λ
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes or a per-class α of the wrong length;
 * {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 1708.02002; arXiv 2204.01729; mmcls `sigmoid_focal_loss`
 * @example
 * ```ts
 * const loss = sigmoidFocalLoss(logits, targets); // α 0.25, γ 2, λ 10
 * ```
 * @category Losses
 */
export function sigmoidFocalLoss(logits: tf.Tensor, targets: tf.Tensor, options: SigmoidFocalLossOptions = {}): tf.Scalar {
  const fn = 'sigmoidFocalLoss';
  const [, c] = checkLogitsTargets(fn, logits, targets);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['alpha', 'gamma', 'lossWeight']);
  const d = SIGMOID_FOCAL_LOSS_DEFAULTS;
  const alpha = options.alpha ?? d.alpha;
  const alphaValue = typeof alpha === 'number' ? checkNumber(fn, 'alpha', alpha, 0, 1) : checkNumberList(fn, 'alpha', alpha, c, 0);
  if (Array.isArray(alphaValue)) alphaValue.forEach((a, i) => checkNumber(fn, `alpha[${i}]`, a, 0, 1));
  const gamma = checkNumber(fn, 'gamma', options.gamma ?? d.gamma, 0);
  const lossWeight = checkNumber(fn, 'lossWeight', options.lossWeight ?? d.lossWeight, 0);
  return tf.tidy(() => {
    const a = typeof alphaValue === 'number' ? alphaValue : classRow(alphaValue);
    return tf.mul(lossWeight, tf.mean(focalElements(logits, asFloat(targets), a, gamma))) as tf.Scalar;
  });
}
