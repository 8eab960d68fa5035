/**
 * Enhanced spatial attention as RFDN uses it.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module, ReLU, Sigmoid, type Rng } from '@lab/tensor';
import { esaMaxPool, esaUpsample } from '../common/esa-ops';

/**
 * Enhanced spatial attention (ESA) of RFDN on `c` channels with `f = ⌊c/4⌋` inner channels:
 * `c1 = conv1(x)` (1×1), `c = conv2(c1)` (3×3, stride 2, no padding), 7×7/3 max pool,
 * `relu(conv_max(·))`, `relu(conv3(·))`, `conv3_(·)` (3×3, padding 1), bilinear resize to the
 * input size (align_corners False), plus `conv_f(c1)` (1×1), then `conv4` (1×1 f → c) and a
 * sigmoid mask: `y = x · sigmoid(·)`. One ReLU module (`relu`) is applied twice, so the NTIRE
 * counter counts both calls; pooling and resizing are functional and count nothing.
 * @see arXiv 2009.11551 (RFDN); Liu et al., CVPR 2020 (RFANet, ESA); ofsoundof/NTIRE2022_ESR
 *   `models/rfdn_baseline/block.py` (`ESA`)
 * @category Models
 */
export class RfdnEsa extends Module {
  /** `conv1`: 1×1 conv c → f reducing the channels (`c1`). */
  readonly conv1: Conv2d;
  /** `conv_f`: 1×1 conv f → f of the skip from `c1` added before `conv4`. */
  readonly convF: Conv2d;
  /** `conv_max`: 3×3 conv f → f after the 7×7/3 max pool. */
  readonly convMax: Conv2d;
  /** `conv2`: 3×3 conv f → f, stride 2, no padding (downsampling). */
  readonly conv2: Conv2d;
  /** `conv3`: 3×3 conv f → f on the pooled branch. */
  readonly conv3: Conv2d;
  /** `conv3_`: the second 3×3 conv f → f on the pooled branch. */
  readonly conv3b: Conv2d;
  /** `conv4`: 1×1 conv f → c producing the mask logits. */
  readonly conv4: Conv2d;
  /** `sigmoid`: turns `conv4`'s output into the attention mask. */
  readonly sigmoid: Sigmoid;
  /** `relu`: the ReLU applied after `conv_max` and after `conv3` (one module, two calls). */
  readonly relu: ReLU;

  /**
   * @param channels - channels of the input (`n_feats`)
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(channels: number, rng?: Rng) {
    super();
    const f = Math.floor(channels / 4);
    this.conv1 = this.registerModule('conv1', new Conv2d(channels, f, 1, { rng }));
    this.convF = this.registerModule('conv_f', new Conv2d(f, f, 1, { rng }));
    this.convMax = this.registerModule('conv_max', new Conv2d(f, f, 3, { padding: 1, rng }));
    this.conv2 = this.registerModule('conv2', new Conv2d(f, f, 3, { stride: 2, padding: 0, rng }));
    this.conv3 = this.registerModule('conv3', new Conv2d(f, f, 3, { padding: 1, rng }));
    this.conv3b = this.registerModule('conv3_', new Conv2d(f, f, 3, { padding: 1, rng }));
    this.conv4 = this.registerModule('conv4', new Conv2d(f, channels, 1, { rng }));
    this.sigmoid = this.registerModule('sigmoid', new Sigmoid());
    this.relu = this.registerModule('relu', new ReLU());
  }

  /**
   * @param x - `[n, h, w, channels]` with `h, w ≥ 15`
   * @returns `x` times the attention mask, same shape; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [, h, w] = x.shape;
      const c1a = this.conv1.call(x);
      const c1 = this.conv2.call(c1a) as tf.Tensor4D;
      const vMax = esaMaxPool(c1);
      const vRange = this.relu.call(this.convMax.call(vMax));
      let c3 = this.relu.call(this.conv3.call(vRange));
      c3 = this.conv3b.call(c3);
      const up = esaUpsample(c3 as tf.Tensor4D, [h, w]);
      const cf = this.convF.call(c1a);
      const c4 = this.conv4.call(tf.add(up, cf));
      return tf.mul(x, this.sigmoid.call(c4));
    });
  }
}
