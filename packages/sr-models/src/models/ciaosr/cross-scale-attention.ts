/**
 * The scale-aware non-local attention of CiaoSR (cross-scale attention of CSNLN).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, InvalidValueError, Module, PReLU, Sequential, ShapeError, checkInput, type Rng } from '@lab/tensor';
import { checkOneOf, checkPositiveInt } from '../common/options';
import { unfold3x3 } from './unfold';

/** Options of {@link CrossScaleAttention}. @category Models */
export interface CrossScaleAttentionOptions {
  /** Downscaling factor of the keys (`scale`): 2, 3 or 4. @defaultValue 2 */
  scale?: number;
  /** Channel reduction of the matching embeddings (`reduction`). @defaultValue 2 */
  reduction?: number;
  /** Factor of the correlations before the softmax (`softmax_scale`). @defaultValue 10 */
  softmaxScale?: number;
  /**
   * Query positions whose attention weights are held at once (rounded down to whole image rows,
   * at least one row). Bounds the memory of the `(h·w) × (h/s)(w/s)` weight matrix; results do
   * not depend on it.
   * @defaultValue 4096
   */
  chunkSize?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/** A 1×1 conv followed by a PReLU with one slope (CSNLN's `BasicBlock`). */
function basicBlock(cin: number, cout: number, rng?: Rng): Sequential {
  return new Sequential(new Conv2d(cin, cout, 1, { rng }), new PReLU());
}

/**
 * Cross-scale non-local attention as CiaoSR appends it to its values (`CrossScaleAttention` of
 * `arch_csnln.py`, scale `s`): the input is reflect-padded to a multiple of `s`; queries are the
 * 3×3 patches of `conv_match_1(x)` (1×1 conv to C/r + PReLU); keys the 3×3 patches of
 * `conv_match_2(x↓s)` (bilinear ↓s, half-pixel) divided by `max(‖patch‖, 1e-4)`; weights
 * `softmax(10 · q·k)` over all `(h/s)(w/s)` keys; values the `3s × 3s` patches (stride `s`) of
 * `conv_assembly(x)` (1×1 conv + PReLU), summed back as a transposed convolution (stride `s`,
 * padding `s`, giving `hs × ws`), then `down` / `downx3` / `downx4` (3×3 conv, stride `s`,
 * padding 1) and `÷ 6`, cropped to `h × w`.
 *
 * The correlation and the transposed convolution run as batched matrix products (same sums as the
 * reference's `conv2d` and `conv_transpose2d`), per image, with the attention weights of
 * `chunkSize` query positions at a time: memory about `chunkSize·(h/s)(w/s)` floats for the
 * weights plus `9·(h/s)(w/s)·s²·C` for the value patches (9 MB at 48×48, 85 MB at 192×192), but
 * the work stays `O((hw)²/s²)`: tile large inputs.
 *
 * Parameters: `escape_NaN` (buffer `[1]`), `conv_match_1.{0,1}`, `conv_match_2.{0,1}`,
 * `conv_assembly.{0,1}`, `downx3` / `downx4` (only for that scale) and `down`. The reference builds
 * its three PReLUs from one default-argument instance, so they share one slope; here each has its
 * own (three keys either way; equal after loading a checkpoint; PyTorch's deduplicated parameter
 * count is 2 lower).
 * @see arXiv 2212.04362 (CiaoSR); caojiezhang/CiaoSR `mmedited/models/common/arch_csnln.py`;
 *   CSNLN arXiv 2006.01424
 * @example
 * ```ts
 * const att = new CrossScaleAttention(64);
 * const y = att.call(tf.zeros([1, 16, 16, 64])); // [1, 16, 16, 64]
 * ```
 * @category Models
 */
export class CrossScaleAttention extends Module {
  /** Channels of the input and output. */
  readonly channels: number;
  /** Downscaling factor of the keys. */
  readonly scale: number;
  /** Factor of the correlations before the softmax. */
  readonly softmaxScale: number;
  /** Query positions per chunk of the attention weights. */
  readonly chunkSize: number;
  /** `escape_NaN`: the lower bound 1e-4 of the key norms (buffer). */
  readonly escapeNaN: tf.Variable;
  /** `conv_match_1`: query embedding (1×1 conv C → C/r, PReLU). */
  readonly convMatch1: Sequential;
  /** `conv_match_2`: key embedding of the downscaled input (1×1 conv C → C/r, PReLU). */
  readonly convMatch2: Sequential;
  /** `conv_assembly`: value embedding (1×1 conv C → C, PReLU). */
  readonly convAssembly: Sequential;
  /** `down` (scale 2), `downx3` or `downx4`: the strided 3×3 conv after the reassembly. */
  readonly downConv: Conv2d;

