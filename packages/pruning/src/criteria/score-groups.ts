/**
 * Scores every group of a dependency graph with one criterion.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { DependencyGraph } from '../graph/dependency-graph';
import { fisherDiagonal, meanGradients, type LossFunction, type ScoringData } from './gradient-statistics';
import type { CriterionContext, ImportanceCriterion } from './importance-criterion';

/** Scores per group id: one value per group channel (higher = keep), or null when unscored. @category Criteria */
export type GroupScores = readonly (Float32Array | null)[];

/** Options of {@link scoreGroups}; defaults in {@link SCORE_GROUPS_DEFAULTS}. @category Criteria */
export interface ScoreGroupsOptions {
  /** Batches `{x, y}` for criteria that need gradients (Taylor, Hessian); not disposed. */
  data?: ScoringData;
  /** Loss of a prediction against a target, a scalar mean over the batch. */
  loss?: LossFunction;
  /** Most samples whose per-sample gradients enter the Fisher diagonal (Hessian). @defaultValue 64 */
  maxSamples?: number;
}

/** Defaults of {@link ScoreGroupsOptions}. @category Criteria */
export const SCORE_GROUPS_DEFAULTS = Object.freeze({
  /** Default of {@link ScoreGroupsOptions.maxSamples}. */
  maxSamples: 64,
});

/**
 * Scores the channels of every group of a graph with one criterion.
 *
 * Weight criteria read the parameters; for `'gradients'` the gradient of the mean loss over all
 * samples of `data` is computed first (each batch weighted by its size, in evaluation mode, so the
 * result does not depend on the batching), for `'fisher'` the mean squared per-sample gradient over
 * the first `maxSamples` samples. The model is not changed.
 * @param graph - the dependency graph of the model
 * @param criterion - e.g. {@link l1Importance}
 * @param options - see {@link ScoreGroupsOptions}
 * @returns one array (or null) per group id; holds no tensors
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when a gradient criterion gets no `data` or `loss`, on a bad or
 *   unknown option; {@link "@lab/tensor"!ShapeError | ShapeError} on a malformed batch or a non-scalar loss
 * @example
 * ```ts
 * const scores = await scoreGroups(graph, taylorImportance(), { data: [{ x, y }], loss });
 * ```
 * @category Criteria
 */
export async function scoreGroups(graph: DependencyGraph, criterion: ImportanceCriterion, options: ScoreGroupsOptions = {}): Promise<GroupScores> {
  const fn = 'scoreGroups';
  checkOptions(fn, options, ['data', 'loss', 'maxSamples']);
  if (!criterion || typeof criterion.score !== 'function') throw new InvalidValueError(`${fn}: criterion must be an ImportanceCriterion`);
  const maxSamples = options.maxSamples ?? SCORE_GROUPS_DEFAULTS.maxSamples;
  if (!Number.isInteger(maxSamples) || maxSamples < 1) throw new InvalidValueError(`${fn}: maxSamples must be a positive integer, got ${String(maxSamples)}`);
  if (graph.model.isDisposed) throw new InvalidValueError(`${fn}: the graph's model must not be disposed`);
  let gradients: Map<tf.Variable, Float32Array> | undefined;
  let fisher: Map<tf.Variable, Float32Array> | undefined;
  if (criterion.needs !== 'weights') {
    const { data, loss } = options;
    if (data === undefined || data === null || typeof loss !== 'function') {
      throw new InvalidValueError(`${fn}: criterion '${criterion.name}' needs gradients: pass data and loss`);
    }
    if (criterion.needs === 'gradients') gradients = await meanGradients(graph.model, data, loss, fn);
    else fisher = await fisherDiagonal(graph.model, data, loss, maxSamples, fn);
  }
  const values = new Map<tf.Variable, Float32Array>();
  const context: CriterionContext = {
    values(v) {
      let a = values.get(v);
      if (!a) values.set(v, (a = Float32Array.from(v.dataSync() as Float32Array)));
      return a;
    },
    gradient(v) {
      const g = gradients?.get(v);
      if (!g) throw new InvalidValueError(`${fn}: no gradient of '${v.name}' (criterion '${criterion.name}' declared needs '${criterion.needs}')`);
      return g;
    },
    fisher(v) {
      const f = fisher?.get(v);
      if (!f) throw new InvalidValueError(`${fn}: no Fisher diagonal of '${v.name}' (criterion '${criterion.name}' declared needs '${criterion.needs}')`);
      return f;
    },
  };
  return Object.freeze(
    graph.groups.map((g) => {
      const s = criterion.score(g, context);
      if (s !== null && (!(s instanceof Float32Array) || s.length !== g.width)) {
        throw new InvalidValueError(`${fn}: criterion '${criterion.name}' must return ${g.width} scores for group ${g.id}, got ${s instanceof Float32Array ? s.length : typeof s}`);
      }
      return s;
    }),
  );
}
