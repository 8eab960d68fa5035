/**
 * GRL, the image restoration transformer with global, regional and local modelling, for
 * super-resolution.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, InvalidValueError, LayerNorm, LeakyReLU, Module, ModuleList, PixelShuffle, Sequential, checkOptions, type Rng } from '@lab/tensor';
import { checkOneOf, checkPositiveInt, withDefaults } from '../common/options';
import { SR_NETWORK_OPTION_KEYS, SrNetwork, type SrNetworkOptions } from '../common/sr-network';
import { GrlStage } from './grl-block';
import { grlGeometrySet } from './grl-geometry';

/** The reconstruction modules of GRL for super-resolution. @category Models */
export type GrlUpsampler = 'pixelshuffle' | 'pixelshuffledirect';

/** Options of {@link Grl}; defaults in {@link GRL_DEFAULTS} (GRL-Tiny), see also {@link GRL_VARIANTS}. @category Models */
export interface GrlOptions extends SrNetworkOptions {
  /** Feature channels C (`embed_dim`), even. @defaultValue 64 */
  embedDim?: number;
  /** Blocks per stage (`depths`). @defaultValue [4, 4, 4, 4] */
  depths?: readonly number[];
  /** Heads of the window branch in every stage (`num_heads_window`); divides C/2. @defaultValue 2 */
  headsWindow?: number;
  /** Heads of the stripe branch in every stage (`num_heads_stripe`); divides C/2. @defaultValue 2 */
  headsStripe?: number;
  /** MLP hidden width over C (`mlp_ratio`). @defaultValue 2 */
  mlpRatio?: number;
  /** Reconstruction (`upsampler`). @defaultValue 'pixelshuffledirect' */
  upsampler?: GrlUpsampler;
  /** Whether every block adds the CAB branch (`local_connection`, GRL-Base). @defaultValue false */
  localConnection?: boolean;
  /** Side of the square attention window (`window_size`), ≥ 2. @defaultValue 32 (SR experiment) */
  windowSize?: number;
  /** Stripe `[h, w]` of even blocks (`stripe_size`; odd blocks transpose it). @defaultValue [64, 64] */
  stripeSize?: readonly [number, number];
  /** Anchor down-sampling factor (`anchor_window_down_factor`). @defaultValue 4 */
  anchorWindowDownFactor?: number;
  /** Upscaling factor (`upscale`): 2, 3 or 4. @defaultValue 4 */
  scale?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * GRL-Tiny for ×4 SR, the defaults of {@link GrlOptions}: `config/model/grl/grl_tiny.yaml`
 * (embed 64, depths [4, 4, 4, 4], 2/2 heads, MLP ratio 2, `pixelshuffledirect`) with the SR
 * overrides of `config/experiment/sr/grl/grl_p256.yaml` (window 32, stripe [64, 64], no stripe
 * groups, anchor down-factor 4). 906,192 parameters.
 * @category Models
 */
export const GRL_DEFAULTS = Object.freeze({
  /** Default of {@link GrlOptions.embedDim}. */
  embedDim: 64,
  /** Default of {@link GrlOptions.depths}. */
  depths: Object.freeze([4, 4, 4, 4]) as readonly number[],
  /** Default of {@link GrlOptions.headsWindow}. */
  headsWindow: 2,
  /** Default of {@link GrlOptions.headsStripe}. */
  headsStripe: 2,
  /** Default of {@link GrlOptions.mlpRatio}. */
  mlpRatio: 2,
  /** Default of {@link GrlOptions.upsampler}. */
  upsampler: 'pixelshuffledirect' as GrlUpsampler,
  /** Default of {@link GrlOptions.localConnection}. */
  localConnection: false,
  /** Default of {@link GrlOptions.windowSize}. */
  windowSize: 32,
  /** Default of {@link GrlOptions.stripeSize}. */
  stripeSize: Object.freeze([64, 64]) as readonly [number, number],
  /** Default of {@link GrlOptions.anchorWindowDownFactor}. */
  anchorWindowDownFactor: 4,
  /** Default of {@link GrlOptions.scale}. */
  scale: 4,
  /** Default of {@link SrNetworkOptions.range}. */
  range: '0-1' as const,
});

/**
 * A full GRL configuration: the entries of {@link GRL_VARIANTS} (every field of
 * {@link GrlOptions} that shapes the network, given).
 * @category Models
 */
export type GrlConfiguration = {
  /** See {@link GrlOptions.embedDim}. */
  readonly embedDim: number;
  /** See {@link GrlOptions.depths}. */
  readonly depths: readonly number[];
  /** See {@link GrlOptions.headsWindow}. */
  readonly headsWindow: number;
  /** See {@link GrlOptions.headsStripe}. */
  readonly headsStripe: number;
  /** See {@link GrlOptions.mlpRatio}. */
  readonly mlpRatio: number;
  /** See {@link GrlOptions.upsampler}. */
  readonly upsampler: GrlUpsampler;
  /** See {@link GrlOptions.localConnection}. */
  readonly localConnection: boolean;
  /** See {@link GrlOptions.windowSize}. */
  readonly windowSize: number;
  /** See {@link GrlOptions.stripeSize}. */
  readonly stripeSize: readonly [number, number];
  /** See {@link GrlOptions.anchorWindowDownFactor}. */
  readonly anchorWindowDownFactor: number;
  /** See {@link GrlOptions.scale}. */
  readonly scale: number;
  /** See {@link SrNetworkOptions.range}. */
  readonly range: '0-1';
};

/**
 * The three published GRL configurations for SR, as full option sets: `tiny` and `small`
 * (`grl_tiny.yaml`, `grl_small.yaml`: embed 128, `pixelshuffle`) with anchor down-factor 4, and
 * `base` (`grl_base.yaml`: embed 180, depths [4, 4, 8, 8, 8, 4, 4], 3/3 heads, CAB) with the
 * down-factor 2 that `scripts/grl/grl_test.md` passes for GRL-Base SR. Window 32 and stripe
 * [64, 64] from `grl_p256.yaml` for all three.
 * @category Models
 */
export const GRL_VARIANTS: Readonly<Record<'tiny' | 'small' | 'base', GrlConfiguration>> = Object.freeze({
  /** GRL-Tiny (0.91 M parameters at ×4). */
  tiny: GRL_DEFAULTS,
  /** GRL-Small (3.49 M parameters at ×4). */
  small: Object.freeze({ ...GRL_DEFAULTS, embedDim: 128, upsampler: 'pixelshuffle' as GrlUpsampler }),
  /** GRL-Base (20.2 M parameters at ×4). */
  base: Object.freeze({
    ...GRL_DEFAULTS,
    embedDim: 180,
    depths: Object.freeze([4, 4, 8, 8, 8, 4, 4]) as readonly number[],
    headsWindow: 3,
    headsStripe: 3,
    upsampler: 'pixelshuffle' as GrlUpsampler,
    localConnection: true,
    anchorWindowDownFactor: 2,
  }),
});

/** RGB mean subtracted before the network (`rgb_mean` of the reference, `img_range` 1). */
export const GRL_RGB_MEAN: readonly [number, number, number] = Object.freeze([0.4488, 0.4371, 0.404]) as readonly [number, number, number];

/** Features of the `pixelshuffle` reconstruction (`num_out_feats`). */
const NUM_OUT_FEATS = 64;

const KEYS = [
  ...SR_NETWORK_OPTION_KEYS,
  'embedDim',
  'depths',
  'headsWindow',
  'headsStripe',
  'mlpRatio',
  'upsampler',
  'localConnection',
  'windowSize',
  'stripeSize',
  'anchorWindowDownFactor',
  'scale',
  'rng',
];

/**
 * The pixel-shuffle reconstruction of GRL (`Upsample` / `UpsampleOneStep` of the reference): runs
 * its `up` Sequential of convolutions and pixel shuffles.
 * @category Models
 */
export class GrlUpsample extends Module {
  /** `up`: [conv, PixelShuffle] pairs. */
  readonly up: Sequential;
  /**
   * @param up - the convolutions and pixel shuffles, in order
   */
  constructor(up: Sequential) {
    super();
    this.up = this.registerModule('up', up);
  }
  /**
   * @param x - `[n, h, w, c]`
   * @returns the upsampled map; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return this.up.call(x);
  }
}

/**
 * GRL for image super-resolution (`GRL` of the reference with `upsampler` `pixelshuffle` or
 * `pixelshuffledirect`).
 *
 * The input is reflect-padded at the bottom and right to a multiple of
 * `max(windowSize, stripe)` (64; zero-padded where reflection is impossible, as the reference's
 * fallback), the RGB mean is subtracted, `conv_first` (3×3, 3 → C) gives f; `norm_start`, the
 * stages ({@link GrlStage}: blocks with mixed window / anchored stripe attention, a 3×3 conv and
 * a skip) and `norm_end` follow; `conv_after_body` (3×3) plus f goes to the reconstruction —
 * `upsample.up` = [3×3 conv C → 3s², PixelShuffle(s)] (`pixelshuffledirect`), or
 * `conv_before_upsample` (3×3 C → 64, LeakyReLU 0.01), `upsample.up` ([3×3 64 → 256,
 * PixelShuffle(2)] ×log₂s, or [3×3 64 → 576, PixelShuffle(3)]) and `conv_last` (3×3 64 → 3)
 * (`pixelshuffle`). The mean is added back and the output cropped to `s·h × s·w`.
 * Native range [0, 1]. Parameter names are the official `state_dict` keys; the reference's
 * size-dependent buffers (`table_*`, `index_*`, `mask_*`) are recomputed per input size and
 * are not part of the state dict (`loadGrlCheckpoint` and `grlStateDictFromCheckpoint` drop them from official files).
 * @see arXiv 2303.00748; ofsoundof/GRL-Image-Restoration `models/networks/grl.py`
 * @example
 * ```ts
 * const net = new Grl().eval();                 // GRL-Tiny ×4, [0, 1] images
 * const sr = tf.tidy(() => net.call(lr));       // [1, 4h, 4w, 3]
 * const small = new Grl({ ...GRL_VARIANTS.small, scale: 2 });
 * ```
 * @category Models
 */
export class Grl extends SrNetwork {
  /** The resolved configuration. */
  readonly config: Readonly<Required<Omit<GrlOptions, 'rng' | 'range'>>>;
  /** Multiple the input is padded to. */
  readonly padSize: number;
  /** `conv_first`. */
  readonly convFirst: Conv2d;
  /** `norm_start`. */
  readonly normStart: LayerNorm;
  /** `layers`. */
  readonly layers: ModuleList<GrlStage>;
  /** `norm_end`. */
  readonly normEnd: LayerNorm;
  /** `conv_after_body`. */
  readonly convAfterBody: Conv2d;
  /** `conv_before_upsample` (`pixelshuffle` only), else null. */
  readonly convBeforeUpsample: Sequential | null;
  /** `upsample`. */
  readonly upsample: GrlUpsample;
  /** `conv_last` (`pixelshuffle` only), else null. */
  readonly convLast: Conv2d | null;

