/**
 * Reading the official GRL checkpoints: PyTorch Lightning `.ckpt` files whose `state_dict` holds
 * the network under a prefix, beside training state and size-dependent buffers.
 * @packageDocumentation
 */
import { CheckpointError, InvalidValueError, disposeStateDict, readTorchStateDict, stateDictFromRaw, type StateDict } from '@lab/tensor';
import { Grl } from './grl';

/**
 * Top-level buffers of the reference `GRL` (`set_table_index_mask`, registered with
 * `register_buffer`, so in the official state dicts): recomputed here from the input size.
 */
const GRL_BUFFERS: ReadonlySet<string> = new Set([
  'table_w',
  'table_sh',
  'table_sv',
  'index_w',
  'index_sh_a2w',
  'index_sh_w2a',
  'index_sv_a2w',
  'index_sv_w2a',
  'mask_w',
  'mask_sh_a2w',
  'mask_sh_w2a',
  'mask_sv_a2w',
  'mask_sv_w2a',
]);

/** Per-block buffers of older GRL versions, dropped by the reference's `convert_checkpoint`. */
const BLOCK_BUFFER_SUFFIXES = ['relative_coords_table', 'relative_position_index', 'attn_mask'];

/** Prefixes preferred, in order, when several networks are in one file (`model_g.`: the GAN generator). */
const PREFERRED_PREFIXES = ['', 'model.', 'model_g.', 'module.'];

/**
 * Extracts the network weights of a GRL checkpoint's state dict under their official names
 * (`conv_first.weight`, `layers.0.blocks.0.attn.qkv.body.weight`, …).
 *
 * The official files keep the network under a prefix (`model.` in the SR `.ckpt` files,
 * `model_g.` beside a discriminator in `bsr_grl_base.ckpt`): the prefix is whatever precedes
 * `conv_first.weight`. Keys without it (Lightning's `current_val_metric`, `best_val_metric`,
 * `best_iter`, a discriminator, …) are dropped, as are the size-dependent buffers `table_*`,
 * `index_*`, `mask_*` and the per-block `relative_coords_table`, `relative_position_index`,
 * `attn_mask`, which this package recomputes for every input size. When a model is given, the
 * shapes of `table_w` and `table_sh`, where present, must match its window size, stripe size and
 * anchor down-factor (their shapes encode them), since weights trained with one configuration
 * give wrong results with another.
 * @param dict - the state dict (e.g. from `readTorchStateDict(bytes)`), values with a `shape`
 * @param model - the network the weights are for, to check the buffers against; optional
 * @returns a new object holding the same values under the stripped names (nothing is copied)
 * @throws CheckpointError when no (or no unambiguous) `conv_first.weight` key exists, or a
 *   buffer's shape contradicts the model's configuration (the message names the key)
 * @see ofsoundof/GRL-Image-Restoration `tools/trainer.py` and `GRL.convert_checkpoint`;
 *   chaiNNer-org/spandrel `architectures/GRL/__init__.py`
 * @example
 * ```ts
 * const net = createModel('grl-tiny');
 * const raw = readTorchStateDict(bytes, { stripPrefix: '' }); // picks 'state_dict'
 * const dict = stateDictFromRaw(grlStateDictFromCheckpoint(raw, net));
 * net.loadStateDict(dict);
 * ```
 * @category Models
 */
