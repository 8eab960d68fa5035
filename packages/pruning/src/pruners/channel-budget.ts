/**
 * Budgets on parameters and multiply-accumulates, as ratios of the unpruned model.
 * @packageDocumentation
 */
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { DependencyGraph, ModelCost } from '../graph/dependency-graph';

/**
 * A budget as ratios of the unpruned model's cost: `macs: 0.5` asks for half the
 * multiply-accumulates (FLOPs ratio; FLOPs = 2·MACs), `params: 0.6` for 60 % of the parameters.
 * At least one must be given; each is in (0, 1].
 * @category Pruners
 */
export interface ChannelBudget {
  /** Target ratio of multiply-accumulates (FLOPs). */
  macs?: number;
  /** Target ratio of trainable parameters. */
  params?: number;
}

/** Checks a budget. @internal */
export function checkBudget(budget: unknown, fn: string): ChannelBudget {
  if (typeof budget !== 'object' || budget === null) throw new InvalidValueError(`${fn}: budget must be an object {macs?, params?}, got ${budget === null ? 'null' : typeof budget}`);
  checkOptions(`${fn}: budget`, budget, ['macs', 'params']);
  const b = budget as ChannelBudget;
  if (b.macs === undefined && b.params === undefined) throw new InvalidValueError(`${fn}: budget must set macs or params`);
  for (const key of ['macs', 'params'] as const) {
    const v = b[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && v <= 1)) throw new InvalidValueError(`${fn}: budget.${key} must be in (0, 1], got ${String(v)}`);
  }
  return { ...b };
}

/** Ratios of a cost to the graph's unpruned cost. @internal */
export function costRatios(graph: DependencyGraph, cost: ModelCost): { macsRatio: number; paramsRatio: number } {
  return {
    macsRatio: graph.baseline.macs > 0 ? cost.macs / graph.baseline.macs : 1,
    paramsRatio: graph.baseline.params > 0 ? cost.params / graph.baseline.params : 1,
  };
}

/** Whether a cost is at or below every target of the budget. @internal */
export function withinBudget(graph: DependencyGraph, cost: ModelCost, budget: ChannelBudget, tolerance = Infinity): boolean {
  const { macsRatio, paramsRatio } = costRatios(graph, cost);
  const ok = (ratio: number, target: number | undefined) => target === undefined || (ratio <= target + 1e-12 && ratio >= target - tolerance);
  return ok(macsRatio, budget.macs) && ok(paramsRatio, budget.params);
}
