/**
 * CiaoSR: arbitrary-scale super-resolution with local implicit attention.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, type Linear, ShapeError, checkInput, checkOptions, type Rng } from '@lab/tensor';
import { checkOneOf, checkPositiveInt, withDefaults } from '../common/options';
import { SR_NETWORK_OPTION_KEYS, SrNetwork, type SrNetworkOptions } from '../common/sr-network';
import { EdsrEncoder } from '../edsr/edsr-encoder';
import { RdnEncoder } from '../rdn/rdn-encoder';
import { CrossScaleAttention } from './cross-scale-attention';
import { gatherPixels, gridSampleBilinear, makeCoordData, nearestIndices } from './grid-sample';
import { MlpRefiner } from './mlp-refiner';
import { unfold3x3 } from './unfold';

/** Options of the query methods of {@link CiaoSr}; each overrides the model's option of the same name. @category Models */
export interface CiaoSrQueryOptions {
  /** Output coordinates decoded per batch (bounds the decoder's memory). @defaultValue the model's `queryBatchSize` */
  queryBatchSize?: number;
  /** Side of the square LR tiles (`0`: the whole image at once). @defaultValue the model's `tileSize` */
  tileSize?: number;
  /** Overlap of neighbouring tiles in LR pixels. @defaultValue the model's `tileOverlap` */
  tileOverlap?: number;
}

