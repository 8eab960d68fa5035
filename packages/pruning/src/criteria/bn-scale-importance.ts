/**
 * Batch-norm scale (Network Slimming) importance.
 * @packageDocumentation
 */
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { reduceOverMembers, type GroupReduction, type ImportanceCriterion } from './importance-criterion';

/** Options of {@link bnScaleImportance}. @category Criteria */
export interface BnScaleImportanceOptions {
  /** Combination over the group's norm layers. @defaultValue 'mean' */
  reduction?: GroupReduction;
}

const KINDS = new Set(['scale'] as const);

/**
 * The batch-norm scale criterion of Network Slimming: a group channel's score is `|γ_c|` of each
 * batch norm (any `scale` parameter: group norm γ, PReLU slopes) in the group, combined over
 * them. A group without such a layer cannot be scored (null; {@link planPruning} leaves it
 * unpruned and lists it in `unscored`).
 * @param options - see {@link BnScaleImportanceOptions}
 * @returns the criterion (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on an unknown or bad option
 * @see Liu et al., "Learning Efficient Convolutional Networks through Network Slimming", arXiv 1708.06519
 * @example
 * ```ts
 * const scores = await scoreGroups(graph, bnScaleImportance());
 * ```
 * @category Criteria
 */
export function bnScaleImportance(options?: BnScaleImportanceOptions): ImportanceCriterion {
  checkOptions('bnScaleImportance', options, ['reduction']);
  const reduction = options?.reduction ?? 'mean';
  if (reduction !== 'sum' && reduction !== 'mean' && reduction !== 'max') {
    throw new InvalidValueError(`bnScaleImportance: reduction must be 'sum', 'mean' or 'max', got ${String(reduction)}`);
  }
  return Object.freeze<ImportanceCriterion>({
    name: 'bn-scale',
    needs: 'weights' as const,
    score: (group, ctx) =>
      reduceOverMembers(group, ['out'], reduction, KINDS, (p) => ctx.values(p.variable), (vectors) =>
        vectors.map((v) => {
          if (!v) return null;
          let s = 0;
          for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
          return s;
        }),
      ),
  });
}