export function grlStateDictFromCheckpoint<T extends {
  /** Shape of the stored tensor. */
  shape: readonly number[];
}>(dict: Record<string, T>, model?: Grl): Record<string, T> {
  const fn = 'grlStateDictFromCheckpoint';
  if (typeof dict !== 'object' || dict === null) throw new InvalidValueError(`${fn}: dict must be an object of tensors, got ${String(dict)}`);
  if (model !== undefined && !(model instanceof Grl)) throw new InvalidValueError(`${fn}: model must be a Grl`);
  const anchor = 'conv_first.weight';
  const prefixes = Object.keys(dict)
    .filter((k) => k === anchor || k.endsWith(`.${anchor}`))
    .map((k) => k.slice(0, k.length - anchor.length));
  if (prefixes.length === 0) {
    const some = Object.keys(dict).slice(0, 8).join(', ');
    throw new CheckpointError(`${fn}: dict must hold '${anchor}' under some prefix (e.g. 'model.'), got keys: ${some}${Object.keys(dict).length > 8 ? ', …' : ''}`, {
      missing: [anchor],
    });
  }
  let prefix = prefixes[0];
  if (prefixes.length > 1) {
    const p = PREFERRED_PREFIXES.find((c) => prefixes.includes(c));
    if (p === undefined) {
      throw new CheckpointError(`${fn}: dict holds several networks (prefixes ${prefixes.map((x) => `'${x}'`).join(', ')}); pass the sub-dict of one`);
    }
    prefix = p;
  }
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(dict)) {
    if (!k.startsWith(prefix)) continue;
    const name = k.slice(prefix.length);
    if (GRL_BUFFERS.has(name)) {
      if (model !== undefined) checkBuffer(fn, k, name, v.shape, model);
      continue;
    }
    const last = name.slice(name.lastIndexOf('.') + 1);
    if (BLOCK_BUFFER_SUFFIXES.includes(last)) continue;
    out[name] = v;
  }
  return out;
}

/** `table_w` is `[1, 2w − 1, 2w − 1, 2]`; `table_sh` is `[1, s₀ + s₀/df − 1, s₁ + s₁/df − 1, 2]`. */
function checkBuffer(fn: string, key: string, name: string, shape: readonly number[], model: Grl): void {
  const { windowSize: w, stripeSize: s, anchorWindowDownFactor: df } = model.config;
  let expected: number[] | undefined;
  let what = '';
  if (name === 'table_w') {
    expected = [1, 2 * w - 1, 2 * w - 1, 2];
    what = `windowSize ${w}`;
  } else if (name === 'table_sh') {
    expected = [1, s[0] + s[0] / df - 1, s[1] + s[1] / df - 1, 2];
    what = `stripeSize [${s}] and anchorWindowDownFactor ${df}`;
  }
  if (expected !== undefined && (shape.length !== 4 || expected.some((d, i) => d !== shape[i]))) {
    throw new CheckpointError(
      `${fn}: buffer '${key}' has shape [${shape}], but the model's ${what} give [${expected}]: the checkpoint was trained with another configuration`,
      { mismatched: [{ key, expected, actual: [...shape] }] },
    );
  }
}

/**
 * Loads an official GRL checkpoint (a PyTorch Lightning `.ckpt` file of
 * ofsoundof/GRL-Image-Restoration, e.g. `sr_grl_tiny_c3x4.ckpt`) into a {@link Grl}, strictly.
 * Reads the file with `readTorchStateDict` (its `state_dict` entry; Lightning's `hyper_parameters`,
 * callbacks and other non-tensor objects are read as opaque placeholders and dropped), keeps the network's weights
 * with {@link grlStateDictFromCheckpoint} and copies them with `loadStateDict`.
 * @param model - the network, built with the checkpoint's configuration (e.g. `createModel('grl-tiny', { scale: 4 })`)
 * @param bytes - the whole `.ckpt` file
 * @returns nothing; the model's variables hold the weights (tensor count unchanged)
 * @throws InvalidValueError for a non-Grl model or non-byte input
 * @throws CheckpointError naming every missing, unexpected or mis-shaped key (the model is then
 *   unchanged); FormatError for a corrupt file
 * @example
 * ```ts
 * const net = createModel('grl-small', { scale: 2 });
 * loadGrlCheckpoint(net, await fs.readFile('sr_grl_small_c3x2.ckpt'));
 * ```
 * @category Models
 */
export function loadGrlCheckpoint(model: Grl, bytes: Uint8Array): void {
  const fn = 'loadGrlCheckpoint';
  if (!(model instanceof Grl)) throw new InvalidValueError(`${fn}: model must be a Grl, got ${typeof model}`);
  if (!(bytes instanceof Uint8Array)) throw new InvalidValueError(`${fn}: bytes must be a Uint8Array (the whole .ckpt file), got ${typeof bytes}`);
  const raw = readTorchStateDict(bytes, { stripPrefix: '', unknownGlobals: 'opaque' });
  const dict: StateDict = stateDictFromRaw(grlStateDictFromCheckpoint(raw, model));
  try {
    model.loadStateDict(dict, { strict: true });
  } finally {
    disposeStateDict(dict);
  }
}
