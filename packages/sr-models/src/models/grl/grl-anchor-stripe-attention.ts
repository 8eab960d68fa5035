/**
 * The anchored stripe attention branch of GRL's mixed attention.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ShapeError, type Rng } from '@lab/tensor';
import { GrlAffineTransform } from './grl-affine-transform';
import type { GrlStripeGeometry } from './grl-geometry';
import { mergeHeads, partitionHeads, roll2d, sliceGroups } from './grl-ops';

/**
 * Anchored stripe self-attention (`AnchorStripeAttention` of the reference). The map of q, k, v
 * and the anchor map (the input average-pooled by `df` and projected) are rolled by −shift
 * (−shift/df for the anchors), split into stripes of `S = sh·sw` tokens and `A = S/df²` anchors,
 * and per stripe and head:
 * 1. the anchors attend over the stripe: `Y = softmax(ℓ₁(a, k))·v` (`A × S` logits);
 * 2. the stripe's queries attend over the anchors with `Y` as values: `softmax(ℓ₂(q, a))·Y`
 *    (`S × A` logits),
 * which costs `O(2·A·S·d)` instead of `O(S²·d)`. `ℓ₁`, `ℓ₂` are two {@link GrlAffineTransform}s
 * with the anchor → window and window → anchor position indices; shifted blocks add masks.
 *
 * Parameters: `attn_transform1`, `attn_transform2`.
 * @see arXiv 2303.00748 (Eq. 4); ofsoundof/GRL-Image-Restoration `models/common/mixed_attn_block_efficient.py` (`AnchorStripeAttention`)
 * @category Models
 */
export class GrlAnchorStripeAttention extends Module<[tf.Tensor, tf.Tensor, GrlStripeGeometry], tf.Tensor> {
  /** Number of heads. */
  readonly heads: number;
  /** `attn_transform1`: anchors → stripe tokens. */
  readonly attnTransform1: GrlAffineTransform;
  /** `attn_transform2`: stripe tokens → anchors. */
  readonly attnTransform2: GrlAffineTransform;

  /**
   * @param heads - number of heads
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(heads: number, rng?: Rng) {
    super();
    this.heads = heads;
    this.attnTransform1 = this.registerModule('attn_transform1', new GrlAffineTransform(heads, rng));
    this.attnTransform2 = this.registerModule('attn_transform2', new GrlAffineTransform(heads, rng));
  }

  /**
   * @param qkv - `[B, H, W, 3C]`: q, k and v (each `C` channels, `heads` groups)
   * @param anchor - `[B, H/df, W/df, C]` anchors
   * @param geom - the stripe geometry of an `H × W` map
   * @returns `[B, H, W, C]`; the caller disposes it
   * @throws ShapeError when the inputs do not fit each other, the geometry or the heads
   */
  forward(qkv: tf.Tensor, anchor: tf.Tensor, geom: GrlStripeGeometry): tf.Tensor {
    const [b, h, w, c3] = qkv.shape;
    const as = anchor.shape as number[];
    const df = geom.stripe[0] / geom.anchorStripe[0];
    const ok =
      qkv.rank === 4 &&
      anchor.rank === 4 &&
      c3 % (3 * this.heads) === 0 &&
      h % geom.stripe[0] === 0 &&
      w % geom.stripe[1] === 0 &&
      as[0] === b &&
      as[1] * df === h &&
      as[2] * df === w &&
      as[3] * 3 === c3;
    if (!ok) {
      throw new ShapeError(
        `GrlAnchorStripeAttention: qkv must be [B, H, W, 3·C] (H, W multiples of [${geom.stripe}]) and anchor [B, H/${df}, W/${df}, C], got shapes [${qkv.shape}] and [${anchor.shape}]`,
      );
    }
    return tf.tidy(() => {
      const [sy, sx] = geom.shift;
      const [ay, ax] = geom.anchorShift;
      const parts = partitionHeads(roll2d(qkv as tf.Tensor4D, -sy, -sx), geom.stripe, 3 * this.heads);
      const a = partitionHeads(roll2d(anchor as tf.Tensor4D, -ay, -ax), geom.anchorStripe, this.heads);
      const q = sliceGroups(parts, 0, this.heads);
      const k = sliceGroups(parts, this.heads, this.heads);
      const v = sliceGroups(parts, 2 * this.heads, this.heads);
      const y = this.attnTransform1.attend(a, k, v, geom.table, geom.indexA2W, geom.maskA2W);
      const out = this.attnTransform2.attend(q, a, y, geom.table, geom.indexW2A, geom.maskW2A);
      return roll2d(mergeHeads(out, b, [h, w], geom.stripe), sy, sx);
    });
  }
}
