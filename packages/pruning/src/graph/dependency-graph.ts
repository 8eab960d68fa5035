/**
 * The channel dependency graph of a model: coupled groups of channels, and what removing some of
 * them does to each layer and to the model's cost.
 * @packageDocumentation
 */
import { InvalidValueError, type Module } from '@lab/tensor';
import type { ChannelParam, ChannelRole, ContainerAdapter, KeptChannels, LayerCall, LayerCost, LayerPruner } from '../layers/layer-pruner';

/**
 * A known layer of the traced model (a leaf handled by a {@link LayerPruner}), with the group and
 * group channel of each of its input and output channels.
 * @category Graph
 */
export interface GraphLayer {
  /** Dotted module name (`layer1.0.conv1`). */
  readonly name: string;
  /** Class name (`Conv2d`). */
  readonly type: string;
  /** The layer itself. */
  readonly module: Module<any, any>;
  /** The pruner that handles it. */
  readonly pruner: LayerPruner<any>;
  /** Channels of its first input's last axis. */
  readonly inChannels: number;
  /** Channels of its output's last axis. */
  readonly outChannels: number;
  /** Shapes of every traced call. */
  readonly calls: readonly LayerCall[];
  /** Multiply-accumulates of all its calls at full width, from the `@lab/tensor` profiler. */
  readonly macs: number;
  /** Group id of each input channel, −1 when the channel is in no group (e.g. the model input). */
  readonly inGroup: Int32Array;
  /** Index of each input channel's group channel inside its group (−1 when none). */
  readonly inGroupChannel: Int32Array;
  /** Group id of each output channel, −1 when none. */
  readonly outGroup: Int32Array;
  /** Index of each output channel's group channel inside its group (−1 when none). */
  readonly outGroupChannel: Int32Array;
}

/**
 * One side of one layer inside a group: which of the layer's channels each group channel owns,
 * and the parameters indexed by them (names prefixed with the layer name).
 * @category Graph
 */
export interface GroupMember {
  /** Dotted layer name. */
  readonly layer: string;
  /** Class name of the layer. */
  readonly type: string;
  /** Input side (a consumer) or output side (a producer or a pass-through layer). */
  readonly role: ChannelRole;
  /** Per group channel, the layer's channels it owns on this side (empty when none). */
  readonly channels: readonly (readonly number[])[];
  /** Parameters indexed by these channels. */
  readonly params: readonly ChannelParam[];
}

/**
 * A dependency group: channels of several layers that must be removed together. Removing group
 * channel `k` removes, from every member, the channels `member.channels[k]` — once each, whatever
 * the number of paths between the layers (cf. Torch-Pruning #3).
 *
 * A group is formed around producers (plain convolutions, linear layers): producers whose outputs
 * meet in an element-wise op (a residual add) share a group; a concatenation maps each input to
 * an offset range of the consumer, so a concat of different layers keeps their groups apart and a
 * tensor concatenated with itself owns two channels of the consumer per group channel.
 * @category Graph
 */
export interface PruningGroup {
  /** Index in {@link DependencyGraph.groups}. */
  readonly id: number;
  /** Name of its first producer in execution order. */
  readonly root: string;
  /** Number of group channels. */
  readonly width: number;
  /** Per group channel: null when it may be removed, otherwise why it may not. */
  readonly fixed: readonly (string | null)[];
  /** Number of group channels that may be removed. */
  readonly prunable: number;
  /** Members: every producer's and pass-through layer's output side, every consumer's input side. */
  readonly members: readonly GroupMember[];
}

/**
 * Group channels to remove: entry `g` lists the indices (into group `g`'s channels) that go;
 * every group has an entry, empty for no change.
 * @category Graph
 */
export type RemovedChannels = readonly (readonly number[])[];

/** Parameters and multiply-accumulates of a model or of a pruned variant. @category Graph */
export interface ModelCost {
  /** Trainable scalar parameters. */
  readonly params: number;
  /** Multiply-accumulates of one forward pass at batch 1. */
  readonly macs: number;
}

/** Internal construction data of a {@link DependencyGraph}. @internal */
export interface DependencyGraphInit {
  model: Module<any, any>;
  inputShape: readonly number[];
  outputShapes: readonly (readonly number[])[];
  layers: GraphLayer[];
  groups: PruningGroup[];
  baseline: ModelCost;
  containerAdapters: readonly ContainerAdapter<any>[];
}