/** Options of {@link CiaoSr}; defaults in {@link CIAOSR_DEFAULTS}. @category Models */
export interface CiaoSrOptions extends SrNetworkOptions, CiaoSrQueryOptions {
  /** Feature extractor: `'rdn'` (the released checkpoint) or `'edsr-baseline'`. @defaultValue 'rdn' */
  encoder?: 'rdn' | 'edsr-baseline';
  /**
   * Scale of `call` (the {@link SrModel} contract): any real > 0; the output is
   * `round(h·scale) × round(w·scale)` (see {@link CiaoSr.outputSize}). @defaultValue 4
   */
  scale?: number;
  /** Encoder channels `C` (`mid_channels`). @defaultValue 64 */
  channels?: number;
  /** Encoder blocks (RDBs or residual blocks, `num_blocks`). @defaultValue 16 */
  numBlocks?: number;
  /** Dense layers per RDB (`num_layers`, RDN only). @defaultValue 8 */
  numLayers?: number;
  /** Growth of each dense layer (`channel_growth`, RDN only). @defaultValue 64 */
  channelGrowth?: number;
  /** Residual scaling of the EDSR blocks (`res_scale`, EDSR only). @defaultValue 1 */
  resScale?: number;
  /** Width of the hidden layers of `imnet_q`, `imnet_k`, `imnet_v`. @defaultValue 256 */
  hiddenDim?: number;
  /** Number of hidden layers of each MLP. @defaultValue 4 */
  hiddenLayers?: number;
  /** Scale of the non-local attention (`multi_scale`: 2, 3 or 4), or 0 to leave it out (`non_local_attn=False`). @defaultValue 2 */
  nonLocalScale?: number;
  /** Temperature of the local attention softmax (`softmax_scale`). @defaultValue 1 */
  softmaxScale?: number;
  /** RGB mean subtracted from `[0, 1]` inputs and added back (the restorer's `rgb_mean`, std 1). @defaultValue {@link CIAOSR_RGB_MEAN} */
  rgbMean?: readonly [number, number, number];
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * Defaults of {@link CiaoSrOptions}: the RDN configuration of caojiezhang/CiaoSR
 * `configs/001_localimplicitsr_rdn_div2k_g1_c64b16_1000k_unfold_lec_mulwkv_res_nonlocal.py` (the
 * one `rdn-ciaosr.pth` was trained with). `queryBatchSize` is 8,192 rather than the reference's
 * `eval_bsize` 30,000 because the wasm heap is capped at 4 GiB (≈ 0.3 GB per 8,192 queries);
 * results do not depend on it. `tileSize` 0 (no tiling); the reference evaluates ×2–×4 with tiles
 * of 192 and overlap 32 and ×6–×12 untiled.
 * @category Models
 */
export const CIAOSR_DEFAULTS = Object.freeze({
  /** Default of {@link CiaoSrOptions.encoder}. */
  encoder: 'rdn',
  /** Default of {@link CiaoSrOptions.scale}. */
  scale: 4,
  /** Default of {@link CiaoSrOptions.channels}. */
  channels: 64,
  /** Default of {@link CiaoSrOptions.numBlocks}. */
  numBlocks: 16,
  /** Default of {@link CiaoSrOptions.numLayers}. */
  numLayers: 8,
  /** Default of {@link CiaoSrOptions.channelGrowth}. */
  channelGrowth: 64,
  /** Default of {@link CiaoSrOptions.resScale}. */
  resScale: 1,
  /** Default of {@link CiaoSrOptions.hiddenDim}. */
  hiddenDim: 256,
  /** Default of {@link CiaoSrOptions.hiddenLayers}. */
  hiddenLayers: 4,
  /** Default of {@link CiaoSrOptions.nonLocalScale}. */
  nonLocalScale: 2,
  /** Default of {@link CiaoSrOptions.softmaxScale}. */
  softmaxScale: 1,
  /** Default of {@link CiaoSrQueryOptions.queryBatchSize}. */
  queryBatchSize: 8192,
  /** Default of {@link CiaoSrQueryOptions.tileSize}. */
  tileSize: 0,
  /** Default of {@link CiaoSrQueryOptions.tileOverlap}. */
  tileOverlap: 32,
  /** Default of {@link SrNetworkOptions.range}. */
  range: '0-1',
} as const);

/** The DIV2K RGB mean CiaoSR's restorer subtracts (`rgb_mean=(0.4488, 0.4371, 0.4040)`). @category Models */
export const CIAOSR_RGB_MEAN: readonly [number, number, number] = Object.freeze([0.4488, 0.4371, 0.404] as [number, number, number]);

const QUERY_KEYS = ['queryBatchSize', 'tileSize', 'tileOverlap'] as const;
const KEYS = [
  ...SR_NETWORK_OPTION_KEYS,
  ...QUERY_KEYS,
  'encoder',
  'scale',
  'channels',
  'numBlocks',
  'numLayers',
  'channelGrowth',
  'resScale',
  'hiddenDim',
  'hiddenLayers',
  'nonLocalScale',
  'softmaxScale',
  'rgbMean',
  'rng',
];

/** Offset the reference adds to every shifted coordinate (`eps_shift`). */
const EPS_SHIFT = 1e-6;
/** Shifted coordinates are clamped to `±(1 − 1e-6)`. */
const CLAMP = 1 - 1e-6;

/** `Math.round` with ties to even, as Python's `round` (the reference's output size). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function checkScale(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new InvalidValueError(`${fn}: ${arg} must be a finite number > 0, got ${String(v)}`);
  }
  return v;
}

function checkNonNegInt(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new InvalidValueError(`${fn}: ${arg} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

/**
 * CiaoSR (Cao et al., CVPR 2023), an implicit neural representation for arbitrary-scale SR.
 *
 * An encoder (RDN or EDSR-baseline without upsampler) gives `F` (`C × h × w`), unfolded 3×3 to
 * `9C` channels; the values also carry the scale-aware non-local attention
 * ({@link CrossScaleAttention}, `9C + C`). For each output coordinate `x_q` (LIIF convention:
 * `(y, x)` in `[−1, 1]`, cell `(2/H, 2/W)`): the query `q` is the unfolded feature nearest to
 * `x_q`; keys and values come from the 4 nearest LR cells, found at `x_q ± (1 − cell)/(h − 1)`
 * (`+ 1e-6`, clamped to `±(1 − 1e-6)`); with `rel = (x_q − x_i)·(h, w)` and `c = cell·(h, w)`,
 * `K_i = k_i ⊙ imnet_k([k_i, rel, c])`, `V_i = v_i ⊙ imnet_v([v_i, rel, c])`, and
 * `rgb = imnet_q(Σ softmax_i(q·K_i) V_i) + bilinear(x, x_q)` (border padding), all on
 * `x − rgbMean`, plus `rgbMean` (native range [0, 1]).
 *
 * Parameters: the encoder's keys at the top level (`sfe1`, `rdbs.*`, `gff.*` or `conv_first`,
 * `body.*`, `conv_after_body`), `imnet_q`, `imnet_k`, `imnet_v` ({@link MlpRefiner}) and `cs_attn`,
 * as `LocalImplicitSRRDN` / `LocalImplicitSREDSR`. 23,402,566 parameters with RDN, 2,649,030 with
 * EDSR-baseline (PyTorch counts 2 fewer: see {@link CrossScaleAttention}). `tools/test.py` loads
 * `rdn-ciaosr.pth` into mmediting's restorer, so its keys should carry the `generator.` prefix:
 * load it with `stripPrefix: 'generator.'` (the file itself was not available to check).
 *
 * `call` upscales by {@link CiaoSr.scale}; {@link CiaoSr.upscaleTo} renders any size (different
 * vertical and horizontal factors) and {@link CiaoSr.queryRgb} any coordinates (differentiable,
 * for training). Coordinates are decoded in batches of `queryBatchSize`; `tileSize` splits the
 * input into overlapping tiles as the reference's `clip_test` (the non-local attention needs
 * `O((hw)²/s²)` memory). Inputs must be at least `nonLocalScale` pixels high and wide.
 * @see arXiv 2212.04362; caojiezhang/CiaoSR `mmedited/models/backbones/sr_backbones/ciaosr_net.py`,
 *   `mmedited/models/restorers/ciaosr.py`
 * @example
 * ```ts
 * const net = new CiaoSr().eval();                 // RDN-CiaoSR, call() = ×4, [0, 1] images
 * loadOfficialWeights(net, bytes, { stripPrefix: 'generator.' }); // rdn-ciaosr.pth
 * const sr = net.upscaleTo(lr, { height: 100, width: 170 }); // any size
 * sr.dispose();
 * ```
 * @category Models
 */
export class CiaoSr extends SrNetwork {
  /** The encoder kind. */
  readonly encoderKind: 'rdn' | 'edsr-baseline';
  /** The encoder; its children are registered on this module under their reference names. */
  readonly encoder: RdnEncoder | EdsrEncoder;
  /** `imnet_q`: output MLP `9C + C → 3`. */
  readonly imnetQ: MlpRefiner;
  /** `imnet_k`: key modulation MLP `9C + 4 → 9C`. */
  readonly imnetK: MlpRefiner;
  /** `imnet_v`: value modulation MLP `9C + C + 4 → 9C + C`. */
  readonly imnetV: MlpRefiner;
  /** `cs_attn`: the non-local attention, or null when `nonLocalScale` is 0. */
  readonly csAttn: CrossScaleAttention | null;
  /** Temperature of the local attention softmax. */
  readonly softmaxScale: number;
  /** RGB mean subtracted before the network. */
  readonly rgbMean: readonly [number, number, number];
  /** Default query batch size. */
  readonly queryBatchSize: number;
  /** Default tile side (0: no tiling). */
  readonly tileSize: number;
  /** Default tile overlap. */
  readonly tileOverlap: number;
  private readonly channels: number;

