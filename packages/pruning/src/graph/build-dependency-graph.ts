/**
 * Builds the channel dependency graph of a model by tracing one forward pass.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, checkOptions, profile } from '@lab/tensor';
import { BUILTIN_CONTAINER_ADAPTERS, BUILTIN_LAYER_PRUNERS } from '../layers/builtin';
import type { ChannelRole, ContainerAdapter, LayerPruner } from '../layers/layer-pruner';
import { DependencyGraph, type GraphLayer, type GroupMember, type PruningGroup } from './dependency-graph';
import { traceModel, type TracedLayer } from './trace';
import { UnionFind } from './union-find';

/** Options of {@link buildDependencyGraph}; defaults in {@link BUILD_DEPENDENCY_GRAPH_DEFAULTS}. @category Graph */
export interface BuildDependencyGraphOptions {
  /**
   * Pruners for custom layer types, tried before {@link BUILTIN_LAYER_PRUNERS} (the extension
   * point of Torch-Pruning's `customized_pruners`).
   * @defaultValue []
   */
  layerPruners?: readonly LayerPruner<any>[];
  /** Adapters for custom containers, tried before {@link BUILTIN_CONTAINER_ADAPTERS}. @defaultValue [] */
  containerAdapters?: readonly ContainerAdapter<any>[];
  /**
   * Dotted names of known layers whose output channels must not be pruned (Torch-Pruning's
   * `ignored_layers`); their groups keep those channels fixed.
   * @defaultValue []
   */
  ignoredLayers?: readonly string[];
}

/** Defaults of {@link BuildDependencyGraphOptions}. @category Graph */
export const BUILD_DEPENDENCY_GRAPH_DEFAULTS = Object.freeze({
  /** Default of {@link BuildDependencyGraphOptions.layerPruners}. */
  layerPruners: Object.freeze([]) as readonly LayerPruner<any>[],
  /** Default of {@link BuildDependencyGraphOptions.containerAdapters}. */
  containerAdapters: Object.freeze([]) as readonly ContainerAdapter<any>[],
  /** Default of {@link BuildDependencyGraphOptions.ignoredLayers}. */
  ignoredLayers: Object.freeze([]) as readonly string[],
});

/**
 * Builds the channel dependency graph of a model from one traced forward pass.
 *
 * The model runs once in evaluation mode on zeros `[1, ...inputShape]`. Layers with a
 * {@link LayerPruner} are leaves; between them every executed tfjs kernel is followed, and tensors
 * are related by their backend data and shape. Each channel of each tensor is an element of a
 * union-find: element-wise kernels (activations, residual adds, pooling) join channel i of their
 * inputs and output, a concatenation maps its inputs to offset ranges (a tensor concatenated with
 * itself owns two ranges), a split or channel slice maps ranges back, a flatten or reshape maps
 * channel c to the features it owns, zero padding of channels (ResNet shortcut A) adds fixed
 * channels. Channels that cannot change — the model input and output, split and slice ranges
 * (their sizes are written in the model's code), parameters or kernels outside known layers,
 * unsupported kernels — are fixed, with the reason. Groups are then the channel sets joined
 * through producers (see {@link PruningGroup}). Costs come from the `@lab/tensor` profiler.
 * @param model - the model, taking one NHWC tensor; it is not changed (training flags are restored)
 * @param inputShape - shape of one input without the batch axis, e.g. `[32, 32, 3]`
 * @param options - see {@link BuildDependencyGraphOptions}
 * @returns the graph; it holds no tensors
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a disposed model, a bad shape, an unknown option or ignored
 *   layer name, or a layer that does not take and return one tensor; whatever the forward pass throws
 * @see Fang et al., "DepGraph: Towards Any Structural Pruning", CVPR 2023 (VainF/Torch-Pruning)
 * @example
 * ```ts
 * const graph = await buildDependencyGraph(resnetCifar(56), [32, 32, 3]);
 * graph.groups.length;     // 28: one group across the stages (shortcut A) and 27 inside blocks
 * console.log(graph.describe());
 * ```
 * @category Graph
 */
