/**
 * Rebuilding a pruned architecture from a fresh base model and a {@link PruningRecord}.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, checkOptions } from '@lab/tensor';
import { buildDependencyGraph, type BuildDependencyGraphOptions } from '../graph/build-dependency-graph';
import { prune } from '../pruners/prune';
import { checkPruningRecord, removedOf, type PruningRecord } from './pruning-record';

/**
 * Options of {@link applyPruningRecord} (and {@link loadPruned}): the extension points the
 * original graph was built with, so custom layers and containers are traced the same way.
 * @category Records
 */
export interface ApplyPruningRecordOptions {
  /** As {@link BuildDependencyGraphOptions.layerPruners}. @defaultValue [] */
  layerPruners?: BuildDependencyGraphOptions['layerPruners'];
  /** As {@link BuildDependencyGraphOptions.containerAdapters}. @defaultValue [] */
  containerAdapters?: BuildDependencyGraphOptions['containerAdapters'];
  /** As {@link BuildDependencyGraphOptions.ignoredLayers}. @defaultValue [] */
  ignoredLayers?: BuildDependencyGraphOptions['ignoredLayers'];
}

/** Option keys of {@link ApplyPruningRecordOptions}. @internal */
export const APPLY_PRUNING_RECORD_KEYS = Object.freeze(['layerPruners', 'containerAdapters', 'ignoredLayers']);

/**
 * Re-applies a recorded pruning to a fresh model of the base architecture: traces the model at
 * the record's input shape ({@link buildDependencyGraph}), checks that its groups are the
 * recorded ones (same count, roots and widths) and that the recorded channels give the recorded
 * parameter and MAC counts, then removes the channels the record does not keep with
 * {@link prune}. The result has the pruned architecture with the fresh model's weights sliced
 * to it; load the pruned weights into it (or use {@link loadPruned}, which does both).
 * @param model - a fresh model of the record's base architecture (`record.modelClass`); not changed
 * @param record - see {@link PruningRecord}; e.g. from {@link createPruningRecord} or `JSON.parse`
 * @param options - see {@link ApplyPruningRecordOptions}
 * @returns the pruned model (new variables); the caller owns and disposes it, and still owns `model`
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a malformed record (naming the field), a model of another
 *   class, groups that differ from the record's (naming the group), recorded costs that do not
 *   match, or an unknown option; whatever tracing or pruning throws
 * @example
 * ```ts
 * const record = JSON.parse(await fs.readFile('imdn-pruned.json', 'utf8'));
 * const small = await applyPruningRecord(new ImdnNtire2022(), record);
 * small.loadStateDict(prunedWeights);
 * ```
 * @category Records
 */
export async function applyPruningRecord<M extends Module<[tf.Tensor], any>>(model: M, record: PruningRecord, options: ApplyPruningRecordOptions = {}): Promise<M> {
  const fn = 'applyPruningRecord';
  checkOptions(fn, options, APPLY_PRUNING_RECORD_KEYS);
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model must not be disposed`);
  const r = checkPruningRecord(record, fn);
  const cls = model.constructor.name;
  if (cls !== r.modelClass) throw new InvalidValueError(`${fn}: model must be a fresh ${r.modelClass} (the record's base '${r.baseModel}'), got a ${cls}`);
  const graph = await buildDependencyGraph(model, r.inputShape, options);
  if (graph.groups.length !== r.groups.length) {
    throw new InvalidValueError(`${fn}: record.groups must match the model's ${graph.groups.length} dependency groups, got ${r.groups.length}`);
  }
  graph.groups.forEach((g, i) => {
    const e = r.groups[i];
    if (g.root !== e.root || g.width !== e.width) {
      throw new InvalidValueError(`${fn}: record.groups[${i}] must describe group '${g.root}' of ${g.width} channels, got '${e.root}' of ${e.width}`);
    }
  });
  const removed = removedOf(r);
  const cost = graph.cost(removed);
  for (const [name, want, got] of [
    ['baseCost', r.baseCost, graph.baseline],
    ['prunedCost', r.prunedCost, cost],
  ] as const) {
    if (want.params !== got.params || want.macs !== got.macs) {
      throw new InvalidValueError(
        `${fn}: record.${name} must match the model (${got.params} params, ${got.macs} MACs at [${r.inputShape.join(', ')}]), got ${want.params} params, ${want.macs} MACs`,
      );
    }
  }
  return prune(model, { graph, removed }, { minChannels: r.minChannels });
}
