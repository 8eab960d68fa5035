import { CheckpointError, InvalidValueError, checkOptions } from '../../errors';
import { describe, isRawTensor, putKey, type RawTensor } from './raw-tensor';
import { readTorchCheckpoint } from './torch-checkpoint';

/** Options of {@link readTorchStateDict}. @category Weights */
export interface ReadTorchStateDictOptions {
  /**
   * Top-level key of the checkpoint dict that holds the state dict (e.g. `'params_ema'`).
   * @defaultValue auto-detected: the checkpoint itself when every value is a tensor, else the
   *   first of {@link READ_TORCH_STATE_DICT_DEFAULTS}.keys holding a dict of tensors, else the
   *   only top-level value that is a dict of tensors
   */
  key?: string;
  /**
   * Prefix removed from every key that starts with it; `''` keeps keys unchanged.
   * @defaultValue `'module.'` (the `nn.DataParallel` wrapper), removed only when every key has it
   */
  stripPrefix?: string;
  /**
   * How globals outside the tensor allow-list are read (see `ReadTorchCheckpointOptions`):
   * `'opaque'` for files that keep training state beside the weights (PyTorch Lightning `.ckpt`).
   * @defaultValue 'error'
   */
  unknownGlobals?: 'error' | 'opaque';
}

/**
 * Defaults of {@link readTorchStateDict}.
 * @category Weights
 */
export const READ_TORCH_STATE_DICT_DEFAULTS = Object.freeze({
  /**
   * Top-level keys tried in order when `key` is not given: `state_dict` (PyTorch Lightning and
   * many training scripts), `params` then `params_ema` (BasicSR, e.g. NTIRE 2022 `team18_bsrn.pth`,
   * whose loader defaults to `params`), `model`, `net`, `network`.
   */
  keys: Object.freeze(['state_dict', 'params', 'params_ema', 'model', 'net', 'network']) as readonly string[],
  /** Prefix added by `nn.DataParallel` (e.g. Zheng222/IMDN checkpoints). */
  stripPrefix: 'module.',
});

function isTensorDict(v: unknown): v is Record<string, RawTensor> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || isRawTensor(v)) return false;
  const values = Object.values(v);
  return values.length > 0 && values.every(isRawTensor);
}

/**
 * Reads the tensor state dict of a PyTorch checkpoint: parses the file with
 * {@link readTorchCheckpoint}, picks the dict of tensors and strips a key prefix.
 *
 * The dict is `options.key` when given; otherwise the checkpoint itself when all its values are
 * tensors, else the first of `state_dict`, `params`, `params_ema`, `model`, `net`, `network` that
 * holds a dict of tensors, else the only top-level dict of tensors. Tensors keep PyTorch layout
 * (OIHW convolutions); turn them into tfjs tensors with {@link stateDictFromRaw}.
 * @param bytes - the whole `.pth` file (zip or legacy layout)
 * @param options - see {@link ReadTorchStateDictOptions}
 * @returns tensors by (prefix-stripped) name, in checkpoint order; the caller owns the arrays
 * @throws InvalidValueError for unknown or ill-typed options
 * @throws FormatError / NotAvailableError as {@link readTorchCheckpoint}
 * @throws CheckpointError when `key` is missing or does not hold a dict of tensors, when no dict
 *   of tensors can be found (the message lists the top-level keys), or when stripping the prefix
 *   makes two keys equal
 * @example
 * ```ts
 * const raw = readTorchStateDict(await fs.readFile('team18_bsrn.pth')); // picks 'params'
 * const dict = stateDictFromRaw(raw);
 * model.loadStateDict(dict);
 * disposeStateDict(dict);
 * ```
 * @category Weights
 */
export function readTorchStateDict(bytes: Uint8Array, options: ReadTorchStateDictOptions = {}): Record<string, RawTensor> {
  const fn = 'readTorchStateDict';
  checkOptions(fn, options, ['key', 'stripPrefix', 'unknownGlobals']);
  if (options.key !== undefined && typeof options.key !== 'string') {
    throw new InvalidValueError(`${fn}: key must be a string, got ${describe(options.key)}`);
  }
  if (options.stripPrefix !== undefined && typeof options.stripPrefix !== 'string') {
    throw new InvalidValueError(`${fn}: stripPrefix must be a string, got ${describe(options.stripPrefix)}`);
  }
  const root = readTorchCheckpoint(bytes, options.unknownGlobals !== undefined ? { unknownGlobals: options.unknownGlobals } : {});
  const topKeys = Object.keys(root);
  let dict: Record<string, RawTensor> | undefined;
  if (options.key !== undefined) {
    if (!Object.prototype.hasOwnProperty.call(root, options.key)) {
      throw new CheckpointError(`${fn}: key '${options.key}' must be a top-level key of the checkpoint, got keys: ${topKeys.join(', ')}`, {
        missing: [options.key],
      });
    }
    const v = root[options.key];
    if (!isTensorDict(v)) {
      throw new CheckpointError(`${fn}: checkpoint['${options.key}'] must be a dict of tensors, got ${describe(v)}`);
    }
    dict = v;
  } else if (isTensorDict(root)) {
    dict = root;
  } else {
    const k = READ_TORCH_STATE_DICT_DEFAULTS.keys.find((c) => Object.prototype.hasOwnProperty.call(root, c) && isTensorDict(root[c]));
    if (k !== undefined) dict = root[k] as Record<string, RawTensor>;
    else {
      const found = topKeys.filter((c) => isTensorDict(root[c]));
      if (found.length !== 1) {
        throw new CheckpointError(
          `${fn}: checkpoint must hold exactly one dict of tensors, or pass options.key; ` +
            `${found.length === 0 ? 'found none' : `found ${found.join(', ')}`} among top-level keys: ${topKeys.join(', ')}`,
        );
      }
      dict = root[found[0]] as Record<string, RawTensor>;
    }
  }
  const keys = Object.keys(dict);
  let prefix = options.stripPrefix;
  if (prefix === undefined) {
    const d = READ_TORCH_STATE_DICT_DEFAULTS.stripPrefix;
    prefix = keys.every((k) => k.startsWith(d)) ? d : '';
  }
  const out: Record<string, RawTensor> = {};
  for (const k of keys) {
    const name = prefix !== '' && k.startsWith(prefix) ? k.slice(prefix.length) : k;
    if (Object.prototype.hasOwnProperty.call(out, name)) {
      throw new CheckpointError(`${fn}: stripping prefix '${prefix}' makes two keys equal: '${name}'`);
    }
    putKey(out, name, dict[k]);
  }
  return out;
}
