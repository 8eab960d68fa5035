/**
 * Hessian (Optimal Brain Damage) importance with the Fisher approximation.
 * @packageDocumentation
 */
import { groupOptions, reduceOverMembers, type GroupCriterionOptions, type ImportanceCriterion } from './importance-criterion';

const KINDS = new Set(['weight', 'bias', 'scale', 'shift'] as const);

/**
 * The Optimal Brain Damage criterion: a group channel's score in each member is
 * `½ Σ_w H_ww · w²` over the parameters it owns there, with the Hessian diagonal approximated by
 * the Fisher information `H_ww ≈ E[g_w²]` over per-sample gradients (Torch-Pruning's
 * `GroupHessianImportance`); combined over the members. Needs `data` and `loss` in
 * {@link scoreGroups}; its cost is one backward pass per sample.
 * @param options - see {@link GroupCriterionOptions}
 * @returns the criterion (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on an unknown or bad option
 * @see LeCun et al., "Optimal Brain Damage", NIPS 1990; VainF/Torch-Pruning `GroupHessianImportance`
 * @example
 * ```ts
 * const scores = await scoreGroups(graph, hessianImportance(), { data: batches, loss, maxSamples: 64 });
 * ```
 * @category Criteria
 */
export function hessianImportance(options?: GroupCriterionOptions): ImportanceCriterion {
  const { reduction, roles } = groupOptions('hessianImportance', options);
  return Object.freeze<ImportanceCriterion>({
    name: 'hessian',
    needs: 'fisher' as const,
    score: (group, ctx) => {
      const product = new Map<unknown, Float32Array>();
      return reduceOverMembers(
        group,
        roles,
        reduction,
        KINDS,
        (p) => {
          let hw = product.get(p.variable);
          if (!hw) {
            const w = ctx.values(p.variable);
            const f = ctx.fisher(p.variable);
            hw = new Float32Array(w.length);
            for (let i = 0; i < w.length; i++) hw[i] = 0.5 * f[i] * w[i] * w[i];
            product.set(p.variable, hw);
          }
          return hw;
        },
        (vectors) =>
          vectors.map((v) => {
            if (!v) return null;
            let s = 0;
            for (let i = 0; i < v.length; i++) s += v[i];
            return s;
          }),
      );
    },
  });
}
