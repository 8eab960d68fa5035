/**
 * DATSR's restoration network (`SwinUnetv3RestorationNet`): content extractor and the U-Net of
 * reference-based deformable attention and residual feature aggregation.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, InvalidValueError, LeakyReLU, Module, PixelShuffle, Sequential, checkOptions, getGlobalRng, type Rng } from '@lab/tensor';
import { checkPositiveInt, withDefaults } from '../common/options';
import { flowWarp } from './deform-im2col';
import { ContentExtractor } from './content-extractor';
import type { DatsrCorrespondence } from './correspondence-maps';
import { DatsrDynAgg } from './dyn-agg';
import { SwinBlock, initNormal, lcm } from './swin-block';

/** Options of {@link DatsrRestorationNet} (and of {@link Datsr}); defaults in {@link DATSR_DEFAULTS}. @category Models */
export interface DatsrRestorationOptions {
  /** Feature channels of the U-Net and Swin embedding (`ngf`). @defaultValue 128 */
  ngf?: number;
  /** Residual blocks of the content extractor (`n_blocks`). @defaultValue 8 */
  nBlocks?: number;
  /** Deformable groups of each attention unit (`groups`); must divide 64. @defaultValue 8 */
  groups?: number;
  /** Swin blocks per RSTB, one entry per RSTB (`depths`). @defaultValue [4, 4] */
  depths?: readonly number[];
  /** Heads per RSTB (`num_heads`); each must divide `ngf`. @defaultValue [4, 4] */
  numHeads?: readonly number[];
  /** Swin window side (`window_size`). @defaultValue 8 */
  windowSize?: number;
  /**
   * LR side the Swin blocks are built for (`img_size` 40 / 80 / 160 of the three scales ÷ 1, 2, 4).
   * It sets the size of the `attn_mask` buffers of the official checkpoint and shrinks the window
   * when it is not larger than it; other input sizes work.
   * @defaultValue 40
   */
  imgSize?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * Defaults of {@link DatsrRestorationOptions}: `network_g` of `options/test/test_restoration_mse.yml`
 * (ngf 128, 8 residual blocks, 8 deformable groups, Swin depths [4, 4], 4 heads, window 8).
 * @category Models
 */
export const DATSR_DEFAULTS = Object.freeze({
  /** Default of {@link DatsrRestorationOptions.ngf}. */
  ngf: 128,
  /** Default of {@link DatsrRestorationOptions.nBlocks}. */
  nBlocks: 8,
  /** Default of {@link DatsrRestorationOptions.groups}. */
  groups: 8,
  /** Default of {@link DatsrRestorationOptions.depths}. */
  depths: Object.freeze([4, 4]) as readonly number[],
  /** Default of {@link DatsrRestorationOptions.numHeads}. */
  numHeads: Object.freeze([4, 4]) as readonly number[],
  /** Default of {@link DatsrRestorationOptions.windowSize}. */
  windowSize: 8,
  /** Default of {@link DatsrRestorationOptions.imgSize} (the 160×160 training crops ÷ 4). */
  imgSize: 40,
});

const KEYS = ['ngf', 'nBlocks', 'groups', 'depths', 'numHeads', 'windowSize', 'imgSize', 'rng'];

/** VGG channels of `relu1_1`, `relu2_1`, `relu3_1`. */
const VGG_CHANNELS = [64, 128, 256] as const;

/** Offset branch and attention unit of one scale (`<prefix>_offset_conv1`, `_offset_conv2`, `_dyn_agg`). */
interface AggUnit {
  conv1: Conv2d;
  conv2: Conv2d;
  agg: DatsrDynAgg;
}

/**
 * The U-Net of DATSR (`DynamicAggregationRestoration`): at each of five stages (down large and
 * medium, up small, medium and large) an offset branch on `[features, warped ref, ref]`, a
 * {@link DatsrDynAgg} on the reference features, and a head conv, a `SwinBlock` (RFA) with
 * a residual and a tail (stride-2 conv down, conv + PixelShuffle(2) up, two convs to RGB last).
 * @see caojiezhang/DATSR `swin_unetv3_ref_restoration_arch.py` (`DynamicAggregationRestoration`)
 * @category Models
 */
export class DynamicAggregationRestoration extends Module<[tf.Tensor4D, DatsrCorrespondence], tf.Tensor4D> {
  /** The LR height and width must be multiples of this (Swin windows at the three scales). */
  readonly sizeMultiple: number;
  private readonly head: Conv2d;
  private readonly units: Record<'down_large' | 'down_medium' | 'up_small' | 'up_medium' | 'up_large', AggUnit>;
  private readonly heads: Record<string, Sequential> = {};
  private readonly bodies: Record<string, SwinBlock> = {};
  private readonly tails: Record<string, Module<[tf.Tensor], tf.Tensor>> = {};

