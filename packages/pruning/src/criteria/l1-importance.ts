/**
 * L1 (filter magnitude) importance.
 * @packageDocumentation
 */
import { groupOptions, reduceOverMembers, type GroupCriterionOptions, type ImportanceCriterion } from './importance-criterion';

const KINDS = new Set(['weight', 'scale'] as const);

/**
 * The L1-norm criterion: a group channel's score is `Σ|w|` over the weights it owns in each member
 * (convolution and linear weights, and batch norm γ), combined over the members.
 *
 * For a producer's output side this is the filter norm `Σ|W_c|` of Li et al.; on the group it is
 * Torch-Pruning's `GroupMagnitudeImportance(p=1)`. Needs weights only.
 * @param options - see {@link GroupCriterionOptions}
 * @returns the criterion (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on an unknown or bad option
 * @see Li et al., "Pruning Filters for Efficient ConvNets", arXiv 1608.08710
 * @example
 * ```ts
 * const scores = await scoreGroups(graph, l1Importance({ reduction: 'sum' }));
 * ```
 * @category Criteria
 */
export function l1Importance(options?: GroupCriterionOptions): ImportanceCriterion {
  const { reduction, roles } = groupOptions('l1Importance', options);
  return Object.freeze<ImportanceCriterion>({
    name: 'l1',
    needs: 'weights' as const,
    score: (group, ctx) =>
      reduceOverMembers(group, roles, reduction, KINDS, (p) => ctx.values(p.variable), (vectors) =>
        vectors.map((v) => {
          if (!v) return null;
          let s = 0;
          for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
          return s;
        }),
      ),
  });
}
