/**
 * FPGM (filter pruning via geometric median) importance.
 * @packageDocumentation
 */
import { groupOptions, reduceOverMembers, type GroupCriterionOptions, type ImportanceCriterion } from './importance-criterion';

const KINDS = new Set(['weight'] as const);

/**
 * The geometric-median criterion (FPGM): within each member, a group channel's score is
 * `Σ_{c′} ‖W_c − W_{c′}‖₂`, the summed distance of its weight vector to those of the member's
 * other channels; the channels closest to the geometric median score lowest and are pruned first.
 * Scores are combined over the members. Needs weights only.
 * @param options - see {@link GroupCriterionOptions}
 * @returns the criterion (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on an unknown or bad option
 * @see He et al., "Filter Pruning via Geometric Median", arXiv 1811.00250
 * @example
 * ```ts
 * const scores = await scoreGroups(graph, fpgmImportance({ roles: ['out'] }));
 * ```
 * @category Criteria
 */
export function fpgmImportance(options?: GroupCriterionOptions): ImportanceCriterion {
  const { reduction, roles } = groupOptions('fpgmImportance', options);
  return Object.freeze<ImportanceCriterion>({
    name: 'fpgm',
    needs: 'weights' as const,
    score: (group, ctx) =>
      reduceOverMembers(group, roles, reduction, KINDS, (p) => ctx.values(p.variable), (vectors) => {
        const out: (number | null)[] = vectors.map((v) => (v ? 0 : null));
        for (let a = 0; a < vectors.length; a++) {
          const va = vectors[a];
          if (!va) continue;
          for (let b = a + 1; b < vectors.length; b++) {
            const vb = vectors[b];
            if (!vb || vb.length !== va.length) continue;
            let d = 0;
            for (let i = 0; i < va.length; i++) d += (va[i] - vb[i]) ** 2;
            d = Math.sqrt(d);
            out[a] = (out[a] as number) + d;
            out[b] = (out[b] as number) + d;
          }
        }
        return out;
      }),
  });
}
