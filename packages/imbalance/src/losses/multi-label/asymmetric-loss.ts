/**
 * Asymmetric loss (Ridnik et al. 2021) for multi-label outputs.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkLogitsTargets, checkNumber, checkObject } from '../../internal/checks';
import { asFloat } from '../internal';

/** Options of {@link asymmetricLoss}. @category Losses */
export interface AsymmetricLossOptions {
  /** Focusing parameter γ⁺ of positives. @defaultValue 1 */
  gammaPos?: number;
  /** Focusing parameter γ⁻ of negatives. @defaultValue 4 */
  gammaNeg?: number;
  /** Probability margin m in [0, 1) shifting negatives: `p_m = max(p − m, 0)`; 0 turns it off. @defaultValue 0.05 */
  clip?: number;
  /** Lower clamp of the probability inside the logarithm. @defaultValue 1e-8 */
  eps?: number;
  /** Factor λ on the loss. @defaultValue 1 */
  lossWeight?: number;
}

/**
 * Defaults of {@link asymmetricLoss}: γ⁺ = 1, γ⁻ = 4, m = 0.05 (imba-explain
 * `configs/_base_/losses/asymmetric.py` of the NIH runs; a later revision sets γ⁺ = 0, the mmcls
 * default), eps = 1e-8 and λ = 1 (mmcls `asymmetric_loss`).
 * @category Losses
 */
export const ASYMMETRIC_LOSS_DEFAULTS = Object.freeze({
  /** Default of {@link AsymmetricLossOptions.gammaPos}. */
  gammaPos: 1,
  /** Default of {@link AsymmetricLossOptions.gammaNeg}. */
  gammaNeg: 4,
  /** Default of {@link AsymmetricLossOptions.clip}. */
  clip: 0.05,
  /** Default of {@link AsymmetricLossOptions.eps}. */
  eps: 1e-8,
  /** Default of {@link AsymmetricLossOptions.lossWeight}. */
  lossWeight: 1,
});

/**
 * Asymmetric loss: separate focusing of positives and negatives, and a probability margin that
 * discards easy negatives.
 *
 * Per element, `ℓ⁺ = −(1 − p)^{γ⁺}·log p` for positives and `ℓ⁻ = −p_m^{γ⁻}·log(1 − p_m)` with
 * `p_m = max(p − m, 0)` for negatives; the loss is `λ` times the mean over the `N·C` elements.
 * Probabilities inside the logarithm are clamped at `eps`. With m = 0 and γ⁺ = γ⁻ = 0 it is BCE.
 * @param logits - `[N, C]` logits
 * @param targets - `[N, C]` labels in {0, 1}
 * @param options - γ⁺, γ⁻, m, eps and λ
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 2009.14119; arXiv 2204.01729; mmcls `asymmetric_loss`
 * @example
 * ```ts
 * const loss = asymmetricLoss(logits, targets); // γ⁺ 1, γ⁻ 4, m 0.05
 * ```
 * @category Losses
 */
export function asymmetricLoss(logits: tf.Tensor, targets: tf.Tensor, options: AsymmetricLossOptions = {}): tf.Scalar {
  const fn = 'asymmetricLoss';
  checkLogitsTargets(fn, logits, targets);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['gammaPos', 'gammaNeg', 'clip', 'eps', 'lossWeight']);
  const d = ASYMMETRIC_LOSS_DEFAULTS;
  const gammaPos = checkNumber(fn, 'gammaPos', options.gammaPos ?? d.gammaPos, 0);
  const gammaNeg = checkNumber(fn, 'gammaNeg', options.gammaNeg ?? d.gammaNeg, 0);
  const clip = checkNumber(fn, 'clip', options.clip ?? d.clip, 0, 1, { hi: true });
  const eps = checkNumber(fn, 'eps', options.eps ?? d.eps, 0, 1, { lo: true, hi: true });
  const lossWeight = checkNumber(fn, 'lossWeight', options.lossWeight ?? d.lossWeight, 0);
  return tf.tidy(() => {
    const y = asFloat(targets);
    const p = tf.sigmoid(logits);
    // p_t = p for positives and 1 − p_m = min(1 − p + m, 1) for negatives (mmcls form).
    const negT = clip > 0 ? tf.minimum(tf.add(tf.sub(1, p), clip), 1) : tf.sub(1, p);
    const pt = tf.add(tf.mul(p, y), tf.mul(negT, tf.sub(1, y)));
    const exponent = tf.add(tf.mul(gammaPos, y), tf.mul(gammaNeg, tf.sub(1, y)));
    const base = tf.sub(1, pt);
    // (1 − p_t)^γ with 0^0 = 1; the base is set to 1 where γ = 0 so the gradient stays finite there.
    const weight = tf.pow(tf.where(tf.equal(exponent, 0), tf.onesLike(base), base), exponent);
    const loss = tf.mul(tf.neg(tf.log(tf.maximum(pt, eps))), weight);
    return tf.mul(lossWeight, tf.mean(loss)) as tf.Scalar;
  });
}
