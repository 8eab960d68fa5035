/**
 * DATSR's reference-based deformable attention unit (`DCN_sep_pre_multi_offset_flow_similarity`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CONV2D_LAYOUT, Conv2d, Module, type Rng } from '@lab/tensor';
import { modulatedDeformConv2d } from './modulated-deform-conv2d';

/**
 * Reference-based deformable attention of one scale: a 3×3 modulated deformable convolution
 * (8 deformable groups in DATSR) that samples the reference features at the pre-offsets from the
 * correspondence plus learned residual offsets, weighted by the similarity.
 *
 * `o = conv_offset_mask(f)` gives `3·G·9` channels: the first `2·G·9` are offsets
 * `Δ = 10·tanh(o) + preOffset` (the pre-offset tiled over the groups), the last `G·9` the mask
 * `m = sigmoid(o · similarity)`; then `y = DCN(ref; Δ, m)`. Parameters `weight`, `bias` (the
 * deformable convolution) and `conv_offset_mask` (zero-initialised, as the reference).
 * @see caojiezhang/DATSR `dcn_v2.py` (`DCN_sep_pre_multi_offset_flow_similarity`)
 * @category Models
 */
export class DatsrDynAgg extends Module<[tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D], tf.Tensor4D> {
  /** Deformable groups `G`. */
  readonly groups: number;
  /** Bound of the learned residual offsets (`max_residue_magnitude`). */
  readonly maxResidueMagnitude = 10;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly convOffsetMask: Conv2d;

  /**
   * @param channels - channels of the reference features and of the offset features
   * @param groups - deformable groups
   * @param rng - initial weights
   */
  constructor(channels: number, groups: number, rng: Rng) {
    super();
    this.groups = groups;
    const bound = 1 / Math.sqrt(channels * 9);
    this.weight = this.registerParameter('weight', rng.uniformTensor([3, 3, channels, channels], -bound, bound), CONV2D_LAYOUT);
    this.bias = this.registerParameter('bias', tf.zeros([channels]));
    this.convOffsetMask = this.registerModule('conv_offset_mask', new Conv2d(channels, groups * 27, 3, { padding: 1, rng }));
    for (const v of this.convOffsetMask.parameters()) {
      const z = tf.zerosLike(v);
      v.assign(z);
      z.dispose();
    }
  }

  /**
   * @param ref - reference features `[n, h, w, C]`
   * @param feat - features that predict the offsets `[n, h, w, C]`
   * @param preOffset - `[n, h, w, 18]`: per tap `k` the pair `(Δy, Δx)` from the correspondence
   * @param similarity - `[n, h, w, 1]`
   * @returns `[n, h, w, C]`
   */
  forward(ref: tf.Tensor4D, feat: tf.Tensor4D, preOffset: tf.Tensor4D, similarity: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const g = this.groups;
      const out = this.convOffsetMask.call(feat);
      const [o, m] = tf.split(out, [18 * g, 9 * g], 3);
      const offset = tf.add(tf.mul(tf.tanh(o), this.maxResidueMagnitude), tf.tile(preOffset, [1, 1, 1, g]));
      const mask = tf.sigmoid(tf.mul(m, similarity));
      return modulatedDeformConv2d(ref, offset, mask, this.weight, this.bias, { padding: 1, deformableGroups: g });
    });
  }
}
