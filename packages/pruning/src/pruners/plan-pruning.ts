/**
 * From scores and keep ratios to the group channels to remove.
 * @packageDocumentation
 */
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { GroupScores } from '../criteria/score-groups';
import type { DependencyGraph, RemovedChannels } from '../graph/dependency-graph';
import type { PrunePlan } from './prune';

/** Options of {@link planPruning}; defaults in {@link PLAN_PRUNING_DEFAULTS}. @category Pruners */
export interface PlanPruningOptions {
  /**
   * Share of each group's prunable channels to keep, in [0, 1]: one number for every group (the
   * "uniform" configuration) or one per group id (a sampled configuration). Fixed channels are
   * always kept and do not count.
   */
  keepRatio: number | readonly number[];
  /** Scores per group from {@link scoreGroups}; the lowest-scored prunable channels go first. */
  scores: GroupScores;
  /** Fewest channels a group, and every layer side in it, keeps. @defaultValue 1 */
  minChannels?: number;
}

/** Defaults of {@link PlanPruningOptions}. @category Pruners */
export const PLAN_PRUNING_DEFAULTS = Object.freeze({
  /** Default of {@link PlanPruningOptions.minChannels}. */
  minChannels: 1,
});

/** Per group, which layer sides (index into a flat list) own how many channels of each group channel. */
interface SideTable {
  full: Int32Array;
  perChannel: { side: number; count: number }[][][];
}

const tables = new WeakMap<DependencyGraph, SideTable>();

function sideTable(graph: DependencyGraph): SideTable {
  let t = tables.get(graph);
  if (t) return t;
  const full: number[] = [];
  const perChannel = graph.groups.map((g) => Array.from({ length: g.width }, () => [] as { side: number; count: number }[]));
  for (const l of graph.layers) {
    for (const [group, channel] of [
      [l.inGroup, l.inGroupChannel],
      [l.outGroup, l.outGroupChannel],
    ] as const) {
      const side = full.length;
      full.push(group.length);
      const counts = new Map<string, number>();
      for (let c = 0; c < group.length; c++) {
        if (group[c] < 0) continue;
        const key = `${group[c]}:${channel[c]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, count] of counts) {
        const [g, k] = key.split(':').map(Number);
        perChannel[g][k].push({ side, count });
      }
    }
  }
  t = { full: Int32Array.from(full), perChannel };
  tables.set(graph, t);
  return t;
}

/**
 * Per group, its prunable channels from the lowest score to the highest (ties: lower index
 * first); null for a group without scores.
 * @internal
 */
export function removalOrder(graph: DependencyGraph, scores: GroupScores, fn: string): (number[] | null)[] {
  if (!Array.isArray(scores) || scores.length !== graph.groups.length) {
    throw new InvalidValueError(`${fn}: scores must hold one entry per group (${graph.groups.length}), got ${Array.isArray(scores) ? `length ${scores.length}` : typeof scores}`);
  }
  return graph.groups.map((g, i) => {
    const s = scores[i];
    if (s === null) return null;
    if (!(s instanceof Float32Array) || s.length !== g.width) {
      throw new InvalidValueError(`${fn}: scores[${i}] must be null or a Float32Array of ${g.width} scores`);
    }
    const free = [];
    for (let k = 0; k < g.width; k++) if (g.fixed[k] === null) free.push(k);
    return free.sort((a, b) => s[a] - s[b] || a - b);
  });
}

/**
 * The group channels to remove for the given keep ratios: per group, the lowest-ranked prunable
 * channels, skipping any whose removal would leave a layer side below `minChannels`.
 * @internal
 */
export function selectRemoved(graph: DependencyGraph, order: readonly (number[] | null)[], keepRatios: readonly number[], minChannels: number): RemovedChannels {
  const table = sideTable(graph);
  const kept = Int32Array.from(table.full);
  return graph.groups.map((g, gi) => {
    const candidates = order[gi];
    if (!candidates || candidates.length === 0) return [];
    const keepFree = Math.round(keepRatios[gi] * candidates.length);
    const target = Math.min(candidates.length - keepFree, g.width - minChannels);
    const removed: number[] = [];
    for (const k of candidates) {
      if (removed.length >= target) break;
      const sides = table.perChannel[gi][k];
      if (!sides.every(({ side, count }) => kept[side] - count >= Math.min(minChannels, table.full[side]))) continue;
      for (const { side, count } of sides) kept[side] -= count;
      removed.push(k);
    }
    return removed.sort((a, b) => a - b);
  });
}

/** Checks a keep ratio (one number or one per group) and returns one per group. @internal */
export function keepRatios(graph: DependencyGraph, keepRatio: unknown, fn: string): number[] {
  const ok = (r: unknown) => typeof r === 'number' && r >= 0 && r <= 1;
  if (typeof keepRatio === 'number') {
    if (!ok(keepRatio)) throw new InvalidValueError(`${fn}: keepRatio must be in [0, 1], got ${keepRatio}`);
    return graph.groups.map(() => keepRatio);
  }
  if (!Array.isArray(keepRatio) || keepRatio.length !== graph.groups.length || !keepRatio.every(ok)) {
    throw new InvalidValueError(`${fn}: keepRatio must be a number in [0, 1] or an array of ${graph.groups.length} such numbers (one per group)`);
  }
  return keepRatio.slice();
}

/** Checks `minChannels`. @internal */
export function checkMinChannels(value: unknown, fn: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new InvalidValueError(`${fn}: minChannels must be a positive integer, got ${String(value)}`);
  return value as number;
}

/**
 * Chooses the channels to remove: in every group, `round(keepRatio · prunable)` of its prunable
 * channels are kept — the highest-scored — and the rest go, except that no group and no layer side
 * goes below `minChannels` (Torch-Pruning's `check_pruning_group`). Each group is pruned with its
 * own ratio, so channels coupled through residual adds are counted once (cf. Torch-Pruning #64).
 * @param graph - the model's dependency graph
 * @param options - see {@link PlanPruningOptions}
 * @returns the plan for {@link prune}; groups whose scores are null stay whole and are listed in `unscored`
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on malformed ratios or scores, or an unknown option
 * @example
 * ```ts
 * const plan = planPruning(graph, { keepRatio: 0.5, scores: await scoreGroups(graph, l2Importance()) });
 * graph.cost(plan.removed); // { params, macs } of the pruned model
 * ```
 * @category Pruners
 */
export function planPruning(graph: DependencyGraph, options: PlanPruningOptions): PrunePlan {
  const fn = 'planPruning';
  if (typeof options !== 'object' || options === null) throw new InvalidValueError(`${fn}: options must be an object with keepRatio and scores`);
  checkOptions(fn, options, ['keepRatio', 'scores', 'minChannels']);
  const ratios = keepRatios(graph, options.keepRatio, fn);
  const order = removalOrder(graph, options.scores, fn);
  const minChannels = checkMinChannels(options.minChannels ?? PLAN_PRUNING_DEFAULTS.minChannels, fn);
  const unscored = graph.groups.filter((g, i) => order[i] === null && g.prunable > 0).map((g) => g.id);
  return Object.freeze({ graph, removed: Object.freeze(selectRemoved(graph, order, ratios, minChannels)), unscored: Object.freeze(unscored) });
}
