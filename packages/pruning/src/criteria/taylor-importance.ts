/**
 * First-order Taylor importance.
 * @packageDocumentation
 */
import { groupOptions, reduceOverMembers, type GroupCriterionOptions, type ImportanceCriterion } from './importance-criterion';

const KINDS = new Set(['weight', 'bias', 'scale', 'shift'] as const);

/**
 * The first-order Taylor criterion of Molchanov et al. (2019): a group channel's score in each
 * member is `(Σ_{w} g_w · w)²` over all the parameters it owns there (weights, biases, norm γ and
 * β), the squared first-order estimate of the loss change when they are removed, with `g` the
 * gradient of the mean loss over the scoring data; combined over the members. Needs `data` and
 * `loss` in {@link scoreGroups}.
 * @param options - see {@link GroupCriterionOptions}
 * @returns the criterion (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on an unknown or bad option
 * @see Molchanov et al., "Importance Estimation for Neural Network Pruning", arXiv 1906.10771
 * @example
 * ```ts
 * const scores = await scoreGroups(graph, taylorImportance(), { data: batches, loss });
 * ```
 * @category Criteria
 */
export function taylorImportance(options?: GroupCriterionOptions): ImportanceCriterion {
  const { reduction, roles } = groupOptions('taylorImportance', options);
  return Object.freeze<ImportanceCriterion>({
    name: 'taylor',
    needs: 'gradients' as const,
    score: (group, ctx) => {
      // Interleave value and gradient: the member vectors of w and of g line up element by element.
      const product = new Map<unknown, Float32Array>();
      return reduceOverMembers(
        group,
        roles,
        reduction,
        KINDS,
        (p) => {
          let gw = product.get(p.variable);
          if (!gw) {
            const w = ctx.values(p.variable);
            const g = ctx.gradient(p.variable);
            gw = new Float32Array(w.length);
            for (let i = 0; i < w.length; i++) gw[i] = w[i] * g[i];
            product.set(p.variable, gw);
          }
          return gw;
        },
        (vectors) =>
          vectors.map((v) => {
            if (!v) return null;
            let s = 0;
            for (let i = 0; i < v.length; i++) s += v[i];
            return s * s;
          }),
      );
    },
  });
}
