import { InvalidValueError, checkOptions } from '../errors';
import { disposeStateDict, writeSafetensors } from '../io/weights/index';
import { Module } from '../nn/module';

/** Options of {@link saveCheckpoint}. @category Training */
export interface SaveCheckpointOptions {
  /**
   * String map stored as the safetensors `__metadata__`, merged over `{ format: 'pt' }` (the
   * marker Hugging Face loaders expect in PyTorch safetensors files).
   * @defaultValue `{ format: 'pt' }`
   */
  metadata?: Record<string, string>;
}

/** Metadata every checkpoint carries unless overridden: `format: 'pt'`, as `safetensors.torch.save_file` users set it. @category Training */
export const SAVE_CHECKPOINT_DEFAULTS: Readonly<{
  /** Default of {@link SaveCheckpointOptions.metadata}. */
  metadata: Readonly<Record<string, string>>;
}> = Object.freeze({
  metadata: Object.freeze({ format: 'pt' }),
});

/**
 * Serialises a module's parameters and buffers as a safetensors file in PyTorch layout.
 *
 * The file holds `model.stateDict()`: dotted PyTorch names, OIHW convolution and out×in linear
 * weights, so `safetensors.torch.load_file` followed by `model.load_state_dict` loads it in
 * PyTorch, and {@link loadCheckpoint} loads it here.
 * @param model - the module whose state is saved (not modified)
 * @param options - see {@link SaveCheckpointOptions}
 * @returns a promise of the file bytes; no tensor outlives the call
 * @throws {@link InvalidValueError} for a non-module, a disposed module, or metadata that is not a
 * string map.
 * @see https://github.com/huggingface/safetensors
 * @example
 * ```ts
 * const bytes = await saveCheckpoint(model, { metadata: { epoch: '10' } });
 * await fs.writeFile('model.safetensors', bytes);
 * ```
 * @category Training
 */
export async function saveCheckpoint(model: Module<any, any>, options?: SaveCheckpointOptions): Promise<Uint8Array> {
  const fn = 'saveCheckpoint';
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model has been disposed`);
  checkOptions(fn, options, ['metadata']);
  const extra = options?.metadata ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new InvalidValueError(`${fn}: metadata must be an object of strings, got ${extra === null ? 'null' : typeof extra}`);
  }
  for (const [k, v] of Object.entries(extra)) {
    if (typeof v !== 'string') throw new InvalidValueError(`${fn}: metadata['${k}'] must be a string, got ${typeof v}`);
  }
  const dict = model.stateDict();
  try {
    return await writeSafetensors(dict, { ...SAVE_CHECKPOINT_DEFAULTS.metadata, ...extra });
  } finally {
    disposeStateDict(dict);
  }
}
