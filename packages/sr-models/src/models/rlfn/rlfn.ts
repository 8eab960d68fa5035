/**
 * RLFN, the winner of the NTIRE 2022 ESR main track (team ByteESR).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2d, PixelShuffle, Sequential, checkOptions, type Rng } from '@lab/tensor';
import { convLayer } from '../common/conv-layer';
import { ESA_MIN_INPUT_SIZE } from '../common/esa-ops';
import { checkOneOf, checkPositiveInt, withDefaults } from '../common/options';
import { SR_NETWORK_OPTION_KEYS, SrNetwork, type SrNetworkOptions } from '../common/sr-network';
import { Rlfb } from './rlfb';

/** Options of {@link Rlfn}; defaults in {@link RLFN_DEFAULTS}. @category Models */
export interface RlfnOptions extends SrNetworkOptions {
  /** Feature channels (`nf`). @defaultValue 46 */
  channels?: number;
  /** Channels inside each RLFB (`mf`). @defaultValue 48 */
  midChannels?: number;
  /** Inner channels of each ESA (`esa_channels`). @defaultValue 16 */
  esaChannels?: number;
  /** Upscaling factor (`upscale`): 2, 3 or 4. @defaultValue 4 */
  scale?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * Defaults of {@link RlfnOptions}: `RLFN_cut(in_nc=3, out_nc=3)` of NTIRE2022_ESR
 * `models/team04_rlfn.py` (`nf=46, mf=48, upscale=4`), as `test_demo.py` builds it for
 * `model_zoo/team04_rlfn.pth`. `range` '0-1' differs from the native '0-255'.
 * @category Models
 */
export const RLFN_DEFAULTS = Object.freeze({
  /** Default of {@link RlfnOptions.channels}. */
  channels: 46,
  /** Default of {@link RlfnOptions.midChannels}. */
  midChannels: 48,
  /** Default of {@link RlfnOptions.esaChannels}. */
  esaChannels: 16,
  /** Default of {@link RlfnOptions.scale}. */
  scale: 4,
  /** Default of {@link SrNetworkOptions.range}. */
  range: '0-1',
} as const);

const KEYS = [...SR_NETWORK_OPTION_KEYS, 'channels', 'midChannels', 'esaChannels', 'scale', 'rng'];

/** Number of RLFBs; the reference hard-codes `B1`…`B4`. */
const MODULES = 4;

/**
 * The Residual Local Feature Network as submitted to NTIRE 2022 (`RLFN_cut`): `fea_conv` (3×3,
 * 3 → 46) gives f; `B1`…`B4` ({@link Rlfb}) in a chain; `LR_conv` (3×3) of the last block's
 * output plus f feeds `upsampler` (Sequential(3×3 46 → 3·s², PixelShuffle(s))). No fusion of
 * intermediate blocks. 317,218 parameters, 39 convolutions; at a 256×256 input 19.70 G NTIRE
 * FLOPs and 80.05 M activations. Inputs must be at least 15×15 (ESA). Native range [0, 255].
 * @see arXiv 2205.07514; ofsoundof/NTIRE2022_ESR `models/team04_rlfn.py` (`RLFN_cut`)
 * @example
 * ```ts
 * const net = new Rlfn().eval(); // takes and returns [0, 1] images
 * loadOfficialWeights(net, await fs.readFile('team04_rlfn.pth'));
 * const sr = tf.tidy(() => net.call(lr)); // [1, 4h, 4w, 3]
 * ```
 * @category Models
 */
export class Rlfn extends SrNetwork {
  /** `fea_conv`. */
  readonly feaConv: Conv2d;
  /** `B1`…`B4`, in order. */
  readonly blocks: readonly Rlfb[];
  /** `LR_conv`. */
  readonly lrConv: Conv2d;
  /** `upsampler`: 3×3 conv `channels` (46) → 3·s² and PixelShuffle(s), from LR features to the SR image. */
  readonly upsampler: Sequential;

  /**
   * @param options - see {@link RlfnOptions}
   * @throws InvalidValueError for an unknown option or a bad value
   */
  constructor(options: RlfnOptions = {}) {
    const fn = 'Rlfn';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(RLFN_DEFAULTS, options);
    checkPositiveInt(fn, 'channels', o.channels);
    checkPositiveInt(fn, 'midChannels', o.midChannels);
    checkPositiveInt(fn, 'esaChannels', o.esaChannels);
    checkOneOf(fn, 'scale', o.scale, [2, 3, 4]);
    super(fn, { scale: o.scale, nativeRange: '0-255', range: o.range, minInputSize: ESA_MIN_INPUT_SIZE });
    const rng = o.rng;
    this.feaConv = this.registerModule('fea_conv', convLayer(3, o.channels, 3, { rng }));
    const blocks: Rlfb[] = [];
    for (let i = 1; i <= MODULES; i++) {
      blocks.push(this.registerModule(`B${i}`, new Rlfb(o.channels, o.midChannels, o.esaChannels, rng)));
    }
    this.blocks = blocks;
    this.lrConv = this.registerModule('LR_conv', convLayer(o.channels, o.channels, 3, { rng }));
    this.upsampler = this.registerModule(
      'upsampler',
      new Sequential(convLayer(o.channels, 3 * o.scale * o.scale, 3, { rng }), new PixelShuffle(o.scale)),
    );
  }

  protected forwardNative(x: tf.Tensor4D): tf.Tensor4D {
    const fea = this.feaConv.call(x);
    let h = fea;
    for (const block of this.blocks) h = block.call(h);
    return this.upsampler.call(tf.add(this.lrConv.call(h), fea)) as tf.Tensor4D;
  }
}
