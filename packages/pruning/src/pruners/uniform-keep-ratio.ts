/**
 * The one keep ratio that, applied to every group, meets a budget.
 * @packageDocumentation
 */
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { GroupScores } from '../criteria/score-groups';
import type { DependencyGraph, ModelCost, RemovedChannels } from '../graph/dependency-graph';
import { checkBudget, costRatios, withinBudget, type ChannelBudget } from './channel-budget';
import { checkMinChannels, removalOrder, selectRemoved } from './plan-pruning';

/** Options of {@link uniformKeepRatio}; defaults in {@link UNIFORM_KEEP_RATIO_DEFAULTS}. @category Pruners */
export interface UniformKeepRatioOptions {
  /** The budget, see {@link ChannelBudget}. */
  budget: ChannelBudget;
  /** Scores that decide which channels go (see {@link planPruning}); by default the highest-indexed. */
  scores?: GroupScores;
  /** Fewest channels a group and every layer side keeps. @defaultValue 1 */
  minChannels?: number;
}

/** Defaults of {@link UniformKeepRatioOptions}. @category Pruners */
export const UNIFORM_KEEP_RATIO_DEFAULTS = Object.freeze({
  /** Default of {@link UniformKeepRatioOptions.minChannels}. */
  minChannels: 1,
});

/** What {@link uniformKeepRatio} returns. @category Pruners */
export interface UniformKeepRatioResult {
  /** The keep ratio shared by all groups. */
  readonly keepRatio: number;
  /** The group channels it removes. */
  readonly removed: RemovedChannels;
  /** Cost of the pruned model. */
  readonly cost: ModelCost;
  /** `cost.macs` over the unpruned model's. */
  readonly macsRatio: number;
  /** `cost.params` over the unpruned model's. */
  readonly paramsRatio: number;
}

/**
 * Finds the largest keep ratio that, applied to every group alike (the "uniform" baseline
 * configuration), keeps the pruned model within the budget; by bisection on the exact cost.
 * Because a channel removed from both sides of a layer removes about `1 − (1 − p)²` of its cost,
 * the ratio for half the MACs is near `√0.5`.
 * @param graph - the model's dependency graph
 * @param options - see {@link UniformKeepRatioOptions}
 * @returns the ratio, the channels it removes and its cost
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on bad options, or when even removing every prunable channel
 *   misses the budget
 * @example
 * ```ts
 * const { keepRatio, removed } = uniformKeepRatio(graph, { budget: { macs: 0.5 }, scores });
 * const small = prune(model, { graph, removed });
 * ```
 * @category Pruners
 */
export function uniformKeepRatio(graph: DependencyGraph, options: UniformKeepRatioOptions): UniformKeepRatioResult {
  const fn = 'uniformKeepRatio';
  if (typeof options !== 'object' || options === null) throw new InvalidValueError(`${fn}: options must be an object with a budget`);
  checkOptions(fn, options, ['budget', 'scores', 'minChannels']);
  const budget = checkBudget(options.budget, fn);
  const minChannels = checkMinChannels(options.minChannels ?? UNIFORM_KEEP_RATIO_DEFAULTS.minChannels, fn);
  const scores = options.scores ?? graph.groups.map((g) => Float32Array.from({ length: g.width }, (_, k) => g.width - k));
  const order = removalOrder(graph, scores, fn);
  const at = (r: number) => {
    const removed = selectRemoved(graph, order, graph.groups.map(() => r), minChannels);
    return { removed, cost: graph.cost(removed) };
  };
  if (!withinBudget(graph, at(0).cost, budget)) {
    throw new InvalidValueError(`${fn}: the budget ${JSON.stringify(budget)} cannot be met even with every prunable channel removed`);
  }
  let lo = 0;
  let hi = 1;
  if (withinBudget(graph, at(1).cost, budget)) lo = 1;
  else {
    for (let it = 0; it < 40; it++) {
      const mid = (lo + hi) / 2;
      if (withinBudget(graph, at(mid).cost, budget)) lo = mid;
      else hi = mid;
    }
  }
  const best = at(lo);
  return Object.freeze({ keepRatio: lo, removed: Object.freeze(best.removed), cost: best.cost, ...costRatios(graph, best.cost) });
}
