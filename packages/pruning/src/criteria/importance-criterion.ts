/**
 * The contract of importance criteria and what they share: the group reduction and the member
 * sides they read.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { GroupMember, PruningGroup } from '../graph/dependency-graph';
import type { ChannelParam, ChannelParamKind, ChannelRole } from '../layers/layer-pruner';

/** What a criterion needs besides the weights. @category Criteria */
export type CriterionNeeds = 'weights' | 'gradients' | 'fisher';

/**
 * What a criterion may read while scoring: parameter values and, when it asked for them,
 * gradient statistics, each as a flat array in the variable's native layout.
 * @category Criteria
 */
export interface CriterionContext {
  /** Values of a parameter. */
  values(variable: tf.Variable): Float32Array;
  /** Gradient of the mean loss over the scoring data (criteria that need `'gradients'`). */
  gradient(variable: tf.Variable): Float32Array;
  /** Mean squared per-sample gradient, the Fisher diagonal E[g²] (criteria that need `'fisher'`). */
  fisher(variable: tf.Variable): Float32Array;
}

/**
 * An importance criterion: maps a dependency group to one score per group channel (higher =
 * keep). It reads only the group's members and parameters, never the graph or the model.
 * @category Criteria
 */
export interface ImportanceCriterion {
  /** Registry key of the criterion (`'l1'`). */
  readonly name: string;
  /** Whether {@link scoreGroups} must compute gradients or the Fisher diagonal first. */
  readonly needs: CriterionNeeds;
  /**
   * Scores of the group's channels (length `group.width`), or null when the criterion cannot
   * score this group (BN scale on a group without batch norm).
   */
  score(group: PruningGroup, context: CriterionContext): Float32Array | null;
}

/** How the scores of a group's members are combined into one score per group channel. @category Criteria */
export type GroupReduction = 'sum' | 'mean' | 'max';

/**
 * Options shared by the criteria that score every member of a group.
 * @category Criteria
 */
export interface GroupCriterionOptions {
  /**
   * Combination of the members' scores of one group channel, over the members that own channels
   * of it (Torch-Pruning's `group_reduction`).
   * @defaultValue 'mean'
   */
  reduction?: GroupReduction;
  /**
   * Member sides read: `'out'` (the filters of producers and the parameters of pass-through
   * layers such as batch norm) and `'in'` (the input slices of consumers).
   * @defaultValue ['out', 'in']
   */
  roles?: readonly ChannelRole[];
}

/** Defaults of {@link GroupCriterionOptions}. @category Criteria */
export const GROUP_CRITERION_DEFAULTS = Object.freeze({
  /** Default of {@link GroupCriterionOptions.reduction}. */
  reduction: 'mean' as GroupReduction,
  /** Default of {@link GroupCriterionOptions.roles}. */
  roles: Object.freeze(['out', 'in']) as readonly ChannelRole[],
});

/** Validates and fills {@link GroupCriterionOptions}. @internal */
export function groupOptions(fn: string, options: GroupCriterionOptions | undefined): { reduction: GroupReduction; roles: readonly ChannelRole[] } {
  checkOptions(fn, options, ['reduction', 'roles']);
  const reduction = options?.reduction ?? GROUP_CRITERION_DEFAULTS.reduction;
  if (reduction !== 'sum' && reduction !== 'mean' && reduction !== 'max') {
    throw new InvalidValueError(`${fn}: reduction must be 'sum', 'mean' or 'max', got ${String(reduction)}`);
  }
  const roles = options?.roles ?? GROUP_CRITERION_DEFAULTS.roles;
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => r === 'in' || r === 'out')) {
    throw new InvalidValueError(`${fn}: roles must be a non-empty array of 'in' and 'out', got ${JSON.stringify(roles)}`);
  }
  return { reduction, roles: [...new Set(roles)] };
}

/**
 * Per group channel, the member's parameter values over the channels it owns, for the given
 * kinds, concatenated (null where the member owns no channel or has no such parameter).
 * @internal
 */
export function memberVectors(
  member: GroupMember,
  kinds: ReadonlySet<ChannelParamKind>,
  source: (p: ChannelParam) => Float32Array,
): (Float32Array | null)[] {
  const params = member.params.filter((p) => kinds.has(p.kind));
  return member.channels.map((channels) => {
    if (channels.length === 0 || params.length === 0) return null;
    let size = 0;
    for (const p of params) size += (p.variable.size / p.view[p.axis]) * channels.length;
    const out = new Float32Array(size);
    let at = 0;
    for (const p of params) {
      const data = source(p);
      let outer = 1;
      for (let d = 0; d < p.axis; d++) outer *= p.view[d];
      const c = p.view[p.axis];
      const inner = p.variable.size / (outer * c);
      for (const ch of channels) {
        for (let o = 0; o < outer; o++) {
          const start = (o * c + ch) * inner;
          out.set(data.subarray(start, start + inner), at);
          at += inner;
        }
      }
    }
    return out;
  });
}

/**
 * Scores every member (on the chosen sides) with `perMember` and combines them per group channel;
 * channels no member scores get 0. Returns null when no member has parameters of the kinds.
 * @internal
 */
export function reduceOverMembers(
  group: PruningGroup,
  roles: readonly ChannelRole[],
  reduction: GroupReduction,
  kinds: ReadonlySet<ChannelParamKind>,
  source: (p: ChannelParam) => Float32Array,
  perMember: (vectors: (Float32Array | null)[], member: GroupMember) => (number | null)[],
): Float32Array | null {
  const total = new Float64Array(group.width);
  const count = new Int32Array(group.width);
  const best = new Float64Array(group.width).fill(-Infinity);
  let any = false;
  for (const member of group.members) {
    if (!roles.includes(member.role)) continue;
    const vectors = memberVectors(member, kinds, source);
    if (vectors.every((v) => v === null)) continue;
    any = true;
    const scores = perMember(vectors, member);
    scores.forEach((s, k) => {
      if (s === null) return;
      total[k] += s;
      count[k]++;
      if (s > best[k]) best[k] = s;
    });
  }
  if (!any) return null;
  const out = new Float32Array(group.width);
  for (let k = 0; k < group.width; k++) {
    if (count[k] === 0) continue;
    out[k] = reduction === 'sum' ? total[k] : reduction === 'mean' ? total[k] / count[k] : best[k];
  }
  return out;
}
