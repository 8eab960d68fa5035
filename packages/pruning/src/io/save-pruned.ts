/**
 * Writing a pruned model as one safetensors file: its weights plus its {@link PruningRecord}.
 * @packageDocumentation
 */
import { InvalidValueError, Module, disposeStateDict, writeSafetensors } from '@lab/tensor';
import { checkPruningRecord, type PruningRecord } from './pruning-record';

/**
 * Key of the safetensors `__metadata__` entry that holds the JSON {@link PruningRecord}.
 * @category Records
 */
export const PRUNING_RECORD_METADATA_KEY = 'lab.pruning-record';

/**
 * Serialises a pruned model into one safetensors file: every parameter and buffer of its state
 * dict (PyTorch layout and names, float32), and the {@link PruningRecord} as JSON in the
 * metadata under {@link PRUNING_RECORD_METADATA_KEY} (plus `format: 'pt'`). {@link loadPruned}
 * reads it back into a fresh base model. The parameter count of `model` must equal the record's
 * `prunedCost.params`, which catches a record saved with the wrong model.
 * @param model - the pruned model, e.g. from {@link prune} or {@link applyPruningRecord}; not changed
 * @param record - the record of its pruning, from {@link createPruningRecord}
 * @returns the file bytes; no tensor is left behind (tensor count unchanged)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-module or disposed model, a malformed record, or a
 *   model whose parameter count is not the record's
 * @example
 * ```ts
 * const small = prune(model, plan);
 * await fs.writeFile('imdn-pruned.safetensors', await savePruned(small, createPruningRecord(plan, { baseModel: 'imdn-ntire2022' })));
 * ```
 * @category Records
 */
export async function savePruned(model: Module<any, any>, record: PruningRecord): Promise<Uint8Array> {
  const fn = 'savePruned';
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model must not be disposed`);
  const r = checkPruningRecord(record, fn);
  const params = model.numParameters();
  if (params !== r.prunedCost.params) {
    throw new InvalidValueError(`${fn}: model must be the pruned model of the record (${r.prunedCost.params} parameters), got ${params} parameters`);
  }
  const dict = model.stateDict();
  try {
    return await writeSafetensors(dict, { format: 'pt', [PRUNING_RECORD_METADATA_KEY]: JSON.stringify(r) });
  } finally {
    disposeStateDict(dict);
  }
}
