/**
 * The energy score of a sample ensemble against an observation.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { checkChoice, checkNumber, checkOptions, checkTensor } from '../internal/validate';

/** Distance between two vectors inside the energy score. @category Scoring rules */
export type EnergyDistance = 'euclidean' | 'mean-absolute';

/** Options of {@link energyScore}; defaults in {@link ENERGY_SCORE_DEFAULTS}. @category Scoring rules */
export interface EnergyScoreOptions {
  /**
   * Exponent β ∈ (0, 2]. Strictly proper for β ∈ (0, 2); at β = 2 only the mean matters.
   * @defaultValue 1
   */
  beta?: number;
  /**
   * `'nrg'`: V-statistic spread term `1/(2M²) Σ_{i,j}`; `'fair'`: U-statistic `1/(2M(M−1)) Σ_{i≠j}`,
   * unbiased for the score of the sampled distribution (needs M ≥ 2).
   * @defaultValue 'nrg'
   */
  estimator?: 'nrg' | 'fair';
  /**
   * `'euclidean'`: ‖v‖₂ (Gneiting & Raftery). `'mean-absolute'`: (1/d)·Σ|vₖ|, the metric of the
   * ProSMIN loss (with β = 1 this is the mean over coordinates of the 1-D CRPS, proper but only
   * for the marginals).
   * @defaultValue 'euclidean'
   */
  distance?: EnergyDistance;
}

/**
 * Defaults of {@link EnergyScoreOptions}: β = 1 and the "nrg" estimator as `scoringrules.energy_score`
 * (frazane/scoringrules), Euclidean distance as Gneiting & Raftery 2007, Eq. 22.
 * @category Scoring rules
 */
export const ENERGY_SCORE_DEFAULTS = Object.freeze({
  /** Default of {@link EnergyScoreOptions.beta}. */
  beta: 1,
  /** Default of {@link EnergyScoreOptions.estimator}. */
  estimator: 'nrg',
  /** Default of {@link EnergyScoreOptions.distance}. */
  distance: 'euclidean',
} as const);

/**
 * Computes the energy score of an ensemble of M samples against an observation (lower is better).
 *
 * `ES_β(P, y) = E‖X − y‖^β − ½ E‖X − X′‖^β` with X, X′ iid from P, estimated from samples
 * `x₁…x_M` as `(1/M) Σᵢ ‖xᵢ − y‖^β − c · Σ_{i<j} ‖xᵢ − xⱼ‖^β` where `c = 1/M²` ("nrg") or
 * `1/(M(M−1))` ("fair"). For d = 1 and β = 1 it is the CRPS. Differentiable in both inputs
 * (the pairwise term keeps i < j only, so no zero self-distance enters a gradient).
 * @param samples - `[…, M, d]`, float32: M samples per instance
 * @param observation - `[…, d]`, float32, with the same leading shape
 * @param options - see {@link EnergyScoreOptions}
 * @returns the score per instance, `[…]` (a scalar for `[M, d]` samples); the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when the shapes do not match
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for β outside (0, 2], M < 2 with "fair", or an unknown option
 * @see Gneiting & Raftery 2007, doi:10.1198/016214506000001437; https://github.com/frazane/scoringrules
 * @example
 * ```ts
 * const x = tf.tensor3d([[[0], [2]]]);            // one instance, M = 2 samples in d = 1
 * const es = energyScore(x, tf.tensor2d([[1]]));  // [1]: (1 + 1)/2 − 2/4 = 0.5
 * ```
 * @category Scoring rules
 */
export function energyScore(samples: tf.Tensor, observation: tf.Tensor, options: EnergyScoreOptions = {}): tf.Tensor {
  const fn = 'energyScore';
  checkOptions(fn, options, ['beta', 'estimator', 'distance']);
  const x = checkTensor(fn, 'samples', samples);
  const y = checkTensor(fn, 'observation', observation);
  if (x.rank < 2) throw new ShapeError(`${fn}: samples must have rank >= 2 ([…, M, d]), got shape [${x.shape}]`);
  const lead = x.shape.slice(0, -2);
  const m = x.shape[x.rank - 2];
  const d = x.shape[x.rank - 1];
  const expected = [...lead, d];
  if (y.rank !== expected.length || y.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(`${fn}: observation must have shape [${expected}] to match samples [${x.shape}], got [${y.shape}]`);
  }
  if (m < 1 || d < 1) throw new ShapeError(`${fn}: samples must hold M >= 1 samples of d >= 1 values, got shape [${x.shape}]`);
  const beta = checkNumber(fn, 'beta', options.beta ?? ENERGY_SCORE_DEFAULTS.beta, 0, 2, { lo: true });
  const estimator = checkChoice(fn, 'estimator', options.estimator ?? ENERGY_SCORE_DEFAULTS.estimator, ['nrg', 'fair'] as const);
  const distance = checkChoice(fn, 'distance', options.distance ?? ENERGY_SCORE_DEFAULTS.distance, ['euclidean', 'mean-absolute'] as const);
  if (estimator === 'fair' && m < 2) throw new ShapeError(`${fn}: the 'fair' estimator needs M >= 2 samples, got M = ${m}`);

  return tf.tidy(() => {
    const dist = (v: tf.Tensor): tf.Tensor => {
      // ‖v‖^β over the last axis.
      if (distance === 'euclidean') return tf.pow(tf.sum(tf.square(v), -1), beta / 2);
      const a = tf.mean(tf.abs(v), -1);
      return beta === 1 ? a : tf.pow(a, beta);
    };
    const fit = tf.mean(dist(tf.sub(x, tf.expandDims(y, -2))), -1);
    if (m === 1) return fit;
    // All pairs by broadcasting ([…, M, M, d]); the strict upper triangle keeps i < j. The
    // diagonal gets a unit offset before the power so that no zero distance enters a gradient
    // (gather has no wasm gradient kernel).
    const diff = tf.sub(tf.expandDims(x, -2), tf.expandDims(x, -3));
    const upper = tf.tensor2d(triangle(m), [m, m]);
    const offset = tf.eye(m);
    const pd =
      distance === 'euclidean'
        ? tf.pow(tf.add(tf.sum(tf.square(diff), -1), offset), beta / 2)
        : beta === 1
          ? tf.mean(tf.abs(diff), -1)
          : tf.pow(tf.add(tf.mean(tf.abs(diff), -1), offset), beta);
    const pairSum = tf.sum(tf.mul(pd, upper), [-2, -1]); // Σ_{i<j}
    const c = estimator === 'nrg' ? 1 / (m * m) : 1 / (m * (m - 1));
    return tf.sub(fit, tf.mul(pairSum, c));
  });
}

/** Row-major `m × m` mask of the strict upper triangle (i < j). */
export function triangle(m: number): Float32Array {
  const out = new Float32Array(m * m);
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) out[i * m + j] = 1;
  return out;
}
