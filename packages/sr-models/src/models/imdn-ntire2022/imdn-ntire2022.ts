/**
 * The IMDN baseline of the NTIRE 2022 Efficient Super-Resolution challenge.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, InvalidValueError, PixelShuffle, Sequential, checkOptions, type Rng } from '@lab/tensor';
import { checkOneOf, checkPositiveInt, withDefaults } from '../common/options';
import { SR_NETWORK_OPTION_KEYS, SrNetwork, type SrNetworkOptions } from '../common/sr-network';
import { ImdBlock } from './imd-block';
import { ShortcutBlock } from './shortcut-block';

/** Options of {@link ImdnNtire2022}; defaults in {@link IMDN_NTIRE2022_DEFAULTS}. @category Models */
export interface ImdnNtire2022Options extends SrNetworkOptions {
  /** Feature channels (`nc`). @defaultValue 64 */
  channels?: number;
  /** Number of IMDBlocks (`nb`). @defaultValue 8 */
  blocks?: number;
  /** Upscaling factor (`upscale`): 2, 3 or 4. @defaultValue 4 */
  scale?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * Defaults of {@link ImdnNtire2022Options}: `IMDN(in_nc=3, out_nc=3, nc=64, nb=8, upscale=4)` as
 * NTIRE2022_ESR `test_demo.py` builds it for `model_zoo/imdn_baseline.pth`; `range` '0-1' is
 * also the network's native range.
 * @category Models
 */
export const IMDN_NTIRE2022_DEFAULTS = Object.freeze({
  /** Default of {@link ImdnNtire2022Options.channels}. */
  channels: 64,
  /** Default of {@link ImdnNtire2022Options.blocks}. */
  blocks: 8,
  /** Default of {@link ImdnNtire2022Options.scale}. */
  scale: 4,
  /** Default of {@link SrNetworkOptions.range}. */
  range: '0-1',
} as const);

const KEYS = [...SR_NETWORK_OPTION_KEYS, 'channels', 'blocks', 'scale', 'rng'];

/**
 * The simplified IMDN of KAIR used as the NTIRE 2022 ESR baseline (also the AIM 2019 constrained
 * SR winner): head conv, 8 IMDBlocks and a conv inside one long skip, then conv + PixelShuffle.
 *
 * `model.0`: 3×3 conv 3 → 64 (h); `model.1.sub.0…7`: {@link ImdBlock}s; `model.1.sub.8`: 3×3 conv
 * 64 → 64, its output added to h; `model.2`: 3×3 conv 64 → 3·s²; `model.3`: PixelShuffle(s). No
 * final activation, no channel attention, no global feature fusion. With the defaults: 893,936
 * parameters, 43 convolutions, and at a 256×256 input 58.53 G NTIRE FLOPs and 154.14 M
 * activations. Native input range [0, 1] (RGB / 255).
 * @see arXiv 1909.11856; ofsoundof/NTIRE2022_ESR `models/imdn_baseline.py`, `models/basicblock.py`
 * @example
 * ```ts
 * const net = new ImdnNtire2022().eval();
 * loadOfficialWeights(net, await fs.readFile('imdn_baseline.pth'));
 * const sr = tf.tidy(() => net.call(lr)); // [1, 4h, 4w, 3] in [0, 1]
 * ```
 * @category Models
 */
export class ImdnNtire2022 extends SrNetwork {
  /** The whole network, as `self.model` in the reference. */
  readonly model: Sequential;

  /**
   * @param options - see {@link ImdnNtire2022Options}
   * @throws InvalidValueError for an unknown option or a bad value
   */
  constructor(options: ImdnNtire2022Options = {}) {
    const fn = 'ImdnNtire2022';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(IMDN_NTIRE2022_DEFAULTS, options);
    checkPositiveInt(fn, 'channels', o.channels);
    checkPositiveInt(fn, 'blocks', o.blocks);
    checkOneOf(fn, 'scale', o.scale, [2, 3, 4]);
    if (o.channels % 4 !== 0) throw new InvalidValueError(`${fn}: channels must be a multiple of 4, got ${o.channels}`);
    super(fn, { scale: o.scale, nativeRange: '0-1', range: o.range });
    const rng = o.rng;
    const body = new Sequential();
    for (let i = 0; i < o.blocks; i++) body.append(new ImdBlock(o.channels, { rng }));
    body.append(new Conv2d(o.channels, o.channels, 3, { padding: 1, rng }));
    this.model = this.registerModule(
      'model',
      new Sequential(
        new Conv2d(3, o.channels, 3, { padding: 1, rng }),
        new ShortcutBlock(body),
        new Conv2d(o.channels, 3 * o.scale * o.scale, 3, { padding: 1, rng }),
        new PixelShuffle(o.scale),
      ),
    );
  }

  protected forwardNative(x: tf.Tensor4D): tf.Tensor4D {
    return this.model.call(x) as tf.Tensor4D;
  }
}
