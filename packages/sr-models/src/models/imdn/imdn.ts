/**
 * The original IMDN (Hui et al., ACM MM 2019).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2d, LeakyReLU, PixelShuffle, Sequential, checkOptions, type Rng } from '@lab/tensor';
import { convLayer } from '../common/conv-layer';
import { checkOneOf, checkPositiveInt, withDefaults } from '../common/options';
import { SR_NETWORK_OPTION_KEYS, SrNetwork, type SrNetworkOptions } from '../common/sr-network';
import { ImdModule } from './imd-module';

/** Options of {@link Imdn}; defaults in {@link IMDN_DEFAULTS}. @category Models */
export interface ImdnOptions extends SrNetworkOptions {
  /** Upscaling factor: 2, 3 or 4 (one checkpoint each). @defaultValue 4 */
  scale?: number;
  /** Feature channels (`nf`); a multiple of 64 keeps the CCA reduction of 16 exact. @defaultValue 64 */
  channels?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * Defaults of {@link ImdnOptions}: `IMDN(in_nc=3, nf=64, num_modules=6, out_nc=3, upscale=4)` of
 * Zheng222/IMDN `model/architecture.py`; `range` '0-1' is also the native range (`test_IMDN.py`
 * feeds RGB / 255).
 * @category Models
 */
export const IMDN_DEFAULTS = Object.freeze({
  /** Default of {@link ImdnOptions.scale}. */
  scale: 4,
  /** Default of {@link ImdnOptions.channels}. */
  channels: 64,
  /** Default of {@link SrNetworkOptions.range}. */
  range: '0-1',
} as const);

/** The upscaling factors with released weights (`checkpoints/IMDN_x{2,3,4}.pth`). @category Models */
export const IMDN_SCALES: readonly number[] = Object.freeze([2, 3, 4]);

const KEYS = [...SR_NETWORK_OPTION_KEYS, 'scale', 'channels', 'rng'];

/** Number of IMDBs; the reference hard-codes `IMDB1`…`IMDB6`. */
const MODULES = 6;

/**
 * The Information Multi-Distillation Network: a 3×3 feature conv, six IMDBs with contrast-aware
 * channel attention, fusion of all six block outputs, a long skip and a PixelShuffle upsampler.
 *
 * `fea_conv` (3×3, 3 → 64) gives f; `IMDB1`…`IMDB6` ({@link ImdModule}) run in a chain; their
 * outputs are concatenated (384 channels) and fused by `c` (Sequential(1×1 384 → 64,
 * LeakyReLU(0.05))); `LR_conv` (3×3) plus f feeds `upsampler` (Sequential(3×3 64 → 3·s²,
 * PixelShuffle(s))). 715,176 parameters at ×4 (694,404 at ×2, 703,059 at ×3). Checkpoint keys
 * carry a `module.` prefix, which {@link loadOfficialWeights} removes. Native range [0, 1].
 * @see arXiv 1909.11856; Zheng222/IMDN `model/architecture.py` (`IMDN`), `model/block.py`
 * @example
 * ```ts
 * const net = new Imdn({ scale: 2 }).eval();
 * loadOfficialWeights(net, await fs.readFile('IMDN_x2.pth'));
 * const sr = tf.tidy(() => net.call(lr)); // [1, 2h, 2w, 3] in [0, 1]
 * ```
 * @category Models
 */
export class Imdn extends SrNetwork {
  /** `fea_conv`. */
  readonly feaConv: Conv2d;
  /** `IMDB1`…`IMDB6`, in order. */
  readonly blocks: readonly ImdModule[];
  /** Fusion of the six block outputs (`c`). */
  readonly c: Sequential;
  /** `LR_conv`. */
  readonly lrConv: Conv2d;
  /** `upsampler`: 3×3 conv `channels` (64) → 3·s² and PixelShuffle(s), from LR features to the SR image. */
  readonly upsampler: Sequential;

  /**
   * @param options - see {@link ImdnOptions}
   * @throws InvalidValueError for an unknown option or a bad value
   */
  constructor(options: ImdnOptions = {}) {
    const fn = 'Imdn';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(IMDN_DEFAULTS, options);
    checkOneOf(fn, 'scale', o.scale, IMDN_SCALES);
    checkPositiveInt(fn, 'channels', o.channels);
    super(fn, { scale: o.scale, nativeRange: '0-1', range: o.range });
    const nf = o.channels;
    const rng = o.rng;
    this.feaConv = this.registerModule('fea_conv', convLayer(3, nf, 3, { rng }));
    const blocks: ImdModule[] = [];
    for (let i = 1; i <= MODULES; i++) blocks.push(this.registerModule(`IMDB${i}`, new ImdModule(nf, rng)));
    this.blocks = blocks;
    this.c = this.registerModule('c', new Sequential(convLayer(nf * MODULES, nf, 1, { rng }), new LeakyReLU(0.05)));
    this.lrConv = this.registerModule('LR_conv', convLayer(nf, nf, 3, { rng }));
    this.upsampler = this.registerModule(
      'upsampler',
      new Sequential(convLayer(nf, 3 * o.scale * o.scale, 3, { rng }), new PixelShuffle(o.scale)),
    );
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
