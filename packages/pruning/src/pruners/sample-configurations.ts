/**
 * Random channel configurations under a budget, by rejection sampling.
 * @packageDocumentation
 */
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import type { GroupScores } from '../criteria/score-groups';
import type { DependencyGraph, ModelCost, RemovedChannels } from '../graph/dependency-graph';
import { checkBudget, costRatios, withinBudget, type ChannelBudget } from './channel-budget';
import { checkMinChannels, removalOrder, selectRemoved } from './plan-pruning';

/** Options of {@link sampleConfigurations}; defaults in {@link SAMPLE_CONFIGURATIONS_DEFAULTS}. @category Pruners */
export interface SampleConfigurationsOptions {
  /** The budget every accepted configuration meets, see {@link ChannelBudget}. */
  budget: ChannelBudget;
  /** Configurations to accept (the paper's N). @defaultValue 10 */
  count?: number;
  /** A configuration is accepted when each budgeted ratio lies in `[target − tolerance, target]`. @defaultValue 0.02 */
  tolerance?: number;
  /** Interval `[lo, hi]` ⊆ [0, 1] of the uniform keep ratio drawn per group. @defaultValue [0.1, 1] */
  keepRange?: readonly [number, number];
  /** Most draws before giving up. @defaultValue 100000 */
  maxTries?: number;
  /** Seed of the draws. @defaultValue 0 */
  seed?: number;
  /**
   * Scores that decide which channels a ratio removes (and so the exact cost); by default the
   * highest-indexed prunable channels go first.
   */
  scores?: GroupScores;
  /** Fewest channels a group and every layer side keeps. @defaultValue 1 */
  minChannels?: number;
  /**
   * `'rejection'` draws ratios and keeps those that meet the budget (the uniform law conditioned
   * on the budget); `'rescale'` multiplies each draw by the common factor that reaches the
   * budget, which changes the distribution (ratios may leave `keepRange`).
   * @defaultValue 'rejection'
   */
  strategy?: 'rejection' | 'rescale';
}

/** Defaults of {@link SampleConfigurationsOptions}. @category Pruners */
export const SAMPLE_CONFIGURATIONS_DEFAULTS = Object.freeze({
  /** Default of {@link SampleConfigurationsOptions.count}. */
  count: 10,
  /** Default of {@link SampleConfigurationsOptions.tolerance}. */
  tolerance: 0.02,
  /** Default of {@link SampleConfigurationsOptions.keepRange}. */
  keepRange: Object.freeze([0.1, 1]) as readonly [number, number],
  /** Default of {@link SampleConfigurationsOptions.maxTries}. */
  maxTries: 100_000,
  /** Default of {@link SampleConfigurationsOptions.seed}. */
  seed: 0,
  /** Default of {@link SampleConfigurationsOptions.minChannels}. */
  minChannels: 1,
  /** Default of {@link SampleConfigurationsOptions.strategy}. */
  strategy: 'rejection' as 'rejection' | 'rescale',
});

/** One accepted channel configuration. @category Pruners */
export interface ChannelConfiguration {
  /** Keep ratio per group id (1 for groups that are not sampled: no prunable channel or no scores). */
  readonly keepRatios: readonly number[];
  /** The group channels it removes (see {@link RemovedChannels}). */
  readonly removed: RemovedChannels;
  /** Cost of the pruned model. */
  readonly cost: ModelCost;
  /** `cost.macs` over the unpruned model's. */
  readonly macsRatio: number;
  /** `cost.params` over the unpruned model's. */
  readonly paramsRatio: number;
}

/** What {@link sampleConfigurations} returns. @category Pruners */
export interface SampleConfigurationsResult {
  /** The accepted configurations, in order of drawing. */
  readonly configurations: readonly ChannelConfiguration[];
  /** Draws made. */
  readonly tries: number;
  /** Draws rejected for missing the budget. */
  readonly rejected: number;
  /** `rejected / tries`. */
  readonly rejectionRate: number;
}

/**
 * Draws random channel configurations that meet a budget: each prunable group gets a keep ratio
 * drawn independently from `U[keepRange]` (layers coupled through residual adds share their
 * group's ratio; a MobileNetV2 expand/depthwise pair is one group), the cost of the configuration
 * is computed exactly from the graph, and it is accepted when every budgeted ratio lies in
 * `[target − tolerance, target]`; otherwise it is rejected and drawn again.
 * @param graph - the model's dependency graph
 * @param options - see {@link SampleConfigurationsOptions}
 * @returns the accepted configurations and the rejection rate
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on bad options, or when fewer than `count` configurations are
 *   accepted in `maxTries` draws (the message gives the rejection rate)
 * @see Li et al., "Revisiting Random Channel Pruning", arXiv 2205.05676
 * @example
 * ```ts
 * const { configurations, rejectionRate } = sampleConfigurations(graph, { budget: { macs: 0.5 }, count: 8, seed: 1 });
 * ```
 * @category Pruners
 */
