/**
 * The Swin transformer pieces of DATSR's residual feature aggregation (SwinIR's RSTB), NHWC.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, GELU, LayerNorm, Linear, Module, ModuleList, type Rng, getGlobalRng, truncNormal } from '@lab/tensor';

/** `relative_position_index` of a `ws × ws` window: `(Δh + ws − 1)·(2ws − 1) + Δw + ws − 1`. */
function relativePositionIndex(ws: number): Int32Array {
  const n = ws * ws;
  const out = new Int32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const dh = Math.floor(a / ws) - Math.floor(b / ws) + ws - 1;
      const dw = (a % ws) - (b % ws) + ws - 1;
      out[a * n + b] = dh * (2 * ws - 1) + dw;
    }
  }
  return out;
}

/**
 * The SW-MSA mask of an `h × w` map cut into `ws` windows after a cyclic shift by `shift`:
 * `[nW, ws², ws²]` with −100 between tokens of different regions and 0 else (`calculate_mask`).
 */
function shiftMask(h: number, w: number, ws: number, shift: number): tf.Tensor3D {
  const region = (p: number, size: number): number => (p < size - ws ? 0 : p < size - shift ? 1 : 2);
  const nWh = h / ws;
  const nWw = w / ws;
  const n = ws * ws;
  const out = new Float32Array(nWh * nWw * n * n);
  const ids = new Int32Array(n);
  for (let wy = 0; wy < nWh; wy++) {
    for (let wx = 0; wx < nWw; wx++) {
      for (let t = 0; t < n; t++) {
        ids[t] = region(wy * ws + Math.floor(t / ws), h) * 3 + region(wx * ws + (t % ws), w);
      }
      const base = (wy * nWw + wx) * n * n;
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) out[base + a * n + b] = ids[a] === ids[b] ? 0 : -100;
    }
  }
  return tf.tensor3d(out, [nWh * nWw, n, n]);
}

/** Cyclic shift of axes 1 and 2 by `s` (positive moves content down/right), as `torch.roll`. */
function roll(x: tf.Tensor4D, s: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const sh = ((s % h) + h) % h;
  const sw = ((s % w) + w) % w;
  let y = sh === 0 ? x : (tf.concat([tf.slice(x, [0, h - sh, 0, 0], [-1, sh, -1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, h - sh, -1, -1])], 1) as tf.Tensor4D);
  if (sw !== 0) y = tf.concat([tf.slice(y, [0, 0, w - sw, 0], [-1, -1, sw, -1]), tf.slice(y, [0, 0, 0, 0], [-1, -1, w - sw, -1])], 2) as tf.Tensor4D;
  return y;
}

/** `std` normal weights and zero biases for every Conv2d and Linear under `m` (DATSR's `srntt_init_weights`). */
export function initNormal(m: Module<any, any>, std: number, rng: Rng): void {
  for (const child of m.modules()) {
    if (child instanceof Conv2d || child instanceof Linear) {
      const w = rng.normalTensor(child.weight.shape, 0, std);
      child.weight.assign(w);
      w.dispose();
      if (child.bias) {
        const z = tf.zerosLike(child.bias);
        child.bias.assign(z);
        z.dispose();
      }
    }
  }
}

/**
 * Window multi-head self-attention with a learned relative position bias (Swin's `WindowAttention`).
 * Parameters `qkv`, `proj`, `relative_position_bias_table` `[(2ws−1)², heads]`; buffer
 * `relative_position_index` `[ws², ws²]`. The bias is gathered as a one-hot matrix product, so
 * its gradient needs no scatter kernel.
 * @category Models
 */
export class WindowAttention extends Module<[tf.Tensor3D, tf.Tensor3D | null], tf.Tensor3D> {
  /** Channels `C`. */
  readonly dim: number;
  /** Window side `ws`. */
  readonly windowSize: number;
  /** Number of heads. */
  readonly numHeads: number;
  private readonly table: tf.Variable;
  private readonly index: tf.Variable;
  private readonly qkv: Linear;
  private readonly proj: Linear;

  /**
   * @param dim - channels
   * @param windowSize - window side
   * @param numHeads - heads (must divide `dim`)
   * @param rng - initial weights
   */
  constructor(dim: number, windowSize: number, numHeads: number, rng: Rng) {
    super();
    this.dim = dim;
    this.windowSize = windowSize;
    this.numHeads = numHeads;
    const t = (2 * windowSize - 1) ** 2;
    this.table = this.registerParameter('relative_position_bias_table', truncNormal([t, numHeads], { std: 0.02, rng }));
    const n = windowSize * windowSize;
    this.index = this.registerBuffer('relative_position_index', tf.tensor2d(relativePositionIndex(windowSize), [n, n], 'int32'));
    this.qkv = this.registerModule('qkv', new Linear(dim, 3 * dim, { rng }));
    this.proj = this.registerModule('proj', new Linear(dim, dim, { rng }));
  }

