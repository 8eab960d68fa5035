/**
 * Reading a pruned model written by {@link savePruned}.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { FormatError, InvalidValueError, Module, checkOptions, disposeStateDict, readSafetensors, stateDictFromRaw } from '@lab/tensor';
import { APPLY_PRUNING_RECORD_KEYS, applyPruningRecord, type ApplyPruningRecordOptions } from './apply-pruning-record';
import { checkPruningRecord, type PruningRecord } from './pruning-record';
import { PRUNING_RECORD_METADATA_KEY } from './save-pruned';

/** What {@link loadPruned} returns. @category Records */
export interface LoadPrunedResult<M> {
  /** The pruned model with the saved weights; the caller owns and disposes it. */
  readonly model: M;
  /** The record read from the file. */
  readonly record: PruningRecord;
}

function recordFromMetadata(fn: string, metadata: Record<string, string>): PruningRecord {
  const text = metadata[PRUNING_RECORD_METADATA_KEY];
  if (text === undefined) throw new FormatError(`${fn}: bytes must be a safetensors file written by savePruned, with a '${PRUNING_RECORD_METADATA_KEY}' metadata entry; it has none`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${fn}: the '${PRUNING_RECORD_METADATA_KEY}' metadata must be JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return checkPruningRecord(parsed, fn, `metadata['${PRUNING_RECORD_METADATA_KEY}']`);
}

/**
 * Reads only the {@link PruningRecord} of a file written by {@link savePruned}, e.g. to learn
 * which base model to build before calling {@link loadPruned}.
 * @param bytes - the whole safetensors file
 * @returns the record (plain data)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when `bytes` is not a Uint8Array or the record is malformed
 *   (naming the field); {@link "@lab/tensor"!FormatError | FormatError} for a corrupt file or one without a record
 * @example
 * ```ts
 * const record = readPruningRecord(bytes);
 * const { model } = await loadPruned(createModel(record.baseModel), bytes);
 * ```
 * @category Records
 */
export function readPruningRecord(bytes: Uint8Array): PruningRecord {
  const fn = 'readPruningRecord';
  if (!(bytes instanceof Uint8Array)) throw new InvalidValueError(`${fn}: bytes must be a Uint8Array (the whole file), got ${bytes === null ? 'null' : typeof bytes}`);
  return recordFromMetadata(fn, readSafetensors(bytes).metadata);
}

/**
 * Loads a pruned model saved by {@link savePruned} into a fresh model of its base architecture:
 * reads the record from the file, rebuilds the pruned architecture with
 * {@link applyPruningRecord}, and loads the saved weights into it strictly (every key present,
 * nothing extra, every shape equal). The result computes exactly what the saved model computed.
 * @param model - a fresh model of the record's base architecture, any weights; not changed (the
 *   caller still owns and disposes it)
 * @param bytes - the whole safetensors file
 * @param options - see {@link ApplyPruningRecordOptions}
 * @returns the pruned model and its record; the caller disposes the model
 * @throws {@link "@lab/tensor"!FormatError | FormatError} for a corrupt file or one without a record; {@link "@lab/tensor"!InvalidValueError | InvalidValueError}
 *   as {@link applyPruningRecord}; {@link "@lab/tensor"!CheckpointError | CheckpointError} naming every missing, unexpected or
 *   mis-shaped weight. Nothing is left allocated on failure
 * @example
 * ```ts
 * const bytes = new Uint8Array(await fs.readFile('imdn-pruned.safetensors'));
 * const base = new ImdnNtire2022();
 * const { model: small } = await loadPruned(base, bytes);
 * base.dispose();
 * ```
 * @category Records
 */
export async function loadPruned<M extends Module<[tf.Tensor], any>>(
  model: M,
  bytes: Uint8Array,
  options: ApplyPruningRecordOptions = {},
): Promise<LoadPrunedResult<M>> {
  const fn = 'loadPruned';
  checkOptions(fn, options, APPLY_PRUNING_RECORD_KEYS);
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  if (!(bytes instanceof Uint8Array)) throw new InvalidValueError(`${fn}: bytes must be a Uint8Array (the whole file), got ${bytes === null ? 'null' : typeof bytes}`);
  const { tensors, metadata } = readSafetensors(bytes);
  const record = recordFromMetadata(fn, metadata);
  const small = await applyPruningRecord(model, record, options);
  try {
    const dict = stateDictFromRaw(tensors);
    try {
      small.loadStateDict(dict, { strict: true });
    } finally {
      disposeStateDict(dict);
    }
  } catch (e) {
    small.dispose();
    throw e;
  }
  return Object.freeze({ model: small, record });
}