  /**
   * @param options - see {@link CiaoSrOptions}
   * @throws InvalidValueError for an unknown option or a bad value
   */
  constructor(options: CiaoSrOptions = {}) {
    const fn = 'CiaoSr';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(CIAOSR_DEFAULTS, options);
    const encoderKind = checkOneOf(fn, 'encoder', o.encoder, ['rdn', 'edsr-baseline'] as const);
    const scale = checkScale(fn, 'scale', o.scale);
    const nonLocalScale = checkOneOf(fn, 'nonLocalScale', o.nonLocalScale, [0, 2, 3, 4]);
    const hiddenDim = checkPositiveInt(fn, 'hiddenDim', o.hiddenDim);
    const hiddenLayers = checkNonNegInt(fn, 'hiddenLayers', o.hiddenLayers);
    const c = checkPositiveInt(fn, 'channels', o.channels);
    const softmaxScale: number = o.softmaxScale;
    if (typeof softmaxScale !== 'number' || !Number.isFinite(softmaxScale) || softmaxScale === 0) {
      throw new InvalidValueError(`${fn}: softmaxScale must be a finite non-zero number, got ${String(softmaxScale)}`);
    }
    const mean = options.rgbMean ?? CIAOSR_RGB_MEAN;
    if (!Array.isArray(mean) || mean.length !== 3 || !mean.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new InvalidValueError(`${fn}: rgbMean must be three finite numbers, got ${JSON.stringify(mean)}`);
    }
    const query = checkQueryOptions(fn, o);
    super(fn, { scale, nativeRange: '0-1', range: o.range, minInputSize: Math.max(1, nonLocalScale) });
    this.encoderKind = encoderKind;
    this.softmaxScale = softmaxScale;
    this.rgbMean = Object.freeze([mean[0], mean[1], mean[2]]) as readonly [number, number, number];
    this.queryBatchSize = query.queryBatchSize;
    this.tileSize = query.tileSize;
    this.tileOverlap = query.tileOverlap;
    this.channels = c;
    const rng = o.rng;
    const hidden = new Array<number>(hiddenLayers).fill(hiddenDim);
    const ck = 9 * c;
    const cv = ck + (nonLocalScale ? c : 0);
    this.imnetQ = this.registerModule('imnet_q', new MlpRefiner(cv, 3, hidden, rng));
    this.imnetK = this.registerModule('imnet_k', new MlpRefiner(ck + 4, ck, hidden, rng));
    this.imnetV = this.registerModule('imnet_v', new MlpRefiner(cv + 4, cv, hidden, rng));
    this.csAttn = nonLocalScale ? this.registerModule('cs_attn', new CrossScaleAttention(c, { scale: nonLocalScale, rng })) : null;
    this.encoder =
      encoderKind === 'rdn'
        ? new RdnEncoder({ channels: c, numBlocks: o.numBlocks, numLayers: o.numLayers, channelGrowth: o.channelGrowth, rng })
        : new EdsrEncoder({ channels: c, numBlocks: o.numBlocks, resScale: o.resScale, rng });
    // LocalImplicitSRRDN / LocalImplicitSREDSR move the encoder's modules to the top level.
    for (const [name, child] of this.encoder.namedChildren()) this.registerModule(name, child);
  }