export async function buildDependencyGraph(
  model: Module<[tf.Tensor], any>,
  inputShape: readonly number[],
  options: BuildDependencyGraphOptions = {},
): Promise<DependencyGraph> {
  const fn = 'buildDependencyGraph';
  checkOptions(fn, options, Object.keys(BUILD_DEPENDENCY_GRAPH_DEFAULTS));
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model must not be disposed`);
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidValueError(`${fn}: inputShape must be a non-empty array of positive integers (without the batch axis), got ${JSON.stringify(inputShape)}`);
  }
  const layerPruners = [...checkList(fn, 'layerPruners', options.layerPruners), ...BUILTIN_LAYER_PRUNERS];
  const containerAdapters = [...checkList(fn, 'containerAdapters', options.containerAdapters), ...BUILTIN_CONTAINER_ADAPTERS];
  for (const p of layerPruners) {
    for (const key of ['matches', 'producer', 'couple', 'params', 'cost'] as const) {
      if (typeof p?.[key] !== 'function') throw new InvalidValueError(`${fn}: layer pruner '${String(p?.name)}' must have a function '${key}'`);
    }
  }
  for (const a of containerAdapters) {
    if (typeof a?.matches !== 'function' || typeof a?.refresh !== 'function') {
      throw new InvalidValueError(`${fn}: container adapter '${String(a?.name)}' must have functions 'matches' and 'refresh'`);
    }
  }

  const names = new Map<Module<any, any>, string>();
  for (const [name, m] of model.namedModules()) if (!names.has(m)) names.set(m, name);
  const pruners = new Map<Module<any, any>, LayerPruner<any>>();
  for (const m of names.keys()) {
    const p = layerPruners.find((q) => q.matches(m));
    if (p) pruners.set(m, p);
  }
  const ignored = new Set<Module<any, any>>();
  const ignoredNames = options.ignoredLayers ?? BUILD_DEPENDENCY_GRAPH_DEFAULTS.ignoredLayers;
  if (!Array.isArray(ignoredNames)) throw new InvalidValueError(`${fn}: ignoredLayers must be an array of layer names`);
  for (const name of ignoredNames) {
    const m = [...names].find(([, n]) => n === name)?.[0];
    if (!m || !pruners.has(m)) throw new InvalidValueError(`${fn}: ignoredLayers entry '${String(name)}' is not a known layer of the model`);
    ignored.add(m);
  }

  const input = tf.zeros([1, ...inputShape]);
  let trace;
  try {
    trace = traceModel({ model, input, names, pruners, ignored });
  } finally {
    input.dispose();
  }
  const prof = await profile(model, [...inputShape], { perLayer: true, memory: false, trueMacs: true });
  const macsOf = new Map((prof.perLayer ?? []).map((row) => [row.name, row.macs ?? 0]));
  const { layers, groups } = formGroups(trace.layers, trace.uf, trace.fixed, macsOf);
  return new DependencyGraph({
    model,
    inputShape,
    outputShapes: trace.outputShapes,
    layers,
    groups,
    baseline: { params: prof.params, macs: prof.macs ?? 0 },
    containerAdapters,
  });
}

function checkList<T>(fn: string, key: string, value: readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidValueError(`${fn}: ${key} must be an array, got ${typeof value}`);
  return value;
}

/** Channel sets (union-find classes) → groups around producers, and each layer's channel map. */
function formGroups(
  traced: readonly TracedLayer[],
  uf: UnionFind,
  fixedElements: Map<number, string>,
  macsOf: Map<string, number>,
): { layers: GraphLayer[]; groups: PruningGroup[] } {
  // Dense ids of the sets touched by known layers.
  const dense = new Map<number, number>();
  const setOf = (element: number): number => {
    const root = uf.find(element);
    let id = dense.get(root);
    if (id === undefined) dense.set(root, (id = dense.size));
    return id;
  };
  const sides = traced.map((l) => {
    const first = l.calls[0];
    const ins = Int32Array.from({ length: first.input.channels }, (_, c) => setOf(first.input.base + c));
    const outs = Int32Array.from({ length: first.output.channels }, (_, c) => setOf(first.output.base + c));
    return { ins, outs };
  });
  const reasons = new Map<number, string>();
  for (const [element, reason] of fixedElements) {
    const id = dense.get(uf.find(element));
    if (id !== undefined && !reasons.has(id)) reasons.set(id, reason);
  }

  // Sets joined through producers.
  const byProducer = new UnionFind();
  byProducer.add(dense.size);
  const produced = new Set<number>();
  traced.forEach((l, i) => {
    if (!l.pruner.producer(l.module)) return;
    const outs = sides[i].outs;
    for (let c = 0; c < outs.length; c++) {
      byProducer.union(outs[0], outs[c]);
      produced.add(outs[c]);
    }
  });
  const producedComponents = new Set([...produced].map((s) => byProducer.find(s)));

  // Group ids by first producer; group channel order by first appearance.
  const groupOfComponent = new Map<number, number>();
  const roots: string[] = [];
  traced.forEach((l, i) => {
    if (!l.pruner.producer(l.module) || sides[i].outs.length === 0) return;
    const comp = byProducer.find(sides[i].outs[0]);
    if (!groupOfComponent.has(comp)) {
      groupOfComponent.set(comp, roots.length);
      roots.push(l.name);
    }
  });
  const groupOfSet = (s: number): number => {
    const comp = byProducer.find(s);
    return producedComponents.has(comp) ? (groupOfComponent.get(comp) ?? -1) : -1;
  };
  const indexInGroup = new Map<number, number>();
  const widths = roots.map(() => 0);
  const setsOfGroup: number[][] = roots.map(() => []);
  traced.forEach((_, i) => {
    for (const list of [sides[i].outs, sides[i].ins]) {
      for (const s of list) {
        const g = groupOfSet(s);
        if (g < 0 || indexInGroup.has(s)) continue;
        indexInGroup.set(s, widths[g]++);
        setsOfGroup[g].push(s);
      }
    }
  });

  const layers: GraphLayer[] = traced.map((l, i) => {
    const map = (list: Int32Array) => ({
      group: Int32Array.from(list, (s) => groupOfSet(s)),
      channel: Int32Array.from(list, (s) => (groupOfSet(s) >= 0 ? (indexInGroup.get(s) as number) : -1)),
    });
    const ins = map(sides[i].ins);
    const outs = map(sides[i].outs);
    return Object.freeze({
      name: l.name,
      type: l.module.constructor.name,
      module: l.module,
      pruner: l.pruner,
      inChannels: sides[i].ins.length,
      outChannels: sides[i].outs.length,
      calls: Object.freeze(l.calls.map((c) => c.call)),
      macs: macsOf.get(l.name) ?? 0,
      inGroup: ins.group,
      inGroupChannel: ins.channel,
      outGroup: outs.group,
      outGroupChannel: outs.channel,
    });
  });

  const members: GroupMember[][] = roots.map(() => []);
  for (const l of layers) {
    const roles: ChannelRole[] = l.pruner.producer(l.module) ? ['out', 'in'] : ['out'];
    for (const role of roles) {
      const group = role === 'out' ? l.outGroup : l.inGroup;
      const channel = role === 'out' ? l.outGroupChannel : l.inGroupChannel;
      const byGroup = new Map<number, number[][]>();
      for (let c = 0; c < group.length; c++) {
        const g = group[c];
        if (g < 0) continue;
        let lists = byGroup.get(g);
        if (!lists) byGroup.set(g, (lists = Array.from({ length: widths[g] }, () => [])));
        lists[channel[c]].push(c);
      }
      if (byGroup.size === 0) continue;
      const params = Object.freeze(
        l.pruner.params(l.module, role).map((p) => Object.freeze({ ...p, name: l.name ? `${l.name}.${p.name}` : p.name, view: Object.freeze(p.view.slice()) })),
      );
      for (const [g, lists] of byGroup) {
        members[g].push(Object.freeze({ layer: l.name, type: l.type, role, channels: Object.freeze(lists.map((x) => Object.freeze(x))), params }));
      }
    }
  }

  const groups: PruningGroup[] = roots.map((root, g) => {
    const fixed = setsOfGroup[g].map((s) => reasons.get(s) ?? null);
    return Object.freeze({
      id: g,
      root,
      width: widths[g],
      fixed: Object.freeze(fixed),
      prunable: fixed.filter((r) => r === null).length,
      members: Object.freeze(members[g]),
    });
  });
  return { layers, groups };
}
