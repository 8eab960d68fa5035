/**
 * GRL's mixed attention: window attention and anchored stripe attention on halves of the channels.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, ModuleList, type Rng } from '@lab/tensor';
import { GrlAnchorStripeAttention } from './grl-anchor-stripe-attention';
import type { GrlStripeGeometry, GrlWindowGeometry } from './grl-geometry';
import { initTruncNormalLinear } from './grl-init';
import { GrlWindowAttention } from './grl-window-attention';

/** The geometry one block's attention uses. @category Models */
export interface GrlBlockGeometry {
  /** Window branch (shifted or not). */
  readonly window: GrlWindowGeometry;
  /** Stripe branch (orientation and shift of the block). */
  readonly stripe: GrlStripeGeometry;
}

function linear(inF: number, outF: number, rng: Rng | undefined): Linear {
  const l = new Linear(inF, outF, { rng });
  initTruncNormalLinear(l, rng);
  return l;
}

/** `QKVProjection` with `qkv_proj_type='linear'`: `body` = Linear(C, 3C). @category Models */
export class GrlQkvProjection extends Module {
  /** `body`. */
  readonly body: Linear;
  /**
   * @param dim - channels C
   * @param rng - generator of the initial weights
   */
  constructor(dim: number, rng?: Rng) {
    super();
    this.body = this.registerModule('body', linear(dim, 3 * dim, rng));
  }
  /**
   * @param x - `[n, h, w, C]`
   * @returns `[n, h, w, 3C]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return this.body.call(x);
  }
}

/** `AnchorLinear` with average pooling: `reduction` = Linear(C, C/2) after AvgPool(df). @category Models */
export class GrlAnchorLinear extends Module {
  /** Down-sampling factor. */
  readonly downFactor: number;
  /** `reduction`. */
  readonly reduction: Linear;
  /**
   * @param dim - channels C
   * @param downFactor - pooling size and stride `df`
   * @param rng - generator of the initial weights
   */
  constructor(dim: number, downFactor: number, rng?: Rng) {
    super();
    this.downFactor = downFactor;
    this.reduction = this.registerModule('reduction', linear(dim, Math.floor(dim / 2), rng));
  }
  /**
   * @param x - `[n, h, w, C]`, h and w multiples of `df`
   * @returns `[n, h/df, w/df, C/2]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const d = this.downFactor;
      // Average pooling as a reshape and a mean (differentiable with core ops on every backend).
      const pooled = d === 1 ? x : tf.mean(tf.reshape(x, [n * (h / d), d, w / d, d, c]), [1, 3]);
      return tf.reshape(this.reduction.call(pooled), [n, h / d, w / d, Math.floor(c / 2)]);
    });
  }
}

/** `AnchorProjection` with `anchor_proj_type='avgpool'`, one stage: `body.0` = {@link GrlAnchorLinear}. @category Models */
export class GrlAnchorProjection extends Module {
  /** `body`. */
  readonly body: ModuleList<GrlAnchorLinear>;
  /**
   * @param dim - channels C
   * @param downFactor - anchor down-sampling factor
   * @param rng - generator of the initial weights
   */
  constructor(dim: number, downFactor: number, rng?: Rng) {
    super();
    this.body = this.registerModule('body', new ModuleList([new GrlAnchorLinear(dim, downFactor, rng)]));
  }
  /**
   * @param x - `[n, h, w, C]`
   * @returns `[n, h/df, w/df, C/2]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return this.body.get(0).call(x);
  }
}

/**
 * The mixed attention of one GRL block (`MixedAttention` of the efficient reference): one
 * Linear(C → 3C) gives q, k, v; the first 3C/2 channels feed {@link GrlWindowAttention}, the
 * rest {@link GrlAnchorStripeAttention} with anchors from {@link GrlAnchorProjection}; the two
 * C/2-channel results are concatenated and projected by Linear(C → C).
 *
 * Parameters: `qkv.body`, `anchor.body.0.reduction`, `window_attn.attn_transform`,
 * `stripe_attn.attn_transform1`/`2`, `proj`.
 * @see arXiv 2303.00748; ofsoundof/GRL-Image-Restoration `models/common/mixed_attn_block_efficient.py` (`MixedAttention`)
 * @category Models
 */
export class GrlMixedAttention extends Module<[tf.Tensor, GrlBlockGeometry], tf.Tensor> {
  /** `qkv`. */
  readonly qkv: GrlQkvProjection;
  /** `anchor`. */
  readonly anchor: GrlAnchorProjection;
  /** `window_attn`. */
  readonly windowAttn: GrlWindowAttention;
  /** `stripe_attn`. */
  readonly stripeAttn: GrlAnchorStripeAttention;
  /** `proj`. */
  readonly proj: Linear;
  private readonly dim: number;

  /**
   * @param dim - channels C (even)
   * @param headsWindow - heads of the window branch
   * @param headsStripe - heads of the stripe branch
   * @param downFactor - anchor down-sampling factor
   * @param rng - generator of the initial weights
   */
  constructor(dim: number, headsWindow: number, headsStripe: number, downFactor: number, rng?: Rng) {
    super();
    this.dim = dim;
    this.qkv = this.registerModule('qkv', new GrlQkvProjection(dim, rng));
    this.anchor = this.registerModule('anchor', new GrlAnchorProjection(dim, downFactor, rng));
    this.windowAttn = this.registerModule('window_attn', new GrlWindowAttention(headsWindow, rng));
    this.stripeAttn = this.registerModule('stripe_attn', new GrlAnchorStripeAttention(headsStripe, rng));
    this.proj = this.registerModule('proj', linear(dim, dim, rng));
  }

  /**
   * @param x - `[n, h, w, C]`
   * @param geom - the block's geometry for an `h × w` map
   * @returns `[n, h, w, C]`; the caller disposes it
   */
  forward(x: tf.Tensor, geom: GrlBlockGeometry): tf.Tensor {
    return tf.tidy(() => {
      const qkv = this.qkv.call(x);
      const half = (3 * this.dim) / 2;
      const [qkvW, qkvS] = tf.split(qkv, [half, half], -1);
      const anchor = this.anchor.call(x);
      const xw = this.windowAttn.call(qkvW, geom.window);
      const xs = this.stripeAttn.call(qkvS, anchor, geom.stripe);
      return this.proj.call(tf.concat([xw, xs], -1));
    });
  }
}
