/**
 * Loading the official PyTorch checkpoints into the networks of this package.
 * @packageDocumentation
 */
import {
  InvalidValueError,
  Module,
  checkOptions,
  disposeStateDict,
  readTorchStateDict,
  stateDictFromRaw,
  type StateDict,
} from '@lab/tensor';

/** Options of {@link loadOfficialWeights}. @category Models */
export interface LoadOfficialWeightsOptions {
  /**
   * Top-level key of the checkpoint that holds the weights (`'params'` for BasicSR files such as
   * NTIRE 2022 `team18_bsrn.pth`).
   * @defaultValue auto-detected by `readTorchStateDict`: the file itself when it is a dict of
   *   tensors, else `state_dict`, `params`, `params_ema`, `model`, `net` or `network`
   */
  key?: string;
  /**
   * Prefix removed from every key.
   * @defaultValue `'module.'` when every key has it (`nn.DataParallel` checkpoints such as
   *   Zheng222/IMDN `IMDN_x4.pth`), else none
   */
  stripPrefix?: string;
}

/**
 * Loads an official PyTorch checkpoint into a model, strictly: every parameter of the model must
 * be in the file with its PyTorch shape, and the file must hold nothing else.
 *
 * Reads the file (zip or legacy `.pth`) with `readTorchStateDict`, which unwraps a `params` (or
 * `state_dict`, …) level and strips a `module.` prefix, converts the tensors to tfjs, copies them
 * into the model with `loadStateDict` (OIHW → HWIO in each convolution) and frees them again.
 * @param model - the network; its parameter names are the checkpoint keys
 * @param bytes - the whole `.pth` file
 * @param options - see {@link LoadOfficialWeightsOptions}
 * @returns nothing; the model's variables hold the weights (tensor count unchanged)
 * @throws InvalidValueError for a non-module, a disposed model, non-byte input or an unknown option
 * @throws CheckpointError listing every missing, unexpected and mis-shaped key (the model is then
 *   unchanged); FormatError for a corrupt file
 * @example
 * ```ts
 * const net = createModel('rlfn');
 * loadOfficialWeights(net, await fs.readFile('team04_rlfn.pth'));
 * ```
 * @category Models
 */
export function loadOfficialWeights(model: Module<any, any>, bytes: Uint8Array, options: LoadOfficialWeightsOptions = {}): void {
  const fn = 'loadOfficialWeights';
  checkOptions(fn, options, ['key', 'stripPrefix']);
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${typeof model}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model must not be disposed`);
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidValueError(`${fn}: bytes must be a Uint8Array (the whole .pth file), got ${bytes === null ? 'null' : typeof bytes}`);
  }
  const raw = readTorchStateDict(bytes, {
    ...(options.key !== undefined ? { key: options.key } : {}),
    ...(options.stripPrefix !== undefined ? { stripPrefix: options.stripPrefix } : {}),
  });
  const dict: StateDict = stateDictFromRaw(raw);
  try {
    model.loadStateDict(dict, { strict: true });
  } finally {
    disposeStateDict(dict);
  }
}