  /**
   * @param o - resolved options
   * @param rng - initial weights
   */
  constructor(o: Required<Omit<DatsrRestorationOptions, 'rng'>>, rng: Rng) {
    super();
    const ngf = o.ngf;
    const lrelu = (): LeakyReLU => new LeakyReLU(0.1);
    const conv = (i: number, out: number, stride = 1): Conv2d => new Conv2d(i, out, 3, { stride, padding: 1, rng });
    this.head = this.registerModule('unet_head', conv(3, ngf));
    const unit = (prefix: string, c: number): AggUnit => ({
      conv1: this.registerModule(`${prefix}_offset_conv1`, conv(ngf + 2 * c, c)),
      conv2: this.registerModule(`${prefix}_offset_conv2`, conv(c, c)),
      agg: this.registerModule(`${prefix}_dyn_agg`, new DatsrDynAgg(c, o.groups, rng)),
    });
    const swin = (size: number): SwinBlock =>
      new SwinBlock({ embedDim: ngf, depths: o.depths, numHeads: o.numHeads, windowSize: o.windowSize, mlpRatio: 2, imgSize: size, rng });
    const stage = (name: string, c: number, size: number, tail: Module<[tf.Tensor], tf.Tensor>): void => {
      this.heads[name] = this.registerModule(`${name.replace('_', '_head_')}`, new Sequential(conv(ngf + c, ngf), lrelu()));
      this.bodies[name] = this.registerModule(`${name.replace('_', '_body_')}`, swin(size));
      this.tails[name] = this.registerModule(`${name.replace('_', '_tail_')}`, tail);
    };
    const [c1, c2, c3] = VGG_CHANNELS;
    const s = o.imgSize;
    const downLarge = unit('down_large', c1);
    stage('down_large', c1, 4 * s, conv(ngf, ngf, 2));
    const downMedium = unit('down_medium', c2);
    stage('down_medium', c2, 2 * s, conv(ngf, ngf, 2));
    const upSmall = unit('up_small', c3);
    stage('up_small', c3, s, new Sequential(conv(ngf, ngf * 4), new PixelShuffle(2), lrelu()));
    const upMedium = unit('up_medium', c2);
    stage('up_medium', c2, 2 * s, new Sequential(conv(ngf, ngf * 4), new PixelShuffle(2), lrelu()));
    const upLarge = unit('up_large', c1);
    stage('up_large', c1, 4 * s, new Sequential(conv(ngf, ngf / 2), lrelu(), conv(ngf / 2, 3)));
    this.units = { down_large: downLarge, down_medium: downMedium, up_small: upSmall, up_medium: upMedium, up_large: upLarge };
    // LR multiple m such that h, 2h and 4h are multiples of the windows used at each scale.
    let m = 1;
    for (const [name, scale] of [['up_small', 1], ['down_medium', 2], ['up_medium', 2], ['down_large', 4], ['up_large', 4]] as const) {
      const wm = this.bodies[name].windowMultiple;
      m = lcm(m, wm / gcd(wm, scale));
    }
    this.sizeMultiple = m;
  }

  /** Offset branch + deformable attention of one stage, then the leaky ReLU the reference applies. */
  private aggregate(name: keyof DynamicAggregationRestoration['units'], x: tf.Tensor4D, warped: tf.Tensor4D, c: DatsrCorrespondence, key: 'relu1_1' | 'relu2_1' | 'relu3_1'): tf.Tensor4D {
    const u = this.units[name];
    const ref = c.refFeatures[key];
    const off1 = tf.leakyRelu(u.conv1.call(tf.concat([x, warped, ref], 3)), 0.1);
    const off = tf.leakyRelu(u.conv2.call(off1), 0.1) as tf.Tensor4D;
    return tf.leakyRelu(u.agg.call(ref, off, c.preOffset[key], c.similarity[key]), 0.1) as tf.Tensor4D;
  }

  /** Head, Swin body plus the residual `res`, and tail of one stage. */
  private stage(name: string, input: tf.Tensor4D, res: tf.Tensor4D): tf.Tensor4D {
    const h = this.heads[name].call(input) as tf.Tensor4D;
    const b = tf.add(this.bodies[name].call(h), res) as tf.Tensor4D;
    return this.tails[name].call(b) as tf.Tensor4D;
  }