  /**
   * @param x - `[B·nW, ws², C]` window tokens
   * @param mask - `[nW, ws², ws²]` or null
   * @returns `[B·nW, ws², C]`
   */
  forward(x: tf.Tensor3D, mask: tf.Tensor3D | null): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, n, c] = x.shape;
      const heads = this.numHeads;
      const hd = c / heads;
      const qkv = tf.transpose(tf.reshape(this.qkv.call(x), [b, n, 3, heads, hd]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.split(qkv, 3, 0).map((t) => tf.reshape(t, [b * heads, n, hd]) as tf.Tensor3D);
      let attn: tf.Tensor = tf.matMul(tf.mul(q, hd ** -0.5), k, false, true);
      const t = this.table.shape[0];
      const bias = tf.matMul(tf.oneHot(tf.reshape(this.index, [-1]) as tf.Tensor1D, t), this.table);
      attn = tf.add(tf.reshape(attn, [b, heads, n, n]), tf.reshape(tf.transpose(bias), [1, heads, n, n]));
      if (mask) {
        const nW = mask.shape[0];
        attn = tf.add(tf.reshape(attn, [b / nW, nW, heads, n, n]), tf.reshape(mask, [1, nW, 1, n, n]));
      }
      attn = tf.softmax(tf.reshape(attn, [b * heads, n, n]));
      const out = tf.reshape(tf.transpose(tf.reshape(tf.matMul(attn, v), [b, heads, n, hd]), [0, 2, 1, 3]), [b, n, c]);
      return this.proj.call(out) as tf.Tensor3D;
    });
  }
}

/** Geometry of one {@link SwinTransformerBlock}. @category Models */
export interface SwinBlockGeometry {
  /** Channels. */
  dim: number;
  /** Feature-map size `[h, w]` the reference builds the block for (`input_resolution`). */
  inputResolution: [number, number];
  /** Heads. */
  numHeads: number;
  /** Window side before the small-map rule. */
  windowSize: number;
  /** MLP hidden width ÷ `dim`. */
  mlpRatio: number;
}

/**
 * A Swin transformer block: `x + W-MSA(LN(x))` (cyclically shifted by `shift` on odd blocks), then
 * `x + MLP(LN(x))` with a GELU MLP. As the reference, a map no larger than the window uses one
 * window and no shift. Registers the buffer `attn_mask` for `inputResolution` when shifted and
 * uses it for inputs of that size (other sizes get a mask computed for them).
 * @category Models
 */
export class SwinTransformerBlock extends Module<[tf.Tensor4D], tf.Tensor4D> {
  /** Window side in use. */
  readonly windowSize: number;
  /** Cyclic shift (0 or `windowSize / 2`). */
  readonly shiftSize: number;
  private readonly res: [number, number];
  private readonly norm1: LayerNorm;
  private readonly attn: WindowAttention;
  private readonly norm2: LayerNorm;
  private readonly fc1: Linear;
  private readonly fc2: Linear;
  private readonly act = new GELU();
  private readonly attnMask: tf.Variable | null;

  /**
   * @param g - geometry
   * @param shift - whether this block shifts its windows (odd blocks)
   * @param rng - initial weights
   */
  constructor(g: SwinBlockGeometry, shift: boolean, rng: Rng) {
    super();
    let ws = g.windowSize;
    let shiftSize = shift ? Math.floor(ws / 2) : 0;
    if (Math.min(...g.inputResolution) <= ws) {
      shiftSize = 0;
      ws = Math.min(...g.inputResolution);
    }
    this.windowSize = ws;
    this.shiftSize = shiftSize;
    this.res = g.inputResolution;
    this.norm1 = this.registerModule('norm1', new LayerNorm(g.dim));
    this.attn = this.registerModule('attn', new WindowAttention(g.dim, ws, g.numHeads, rng));
    this.norm2 = this.registerModule('norm2', new LayerNorm(g.dim));
    const mlp = this.registerModule('mlp', new MlpContainer());
    const hidden = Math.floor(g.dim * g.mlpRatio);
    this.fc1 = mlp.registerModule('fc1', new Linear(g.dim, hidden, { rng }));
    this.fc2 = mlp.registerModule('fc2', new Linear(hidden, g.dim, { rng }));
    const [h, w] = g.inputResolution;
    this.attnMask = shiftSize > 0 && h % ws === 0 && w % ws === 0 ? this.registerBuffer('attn_mask', shiftMask(h, w, ws, shiftSize)) : null;
  }

