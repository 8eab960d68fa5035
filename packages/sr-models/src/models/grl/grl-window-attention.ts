/**
 * The (shifted) window attention branch of GRL's mixed attention.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ShapeError, type Rng } from '@lab/tensor';
import { GrlAffineTransform } from './grl-affine-transform';
import type { GrlWindowGeometry } from './grl-geometry';
import { mergeHeads, partitionHeads, roll2d, sliceGroups } from './grl-ops';

/**
 * Window self-attention on precomputed q, k, v (`WindowAttention` of the reference): the map is
 * rolled by −shift (the geometry's, half a window on shifted blocks), split into non-overlapping
 * windows, each window's tokens attend to each other with {@link GrlAffineTransform} logits (the
 * shift mask keeps regions that the roll brought together apart), and the result is put back and
 * rolled by +shift.
 *
 * Parameters: `attn_transform` ({@link GrlAffineTransform}).
 * @see arXiv 2303.00748; ofsoundof/GRL-Image-Restoration `models/common/mixed_attn_block_efficient.py` (`WindowAttention`)
 * @category Models
 */
export class GrlWindowAttention extends Module<[tf.Tensor, GrlWindowGeometry], tf.Tensor> {
  /** Number of heads. */
  readonly heads: number;
  /** `attn_transform`. */
  readonly attnTransform: GrlAffineTransform;

  /**
   * @param heads - number of heads
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(heads: number, rng?: Rng) {
    super();
    this.heads = heads;
    this.attnTransform = this.registerModule('attn_transform', new GrlAffineTransform(heads, rng));
  }

  /**
   * @param qkv - `[B, H, W, 3C]`: q, k and v (each `C` channels, `heads` groups of `C/heads`)
   * @param geom - the window geometry of an `H × W` map
   * @returns `[B, H, W, C]`; the caller disposes it
   * @throws ShapeError when `qkv` does not fit the geometry or the heads
   */
  forward(qkv: tf.Tensor, geom: GrlWindowGeometry): tf.Tensor {
    const [b, h, w, c3] = qkv.shape;
    if (qkv.rank !== 4 || c3 % (3 * this.heads) !== 0 || h % geom.window[0] !== 0 || w % geom.window[1] !== 0) {
      throw new ShapeError(`GrlWindowAttention: qkv must be [B, H, W, 3·C] with C a multiple of ${this.heads} and H, W multiples of [${geom.window}], got shape [${qkv.shape}]`);
    }
    return tf.tidy(() => {
      const [sy, sx] = geom.shift;
      const x = roll2d(qkv as tf.Tensor4D, -sy, -sx);
      const parts = partitionHeads(x, geom.window, 3 * this.heads);
      const q = sliceGroups(parts, 0, this.heads);
      const k = sliceGroups(parts, this.heads, this.heads);
      const v = sliceGroups(parts, 2 * this.heads, this.heads);
      const out = this.attnTransform.attend(q, k, v, geom.table, geom.index, geom.mask);
      return roll2d(mergeHeads(out, b, [h, w], geom.window), sy, sx);
    });
  }
}