  /**
   * The output size for an `height × width` input at `scale`: `round(height·scale) ×
   * round(width·scale)` with ties to even, as the reference (`round(ih * s)`, Python).
   * @param height - input rows, a positive integer
   * @param width - input columns, a positive integer
   * @param scale - factor > 0; defaults to {@link CiaoSr.scale}
   * @returns `[outHeight, outWidth]`, each at least 1
   * @throws InvalidValueError for a bad size or scale
   */
  outputSize(height: number, width: number, scale: number = this.scale): [number, number] {
    const fn = 'CiaoSr.outputSize';
    checkPositiveInt(fn, 'height', height);
    checkPositiveInt(fn, 'width', width);
    checkScale(fn, 'scale', scale);
    return [Math.max(1, roundHalfEven(height * scale)), Math.max(1, roundHalfEven(width * scale))];
  }

  protected forwardNative(x: tf.Tensor4D): tf.Tensor4D {
    const [, h, w] = x.shape;
    const [oh, ow] = this.outputSize(h, w);
    return this.renderNative(x, oh, ow, this.queryOptions({}));
  }

  /**
   * Super-resolves to an arbitrary output size: every output pixel centre is decoded, so the
   * vertical and horizontal factors `height/h` and `width/w` may differ and need not be integers
   * (also beyond the ×1–×4 training range).
   * @param lr - `[n, h, w, 3]` float32 in {@link CiaoSr.range}, `h, w ≥ minInputSize`; not disposed
   * @param size - output `height` and `width`, positive integers
   * @param options - batching and tiling, see {@link CiaoSrQueryOptions}
   * @returns `[n, height, width, 3]` in {@link CiaoSr.range}, not clamped; the caller disposes it
   * @throws ShapeError for a bad input; InvalidValueError for a bad size or option
   */
  upscaleTo(lr: tf.Tensor, size: { height: number; width: number }, options: CiaoSrQueryOptions = {}): tf.Tensor4D {
    const fn = 'CiaoSr.upscaleTo';
    this.checkLr(fn, lr);
    if (typeof size !== 'object' || size === null) throw new InvalidValueError(`${fn}: size must be { height, width }, got ${String(size)}`);
    checkOptions(fn, size, ['height', 'width']);
    checkPositiveInt(fn, 'size.height', size.height);
    checkPositiveInt(fn, 'size.width', size.width);
    checkOptions(fn, options, QUERY_KEYS);
    const q = this.queryOptions(options);
    return tf.tidy(() => this.fromNative(this.renderNative(this.toNative(lr as tf.Tensor4D), size.height, size.width, q)) as tf.Tensor4D);
  }