  /**
   * @param x - `[B, h, w, C]` with `h` and `w` multiples of {@link SwinTransformerBlock.windowSize}
   * @returns `[B, h, w, C]`
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const ws = this.windowSize;
      const s = this.shiftSize;
      let y = this.norm1.call(x) as tf.Tensor4D;
      if (s > 0) y = roll(y, -s);
      const nh = h / ws;
      const nw = w / ws;
      const win = tf.reshape(tf.transpose(tf.reshape(y, [b, nh, ws, nw, ws, c]), [0, 1, 3, 2, 4, 5]), [b * nh * nw, ws * ws, c]) as tf.Tensor3D;
      let mask: tf.Tensor3D | null = null;
      if (s > 0) mask = this.attnMask && h === this.res[0] && w === this.res[1] ? (this.attnMask as tf.Tensor3D) : shiftMask(h, w, ws, s);
      const a = this.attn.call(win, mask);
      y = tf.reshape(tf.transpose(tf.reshape(a, [b, nh, nw, ws, ws, c]), [0, 1, 3, 2, 4, 5]), [b, h, w, c]) as tf.Tensor4D;
      if (s > 0) y = roll(y, s);
      const x1 = tf.add(x, y);
      const m = this.fc2.call(this.act.call(this.fc1.call(this.norm2.call(x1))));
      return tf.add(x1, m) as tf.Tensor4D;
    });
  }
}

/** The parameter-only container `mlp` (`fc1`, `fc2`) of a Swin block; its owner runs it. */
class MlpContainer extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

/**
 * SwinIR's residual Swin transformer block (RSTB): `x + conv3×3(blocks(x))`, where `blocks` are
 * `depth` Swin blocks alternating plain and shifted windows (`residual_group.blocks.i`, `conv`).
 * @category Models
 */
export class Rstb extends Module<[tf.Tensor4D], tf.Tensor4D> {
  private readonly blocks: SwinTransformerBlock[] = [];
  private readonly conv: Conv2d;

  /**
   * @param g - geometry of the blocks
   * @param depth - number of blocks
   * @param rng - initial weights
   */
  constructor(g: SwinBlockGeometry, depth: number, rng: Rng) {
    super();
    const group = this.registerModule('residual_group', new MlpContainer());
    const list = group.registerModule('blocks', new ModuleList());
    for (let i = 0; i < depth; i++) {
      const blk = new SwinTransformerBlock(g, i % 2 === 1, rng);
      list.append(blk);
      this.blocks.push(blk);
    }
    this.conv = this.registerModule('conv', new Conv2d(g.dim, g.dim, 3, { padding: 1, rng }));
  }

  /**
   * @param x - `[B, h, w, C]`
   * @returns `[B, h, w, C]`
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      for (const blk of this.blocks) y = blk.call(y);
      return tf.add(this.conv.call(y), x) as tf.Tensor4D;
    });
  }
}

/** Options of {@link SwinBlock}. @category Models */
export interface SwinBlockOptions {
  /** Channels (`embed_dim`). */
  embedDim: number;
  /** Blocks per RSTB (`depths`). */
  depths: readonly number[];
  /** Heads per RSTB (`num_heads`). */
  numHeads: readonly number[];
  /** Window side (`window_size`). */
  windowSize: number;
  /** MLP ratio (`mlp_ratio`, 2 in DATSR's `SwinBlock`). */
  mlpRatio: number;
  /** Feature-map side the reference builds the block for (`img_size`). */
  imgSize: number;
  /** Initial weights. */
  rng?: Rng;
}

/**
 * DATSR's `SwinBlock`: LayerNorm over the channels (`patch_embed.norm`), a chain of RSTBs
 * (`layers.i`) and a final LayerNorm (`norm`), from `[B, h, w, C]` to `[B, h, w, C]`.
 * Inputs must be multiples of each block's window in height and width.
 * @see caojiezhang/DATSR `swin_unetv3_ref_restoration_arch.py` (`SwinBlock`, `RSTB`); arXiv 2108.10257 (SwinIR)
 * @category Models
 */
export class SwinBlock extends Module<[tf.Tensor4D], tf.Tensor4D> {
  /** The smallest window side that must divide the input height and width. */
  readonly windowMultiple: number;
  private readonly embedNorm: LayerNorm;
  private readonly layers: Rstb[] = [];
  private readonly norm: LayerNorm;

  /**
   * @param o - see {@link SwinBlockOptions}
   */
  constructor(o: SwinBlockOptions) {
    super();
    const rng = o.rng ?? getGlobalRng();
    const embed = this.registerModule('patch_embed', new MlpContainer());
    this.embedNorm = embed.registerModule('norm', new LayerNorm(o.embedDim));
    const list = this.registerModule('layers', new ModuleList());
    let multiple = 1;
    o.depths.forEach((depth, i) => {
      const g: SwinBlockGeometry = {
        dim: o.embedDim,
        inputResolution: [o.imgSize, o.imgSize],
        numHeads: o.numHeads[i],
        windowSize: o.windowSize,
        mlpRatio: o.mlpRatio,
      };
      const layer = new Rstb(g, depth, rng);
      list.append(layer);
      this.layers.push(layer);
    });
    for (const m of this.modules()) if (m instanceof SwinTransformerBlock) multiple = lcm(multiple, m.windowSize);
    this.windowMultiple = multiple;
    this.norm = this.registerModule('norm', new LayerNorm(o.embedDim));
  }

  /**
   * @param x - `[B, h, w, C]`, `h` and `w` multiples of {@link SwinBlock.windowMultiple}
   * @returns `[B, h, w, C]`
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = this.embedNorm.call(x) as tf.Tensor4D;
      for (const layer of this.layers) y = layer.call(y);
      return this.norm.call(y) as tf.Tensor4D;
    });
  }
}

/** Least common multiple of two positive integers. */
export function lcm(a: number, b: number): number {
  const gcd = (p: number, q: number): number => (q === 0 ? p : gcd(q, p % q));
  return (a / gcd(a, b)) * b;
}
