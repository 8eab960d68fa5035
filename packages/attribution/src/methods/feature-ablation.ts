import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  type Baseline,
  checkAttributionInput,
  checkBatchSize,
  resolveBaseline,
} from '../core/types';
import { checkSeed, checkTarget, evaluateBlends, evaluateRows, resolveFeatureMask, sampleSize } from '../core/perturbation';

/**
 * Per-call options of {@link FeatureAblation}.
 * @category Perturbation
 */
export interface FeatureAblationOptions extends AttributionOptions {
  /** What replaces an ablated group, see {@link Baseline}. @defaultValue 0 */
  baselines?: Baseline;
  /**
   * Integer tensor grouping the features: elements with equal values are ablated together. Either the
   * input's rank, broadcastable to the input (`[N, …]` per sample, `[1, …]` shared), or one sample's
   * rank, broadcastable to one sample (`[H, W, 1]` groups the channels of each pixel).
   * @defaultValue every feature alone
   */
  featureMask?: tf.Tensor;
}

/**
 * Defaults of {@link FeatureAblation}: batchSize 32 (package default; Captum's `perturbations_per_eval=1`,
 * results do not depend on it); every feature alone (Captum `feature_mask=None`).
 * @category Perturbation
 */
export const FEATURE_ABLATION_DEFAULTS = Object.freeze({
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Feature ablation: the output drop when one group of features is replaced by the baseline.
 *
 * For the groups `G_1..G_M` of the feature mask, every feature `i ∈ G_m` gets
 * `φ_i = f(x) − f(x with G_m ← b)` (the group's value, not divided among its features, as Captum).
 * One evaluation per group and sample, `batchSize` at a time. The method holds no settings; target,
 * baselines, featureMask and batchSize are per call.
 * @see Captum `FeatureAblation` (pytorch/captum); arXiv:2009.07896 (Captum).
 * @example
 * ```ts
 * const fa = new FeatureAblation();
 * const mask = tf.tensor3d(segmentLabels, [H, W, 1], 'int32'); // one group per segment
 * const { attributions } = await fa.attribute(model, images, { target: 1, featureMask: mask });
 * ```
 * @category Perturbation
 */
export class FeatureAblation implements AttributionMethod<FeatureAblationOptions> {
  readonly name = 'feature-ablation';
  readonly signed = true;

  /**
   * Attributes each sample's target score to the feature groups by ablating them one at a time.
   * @param model - the model to explain
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - target, baselines, featureMask, batchSize (seed accepted, unused: deterministic)
   * @returns attributions `[N, …]` (caller disposes)
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a mask that does not broadcast; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: FeatureAblationOptions = {}): Promise<AttributionResult> {
    const fn = 'FeatureAblation.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'featureMask', 'batchSize', 'seed']);
    checkAttributionInput(fn, input);
    const batchSize = checkBatchSize(fn, options.batchSize, FEATURE_ABLATION_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    const n = input.shape[0];
    checkTarget(fn, options.target, n);
    const groups = resolveFeatureMask(fn, options.featureMask, input.shape);
    const d = sampleSize(input.shape);
    const baseline = resolveBaseline(options.baselines, input, fn);
    const out = new Float32Array(n * d);
    try {
      const full = await evaluateRows(model, input, batchSize, options.target, fn);
      for (let i = 0; i < n; i++) {
        const { labels, count } = groups[i];
        const xi = tf.slice(input, i, 1);
        const bi = tf.slice(baseline, i, 1);
        try {
          const scores = await evaluateBlends(model, xi, bi, count, batchSize, options.target, i, (m, keep) => {
            for (let e = 0; e < d; e++) keep[e] = labels[e] === m ? 0 : 1;
          }, fn);
          for (let e = 0; e < d; e++) out[i * d + e] = full[i] - scores[labels[e]];
        } finally {
          xi.dispose();
          bi.dispose();
        }
      }
    } finally {
      baseline.dispose();
    }
    return { attributions: tf.tensor(out, input.shape, 'float32') };
  }
}
