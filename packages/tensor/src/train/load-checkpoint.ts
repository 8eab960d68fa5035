import { InvalidValueError, checkOptions } from '../errors';
import { disposeStateDict, readSafetensors, stateDictFromRaw } from '../io/weights/index';
import { type LoadStateDictResult, Module } from '../nn/module';

/** Options of {@link loadCheckpoint}. @category Training */
export interface LoadCheckpointOptions {
  /**
   * When true, missing and unexpected keys are errors; when false they are reported and skipped.
   * Shape mismatches are always errors.
   * @defaultValue true (as `Module.loadStateDict` and PyTorch's `load_state_dict`)
   */
  strict?: boolean;
}

/** Defaults of {@link LoadCheckpointOptions}. @category Training */
export const LOAD_CHECKPOINT_DEFAULTS: Readonly<Required<LoadCheckpointOptions>> = Object.freeze({
  /** Default of {@link LoadCheckpointOptions.strict}. */
  strict: true,
});

/** What {@link loadCheckpoint} did. @category Training */
export interface LoadCheckpointResult extends LoadStateDictResult {
  /** The file's `__metadata__` map (`{}` when absent). */
  metadata: Record<string, string>;
}

/**
 * Loads a safetensors checkpoint in PyTorch layout into a module's parameters and buffers.
 *
 * Parses the file, builds tensors and hands them to `model.loadStateDict`, which converts each
 * layout and assigns all of them or none. Works for files from {@link saveCheckpoint} and for
 * `safetensors.torch.save_file(model.state_dict(), …)` files from PyTorch.
 * @param model - the module to load into
 * @param bytes - the safetensors file
 * @param options - see {@link LoadCheckpointOptions}
 * @returns missing and unexpected keys (non-strict mode) and the file's metadata; no tensor outlives the call
 * @throws {@link FormatError} (with the byte offset) for a corrupt file.
 * @throws {@link CheckpointError} naming every missing, unexpected (strict) or mis-shaped key; the
 * model is then unchanged.
 * @throws {@link InvalidValueError} for a non-module, a disposed module, non-Uint8Array bytes or a bad option.
 * @example
 * ```ts
 * const { metadata } = loadCheckpoint(model, new Uint8Array(await fs.readFile('model.safetensors')));
 * ```
 * @category Training
 */
export function loadCheckpoint(model: Module<any, any>, bytes: Uint8Array, options?: LoadCheckpointOptions): LoadCheckpointResult {
  const fn = 'loadCheckpoint';
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model has been disposed`);
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidValueError(`${fn}: bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  checkOptions(fn, options, Object.keys(LOAD_CHECKPOINT_DEFAULTS));
  const strict = options?.strict ?? LOAD_CHECKPOINT_DEFAULTS.strict;
  if (typeof strict !== 'boolean') throw new InvalidValueError(`${fn}: strict must be a boolean, got ${typeof strict}`);
  const { tensors, metadata } = readSafetensors(bytes);
  const dict = stateDictFromRaw(tensors);
  try {
    const { missing, unexpected } = model.loadStateDict(dict, { strict });
    return { missing, unexpected, metadata };
  } finally {
    disposeStateDict(dict);
  }
}
