/**
 * L2 (filter norm) importance.
 * @packageDocumentation
 */
import { groupOptions, reduceOverMembers, type GroupCriterionOptions, type ImportanceCriterion } from './importance-criterion';

const KINDS = new Set(['weight', 'scale'] as const);

/**
 * The L2-norm criterion: a group channel's score is `‖w‖₂` over the weights it owns in each member
 * (convolution and linear weights, and batch norm γ), combined over the members
 * (Torch-Pruning's `GroupMagnitudeImportance(p=2)`). Needs weights only.
 * @param options - see {@link GroupCriterionOptions}
 * @returns the criterion (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on an unknown or bad option
 * @see He et al., "Soft Filter Pruning", arXiv 1808.06866
 * @example
 * ```ts
 * const scores = await scoreGroups(graph, l2Importance());
 * ```
 * @category Criteria
 */
export function l2Importance(options?: GroupCriterionOptions): ImportanceCriterion {
  const { reduction, roles } = groupOptions('l2Importance', options);
  return Object.freeze<ImportanceCriterion>({
    name: 'l2',
    needs: 'weights' as const,
    score: (group, ctx) =>
      reduceOverMembers(group, roles, reduction, KINDS, (p) => ctx.values(p.variable), (vectors) =>
        vectors.map((v) => {
          if (!v) return null;
          let s = 0;
          for (let i = 0; i < v.length; i++) s += v[i] * v[i];
          return Math.sqrt(s);
        }),
      ),
  });
}
