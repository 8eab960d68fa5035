/**
 * Class-aware sampling (Shen et al. 2016): classes drawn uniformly, then a sample of the class.
 * @packageDocumentation
 */
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import { checkInt, checkNumber, checkObject } from '../internal/checks';
import { type MatrixInput, readLabels } from '../internal/matrix';

/** Options of {@link classAwareSample}. @category Sampling */
export interface ClassAwareSampleOptions {
  /** Seed of the draws. @defaultValue 0 */
  seed?: number;
}

/**
 * Draws `count` sample indices so that every class (with at least one positive) is equally likely.
 *
 * Each draw picks a class uniformly at random among the classes with positives, then the next
 * sample of that class's list of positives, visited in a shuffled order that is reshuffled once
 * exhausted (the two-level scheme of Shen et al. 2016, "Relay Backpropagation"). A multi-label
 * sample is in the list of every one of its classes.
 * @param labels - `[N, C]` 0/1 labels (a tensor is read, not disposed)
 * @param count - number of indices to draw
 * @param options - seed
 * @returns the indices, an `Int32Array` of length `count`
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a non-matrix; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for non-0/1 labels, no
 * positive at all, or a bad count or option.
 * @see arXiv 1512.05830 (§3.1, class-aware sampling)
 * @example
 * ```ts
 * const order = classAwareSample([[1, 0], [1, 0], [0, 1]], 6, { seed: 3 }); // index 2 in about half the draws
 * ```
 * @category Sampling
 */
export function classAwareSample(labels: MatrixInput, count: number, options: ClassAwareSampleOptions = {}): Int32Array {
  const fn = 'classAwareSample';
  checkInt(fn, 'count', count, 0);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['seed']);
  const seed = checkNumber(fn, 'seed', options.seed ?? 0);
  const { data, rows, cols } = readLabels(fn, 'labels', labels);
  const lists: number[][] = [];
  for (let c = 0; c < cols; c++) {
    const list: number[] = [];
    for (let i = 0; i < rows; i++) if (data[i * cols + c] === 1) list.push(i);
    if (list.length > 0) lists.push(list);
  }
  if (lists.length === 0) throw new InvalidValueError(`${fn}: labels must hold at least one positive, got none in [${rows}, ${cols}]`);
  const rng = new Rng(seed);
  const orders = lists.map((l) => shuffled(l, rng));
  const cursor = new Array<number>(lists.length).fill(0);
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const c = Math.floor(rng.next() * lists.length);
    if (cursor[c] === orders[c].length) {
      orders[c] = shuffled(lists[c], rng);
      cursor[c] = 0;
    }
    out[k] = orders[c][cursor[c]++];
  }
  return out;
}

function shuffled(list: number[], rng: Rng): number[] {
  const perm = rng.permutation(list.length);
  return Array.from(perm, (j) => list[j]);
}