  /**
   * @param channels - input channels (64 in CiaoSR)
   * @param options - see {@link CrossScaleAttentionOptions}
   * @throws InvalidValueError for a bad option
   */
  constructor(channels: number, options: CrossScaleAttentionOptions = {}) {
    super();
    const fn = 'CrossScaleAttention';
    this.channels = checkPositiveInt(fn, 'channels', channels);
    this.scale = checkOneOf(fn, 'scale', options.scale ?? 2, [2, 3, 4]);
    const reduction = checkPositiveInt(fn, 'reduction', options.reduction ?? 2);
    if (channels % reduction !== 0) {
      throw new InvalidValueError(`${fn}: reduction must divide channels (${channels}), got ${reduction}`);
    }
    const sm = options.softmaxScale ?? 10;
    if (typeof sm !== 'number' || !Number.isFinite(sm)) {
      throw new InvalidValueError(`${fn}: softmaxScale must be a finite number, got ${String(sm)}`);
    }
    this.softmaxScale = sm;
    this.chunkSize = checkPositiveInt(fn, 'chunkSize', options.chunkSize ?? 4096);
    const rng = options.rng;
    this.escapeNaN = this.registerBuffer('escape_NaN', tf.tensor1d([1e-4]));
    this.convMatch1 = this.registerModule('conv_match_1', basicBlock(channels, channels / reduction, rng));
    this.convMatch2 = this.registerModule('conv_match_2', basicBlock(channels, channels / reduction, rng));
    this.convAssembly = this.registerModule('conv_assembly', basicBlock(channels, channels, rng));
    let strided: Conv2d | null = null;
    if (this.scale === 3) strided = this.registerModule('downx3', new Conv2d(channels, channels, 3, { stride: 3, padding: 1, rng }));
    if (this.scale === 4) strided = this.registerModule('downx4', new Conv2d(channels, channels, 3, { stride: 4, padding: 1, rng }));
    // The reference always builds `down` (stride 2), also when it uses downx3 / downx4.
    const down = this.registerModule('down', new Conv2d(channels, channels, 3, { stride: 2, padding: 1, rng }));
    this.downConv = strided ?? down;
  }

