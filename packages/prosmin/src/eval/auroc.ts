/**
 * Exact, tie-aware area under the ROC curve.
 * @packageDocumentation
 */
import { checkFiniteArray } from '../internal/validate';

/**
 * Computes the area under the ROC curve of scores that should be higher for positives:
 * `AUROC = P(S₊ > S₋) + ½·P(S₊ = S₋)` over all positive–negative pairs, exactly.
 *
 * Computed as the Mann–Whitney statistic with mid-ranks, `(R₊ − n₊(n₊ + 1)/2) / (n₊·n₋)` where
 * R₊ is the sum of the positives' mid-ranks in the pooled sample, in O(n log n). Equals the
 * trapezoidal area of the ROC curve (sklearn's `roc_auc_score`). For OOD detection, positives are
 * the out-of-distribution scores.
 * @param positives - scores of the positive class, finite
 * @param negatives - scores of the negative class, finite
 * @returns the AUROC in [0, 1]
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an empty set or a non-finite score
 * @see Hanley & McNeil 1982, doi:10.1148/radiology.143.1.7063747
 * @example
 * ```ts
 * auroc([0.9, 0.5], [0.5, 0.1]); // (1 + 1 + ½ + 1) / 4 = 0.875
 * ```
 * @category Evaluation
 */
export function auroc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const fn = 'auroc';
  const p = checkFiniteArray(fn, 'positives', positives);
  const q = checkFiniteArray(fn, 'negatives', negatives);
  const n = p.length + q.length;
  const values = new Float64Array(n);
  values.set(p, 0);
  values.set(q, p.length);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    const midRank = (i + 1 + j) / 2; // ranks i+1 … j share their mean
    for (let t = i; t < j; t++) if (order[t] < p.length) rankSum += midRank;
    i = j;
  }
  return (rankSum - (p.length * (p.length + 1)) / 2) / (p.length * q.length);
}