  /**
   * Decodes RGB values at arbitrary continuous coordinates (differentiable: the training path).
   * Under a gradient tape (`tf.variableGrads`, `optimizer.minimize`) features are gathered with
   * `tf.gather`, whose wasm gradient is lab's `UnsortedSegmentSum`; otherwise by row copies
   * (the stock wasm `Gather` took as long as all the decoder's matrix products).
   * @param lr - `[n, h, w, 3]` float32 in {@link CiaoSr.range}; not disposed
   * @param coords - `[n, q, 2]` float32 `(y, x)` in `[−1, 1]` (LIIF convention: pixel `i` of an
   *   `H`-row output at `−1 + (2i + 1)/H`); not disposed
   * @param cells - `[n, q, 2]` float32 cell sizes `(2/H, 2/W)` of the output grid, > 0; not disposed
   * @param options - `queryBatchSize` (tiling does not apply here)
   * @returns `[n, q, 3]` in {@link CiaoSr.range}; the caller disposes it
   * @throws ShapeError for mismatched shapes; InvalidValueError for coordinates outside
   *   `[−1, 1]`, non-positive or non-finite cells, or a bad option
   */
  queryRgb(lr: tf.Tensor, coords: tf.Tensor, cells: tf.Tensor, options: Pick<CiaoSrQueryOptions, 'queryBatchSize'> = {}): tf.Tensor3D {
    const fn = 'CiaoSr.queryRgb';
    this.checkLr(fn, lr);
    const n = lr.shape[0];
    for (const [arg, t] of [
      ['coords', coords],
      ['cells', cells],
    ] as const) {
      checkInput(fn, t, 3, 2, arg);
      if (t.dtype !== 'float32') throw new ShapeError(`${fn}: ${arg} must have dtype float32, got ${t.dtype}`);
      if (t.shape[0] !== n) throw new ShapeError(`${fn}: ${arg} must have the batch size of lr (${n}), got shape [${t.shape}]`);
    }
    if ((coords.shape[1] as number) < 1) throw new ShapeError(`${fn}: coords must hold at least one coordinate, got shape [${coords.shape}]`);
    if (coords.shape[1] !== cells.shape[1]) {
      throw new ShapeError(`${fn}: cells must have shape [${coords.shape}] like coords, got [${cells.shape}]`);
    }
    checkOptions(fn, options, ['queryBatchSize']);
    const batch = checkPositiveInt(fn, 'queryBatchSize', options.queryBatchSize ?? this.queryBatchSize);
    const cd = coords.dataSync();
    for (let i = 0; i < cd.length; i++) {
      if (!(Math.abs(cd[i]) <= 1)) throw new InvalidValueError(`${fn}: coords must lie in [-1, 1], got ${cd[i]} at flat index ${i}`);
    }
    const ce = cells.dataSync();
    for (let i = 0; i < ce.length; i++) {
      if (!(ce[i] > 0 && Number.isFinite(ce[i]))) {
        throw new InvalidValueError(`${fn}: cells must be finite and > 0, got ${ce[i]} at flat index ${i}`);
      }
    }
    return tf.tidy(() => {
      const xn = this.normalise(this.toNative(lr as tf.Tensor4D));
      const feat = this.features(xn);
      const nq = coords.shape[1] as number;
      const parts: tf.Tensor[] = [];
      for (let s = 0; s < nq; s += batch) {
        const len = Math.min(batch, nq - s);
        const c = tf.slice(coords, [0, s, 0], [n, len, 2]) as tf.Tensor3D;
        const z = tf.slice(cells, [0, s, 0], [n, len, 2]) as tf.Tensor3D;
        parts.push(this.decodeWithResidual(feat, xn, c, z));
      }
      const out = parts.length === 1 ? parts[0] : tf.concat(parts, 1);
      return this.fromNative(this.denormalise(out)) as tf.Tensor3D;
    });
  }

  /** Query options merged with the model's, validated. */
  private queryOptions(options: CiaoSrQueryOptions): { queryBatchSize: number; tileSize: number; tileOverlap: number } {
    return checkQueryOptions('CiaoSr', {
      queryBatchSize: options.queryBatchSize ?? this.queryBatchSize,
      tileSize: options.tileSize ?? this.tileSize,
      tileOverlap: options.tileOverlap ?? this.tileOverlap,
    });
  }

  private checkLr(fn: string, lr: unknown): asserts lr is tf.Tensor4D {
    checkInput(fn, lr, 4, 3, 'lr');
    if (lr.dtype !== 'float32') throw new ShapeError(`${fn}: lr must have dtype float32, got ${lr.dtype}`);
    const [, h, w] = lr.shape;
    if (h < this.minInputSize || w < this.minInputSize) {
      throw new ShapeError(`${fn}: lr must be at least ${this.minInputSize}×${this.minInputSize} pixels, got shape [${lr.shape}]`);
    }
  }

  private toNative(x: tf.Tensor): tf.Tensor4D {
    return (this.range === '0-255' ? tf.div(x, 255) : x) as tf.Tensor4D;
  }

  private fromNative(y: tf.Tensor): tf.Tensor {
    return this.range === '0-255' ? tf.mul(y, 255) : y;
  }

  private normalise(x: tf.Tensor4D): tf.Tensor4D {
    return tf.sub(x, tf.tensor1d([...this.rgbMean])) as tf.Tensor4D;
  }

  private denormalise(y: tf.Tensor): tf.Tensor {
    return tf.add(y, tf.tensor1d([...this.rgbMean]));
  }

