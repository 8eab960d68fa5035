/**
 * Exact, tie-aware ranking metrics on plain arrays (internal; the public functions validate).
 * @packageDocumentation
 */

/**
 * Area under the ROC curve by the Mann–Whitney statistic with average ranks for ties:
 * `(Σ_{positives} rank − n⁺(n⁺+1)/2) / (n⁺·n⁻)`. Equal to the trapezoidal area under the ROC
 * curve with tied scores as one threshold (scikit-learn `roc_auc_score`). NaN when either class
 * is missing.
 */
export function aurocOf(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]] === scores[order[start]]) end++;
    const rank = (start + end) / 2 + 1; // average 1-based rank of the tie group
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) {
        nPos++;
        rankSum += rank;
      }
    }
    start = end + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Average precision as scikit-learn's `average_precision_score`: `Σ_k (R_k − R_{k−1})·P_k` over
 * the distinct score thresholds in decreasing order (tied scores enter together), without
 * interpolation. NaN when there is no positive.
 */
export function averagePrecisionOf(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) nPos++;
  if (nPos === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]] === scores[order[start]]) end++;
    for (let k = start; k <= end; k++) if (labels[order[k]] === 1) tp++;
    seen = end + 1;
    const recall = tp / nPos;
    ap += (recall - prevRecall) * (tp / seen);
    prevRecall = recall;
    start = end + 1;
  }
  return ap;
}
