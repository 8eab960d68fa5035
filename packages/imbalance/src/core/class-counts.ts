/**
 * Positive and negative counts per class of a multi-label training set.
 * @packageDocumentation
 */
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { checkNumberList, show } from '../internal/checks';
import { type MatrixInput, readLabels } from '../internal/matrix';

/**
 * Positive and negative counts per class of a multi-label training set: `positives[c] = n⁺_c`,
 * `negatives[c] = n⁻_c`, so `n⁺_c + n⁻_c` is the number of samples. The reference code's
 * `num_pos_neg` `(2, C)` array.
 * @category Data
 */
export interface ClassCounts {
  /** n⁺_c: samples with label c. */
  readonly positives: readonly number[];
  /** n⁻_c: samples without label c. */
  readonly negatives: readonly number[];
}

/**
 * Counts positives and negatives per class of a multi-label label matrix.
 *
 * `n⁺_c = Σ_i y_ic` and `n⁻_c = N − n⁺_c`.
 * @param labels - `[N, C]` 0/1 labels, a tensor (read, not disposed) or N rows
 * @returns the counts; no tensor is allocated
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a non-matrix; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a label other than 0 or 1.
 * @see arXiv 2204.01729; CAMP-eXplain-AI/imba-explain `get_num_pos_neg`
 * @example
 * ```ts
 * classCounts([[1, 0], [1, 1], [0, 0]]); // { positives: [2, 1], negatives: [1, 2] }
 * ```
 * @category Data
 */
export function classCounts(labels: MatrixInput): ClassCounts {
  const { data, rows, cols } = readLabels('classCounts', 'labels', labels);
  const positives = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) positives[c] += data[i * cols + c];
  return Object.freeze({ positives: Object.freeze(positives), negatives: Object.freeze(positives.map((p) => rows - p)) });
}

/** Validates a {@link ClassCounts} (internal): non-negative integers, equal lengths, C classes when given. */
export function checkClassCounts(fn: string, arg: string, counts: unknown, classes?: number): { positives: number[]; negatives: number[] } {
  if (counts === null || typeof counts !== 'object') {
    throw new InvalidValueError(`${fn}: ${arg} must be class counts {positives, negatives} (see classCounts), got ${show(counts)}`);
  }
  const c = counts as Partial<ClassCounts>;
  const positives = checkNumberList(fn, `${arg}.positives`, c.positives, classes, 0, true);
  const negatives = checkNumberList(fn, `${arg}.negatives`, c.negatives, classes, 0, true);
  if (positives.length !== negatives.length) {
    throw new ShapeError(`${fn}: ${arg}.negatives must have the length of ${arg}.positives (${positives.length}), got ${negatives.length}`);
  }
  positives.forEach((p, i) => {
    if (p + negatives[i] === 0) throw new InvalidValueError(`${fn}: ${arg} must count at least one sample for class ${i}, got 0 positives and 0 negatives`);
  });
  return { positives, negatives };
}