  /**
   * @param options - see {@link GrlOptions}
   * @throws InvalidValueError for an unknown option or a bad value
   */
  constructor(options: GrlOptions = {}) {
    const fn = 'Grl';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(GRL_DEFAULTS, options);
    const c = checkPositiveInt(fn, 'embedDim', o.embedDim);
    if (!Array.isArray(o.depths) || o.depths.length === 0) {
      throw new InvalidValueError(`${fn}: depths must be a non-empty array of positive integers, got ${String(o.depths)}`);
    }
    o.depths.forEach((d, i) => checkPositiveInt(fn, `depths[${i}]`, d));
    const hw = checkPositiveInt(fn, 'headsWindow', o.headsWindow);
    const hs = checkPositiveInt(fn, 'headsStripe', o.headsStripe);
    if (c % 2 !== 0 || (c / 2) % hw !== 0 || (c / 2) % hs !== 0) {
      throw new InvalidValueError(`${fn}: embedDim must be even with embedDim/2 divisible by headsWindow and headsStripe, got ${c}, ${hw}, ${hs}`);
    }
    if (typeof o.mlpRatio !== 'number' || !(o.mlpRatio > 0) || !Number.isFinite(o.mlpRatio)) {
      throw new InvalidValueError(`${fn}: mlpRatio must be a positive number, got ${String(o.mlpRatio)}`);
    }
    checkOneOf(fn, 'upsampler', o.upsampler, ['pixelshuffle', 'pixelshuffledirect']);
    if (typeof o.localConnection !== 'boolean') {
      throw new InvalidValueError(`${fn}: localConnection must be a boolean, got ${String(o.localConnection)}`);
    }
    const ws = checkPositiveInt(fn, 'windowSize', o.windowSize);
    if (ws < 2) throw new InvalidValueError(`${fn}: windowSize must be at least 2, got ${ws}`);
    if (!Array.isArray(o.stripeSize) || o.stripeSize.length !== 2) {
      throw new InvalidValueError(`${fn}: stripeSize must be a pair [h, w], got ${String(o.stripeSize)}`);
    }
    const ss: [number, number] = [checkPositiveInt(fn, 'stripeSize[0]', o.stripeSize[0]), checkPositiveInt(fn, 'stripeSize[1]', o.stripeSize[1])];
    const df = checkPositiveInt(fn, 'anchorWindowDownFactor', o.anchorWindowDownFactor);
    if (ss[0] % df !== 0 || ss[1] % df !== 0 || ss[0] / df < 1 || ss[0] < 2 || ss[1] < 2) {
      throw new InvalidValueError(`${fn}: stripeSize [${ss}] must be ≥ 2 and a multiple of anchorWindowDownFactor ${df}`);
    }
    const pad = Math.max(ws, ss[0], ss[1]);
    if (pad % ws !== 0 || pad % ss[0] !== 0 || pad % ss[1] !== 0) {
      throw new InvalidValueError(`${fn}: windowSize ${ws} and stripeSize [${ss}] must all divide their maximum ${pad} (the padding multiple)`);
    }
    checkOneOf(fn, 'scale', o.scale, [2, 3, 4]);
    super(fn, { scale: o.scale, nativeRange: '0-1', range: o.range });
    this.padSize = pad;
    this.config = Object.freeze({
      embedDim: c,
      depths: Object.freeze([...o.depths]),
      headsWindow: hw,
      headsStripe: hs,
      mlpRatio: o.mlpRatio,
      upsampler: o.upsampler,
      localConnection: o.localConnection,
      windowSize: ws,
      stripeSize: Object.freeze(ss) as readonly [number, number],
      anchorWindowDownFactor: df,
      scale: o.scale,
    });
    const rng = o.rng;
    this.convFirst = this.registerModule('conv_first', new Conv2d(3, c, 3, { padding: 1, rng }));
    this.normStart = this.registerModule('norm_start', new LayerNorm(c));
    const block = { dim: c, headsWindow: hw, headsStripe: hs, downFactor: df, mlpRatio: o.mlpRatio, localConnection: o.localConnection, rng };
    this.layers = this.registerModule('layers', new ModuleList(o.depths.map((d) => new GrlStage(d, block))));
    this.normEnd = this.registerModule('norm_end', new LayerNorm(c));
    this.convAfterBody = this.registerModule('conv_after_body', new Conv2d(c, c, 3, { padding: 1, rng }));
    const s: number = o.scale;
    if (o.upsampler === 'pixelshuffle') {
      const f = NUM_OUT_FEATS;
      this.convBeforeUpsample = this.registerModule(
        'conv_before_upsample',
        new Sequential(new Conv2d(c, f, 3, { padding: 1, rng }), new LeakyReLU(0.01)),
      );
      const steps = s === 3 ? [3] : s === 2 ? [2] : [2, 2];
      const mods = steps.flatMap((r) => [new Conv2d(f, r * r * f, 3, { padding: 1, rng }), new PixelShuffle(r)]);
      this.upsample = this.registerModule('upsample', new GrlUpsample(new Sequential(...mods)));
      this.convLast = this.registerModule('conv_last', new Conv2d(f, 3, 3, { padding: 1, rng }));
    } else {
      this.convBeforeUpsample = null;
      this.upsample = this.registerModule(
        'upsample',
        new GrlUpsample(new Sequential(new Conv2d(c, 3 * s * s, 3, { padding: 1, rng }), new PixelShuffle(s))),
      );
      this.convLast = null;
    }
  }