  /**
   * The map the decoder gathers from, `[n, h, w, cv + 2·hidden]`: the values (unfolded encoder
   * features, `9C`, then the non-local attention, `C`; the first `9C` channels are also the keys
   * and queries), then the first layers of `imnet_k` and `imnet_v` applied to the key and value
   * channels of every LR pixel. A key or value is gathered from one of the `h·w` pixels, so
   * `W·[k, rel, cell] = (W_k·k)[pixel] + W_e·[rel, cell]`: projecting the `h·w` pixels once
   * replaces `4·q` products with the `9C`- and `10C`-wide part of those layers (28% of the
   * decoder's multiply-adds at C = 64, hidden 256).
   */
  private features(xn: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const f = this.encoder.call(xn) as tf.Tensor4D;
      const unfolded = unfold3x3(f);
      const values = this.csAttn ? (tf.concat([unfolded, this.csAttn.call(f) as tf.Tensor4D], 3) as tf.Tensor4D) : unfolded;
      const [n, h, w, cv] = values.shape;
      const ck = 9 * this.channels;
      const flat = tf.reshape(values, [n * h * w, cv]) as tf.Tensor2D;
      const lk = firstLinear(this.imnetK);
      const lv = firstLinear(this.imnetV);
      const pk = tf.matMul(tf.slice(flat, [0, 0], [-1, ck]), tf.slice(lk.weight, [0, 0], [ck, -1]) as tf.Tensor2D);
      const pv = tf.matMul(flat, tf.slice(lv.weight, [0, 0], [cv, -1]) as tf.Tensor2D);
      return tf.reshape(tf.concat([flat, pk, pv], 1), [n, h, w, cv + lk.outFeatures + lv.outFeatures]) as tf.Tensor4D;
    });
  }

  /** {@link CiaoSr.decode} plus the bilinear LR residual (normalised space). */
  private decodeWithResidual(feat: tf.Tensor4D, xn: tf.Tensor4D, coords: tf.Tensor3D, cells: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => tf.add(this.decode(feat, coords, cells), gridSampleBilinear(xn, coords)) as tf.Tensor3D);
  }

  /** The local implicit attention decoder (`query_rgb`) for one batch of coordinates: `[n, q, 3]`. */
  private decode(feat: tf.Tensor4D, coords: tf.Tensor3D, cells: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [n, h, w] = feat.shape;
      const ck = 9 * this.channels;
      const cv = this.imnetV.outDim;
      const hk = firstLinear(this.imnetK).outFeatures;
      const hv = firstLinear(this.imnetV).outFeatures;
      const q = coords.shape[1];
      const { iy: qy, ix: qx } = nearestIndices(coords, h, w);
      const [y, x] = tf.split(coords, 2, -1);
      const [cy, cx] = tf.split(cells, 2, -1);
      // Shift to the neighbouring cells: 1/tx with tx = (h − 1)/(1 − cell) (the reference's form).
      const ry = h > 1 ? tf.div(1, tf.div(h - 1, tf.sub(1, cy))) : tf.zerosLike(cy);
      const rx = w > 1 ? tf.div(1, tf.div(w - 1, tf.sub(1, cx))) : tf.zerosLike(cx);
      const cellTerm = tf.concat([tf.mul(cy, h), tf.mul(cx, w)], -1);
      const iys: tf.Tensor[] = [];
      const ixs: tf.Tensor[] = [];
      const extras: tf.Tensor[] = [];
      for (const vy of [-1, 1]) {
        for (const vx of [-1, 1]) {
          const ys = tf.clipByValue(tf.add(y, tf.add(tf.mul(ry, vy), EPS_SHIFT)), -CLAMP, CLAMP);
          const xs = tf.clipByValue(tf.add(x, tf.add(tf.mul(rx, vx), EPS_SHIFT)), -CLAMP, CLAMP);
          const { iy, ix } = nearestIndices(tf.concat([ys, xs], -1), h, w);
          iys.push(iy);
          ixs.push(ix);
          // Centre of the chosen cell (make_coord), and the offset scaled by (h, w).
          const ky = tf.expandDims(tf.add(tf.mul(tf.cast(iy, 'float32'), 2 / h), -1 + 1 / h), -1);
          const kx = tf.expandDims(tf.add(tf.mul(tf.cast(ix, 'float32'), 2 / w), -1 + 1 / w), -1);
          const rel = tf.concat([tf.mul(tf.sub(y, ky), h), tf.mul(tf.sub(x, kx), w)], -1);
          extras.push(tf.concat([rel, cellTerm], -1));
        }
      }
      const extra = tf.concat(extras, 1); // [n, 4q, 4]
      let query: tf.Tensor;
      let kv: tf.Tensor;
      let key: tf.Tensor;
      let pk: tf.Tensor;
      let pv: tf.Tensor;
      if (tf.engine().state.gradientDepth > 0) {
        // Under a gradient tape: tf.gather (differentiable; its gradient is UnsortedSegmentSum).
        query = tf.slice(gatherPixels(feat, qy, qx), [0, 0, 0], [n, q, ck]);
        const gathered = tf.concat(
          iys.map((iy, i) => gatherPixels(feat, iy, ixs[i])),
          1,
        ); // [n, 4q, cv + hk + hv]
        kv = tf.slice(gathered, [0, 0, 0], [n, 4 * q, cv]);
        key = tf.slice(kv, [0, 0, 0], [n, 4 * q, ck]);
        pk = tf.slice(gathered, [0, 0, cv], [n, 4 * q, hk]);
        pv = tf.slice(gathered, [0, 0, cv + hk], [n, 4 * q, hv]);
      } else {
        // Inference: row copies in JS (the wasm Gather kernel copies element by element and took
        // as long as all the decoder's matrix products).
        const src = feat.dataSync() as Float32Array;
        const width = feat.shape[3];
        const qIdx = flatIndices([qy], [qx], h, w);
        const sIdx = flatIndices(iys, ixs, h, w);
        query = copyRows(src, width, qIdx, 0, ck, [n, q, ck]);
        kv = copyRows(src, width, sIdx, 0, cv, [n, 4 * q, cv]);
        key = copyRows(src, width, sIdx, 0, ck, [n, 4 * q, ck]);
        pk = copyRows(src, width, sIdx, cv, hk, [n, 4 * q, hk]);
        pv = copyRows(src, width, sIdx, cv + hk, hv, [n, 4 * q, hv]);
      }
      const k = tf.mul(key, splitMlp(this.imnetK, pk, extra, ck));
      const v = tf.mul(kv, splitMlp(this.imnetV, pv, extra, cv));
      const logits = tf.sum(tf.mul(tf.reshape(k, [n, 4, q, ck]), tf.expandDims(query, 1)), -1); // [n, 4, q]
      const weights = tf.softmax(tf.transpose(tf.div(logits, this.softmaxScale), [0, 2, 1])); // [n, q, 4]
      const wt = tf.expandDims(tf.transpose(weights, [0, 2, 1]), -1); // [n, 4, q, 1]
      const mixed = tf.sum(tf.mul(tf.reshape(v, [n, 4, q, cv]), wt), 1); // [n, q, cv]
      return this.imnetQ.call(mixed) as tf.Tensor3D;
    });
  }

  /**
   * Renders the `outH × outW` pixel-centre grid from a native-range input, whole or in tiles.
   * @returns `[n, outH, outW, 3]` native range
   */
  private renderNative(x: tf.Tensor4D, outH: number, outW: number, o: { queryBatchSize: number; tileSize: number; tileOverlap: number }): tf.Tensor4D {
    const [n, h, w] = x.shape;
    const tile = o.tileSize > 0 ? Math.min(o.tileSize, h, w) : 0;
    if (tile === 0 || (tile >= h && tile >= w)) {
      return tf.tidy(() => {
        const coords = makeCoordData(outH, outW, 0, outH, 0, outW);
        return tf.reshape(this.renderRegion(x, coords, 2 / outH, 2 / outW, o.queryBatchSize), [n, outH, outW, 3]) as tf.Tensor4D;
      });
    }
    if (o.tileOverlap >= tile) {
      throw new InvalidValueError(`CiaoSr: tileOverlap must be smaller than the tile side ${tile}, got ${o.tileOverlap}`);
    }
    // clip_test of the reference: tile starts 0, stride, … and h − tile; each output pixel whose
    // centre lies in a tile is decoded from that tile; overlaps are averaged.
    const stride = tile - o.tileOverlap;
    const starts = (size: number): number[] => {
      const s: number[] = [];
      for (let i = 0; i < size - tile; i += stride) s.push(i);
      s.push(size - tile);
      return s;
    };
    const sy = outH / h;
    const sx = outW / w;
    const covered = (t0: number, sc: number, out: number): [number, number] => [
      Math.min(out, Math.max(0, Math.ceil(t0 * sc - 0.5))),
      Math.min(out, Math.max(0, Math.ceil((t0 + tile) * sc - 0.5))),
    ];
    const sum = new Float32Array(n * outH * outW * 3);
    const count = new Float32Array(outH * outW);
    for (const h0 of starts(h)) {
      const [r0, r1] = covered(h0, sy, outH);
      for (const w0 of starts(w)) {
        const [c0, c1] = covered(w0, sx, outW);
        if (r1 <= r0 || c1 <= c0) continue;
        const nr = r1 - r0;
        const nc = c1 - c0;
        // Tile-local coordinates: global pixel i sits at −1 + (2i + 1 − 2·h0·sy)/(tile·sy).
        const coords = new Float32Array(nr * nc * 2);
        let k = 0;
        for (let i = r0; i < r1; i++) {
          const yy = -1 + (2 * i + 1 - 2 * h0 * sy) / (tile * sy);
          for (let j = c0; j < c1; j++) {
            coords[k++] = yy;
            coords[k++] = -1 + (2 * j + 1 - 2 * w0 * sx) / (tile * sx);
          }
        }
        const values = tf.tidy(() => {
          const patch = tf.slice(x, [0, h0, w0, 0], [n, tile, tile, 3]) as tf.Tensor4D;
          return this.renderRegion(patch, coords, 2 / (tile * sy), 2 / (tile * sx), o.queryBatchSize);
        });
        const data = values.dataSync();
        values.dispose();
        for (let b = 0; b < n; b++) {
          for (let i = 0; i < nr; i++) {
            for (let j = 0; j < nc; j++) {
              const src = ((b * nr + i) * nc + j) * 3;
              const dst = ((b * outH + r0 + i) * outW + c0 + j) * 3;
              sum[dst] += data[src];
              sum[dst + 1] += data[src + 1];
              sum[dst + 2] += data[src + 2];
            }
          }
        }
        for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) count[i * outW + j] += 1;
      }
    }
    for (let p = 0; p < n * outH * outW; p++) {
      const cnt = count[p % (outH * outW)];
      for (let ch = 0; ch < 3; ch++) sum[p * 3 + ch] /= cnt;
    }
    return tf.tensor4d(sum, [n, outH, outW, 3]);
  }

  /**
   * Decodes a list of coordinates (the same for every image) with uniform cells on a native-range
   * input, in batches: `[n, q, 3]` native range.
   */
  private renderRegion(x: tf.Tensor4D, coordData: Float32Array, cellY: number, cellX: number, batch: number): tf.Tensor3D {
    return tf.tidy(() => {
      const n = x.shape[0];
      const nq = coordData.length / 2;
      const xn = this.normalise(x);
      const feat = this.features(xn);
      const parts: tf.Tensor[] = [];
      for (let s = 0; s < nq; s += batch) {
        const len = Math.min(batch, nq - s);
        parts.push(
          tf.tidy(() => {
            const c = tf.tile(tf.tensor3d(coordData.subarray(2 * s, 2 * (s + len)), [1, len, 2]), [n, 1, 1]) as tf.Tensor3D;
            const cells = tf.tile(tf.tensor3d([cellY, cellX], [1, 1, 2]), [n, len, 1]) as tf.Tensor3D;
            return this.decodeWithResidual(feat, xn, c, cells);
          }),
        );
      }
      return this.denormalise(parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor3D;
    });
  }
}