export function sampleConfigurations(graph: DependencyGraph, options: SampleConfigurationsOptions): SampleConfigurationsResult {
  const fn = 'sampleConfigurations';
  if (typeof options !== 'object' || options === null) throw new InvalidValueError(`${fn}: options must be an object with a budget`);
  checkOptions(fn, options, ['budget', ...Object.keys(SAMPLE_CONFIGURATIONS_DEFAULTS), 'scores']);
  const o = { ...SAMPLE_CONFIGURATIONS_DEFAULTS, ...options };
  const budget = checkBudget(o.budget, fn);
  if (!Number.isInteger(o.count) || o.count < 1) throw new InvalidValueError(`${fn}: count must be a positive integer, got ${String(o.count)}`);
  if (!Number.isInteger(o.maxTries) || o.maxTries < o.count) throw new InvalidValueError(`${fn}: maxTries must be an integer ≥ count, got ${String(o.maxTries)}`);
  if (!(typeof o.tolerance === 'number' && o.tolerance >= 0)) throw new InvalidValueError(`${fn}: tolerance must be a non-negative number, got ${String(o.tolerance)}`);
  const [lo, hi] = Array.isArray(o.keepRange) ? o.keepRange : [NaN, NaN];
  if (!(typeof lo === 'number' && typeof hi === 'number' && lo >= 0 && lo <= hi && hi <= 1) || o.keepRange.length !== 2) {
    throw new InvalidValueError(`${fn}: keepRange must be [lo, hi] with 0 ≤ lo ≤ hi ≤ 1, got ${JSON.stringify(o.keepRange)}`);
  }
  if (o.strategy !== 'rejection' && o.strategy !== 'rescale') throw new InvalidValueError(`${fn}: strategy must be 'rejection' or 'rescale', got ${String(o.strategy)}`);
  if (typeof o.seed !== 'number' || !Number.isFinite(o.seed)) throw new InvalidValueError(`${fn}: seed must be a finite number, got ${String(o.seed)}`);
  const minChannels = checkMinChannels(o.minChannels, fn);
  const scores = o.scores ?? graph.groups.map((g) => Float32Array.from({ length: g.width }, (_, k) => g.width - k));
  const order = removalOrder(graph, scores, fn);
  const sampled = graph.groups.map((g, i) => g.prunable > 0 && order[i] !== null);

  const rng = new Rng(o.seed);
  const configurations: ChannelConfiguration[] = [];
  let tries = 0;
  let rejected = 0;
  const evaluate = (ratios: number[]): { removed: RemovedChannels; cost: ModelCost } => {
    const removed = selectRemoved(graph, order, ratios, minChannels);
    return { removed, cost: graph.costOfFlags(flags(graph, removed)) };
  };
  while (configurations.length < o.count && tries < o.maxTries) {
    tries++;
    let ratios = sampled.map((s) => (s ? lo + (hi - lo) * rng.next() : 1));
    let result = evaluate(ratios);
    if (o.strategy === 'rescale' && !withinBudget(graph, result.cost, budget, o.tolerance)) {
      const scaled = rescale(ratios, sampled, (r) => evaluate(r), (c) => withinBudget(graph, c, budget));
      ratios = scaled.ratios;
      result = scaled.result;
    }
    if (!withinBudget(graph, result.cost, budget, o.tolerance)) {
      rejected++;
      continue;
    }
    configurations.push(
      Object.freeze({ keepRatios: Object.freeze(ratios), removed: Object.freeze(result.removed), cost: result.cost, ...costRatios(graph, result.cost) }),
    );
  }
  if (configurations.length < o.count) {
    throw new InvalidValueError(
      `${fn}: only ${configurations.length} of ${o.count} configurations met the budget ${JSON.stringify(budget)} ± ${o.tolerance} in ${tries} draws (rejection rate ${(rejected / tries).toFixed(4)}); widen tolerance or keepRange, or raise maxTries`,
    );
  }
  return Object.freeze({ configurations: Object.freeze(configurations), tries, rejected, rejectionRate: tries > 0 ? rejected / tries : 0 });
}

/** Removal flags per group. */
function flags(graph: DependencyGraph, removed: RemovedChannels): Uint8Array[] {
  return removed.map((list, g) => {
    const f = new Uint8Array(graph.groups[g].width);
    for (const k of list) f[k] = 1;
    return f;
  });
}

/** The largest common factor s with min(1, s·r) meeting the budget (bisection; cost grows with s). */
function rescale<T extends { cost: ModelCost }>(
  ratios: number[],
  sampled: boolean[],
  evaluate: (r: number[]) => T,
  fits: (c: ModelCost) => boolean,
): { ratios: number[]; result: T } {
  const at = (s: number) => ratios.map((r, i) => (sampled[i] ? Math.min(1, s * r) : 1));
  let lo = 0;
  let hi = 1 / Math.max(1e-9, Math.min(...ratios.filter((_, i) => sampled[i]), 1));
  if (fits(evaluate(at(hi)).cost)) lo = hi;
  else {
    for (let it = 0; it < 40; it++) {
      const mid = (lo + hi) / 2;
      if (fits(evaluate(at(mid)).cost)) lo = mid;
      else hi = mid;
    }
  }
  const best = at(lo);
  return { ratios: best, result: evaluate(best) };
}