/**
 * The channel dependency graph of a model, built by {@link buildDependencyGraph}: its known layers,
 * its groups, and what removing group channels does to each layer ({@link keptChannels}) and to
 * the model's parameters and multiply-accumulates ({@link cost}). It knows nothing of importance
 * criteria or schedules. It holds the model by reference and no tensors of its own; it describes
 * the model as it was traced and goes stale if the model is changed.
 * @category Graph
 */
export class DependencyGraph {
  /** The traced model. */
  readonly model: Module<any, any>;
  /** Input shape without the batch axis (NHWC). */
  readonly inputShape: readonly number[];
  /** Shapes of the model outputs at batch 1. */
  readonly outputShapes: readonly (readonly number[])[];
  /** The known layers in order of first call. */
  readonly layers: readonly GraphLayer[];
  /** The groups, ordered by their root's first call. */
  readonly groups: readonly PruningGroup[];
  /** Cost of the unpruned model (the profiler's count). */
  readonly baseline: ModelCost;
  /** Adapters {@link prune} applies to pruned containers. */
  readonly containerAdapters: readonly ContainerAdapter<any>[];
  private readonly byName: Map<string, GraphLayer>;
  private readonly fullCost: Map<GraphLayer, LayerCost>;

  /** @internal Use {@link buildDependencyGraph}. */
  constructor(init: DependencyGraphInit) {
    this.model = init.model;
    this.inputShape = Object.freeze(init.inputShape.slice());
    this.outputShapes = Object.freeze(init.outputShapes.map((s) => Object.freeze(s.slice())));
    this.layers = Object.freeze(init.layers.slice());
    this.groups = Object.freeze(init.groups.slice());
    this.baseline = Object.freeze({ ...init.baseline });
    this.containerAdapters = Object.freeze(init.containerAdapters.slice());
    this.byName = new Map(this.layers.map((l) => [l.name, l]));
    this.fullCost = new Map(this.layers.map((l) => [l, l.pruner.cost(l.module, { in: l.inChannels, out: l.outChannels })]));
  }

  /**
   * The known layer called `name`.
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} naming the layer when it is not a known layer of the graph
   */
  layer(name: string): GraphLayer {
    const l = this.byName.get(name);
    if (!l) throw new InvalidValueError(`DependencyGraph.layer: '${name}' is not a known layer of the graph`);
    return l;
  }

  /**
   * The groups holding channels of one side of a layer (usually one; a layer after a concat of
   * different producers has one per producer).
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when `layer` is not a known layer
   */
  groupsOf(layer: string, role: ChannelRole = 'out'): PruningGroup[] {
    const l = this.layer(layer);
    const ids = new Set<number>();
    for (const g of role === 'out' ? l.outGroup : l.inGroup) if (g >= 0) ids.add(g);
    return [...ids].sort((a, b) => a - b).map((id) => this.groups[id]);
  }

  /**
   * Checks a {@link RemovedChannels} selection against the groups.
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} naming the group and index when a selection is malformed,
   *   out of range, repeated or fixed
   */
  checkRemoved(removed: RemovedChannels, fn = 'DependencyGraph'): void {
    if (!Array.isArray(removed) || removed.length !== this.groups.length) {
      throw new InvalidValueError(`${fn}: removed must be an array with one entry per group (${this.groups.length}), got ${Array.isArray(removed) ? `length ${removed.length}` : typeof removed}`);
    }
    removed.forEach((list, g) => {
      const group = this.groups[g];
      if (!Array.isArray(list)) throw new InvalidValueError(`${fn}: removed[${g}] must be an array of group channel indices, got ${typeof list}`);
      const seen = new Set<number>();
      for (const k of list) {
        if (!Number.isInteger(k) || k < 0 || k >= group.width) {
          throw new InvalidValueError(`${fn}: removed[${g}] must hold integers in [0, ${group.width}), got ${String(k)} (group of '${group.root}')`);
        }
        if (seen.has(k)) throw new InvalidValueError(`${fn}: removed[${g}] lists group channel ${k} twice (group of '${group.root}')`);
        seen.add(k);
        const reason = group.fixed[k];
        if (reason !== null) throw new InvalidValueError(`${fn}: group channel ${k} of the group of '${group.root}' is fixed: ${reason}`);
      }
    });
  }

