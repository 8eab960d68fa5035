import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
} from '../core/types';
import { checkSeed, checkTarget, evaluateRows, evaluateScores, resolveFeatureMask, sampleSize } from '../core/perturbation';

/**
 * Per-call options of {@link FeaturePermutation}.
 * @category Perturbation
 */
export interface FeaturePermutationOptions extends AttributionOptions {
  /**
   * Integer tensor grouping the features (permuted together), shared by all samples: one sample's
   * shape or `[1, …]`, broadcastable.
   * @defaultValue every feature alone
   */
  featureMask?: tf.Tensor;
}

/**
 * Defaults of {@link FeaturePermutation}: batchSize 32 model rows per evaluation (package default;
 * Captum's `perturbations_per_eval=1`, results do not depend on it); seed 0.
 * @category Perturbation
 */
export const FEATURE_PERMUTATION_DEFAULTS = Object.freeze({
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link AttributionOptions.seed}. */
  seed: 0,
});

/**
 * Permutation feature importance: the output drop when one feature group is shuffled across the batch.
 *
 * For each group `G_m` a random permutation π_m of the N samples (never the identity) is drawn, and
 * `φ_{n,i} = f(x_n) − f(x_n with G_m ← x_{π_m(n)} on G_m)` for `i ∈ G_m`. The permutations are drawn
 * in group order from `Rng(seed)`, so results do not depend on `batchSize`. Needs N ≥ 2.
 * The method holds no settings; target, featureMask, batchSize and seed are per call.
 * @see Captum `FeaturePermutation`; Breiman 2001 (random forests, permutation importance); arXiv:1801.01489.
 * @example
 * ```ts
 * const fp = new FeaturePermutation();
 * const { attributions } = await fp.attribute(model, tabular, { target: 0, seed: 1 });
 * attributions.dispose();
 * ```
 * @category Perturbation
 */
export class FeaturePermutation implements AttributionMethod<FeaturePermutationOptions> {
  readonly name = 'feature-permutation';
  readonly signed = true;

  /**
   * Attributes each sample's target score by permuting feature groups across the batch.
   * @param model - the model to explain
   * @param input - a batch `[N, …]` with N ≥ 2
   * @param options - target, featureMask, batchSize, seed
   * @returns attributions `[N, …]` (caller disposes)
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for N < 2 or bad options; {@link "@lab/tensor"!ShapeError | ShapeError} for a per-sample mask.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: FeaturePermutationOptions = {}): Promise<AttributionResult> {
    const fn = 'FeaturePermutation.attribute';
    checkOptions(fn, options, ['target', 'featureMask', 'batchSize', 'seed']);
    checkAttributionInput(fn, input);
    const batchSize = checkBatchSize(fn, options.batchSize, FEATURE_PERMUTATION_DEFAULTS.batchSize);
    const seed = checkSeed(fn, options.seed ?? FEATURE_PERMUTATION_DEFAULTS.seed);
    const n = input.shape[0];
    if (n < 2) throw new InvalidValueError(`${fn}: input must hold at least 2 samples to permute, got ${n}`);
    checkTarget(fn, options.target, n);
    const { labels, count } = resolveFeatureMask(fn, options.featureMask, input.shape, { shared: true })[0];
    const d = sampleSize(input.shape);
    const rng = new Rng(seed);
    const perms: Int32Array[] = [];
    for (let m = 0; m < count; m++) {
      let p: Int32Array;
      do p = rng.permutation(n);
      while (p.every((v, i) => v === i));
      perms.push(p);
    }
    const full = await evaluateRows(model, input, batchSize, options.target, fn);
    const scores = await evaluateScores(
      model,
      count * n,
      batchSize,
      (start, end) => {
        const rows = end - start;
        const own = new Int32Array(rows);
        const other = new Int32Array(rows);
        const ind = new Float32Array(rows * d);
        for (let r = start; r < end; r++) {
          const m = Math.floor(r / n);
          const i = r % n;
          own[r - start] = i;
          other[r - start] = perms[m][i];
          for (let e = 0; e < d; e++) if (labels[e] === m) ind[(r - start) * d + e] = 1;
        }
        const xa = tf.gather(input, tf.tensor1d(own, 'int32'));
        const xb = tf.gather(input, tf.tensor1d(other, 'int32'));
        return tf.add(xa, tf.mul(tf.tensor(ind, xa.shape, 'float32'), tf.sub(xb, xa)));
      },
      (start, end) => {
        const t = options.target;
        if (t === undefined || typeof t === 'number' || typeof t === 'function') return t;
        const all = Array.from(t);
        const out: number[] = [];
        for (let r = start; r < end; r++) out.push(all[r % n]);
        return out;
      },
      fn,
    );
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let e = 0; e < d; e++) out[i * d + e] = full[i] - scores[labels[e] * n + i];
    }
    return { attributions: tf.tensor(out, input.shape, 'float32') };
  }
}