/**
 * Flat row indices `b·h·w + iy·w + ix` of int32 index tensors `[n, q]` (one per shift), ordered
 * (image, shift, query) as `tf.concat(gathers, 1)` orders them.
 */
function flatIndices(iys: tf.Tensor[], ixs: tf.Tensor[], h: number, w: number): Int32Array {
  const n = iys[0].shape[0] as number;
  const q = iys[0].shape[1] as number;
  const ys = iys.map((t) => t.dataSync());
  const xs = ixs.map((t) => t.dataSync());
  const out = new Int32Array(n * iys.length * q);
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < ys.length; s++) {
      for (let j = 0; j < q; j++) out[k++] = b * h * w + ys[s][b * q + j] * w + xs[s][b * q + j];
    }
  }
  return out;
}

/** Channels `[c0, c0 + len)` of the rows `idx` of a row-major `[rows, width]` array, as a new tensor of `shape`. */
function copyRows(src: Float32Array, width: number, idx: Int32Array, c0: number, len: number, shape: number[]): tf.Tensor {
  const out = new Float32Array(idx.length * len);
  for (let r = 0; r < idx.length; r++) {
    const o = idx[r] * width + c0;
    out.set(src.subarray(o, o + len), r * len);
  }
  return tf.tensor(out, shape);
}

