/**
 * Intra-class weighted binary cross-entropy: positives re-weighted by the batch's class balance.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { type ClassCounts, checkClassCounts } from '../../core/class-counts';
import { checkLogitsTargets, checkNumber, checkObject } from '../../internal/checks';
import { asFloat, bceElements } from '../internal';

/** Options of {@link intraWeightedBce}. @category Losses */
export interface IntraWeightedBceOptions {
  /** Positive and negative counts of the whole training set (see `classCounts`), for the fallback weight. */
  counts: ClassCounts;
  /** Factor λ on the loss. @defaultValue 1 (the reference config `intra_wbce.py`) */
  lossWeight?: number;
}

/** Defaults of {@link intraWeightedBce}: `loss_weight = 1.0` (imba-explain `configs/_base_/losses/intra_wbce.py`). @category Losses */
export const INTRA_WEIGHTED_BCE_DEFAULTS = Object.freeze({
  /** Default of {@link IntraWeightedBceOptions.lossWeight}. */
  lossWeight: 1,
});

/**
 * The fallback positive weight of {@link intraWeightedBce}: `min_c n⁻_c / n⁺_c` over the classes
 * of the training set that have positives (the reference's `min_global_pos_weight`).
 * @param counts - training-set counts
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when no class has a positive sample.
 * @example
 * ```ts
 * intraFallbackWeight({ positives: [2, 5], negatives: [8, 5] }); // min(4, 1) = 1
 * ```
 * @category Losses
 */
export function intraFallbackWeight(counts: ClassCounts): number {
  const { positives, negatives } = checkClassCounts('intraFallbackWeight', 'counts', counts);
  return fallback('intraFallbackWeight', positives, negatives);
}

function fallback(fn: string, positives: number[], negatives: number[]): number {
  let best = Infinity;
  positives.forEach((p, c) => {
    if (p > 0) best = Math.min(best, negatives[c] / p);
  });
  if (best === Infinity) throw new InvalidValueError(`${fn}: counts must have a positive sample in at least one class, got positives [${positives}]`);
  return best;
}

/**
 * Binary cross-entropy whose positive term is weighted by the class balance of the mini-batch.
 *
 * `ℓ = −λ·[w⁺_c·y·log p + (1 − y)·log(1 − p)]`, averaged over the `N·C` elements, with
 * `w⁺_c = N⁻_c / N⁺_c` counted **within the batch**. When the batch has no positive or no negative
 * of class c, `w⁺_c` falls back to `min_k n⁻_k / n⁺_k` over the training set ({@link intraFallbackWeight}).
 * On a batch with as many positives as negatives in every class it equals {@link binaryCrossEntropy}.
 * @param logits - `[N, C]` logits
 * @param targets - `[N, C]` labels in {0, 1}
 * @param options - training-set `counts` (required) and `lossWeight`
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes or counts of another class count;
 * {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 2204.01729; imba-explain `IntraWeightedBCEWithLogits`
 * @example
 * ```ts
 * const counts = classCounts(trainLabels);
 * const loss = intraWeightedBce(logits, targets, { counts });
 * ```
 * @category Losses
 */
export function intraWeightedBce(logits: tf.Tensor, targets: tf.Tensor, options: IntraWeightedBceOptions): tf.Scalar {
  const fn = 'intraWeightedBce';
  const [n, c] = checkLogitsTargets(fn, logits, targets);
  checkObject(fn, 'options', options);
  if (options === undefined) throw new InvalidValueError(`${fn}: options must hold the training-set counts, got undefined`);
  checkOptions(fn, options, ['counts', 'lossWeight']);
  const { positives, negatives } = checkClassCounts(fn, 'counts', options.counts, c);
  const lossWeight = checkNumber(fn, 'lossWeight', options.lossWeight ?? INTRA_WEIGHTED_BCE_DEFAULTS.lossWeight, 0);
  const fallbackWeight = fallback(fn, positives, negatives);
  return tf.tidy(() => {
    const y = asFloat(targets);
    const nPos = tf.sum(y, 0, true); // [1, C]
    const nNeg = tf.sub(n, nPos);
    const mixed = tf.logicalAnd(tf.greater(nPos, 0), tf.greater(nNeg, 0));
    const ratio = tf.div(nNeg, tf.maximum(nPos, 1));
    const posWeight = tf.where(mixed, ratio, tf.fill([1, c], fallbackWeight));
    return tf.mul(lossWeight, tf.mean(bceElements(logits, y, posWeight))) as tf.Scalar;
  });
}
