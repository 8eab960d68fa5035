/**
 * Physical channel removal: a new, smaller model.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, Rng, checkOptions } from '@lab/tensor';
import type { DependencyGraph, RemovedChannels } from '../graph/dependency-graph';
import { findTensors } from '../graph/trace';
import { cloneModule } from './clone-module';

/**
 * What to remove from a model: group channels per group of its dependency graph.
 * {@link planPruning} makes one from importance scores; one can also be written by hand.
 * @category Pruners
 */
export interface PrunePlan {
  /** The graph of the model to prune. */
  readonly graph: DependencyGraph;
  /** Group channels to remove, one entry per group (see {@link RemovedChannels}). */
  readonly removed: RemovedChannels;
  /** Groups left unpruned because the criterion could not score them (e.g. BN scale without BN). */
  readonly unscored?: readonly number[];
}

/** Options of {@link prune}; defaults in {@link PRUNE_DEFAULTS}. @category Pruners */
export interface PruneOptions {
  /**
   * Re-initialise every known layer (convolution, linear, norm) with its constructor's default
   * initialisation instead of keeping the kept slices: the "from scratch" pipeline of random
   * channel pruning. Parameters of other modules are copied.
   * @defaultValue false
   */
  fromScratch?: boolean;
  /** Seed of the initialisation of the rebuilt layers. @defaultValue 0 */
  seed?: number;
  /** Fewest channels any layer may keep on either side. @defaultValue 1 */
  minChannels?: number;
  /**
   * Run the pruned model once on zeros and check that its outputs have the original shapes (a
   * module that stores channel counts in its own fields fails here; register a
   * {@link ContainerAdapter} for it).
   * @defaultValue true
   */
  check?: boolean;
}

/** Defaults of {@link PruneOptions}. @category Pruners */
export const PRUNE_DEFAULTS = Object.freeze({
  /** Default of {@link PruneOptions.fromScratch}. */
  fromScratch: false,
  /** Default of {@link PruneOptions.seed}. */
  seed: 0,
  /** Default of {@link PruneOptions.minChannels}. */
  minChannels: 1,
  /** Default of {@link PruneOptions.check}. */
  check: true,
});

/**
 * Removes channels for real: returns a new model of the same class whose pruned layers have
 * smaller weight tensors, so its state dict loads into the same architecture built at the smaller
 * widths.
 *
 * Every known layer that loses channels is rebuilt by its {@link LayerPruner} with the kept
 * slices (convolution weights gathered on both sides, grouped and depthwise convolutions losing
 * whole groups, batch norm statistics only when present); every other module is copied
 * structurally (new variables, same class and fields, no forward hooks). Then the
 * {@link ContainerAdapter}s of the graph refresh the copied containers, and the copy runs once on
 * zeros to check its output shapes. The original model is not changed.
 * @param model - the model the plan's graph was built from
 * @param plan - what to remove, see {@link PrunePlan}
 * @param options - see {@link PruneOptions}
 * @returns the pruned model; the caller owns and disposes it (its variables are new tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when the plan belongs to another model, is malformed, would
 *   leave a layer below `minChannels`, on an unknown option, or when the check forward pass fails
 * @example
 * ```ts
 * const graph = await buildDependencyGraph(model, [32, 32, 3]);
 * const plan = planPruning(graph, { keepRatio: 0.5, scores: await scoreGroups(graph, l1Importance()) });
 * const small = prune(model, plan);
 * small.stateDict(); // smaller tensors, PyTorch layout
 * ```
 * @category Pruners
 */
export function prune<M extends Module<any, any>>(model: M, plan: PrunePlan, options: PruneOptions = {}): M {
  const fn = 'prune';
  checkOptions(fn, options, Object.keys(PRUNE_DEFAULTS));
  const o = { ...PRUNE_DEFAULTS, ...options };
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model must not be disposed`);
  if (typeof plan !== 'object' || plan === null || !plan.graph) throw new InvalidValueError(`${fn}: plan must be a PrunePlan {graph, removed}`);
  const graph = plan.graph;
  if (graph.model !== model) throw new InvalidValueError(`${fn}: plan must be built from the graph of this model, got a plan of another model`);
  if (typeof o.fromScratch !== 'boolean') throw new InvalidValueError(`${fn}: fromScratch must be a boolean, got ${String(o.fromScratch)}`);
  if (typeof o.check !== 'boolean') throw new InvalidValueError(`${fn}: check must be a boolean, got ${String(o.check)}`);
  if (typeof o.seed !== 'number' || !Number.isFinite(o.seed)) throw new InvalidValueError(`${fn}: seed must be a finite number, got ${String(o.seed)}`);
  if (!Number.isInteger(o.minChannels) || o.minChannels < 1) throw new InvalidValueError(`${fn}: minChannels must be a positive integer, got ${String(o.minChannels)}`);
  const kept = graph.keptChannels(plan.removed, o.minChannels);

  const rng = new Rng(o.seed);
  const replace = new Map<Module<any, any>, Module<any, any>>();
  let copy: Module<any, any> | undefined;
  try {
    for (const layer of graph.layers) {
      const keep = kept.get(layer.name);
      if (!keep || !layer.pruner.prune || replace.has(layer.module)) continue;
      const changed = keep.in.length < layer.inChannels || keep.out.length < layer.outChannels;
      if (!changed && !o.fromScratch) continue;
      const pruned = layer.pruner.prune(layer.module, keep, { fromScratch: o.fromScratch, rng });
      pruned.training = layer.module.training;
      replace.set(layer.module, pruned);
    }
    const cloned = cloneModule(model, replace);
    copy = cloned.copy;
    for (const [original, c] of cloned.copies) {
      if (replace.has(original)) continue;
      const adapter = graph.containerAdapters.find((a) => a.matches(original));
      if (adapter) adapter.refresh(c);
    }
    if (o.check) checkForward(graph, copy);
    return copy as M;
  } catch (e) {
    if (copy) copy.dispose();
    else for (const m of replace.values()) m.dispose();
    throw e;
  }
}

function checkForward(graph: DependencyGraph, model: Module<any, any>): void {
  const modules = model.modules();
  const training = modules.map((m) => m.training);
  let shapes: number[][];
  try {
    model.eval();
    shapes = tf.tidy(() => {
      const out = model.call(tf.zeros([1, ...graph.inputShape]));
      return findTensors(out).map((t) => t.shape.slice());
    });
  } catch (e) {
    throw new InvalidValueError(
      `prune: the pruned model fails its check forward pass (${e instanceof Error ? e.message : String(e)}); a module that stores channel counts in its fields needs a ContainerAdapter`,
    );
  } finally {
    modules.forEach((m, i) => {
      m.training = training[i];
    });
  }
  const expected = graph.outputShapes.map((s) => s.join('×')).join(', ');
  const got = shapes.map((s) => s.join('×')).join(', ');
  if (expected !== got) throw new InvalidValueError(`prune: the pruned model must keep its output shapes [${expected}], got [${got}]`);
}