  /**
   * @param x - `[n, h, w, channels]` float32 with `h, w ≥ scale` (reflect padding)
   * @returns `[n, h, w, channels]`; the caller disposes it
   * @throws ShapeError for a bad shape or a too small input
   */
  forward(x: tf.Tensor): tf.Tensor {
    const fn = 'CrossScaleAttention';
    checkInput(fn, x, 4, this.channels);
    const [n, h, w] = x.shape;
    const s = this.scale;
    if (h < s || w < s) throw new ShapeError(`${fn}: x must be at least ${s}×${s} pixels, got shape [${x.shape}]`);
    return tf.tidy(() => {
      const mh = h % s === 0 ? 0 : s - (h % s);
      const mw = w % s === 0 ? 0 : s - (w % s);
      const xp = (
        mh || mw
          ? tf.mirrorPad(x, [
              [0, 0],
              [0, mh],
              [0, mw],
              [0, 0],
            ], 'reflect')
          : x
      ) as tf.Tensor4D;
      const hp = h + mh;
      const wp = w + mw;
      const embed = this.convAssembly.call(xp) as tf.Tensor4D;
      const match = this.convMatch1.call(xp) as tf.Tensor4D;
      const ref = this.convMatch2.call(downscale(xp, s)) as tf.Tensor4D;
      const cr = match.shape[3];
      const h2 = hp / s;
      const w2 = wp / s;
      const keys = tf.reshape(unfold3x3(ref), [n, h2 * w2, 9 * cr]);
      const norms = tf.maximum(tf.sqrt(tf.sum(tf.square(keys), -1, true)), this.escapeNaN);
      const keysN = tf.div(keys, norms) as tf.Tensor3D;
      const queries = tf.reshape(unfold3x3(match), [n, hp * wp, 9 * cr]) as tf.Tensor3D;
      const outs: tf.Tensor[] = [];
      for (let b = 0; b < n; b++) {
        const q = tf.squeeze(tf.slice(queries, [b, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D;
        const k = tf.squeeze(tf.slice(keysN, [b, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D;
        const e = tf.slice(embed, [b, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
        const kt = tf.transpose(k); // [9·C/r, L]; matMul with transposeB is slow on wasm
        const patches = valuePatches(e, s);
        const rows = Math.max(1, Math.floor(this.chunkSize / wp));
        let canvas: tf.Tensor | null = null;
        for (let r0 = 0; r0 < hp; r0 += rows) {
          const nr = Math.min(rows, hp - r0);
          const part = tf.tidy(() => {
            const qc = tf.slice(q, [r0 * wp, 0], [nr * wp, -1]);
            const weights = tf.softmax(tf.mul(tf.matMul(qc, kt), this.softmaxScale)) as tf.Tensor2D; // [nr·wp, L]
            return reassemble(weights, patches, r0, nr, hp, wp, s, this.channels);
          });
          if (canvas === null) canvas = part;
          else {
            const sum: tf.Tensor = tf.add(canvas, part);
            canvas.dispose();
            part.dispose();
            canvas = sum;
          }
        }
        outs.push(tf.slice(canvas as tf.Tensor, [0, s, s, 0], [1, hp * s, wp * s, this.channels]));
      }
      const y = tf.div(this.downConv.call(tf.concat(outs, 0)), 6);
      return mh || mw ? tf.slice(y, [0, 0, 0, 0], [n, h, w, this.channels]) : y;
    });
  }
}

/**
 * Bilinear downscaling by an integer factor with half-pixel centres (`F.interpolate(scale_factor =
 * 1/s, mode='bilinear', align_corners=False)`): output pixel `i` reads source position
 * `s·i + (s − 1)/2`, the mean of the two middle pixels of each block for even `s`, the middle
 * pixel for odd `s`.
 */
function downscale(x: tf.Tensor4D, s: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  // phases[(r·s + t)·n + b, y, x', :] = x[b, y·s + r, x'·s + t, :]
  const phases = tf.spaceToBatchND(x, [s, s], [
    [0, 0],
    [0, 0],
  ]);
  const mid = s % 2 === 0 ? [s / 2 - 1, s / 2] : [(s - 1) / 2];
  const picked: tf.Tensor[] = [];
  for (const r of mid) for (const t of mid) picked.push(tf.slice(phases, [(r * s + t) * n, 0, 0, 0], [n, h / s, w / s, c]));
  return (picked.length === 1 ? picked[0] : tf.div(tf.addN(picked), picked.length)) as tf.Tensor4D;
}

/**
 * The `3s × 3s` patches at stride `s` of one image `[1, hp, wp, C]` zero-padded by `s`, split by
 * block `(a, b) ∈ {0, 1, 2}²`: entry `a·3 + b` is `[L, s²·C]` whose row `(i, j)` holds the taps
 * `(a·s + r, b·s + t)` of patch `(i, j)` in the order `(r, t, channel)` (the channel order of
 * `depthToSpace`).
 */
function valuePatches(e: tf.Tensor4D, s: number): tf.Tensor2D[] {
  const [, hp, wp, c] = e.shape;
  const h2 = hp / s;
  const w2 = wp / s;
  const padded = tf.pad(e, [
    [0, 0],
    [s, s],
    [s, s],
    [0, 0],
  ]);
  // phases[r·s + t, y, x, :] = padded[0, y·s + r, x·s + t, :]
  const phases = tf.spaceToBatchND(padded, [s, s], [
    [0, 0],
    [0, 0],
  ]);
  const out: tf.Tensor2D[] = [];
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const t = tf.slice(phases, [0, a, b, 0], [s * s, h2, w2, c]);
      out.push(tf.reshape(tf.transpose(t, [1, 2, 0, 3]), [h2 * w2, s * s * c]) as tf.Tensor2D);
    }
  }
  return out;
}

/**
 * The transposed convolution (stride `s`, padding `s`) of the attention weights of query rows
 * `[r0, r0 + nr)` (`[nr·wp, L]`) with the value patches: block `(a, b)` of the patch at `(p, q)`
 * lands at output rows `(p + a − 1)·s + r` and columns `(q + b − 1)·s + t`. Returns the
 * contribution on the canvas padded by `s`: `[1, (hp + 2)·s, (wp + 2)·s, C]`.
 */
function reassemble(
  weights: tf.Tensor2D,
  patches: tf.Tensor2D[],
  r0: number,
  nr: number,
  hp: number,
  wp: number,
  s: number,
  c: number,
): tf.Tensor4D {
  let canvas: tf.Tensor | null = null;
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const z = tf.reshape(tf.matMul(weights, patches[a * 3 + b]), [1, nr, wp, s * s * c]) as tf.Tensor4D;
      const placed = tf.pad(tf.depthToSpace(z, s), [
        [0, 0],
        [(r0 + a) * s, (hp - r0 - nr + 2 - a) * s],
        [b * s, (2 - b) * s],
        [0, 0],
      ]);
      canvas = canvas === null ? placed : tf.add(canvas, placed);
    }
  }
  return canvas as tf.Tensor4D;
}
