/**
 * The scoring-rule loss of ProSMIN, as its reference code computes it.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { checkNumber, checkOptions, checkTensor } from '../internal/validate';
import { triangle } from '../scoring/energy-score';

/** Options of {@link prosminLoss}; defaults in {@link PROSMIN_LOSS_DEFAULTS}. @category Method */
export interface ProsminLossOptions {
  /**
   * Weight λ of the spread term. λ = 2 makes the loss exactly twice the "fair" energy score
   * (β = 1, mean-absolute distance); λ > 2 rewards over-dispersion (see the README).
   * @defaultValue 2.4
   */
  lambda?: number;
  /** Overall factor of the loss. @defaultValue 10 */
  scale?: number;
}

/** Defaults of {@link ProsminLossOptions}: `lamda = 2.4` and the factor 10 of `SCORELoss` (amirvhd/SSL-sore-rule `scoreloss.py`, `main_prosmin.py`). @category Method */
export const PROSMIN_LOSS_DEFAULTS = Object.freeze({
  /** Default of {@link ProsminLossOptions.lambda}. */
  lambda: 2.4,
  /** Default of {@link ProsminLossOptions.scale}. */
  scale: 10,
});

/**
 * Computes ProSMIN's loss of M online samples per view against the centred target outputs of the
 * global views.
 *
 * With `MAE(a, b)` the mean absolute difference over batch and dimensions,
 * `L = scale · [ (1/(M·G·V)) Σ_{i,g,v} 2·MAE(s_i^{(v)}, t^{(g)}) − (λ/M)·(1/(M−1)) Σ_{i<j} MAE(s_i, s_j) ]`,
 * where the spread MAE runs over all views at once. Same-view pairs (v = g) are kept, as in the
 * code. The code's additive constants 0.000009 (no effect on gradients) are left out.
 * Per instance and view pair this is `2·E|X − y| − (λ/2)·E|X − X′|` with a U-statistic spread,
 * so λ = 2 gives `2 · scale ·` the mean "fair" {@link energyScore} (β = 1, mean-absolute distance).
 * @param samples - `[M, V, n, d]`: M ≥ 2 reparameterised samples of each of V online views
 * @param targets - `[G, n, d]`: target outputs of the G global views, already centred
 * @param options - see {@link ProsminLossOptions}
 * @returns a scalar; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes or M < 2; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @see arXiv:2309.02048, Eqs. 4–6; amirvhd/SSL-sore-rule `scoreloss.py`
 * @example
 * ```ts
 * const loss = prosminLoss(samples, tf.sub(targetOut, center), { lambda: 2.4 });
 * ```
 * @category Method
 */
export function prosminLoss(samples: tf.Tensor, targets: tf.Tensor, options: ProsminLossOptions = {}): tf.Scalar {
  const fn = 'prosminLoss';
  checkOptions(fn, options, ['lambda', 'scale']);
  const s = checkTensor(fn, 'samples', samples, 4);
  const t = checkTensor(fn, 'targets', targets, 3);
  const [m, , n, d] = s.shape;
  if (m < 2) throw new ShapeError(`${fn}: samples must hold M >= 2 samples (axis 0), got shape [${s.shape}]`);
  if (t.shape[1] !== n || t.shape[2] !== d) {
    throw new ShapeError(`${fn}: targets must have shape [G, ${n}, ${d}] to match samples [${s.shape}], got [${t.shape}]`);
  }
  const lambda = checkNumber(fn, 'lambda', options.lambda ?? PROSMIN_LOSS_DEFAULTS.lambda, 0);
  const scale = checkNumber(fn, 'scale', options.scale ?? PROSMIN_LOSS_DEFAULTS.scale, 0);
  return tf.tidy(() => {
    // [M, 1, V, n, d] − [1, G, 1, n, d]: every sample, target view and online view.
    const fit = tf.mean(tf.abs(tf.sub(tf.expandDims(s, 1), tf.expandDims(tf.expandDims(t, 1), 0))));
    // MAE of every sample pair over views, batch and dims, [M, M]; the strict upper triangle keeps i < j.
    const pairMae = tf.mean(tf.abs(tf.sub(tf.expandDims(s, 1), tf.expandDims(s, 0))), [2, 3, 4]);
    const pairSum = tf.sum(tf.mul(pairMae, tf.tensor2d(triangle(m), [m, m])));
    const spread = tf.mul(pairSum, lambda / (m * (m - 1)));
    return tf.mul(tf.sub(tf.mul(fit, 2), spread), scale) as tf.Scalar;
  });
}
