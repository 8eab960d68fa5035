/**
 * Inter-class weighted binary cross-entropy: a fixed weight per class from its positive count.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { type ClassCounts, checkClassCounts } from '../../core/class-counts';
import { checkLogitsTargets, checkNumber, checkObject } from '../../internal/checks';
import { asFloat, bceElements, classRow } from '../internal';

/** Options of {@link interWeightedBce}. @category Losses */
export interface InterWeightedBceOptions {
  /** Positive and negative counts of the training set (see `classCounts`). */
  counts: ClassCounts;
  /** Factor λ on the loss. @defaultValue 15 */
  lossWeight?: number;
}

/** Defaults of {@link interWeightedBce}: `loss_weight = 15.0` (imba-explain `configs/_base_/losses/inter_wbce.py`). @category Losses */
export const INTER_WEIGHTED_BCE_DEFAULTS = Object.freeze({
  /** Default of {@link InterWeightedBceOptions.lossWeight}. */
  lossWeight: 15,
});

/**
 * The normalised class weights of {@link interWeightedBce}: `w_c = √(n⁺_c / (n_max + Σ_k n⁺_k))`
 * with `n_max = max_k n⁺_k`, then `ŵ_c = w_c / Σ_k w_k` (they sum to 1).
 * @param counts - training-set counts
 * @returns `ŵ`, one weight per class
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when no class has a positive sample.
 * @example
 * ```ts
 * interClassWeights({ positives: [3, 1], negatives: [1, 3] }); // √(3/7), √(1/7) normalised: [0.634, 0.366]
 * ```
 * @category Losses
 */
export function interClassWeights(counts: ClassCounts): number[] {
  const { positives } = checkClassCounts('interClassWeights', 'counts', counts);
  return weights('interClassWeights', positives);
}

function weights(fn: string, positives: number[]): number[] {
  const total = positives.reduce((a, b) => a + b, 0);
  if (total === 0) throw new InvalidValueError(`${fn}: counts must have a positive sample in at least one class, got positives [${positives}]`);
  const max = Math.max(...positives);
  const w = positives.map((p) => Math.sqrt(p / (max + total)));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/**
 * Binary cross-entropy with a fixed weight per class that grows with the class's positive count.
 *
 * `ℓ = λ·ŵ_c·BCE(x, y)`, averaged over the `N·C` elements, with `ŵ` from {@link interClassWeights}
 * (`w_c = √(n⁺_c/(n_max + Σ_k n⁺_k))`, normalised to sum 1). Note that this favours frequent
 * classes; it is the reference's definition.
 * @param logits - `[N, C]` logits
 * @param targets - `[N, C]` labels in {0, 1}
 * @param options - training-set `counts` (required) and `lossWeight`
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 2204.01729; imba-explain `InterWeightedBCEWithLogits`
 * @example
 * ```ts
 * const loss = interWeightedBce(logits, targets, { counts: classCounts(trainLabels) });
 * ```
 * @category Losses
 */
export function interWeightedBce(logits: tf.Tensor, targets: tf.Tensor, options: InterWeightedBceOptions): tf.Scalar {
  const fn = 'interWeightedBce';
  const [, c] = checkLogitsTargets(fn, logits, targets);
  checkObject(fn, 'options', options);
  if (options === undefined) throw new InvalidValueError(`${fn}: options must hold the training-set counts, got undefined`);
  checkOptions(fn, options, ['counts', 'lossWeight']);
  const { positives } = checkClassCounts(fn, 'counts', options.counts, c);
  const lossWeight = checkNumber(fn, 'lossWeight', options.lossWeight ?? INTER_WEIGHTED_BCE_DEFAULTS.lossWeight, 0);
  const w = weights(fn, positives);
  return tf.tidy(() => tf.mul(lossWeight, tf.mean(tf.mul(classRow(w), bceElements(logits, asFloat(targets))))) as tf.Scalar);
}