  /** Bottom/right padding of an `h × w` input: reflect when each pad is smaller than its side, else zeros. */
  private pad(x: tf.Tensor4D): tf.Tensor4D {
    const [, h, w] = x.shape;
    const p = this.padSize;
    const ph = (p - (h % p)) % p;
    const pw = (p - (w % p)) % p;
    if (ph === 0 && pw === 0) return x;
    const paddings: [number, number][] = [
      [0, 0],
      [0, ph],
      [0, pw],
      [0, 0],
    ];
    return ph < h && pw < w ? tf.mirrorPad(x, paddings, 'reflect') : tf.pad(x, paddings);
  }

  protected forwardNative(x: tf.Tensor4D): tf.Tensor4D {
    const [n, h, w] = x.shape;
    const mean = tf.tensor4d([...GRL_RGB_MEAN], [1, 1, 1, 3]);
    const xp = tf.sub(this.pad(x), mean) as tf.Tensor4D;
    const cfg = this.config;
    const geoms = grlGeometrySet([xp.shape[1], xp.shape[2]], cfg.windowSize, cfg.stripeSize, cfg.anchorWindowDownFactor);
    const first = this.convFirst.call(xp);
    let f = this.normStart.call(first);
    for (const stage of this.layers) f = stage.call(f, geoms);
    f = this.normEnd.call(f);
    let y = tf.add(this.convAfterBody.call(f), first);
    if (this.convBeforeUpsample) y = this.convBeforeUpsample.call(y);
    y = this.upsample.call(y);
    if (this.convLast) y = this.convLast.call(y);
    const out = tf.add(y, mean) as tf.Tensor4D;
    const s = this.scale;
    return out.shape[1] === h * s && out.shape[2] === w * s ? out : tf.slice(out, [0, 0, 0, 0], [n, h * s, w * s, 3]);
  }
}