/** The first Linear of an {@link MlpRefiner}. */
function firstLinear(mlp: MlpRefiner): Linear {
  return mlp.layers.get(0) as Linear;
}

/**
 * `mlp([x, extra])` for an input whose first `split` features `x` already went through the first
 * layer's weights (`projected = x·W[:split]`): adds `extra·W[split:] + b`, then runs the other
 * layers.
 */
function splitMlp(mlp: MlpRefiner, projected: tf.Tensor, extra: tf.Tensor, split: number): tf.Tensor {
  const first = firstLinear(mlp);
  const we = tf.slice(first.weight, [split, 0], [first.inFeatures - split, -1]);
  const lead = extra.shape.slice(0, -1);
  let h = tf.add(projected, tf.reshape(tf.matMul(tf.reshape(extra, [-1, first.inFeatures - split]), we as tf.Tensor2D), [...lead, first.outFeatures]));
  if (first.bias) h = tf.add(h, first.bias);
  for (const layer of mlp.layers.children().slice(1)) h = layer.call(h) as tf.Tensor;
  return h;
}

function checkQueryOptions(fn: string, o: CiaoSrQueryOptions): { queryBatchSize: number; tileSize: number; tileOverlap: number } {
  return {
    queryBatchSize: checkPositiveInt(fn, 'queryBatchSize', o.queryBatchSize),
    tileSize: checkNonNegInt(fn, 'tileSize', o.tileSize),
    tileOverlap: checkNonNegInt(fn, 'tileOverlap', o.tileOverlap),
  };
}
