/**
 * The transformer block and the stage of GRL.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, GELU, LayerNorm, Linear, Module, ModuleList, type Rng } from '@lab/tensor';
import { GrlCab } from './grl-cab';
import type { GrlGeometrySet } from './grl-geometry';
import { initTruncNormalLinear } from './grl-init';
import { GrlMixedAttention } from './grl-mixed-attention';

/** The MLP of a block (`Mlp` of the reference): `fc1` C → rC, GELU, `fc2` rC → C. @category Models */
export class GrlMlp extends Module {
  /** `fc1`. */
  readonly fc1: Linear;
  /** `act` (exact GELU). */
  readonly act: GELU;
  /** `fc2`. */
  readonly fc2: Linear;
  /**
   * @param dim - channels C
   * @param hidden - hidden width
   * @param rng - generator of the initial weights
   */
  constructor(dim: number, hidden: number, rng?: Rng) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(dim, hidden, { rng }));
    this.act = this.registerModule('act', new GELU());
    this.fc2 = this.registerModule('fc2', new Linear(hidden, dim, { rng }));
    initTruncNormalLinear(this.fc1, rng);
    initTruncNormalLinear(this.fc2, rng);
  }
  /**
   * @param x - `[…, C]`
   * @returns `[…, C]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.call(this.act.call(this.fc1.call(x))));
  }
}

/** Options of {@link GrlBlock}. @category Models */
export interface GrlBlockOptions {
  /** Channels C. */
  dim: number;
  /** Heads of the window branch. */
  headsWindow: number;
  /** Heads of the stripe branch. */
  headsStripe: number;
  /** Anchor down-sampling factor. */
  downFactor: number;
  /** MLP hidden width ratio. */
  mlpRatio: number;
  /** Whether to add the {@link GrlCab} local branch (GRL-Base). */
  localConnection: boolean;
  /** Generator of the initial weights. */
  rng?: Rng;
}

/**
 * One GRL transformer block (`EfficientMixAttnTransformerBlock`, post-norm):
 * `x ← x + LN₁(MixedAttn(x)) [+ CAB(x)]`, then `x ← x + LN₂(MLP(x))`. The block index `i` inside
 * its stage fixes the geometry: the window branch is shifted by half a window when `i` is even;
 * the stripe is transposed when `i` is odd; the stripes are shifted by half a stripe when
 * `i mod 4 ∈ {2, 3}`.
 *
 * Parameters: `attn` ({@link GrlMixedAttention}), `norm1`, `conv` ({@link GrlCab}, Base only),
 * `mlp` ({@link GrlMlp}), `norm2`.
 * @see arXiv 2303.00748; ofsoundof/GRL-Image-Restoration `models/common/mixed_attn_block_efficient.py`, `models/networks/grl.py` (`TransformerStage`)
 * @category Models
 */
export class GrlBlock extends Module<[tf.Tensor, GrlGeometrySet], tf.Tensor> {
  /** Index of the block in its stage. */
  readonly index: number;
  /** `attn`. */
  readonly attn: GrlMixedAttention;
  /** `norm1`. */
  readonly norm1: LayerNorm;
  /** `conv` (CAB), or null. */
  readonly conv: GrlCab | null;
  /** `mlp`. */
  readonly mlp: GrlMlp;
  /** `norm2`. */
  readonly norm2: LayerNorm;

  /**
   * @param index - block index inside the stage
   * @param o - see {@link GrlBlockOptions}
   */
  constructor(index: number, o: GrlBlockOptions) {
    super();
    this.index = index;
    this.attn = this.registerModule('attn', new GrlMixedAttention(o.dim, o.headsWindow, o.headsStripe, o.downFactor, o.rng));
    this.norm1 = this.registerModule('norm1', new LayerNorm(o.dim));
    this.conv = o.localConnection ? this.registerModule('conv', new GrlCab(o.dim, 4, 18, o.rng)) : null;
    this.mlp = this.registerModule('mlp', new GrlMlp(o.dim, Math.floor(o.dim * o.mlpRatio), o.rng));
    this.norm2 = this.registerModule('norm2', new LayerNorm(o.dim));
  }

  /** Whether the window branch of this block is shifted (even blocks). */
  get windowShift(): boolean {
    return this.index % 2 === 0;
  }

  /** Whether the stripe of this block is transposed (odd blocks, `stripe_type='W'`). */
  get stripeTransposed(): boolean {
    return this.index % 2 === 1;
  }

  /** Whether the stripes of this block are shifted (`i mod 4 ∈ {2, 3}`). */
  get stripeShift(): boolean {
    return this.index % 4 === 2 || this.index % 4 === 3;
  }

  /**
   * @param x - `[n, h, w, C]`
   * @param geoms - the geometry set of an `h × w` map
   * @returns `[n, h, w, C]`; the caller disposes it
   */
  forward(x: tf.Tensor, geoms: GrlGeometrySet): tf.Tensor {
    return tf.tidy(() => {
      const stripes = this.stripeTransposed ? geoms.stripeV : geoms.stripeH;
      const geom = { window: geoms.window[this.windowShift ? 1 : 0], stripe: stripes[this.stripeShift ? 1 : 0] };
      let y = tf.add(x, this.norm1.call(this.attn.call(x, geom)));
      if (this.conv) y = tf.add(y, this.conv.call(x));
      return tf.add(y, this.norm2.call(this.mlp.call(y)));
    });
  }
}

/**
 * A GRL stage (`TransformerStage`): its blocks, then a 3×3 conv C → C (`conv_type='1conv'`),
 * plus the stage input.
 *
 * Parameters: `blocks.<i>` ({@link GrlBlock}) and `conv`.
 * @see ofsoundof/GRL-Image-Restoration `models/networks/grl.py` (`TransformerStage`)
 * @category Models
 */
export class GrlStage extends Module<[tf.Tensor, GrlGeometrySet], tf.Tensor> {
  /** `blocks`. */
  readonly blocks: ModuleList<GrlBlock>;
  /** `conv`. */
  readonly conv: Conv2d;

  /**
   * @param depth - number of blocks
   * @param o - options of every block
   */
  constructor(depth: number, o: GrlBlockOptions) {
    super();
    const blocks: GrlBlock[] = [];
    for (let i = 0; i < depth; i++) blocks.push(new GrlBlock(i, o));
    this.blocks = this.registerModule('blocks', new ModuleList(blocks));
    this.conv = this.registerModule('conv', new Conv2d(o.dim, o.dim, 3, { padding: 1, rng: o.rng }));
  }

  /**
   * @param x - `[n, h, w, C]`
   * @param geoms - the geometry set of an `h × w` map
   * @returns `[n, h, w, C]`; the caller disposes it
   */
  forward(x: tf.Tensor, geoms: GrlGeometrySet): tf.Tensor {
    return tf.tidy(() => {
      let res = x;
      for (const b of this.blocks.children() as GrlBlock[]) res = b.call(res, geoms);
      return tf.add(this.conv.call(res), x);
    });
  }
}
