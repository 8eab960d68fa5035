/**
 * Class-balanced low-shot subsets of a labelled set.
 * @packageDocumentation
 */
import { Rng } from '@lab/tensor';
import { checkInt, checkLabels, checkNumber, checkOptions, checkSeed } from '../internal/validate';

/** Options of {@link lowShotSubset}. @category Evaluation */
export interface LowShotSubsetOptions {
  /** Seed of the choice. @defaultValue 0 */
  seed?: number;
  /** Smallest number kept per class. @defaultValue 1 */
  minPerClass?: number;
}

/**
 * Chooses a class-balanced fraction of a labelled set, as the 1 % and 10 % ImageNet splits of
 * semi-supervised evaluation: from each class c with n_c members it keeps
 * `min(n_c, max(minPerClass, round(fraction·n_c)))` members (halves rounded up) drawn without replacement.
 * @param labels - n integer class labels ≥ 0
 * @param fraction - in (0, 1]
 * @param options - see {@link LowShotSubsetOptions}
 * @returns the kept indices, ascending
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad labels, fraction or options
 * @see Chen et al. 2020 (SimCLR) §B.5; Grill et al. 2020 (BYOL) §4.2
 * @example
 * ```ts
 * const idx = lowShotSubset(trainLabels, 0.01, { seed: 1 }); // 1 % per class
 * ```
 * @category Evaluation
 */
export function lowShotSubset(labels: ArrayLike<number>, fraction: number, options: LowShotSubsetOptions = {}): Int32Array {
  const fn = 'lowShotSubset';
  checkOptions(fn, options, ['seed', 'minPerClass']);
  const y = checkLabels(fn, 'labels', labels, (labels as ArrayLike<number>)?.length ?? -1);
  checkNumber(fn, 'fraction', fraction, 0, 1, { lo: true });
  const seed = checkSeed(fn, options.seed ?? 0);
  const minPerClass = checkInt(fn, 'minPerClass', options.minPerClass ?? 1, 0);
  const byClass = new Map<number, number[]>();
  y.forEach((c, i) => {
    const list = byClass.get(c);
    if (list) list.push(i);
    else byClass.set(c, [i]);
  });
  const rng = new Rng(seed);
  const kept: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(c) as number[];
    const k = Math.min(members.length, Math.max(minPerClass, Math.round(fraction * members.length)));
    const perm = rng.permutation(members.length);
    for (let i = 0; i < k; i++) kept.push(members[perm[i]]);
  }
  return Int32Array.from(kept.sort((a, b) => a - b));
}
