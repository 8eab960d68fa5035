/**
 * Exact, tie-aware average precision of one binary task.
 * @packageDocumentation
 */
import { InvalidValueError } from '@lab/tensor';
import { averagePrecisionOf } from './internal';
import { checkScoresLabels } from './roc-auc';

/**
 * Average precision of scores against binary labels: the step-wise area under the
 * precision–recall curve.
 *
 * `AP = Σ_k (R_k − R_{k−1})·P_k`, with `P_k` and `R_k` the precision and recall when every sample
 * scoring ≥ the k-th largest distinct score is predicted positive (tied scores enter together; no
 * interpolation), as scikit-learn's `average_precision_score`.
 * @param scores - one finite score per sample
 * @param labels - one 0/1 label per sample
 * @returns the AP in [0, 1]
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for lengths that differ; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-finite
 * score, a label other than 0/1, or no positive label (AP undefined).
 * @see scikit-learn `average_precision_score`
 * @example
 * ```ts
 * averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // ½·1 + ½·⅔ = 0.8333
 * ```
 * @category Metrics
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const fn = 'averagePrecision';
  checkScoresLabels(fn, scores, labels);
  const ap = averagePrecisionOf(scores, labels);
  if (Number.isNaN(ap)) throw new InvalidValueError(`${fn}: labels must contain a positive, got none`);
  return ap;
}
