/**
 * Random importance.
 * @packageDocumentation
 */
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import type { ImportanceCriterion } from './importance-criterion';

/** Options of {@link randomImportance}. @category Criteria */
export interface RandomImportanceOptions {
  /** Seed; the scores of group `g` come from a generator seeded with `seed · 7919 + g`. @defaultValue 0 */
  seed?: number;
}

/**
 * The random criterion: independent uniform scores in [0, 1) per group channel, reproducible from
 * the seed and independent of the order in which groups are scored. Random channel pruning uses
 * it as the baseline every other criterion should beat.
 * @param options - see {@link RandomImportanceOptions}
 * @returns the criterion (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on an unknown option or a non-finite seed
 * @see Li et al., "Revisiting Random Channel Pruning", arXiv 2205.05676
 * @example
 * ```ts
 * const scores = await scoreGroups(graph, randomImportance({ seed: 3 }));
 * ```
 * @category Criteria
 */
export function randomImportance(options?: RandomImportanceOptions): ImportanceCriterion {
  checkOptions('randomImportance', options, ['seed']);
  const seed = options?.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidValueError(`randomImportance: seed must be a finite number, got ${String(seed)}`);
  return Object.freeze<ImportanceCriterion>({
    name: 'random',
    needs: 'weights' as const,
    score: (group) => new Rng(seed * 7919 + group.id).uniform(group.width),
  });
}