  /**
   * The channels every known layer keeps when the given group channels are removed.
   * @param removed - see {@link RemovedChannels}
   * @param minChannels - the fewest channels a layer may keep on either side
   * @returns kept input and output channels (sorted) of every known layer, by name
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on a malformed selection, or naming the layer that would
   *   keep fewer than `minChannels` channels
   */
  keptChannels(removed: RemovedChannels, minChannels = 1): Map<string, KeptChannels> {
    this.checkRemoved(removed, 'keptChannels');
    const sets = removed.map((list) => new Set(list));
    const out = new Map<string, KeptChannels>();
    for (const l of this.layers) {
      const keepIn = keptSide(l.inGroup, l.inGroupChannel, sets);
      const keepOut = keptSide(l.outGroup, l.outGroupChannel, sets);
      for (const [side, kept, total] of [
        ['input', keepIn, l.inChannels],
        ['output', keepOut, l.outChannels],
      ] as const) {
        if (kept.length < Math.min(minChannels, total)) {
          throw new InvalidValueError(`keptChannels: layer '${l.name}' would keep ${kept.length} of its ${total} ${side} channels, fewer than minChannels=${minChannels}`);
        }
      }
      out.set(l.name, { in: keepIn, out: keepOut });
    }
    return out;
  }

  /**
   * Parameters and multiply-accumulates of the model with the given group channels removed:
   * the profiler's count of the unpruned model minus, for every changed layer, its change as its
   * {@link LayerPruner.cost} reports it. Equals the profiler's count on the pruned model.
   * @param removed - see {@link RemovedChannels}; omitted: the unpruned model
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on a malformed selection
   */
  cost(removed?: RemovedChannels): ModelCost {
    if (removed === undefined) return this.baseline;
    this.checkRemoved(removed, 'cost');
    const flags = removed.map((list, g) => {
      const f = new Uint8Array(this.groups[g].width);
      for (const k of list) f[k] = 1;
      return f;
    });
    return this.costOfFlags(flags);
  }

  /** @internal {@link cost} without validation, with removal flags per group. */
  costOfFlags(flags: readonly Uint8Array[]): ModelCost {
    let params = this.baseline.params;
    let macs = this.baseline.macs;
    for (const l of this.layers) {
      const rIn = countRemoved(l.inGroup, l.inGroupChannel, flags);
      const rOut = countRemoved(l.outGroup, l.outGroupChannel, flags);
      if (rIn === 0 && rOut === 0) continue;
      const full = this.fullCost.get(l) as LayerCost;
      const now = l.pruner.cost(l.module, { in: l.inChannels - rIn, out: l.outChannels - rOut });
      params -= full.params - now.params;
      macs -= l.macs * (full.macsFraction - now.macsFraction);
    }
    return { params: Math.round(params), macs: Math.round(macs) };
  }

  /**
   * A readable listing of the groups, one line per group with its members as
   * `conv1 [out] ⇒ bn1 [out] ⇒ layer1.0.conv1 [in]`.
   */
  describe(): string {
    const lines: string[] = [];
    for (const g of this.groups) {
      const fixed = g.width - g.prunable;
      lines.push(
        `group ${g.id} (${g.width} channels${fixed ? `, ${fixed} fixed` : ''}): ` + g.members.map((m) => `${m.layer || '(model)'} [${m.role}]`).join(' ⇒ '),
      );
    }
    return lines.join('\n');
  }
}

function keptSide(group: Int32Array, channel: Int32Array, sets: readonly Set<number>[]): number[] {
  const kept: number[] = [];
  for (let c = 0; c < group.length; c++) {
    const g = group[c];
    if (g < 0 || !sets[g].has(channel[c])) kept.push(c);
  }
  return kept;
}

function countRemoved(group: Int32Array, channel: Int32Array, flags: readonly Uint8Array[]): number {
  let n = 0;
  for (let c = 0; c < group.length; c++) {
    const g = group[c];
    if (g >= 0 && flags[g][channel[c]] === 1) n++;
  }
  return n;
}
