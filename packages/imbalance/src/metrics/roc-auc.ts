/**
 * Exact, tie-aware area under the ROC curve of one binary task.
 * @packageDocumentation
 */
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { show } from '../internal/checks';
import { aurocOf } from './internal';

/** Validates a score list and a 0/1 label list of the same length (internal). */
export function checkScoresLabels(fn: string, scores: unknown, labels: unknown): void {
  for (const [arg, v] of [['scores', scores], ['labels', labels]] as const) {
    if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') {
      throw new InvalidValueError(`${fn}: ${arg} must be an array of numbers, got ${show(v)}`);
    }
  }
  const s = scores as ArrayLike<number>;
  const l = labels as ArrayLike<number>;
  if (s.length !== l.length) throw new ShapeError(`${fn}: labels must have the length of scores (${s.length}), got ${l.length}`);
  for (let i = 0; i < s.length; i++) {
    if (typeof s[i] !== 'number' || !Number.isFinite(s[i])) throw new InvalidValueError(`${fn}: scores[${i}] must be finite, got ${show(s[i])}`);
    if (l[i] !== 0 && l[i] !== 1) throw new InvalidValueError(`${fn}: labels[${i}] must be 0 or 1, got ${show(l[i])}`);
  }
}

/**
 * Area under the ROC curve of scores against binary labels, exact and tie-aware.
 *
 * `AUROC = P(s⁺ > s⁻) + ½·P(s⁺ = s⁻)` over all positive–negative pairs, computed from average
 * ranks in O(n log n); equal to scikit-learn's `roc_auc_score` (trapezoids, tied scores as one
 * threshold).
 * @param scores - one finite score per sample (probabilities or logits: only the order matters)
 * @param labels - one 0/1 label per sample
 * @returns the AUROC in [0, 1]
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for lengths that differ; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-finite
 * score, a label other than 0/1, or labels of one class only (AUROC undefined).
 * @see scikit-learn `roc_auc_score`; Hanley and McNeil 1982
 * @example
 * ```ts
 * rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 * ```
 * @category Metrics
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const fn = 'rocAuc';
  checkScoresLabels(fn, scores, labels);
  const auc = aurocOf(scores, labels);
  if (Number.isNaN(auc)) throw new InvalidValueError(`${fn}: labels must contain both classes, got only ${labels.length > 0 ? labels[0] : 'none'}`);
  return auc;
}
