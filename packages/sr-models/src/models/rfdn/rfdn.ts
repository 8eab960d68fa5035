/**
 * RFDN, the AIM 2020 efficient SR winner and an NTIRE 2022 ESR reference model.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2d, LeakyReLU, PixelShuffle, Sequential, checkOptions, type Rng } from '@lab/tensor';
import { convLayer } from '../common/conv-layer';
import { ESA_MIN_INPUT_SIZE } from '../common/esa-ops';
import { checkPositiveInt, withDefaults } from '../common/options';
import { SR_NETWORK_OPTION_KEYS, SrNetwork, type SrNetworkOptions } from '../common/sr-network';
import { Rfdb } from './rfdb';

/** Options of {@link Rfdn}; defaults in {@link RFDN_DEFAULTS}. @category Models */
export interface RfdnOptions extends SrNetworkOptions {
  /** Feature channels (`nf`). @defaultValue 50 */
  channels?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * Defaults of {@link RfdnOptions}: `RFDN()` of NTIRE2022_ESR `models/rfdn_baseline/RFDN.py`
 * (`nf=50`, four RFDBs, ×4), as `test_demo.py` builds it for `model_zoo/rfdn_baseline.pth`.
 * `range` '0-1' differs from the native '0-255' (`test_demo.py` feeds raw 0–255 values).
 * @category Models
 */
export const RFDN_DEFAULTS = Object.freeze({
  /** Default of {@link RfdnOptions.channels}. */
  channels: 50,
  /** Default of {@link SrNetworkOptions.range}. */
  range: '0-1',
} as const);

const KEYS = [...SR_NETWORK_OPTION_KEYS, 'channels', 'rng'];

/** Number of RFDBs; the reference hard-codes `B1`…`B4`. */
const MODULES = 4;

/**
 * The Residual Feature Distillation Network (×4): `fea_conv` (3×3, 3 → 50) gives f; `B1`…`B4`
 * ({@link Rfdb}) run in a chain; their outputs are concatenated and fused by `c`
 * (Sequential(1×1 200 → 50, LeakyReLU(0.05))); `LR_conv` (3×3) plus f feeds `upsampler`
 * (Sequential(3×3 50 → 48, PixelShuffle(4))). 433,448 parameters, 64 convolutions; at a 256×256
 * input 27.10 G NTIRE FLOPs and 112.03 M activations. Inputs must be at least 15×15 (ESA).
 * Native range [0, 255].
 * @see arXiv 2009.11551; ofsoundof/NTIRE2022_ESR `models/rfdn_baseline/RFDN.py`, `block.py`
 * @example
 * ```ts
 * const net = new Rfdn().eval(); // takes and returns [0, 1] images
 * loadOfficialWeights(net, await fs.readFile('rfdn_baseline.pth'));
 * const sr = tf.tidy(() => net.call(lr)); // [1, 4h, 4w, 3]
 * ```
 * @category Models
 */
export class Rfdn extends SrNetwork {
  /** `fea_conv`. */
  readonly feaConv: Conv2d;
  /** `B1`…`B4`, in order. */
  readonly blocks: readonly Rfdb[];
  /** Fusion of the four block outputs (`c`). */
  readonly c: Sequential;
  /** `LR_conv`. */
  readonly lrConv: Conv2d;
  /** `upsampler`: 3×3 conv `channels` (50) → 3·16 and PixelShuffle(4), from LR features to the SR image. */
  readonly upsampler: Sequential;

  /**
   * @param options - see {@link RfdnOptions}
   * @throws InvalidValueError for an unknown option or a bad value
   */
  constructor(options: RfdnOptions = {}) {
    const fn = 'Rfdn';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(RFDN_DEFAULTS, options);
    checkPositiveInt(fn, 'channels', o.channels);
    super(fn, { scale: 4, nativeRange: '0-255', range: o.range, minInputSize: ESA_MIN_INPUT_SIZE });
    const nf = o.channels;
    const rng = o.rng;
    this.feaConv = this.registerModule('fea_conv', convLayer(3, nf, 3, { rng }));
    const blocks: Rfdb[] = [];
    for (let i = 1; i <= MODULES; i++) blocks.push(this.registerModule(`B${i}`, new Rfdb(nf, rng)));
    this.blocks = blocks;
    this.c = this.registerModule('c', new Sequential(convLayer(nf * MODULES, nf, 1, { rng }), new LeakyReLU(0.05)));
    this.lrConv = this.registerModule('LR_conv', convLayer(nf, nf, 3, { rng }));
    this.upsampler = this.registerModule('upsampler', new Sequential(convLayer(nf, 3 * 16, 3, { rng }), new PixelShuffle(4)));
  }

  protected forwardNative(x: tf.Tensor4D): tf.Tensor4D {
    const fea = this.feaConv.call(x);
    const outs: tf.Tensor[] = [];
    let h = fea;
    for (const block of this.blocks) {
      h = block.call(h);
      outs.push(h);
    }
    const lr = tf.add(this.lrConv.call(this.c.call(tf.concat(outs, 3))), fea);
    return this.upsampler.call(lr) as tf.Tensor4D;
  }
}