  /**
   * @param base - bilinear ×4 upsample of the LR image `[n, 4h, 4w, 3]`
   * @param c - the correspondence
   * @returns the residual `[n, 4h, 4w, 3]`
   */
  forward(base: tf.Tensor4D, c: DatsrCorrespondence): tf.Tensor4D {
    return tf.tidy(() => {
      const w1 = flowWarp(c.refFeatures.relu1_1, c.flow.relu1_1);
      const w2 = flowWarp(c.refFeatures.relu2_1, c.flow.relu2_1);
      const w3 = flowWarp(c.refFeatures.relu3_1, c.flow.relu3_1);
      const x0 = this.head.call(base) as tf.Tensor4D;
      // Down: large, then medium.
      let a = this.aggregate('down_large', x0, w1, c, 'relu1_1');
      const x1 = this.stage('down_large', tf.concat([x0, a], 3), x0);
      a = this.aggregate('down_medium', x1, w2, c, 'relu2_1');
      const x2 = this.stage('down_medium', tf.concat([x1, a], 3), x1);
      // Up: small, medium, large.
      a = this.aggregate('up_small', x2, w3, c, 'relu3_1');
      let x = this.stage('up_small', tf.concat([x2, a], 3), x2);
      a = this.aggregate('up_medium', x, w2, c, 'relu2_1');
      x = this.stage('up_medium', tf.concat([tf.add(x, x1), a], 3) as tf.Tensor4D, x);
      a = this.aggregate('up_large', x, w1, c, 'relu1_1');
      return this.stage('up_large', tf.concat([tf.add(x, x0), a], 3) as tf.Tensor4D, x);
    });
  }

}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * DATSR's restoration network (`SwinUnetv3RestorationNet`, the `net_g` of `restoration_mse.pth`):
 * `y = R(bilinear×4(x), correspondence) + bilinear×4(x)` with the U-Net `R` (`dyn_agg_restore`, {@link DynamicAggregationRestoration}).
 * Parameter names are the `state_dict` keys of the official checkpoint, including the derived
 * buffers `relative_position_index` and `attn_mask` it stores. The checkpoint also holds a
 * `content_extractor` (conv + residual blocks on the LR image) whose output the reference computes
 * but never uses; it is registered for loading and not run.
 *
 * Initialisation as the reference: every convolution and linear layer `N(0, 0.02)` with zero
 * bias, zero offset convolutions, DCN weights `U(±1/√(9C))`, LayerNorms (1, 0).
 * @see arXiv 2207.11938; caojiezhang/DATSR `swin_unetv3_ref_restoration_arch.py`
 * @category Models
 */
export class DatsrRestorationNet extends Module<[tf.Tensor4D, DatsrCorrespondence], tf.Tensor4D> {
  /** LR height and width must be multiples of this. */
  readonly sizeMultiple: number;
  /** `content_extractor`: its parameters are in the checkpoint; its output is unused (see `forward`). */
  readonly contentExtractor: ContentExtractor;
  private readonly restore: DynamicAggregationRestoration;

  /**
   * @param options - see {@link DatsrRestorationOptions}
   * @throws InvalidValueError for an unknown option or a bad value
   */
  constructor(options: DatsrRestorationOptions = {}) {
    super();
    const fn = 'DatsrRestorationNet';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(DATSR_DEFAULTS, options);
    for (const k of ['ngf', 'nBlocks', 'groups', 'windowSize', 'imgSize'] as const) checkPositiveInt(fn, k, o[k]);
    if (o.ngf % 2 !== 0) throw new InvalidValueError(`${fn}: ngf must be even, got ${o.ngf}`);
    if (64 % o.groups !== 0) throw new InvalidValueError(`${fn}: groups must divide 64 (the relu1_1 channels), got ${o.groups}`);
    if (!Array.isArray(o.depths) || o.depths.length === 0) throw new InvalidValueError(`${fn}: depths must be a non-empty array, got ${String(o.depths)}`);
    o.depths.forEach((d, i) => checkPositiveInt(fn, `depths[${i}]`, d));
    if (!Array.isArray(o.numHeads) || o.numHeads.length !== o.depths.length) {
      throw new InvalidValueError(`${fn}: numHeads must have one entry per depth (${o.depths.length}), got ${String(o.numHeads)}`);
    }
    o.numHeads.forEach((hd, i) => {
      checkPositiveInt(fn, `numHeads[${i}]`, hd);
      if (o.ngf % hd !== 0) throw new InvalidValueError(`${fn}: numHeads[${i}] must divide ngf ${o.ngf}, got ${hd}`);
    });
    const rng = o.rng ?? getGlobalRng();
    this.contentExtractor = this.registerModule('content_extractor', new ContentExtractor(o.ngf, o.nBlocks, rng));
    this.restore = this.registerModule('dyn_agg_restore', new DynamicAggregationRestoration(o, rng));
    // srntt_init_weights(normal, 0.02) on every Conv/Linear, then zero offsets (re_init_dcn_offset).
    initNormal(this, 0.02, rng);
    for (const [name, v] of this.namedParameters()) {
      if (name.includes('conv_offset_mask')) {
        const z = tf.zerosLike(v);
        v.assign(z);
        z.dispose();
      }
    }
    this.sizeMultiple = this.restore.sizeMultiple;
  }

  /**
   * @param lr - LR image `[n, h, w, 3]` in [0, 1], `h` and `w` multiples of {@link DatsrRestorationNet.sizeMultiple}
   * @param c - the correspondence of `lr` with its reference (sizes `4h`, `2h`, `h`)
   * @returns the SR image `[n, 4h, 4w, 3]`; the caller disposes it
   */
  forward(lr: tf.Tensor4D, c: DatsrCorrespondence): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w] = lr.shape;
      const base = tf.image.resizeBilinear(lr, [4 * h, 4 * w], false, true);
      // The reference also runs content_extractor(lr) here, but DynamicAggregationRestoration
      // never reads its output (its `x` argument is overwritten before use): skipped.
      return tf.add(this.restore.call(base, c), base) as tf.Tensor4D;
    });
  }
}
