/**
 * Enhanced spatial attention as RLFN uses it (lighter than RFDN's).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module, Sigmoid, type Rng } from '@lab/tensor';
import { esaMaxPool, esaUpsample } from '../common/esa-ops';

/**
 * The ESA of RLFN on `c` channels with `f` inner channels (16): `c1 = conv1(x)` (1×1),
 * `conv2` (3×3, stride 2, no padding), 7×7/3 max pool, `conv3` (3×3, padding 1), bilinear resize
 * to the input size (align_corners False), plus `conv_f(c1)` (1×1), then `conv4` (1×1 f → c) and
 * a sigmoid mask: `y = x · sigmoid(·)`. Unlike RFDN's ESA there is no `conv_max`, no `conv3_` and
 * no activation on the small branch (the reference registers a ReLU but never calls it; it has no
 * parameters, so it is left out here).
 * @see arXiv 2205.07514 (RLFN); ofsoundof/NTIRE2022_ESR `models/team04_rlfn.py` (`ESA`)
 * @category Models
 */
export class RlfnEsa extends Module {
  /** `conv1`: 1×1 conv c → f reducing the channels (`c1`). */
  readonly conv1: Conv2d;
  /** `conv_f`: 1×1 conv f → f of the skip from `c1` added before `conv4`. */
  readonly convF: Conv2d;
  /** `conv2`: 3×3 conv f → f, stride 2, no padding (downsampling). */
  readonly conv2: Conv2d;
  /** `conv3`: 3×3 conv f → f after the 7×7/3 max pool. */
  readonly conv3: Conv2d;
  /** `conv4`: 1×1 conv f → c producing the mask logits. */
  readonly conv4: Conv2d;
  /** `sigmoid`: turns `conv4`'s output into the attention mask. */
  readonly sigmoid: Sigmoid;

  /**
   * @param esaChannels - inner channels `f`
   * @param channels - channels of the input (`n_feats`)
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(esaChannels: number, channels: number, rng?: Rng) {
    super();
    const f = esaChannels;
    this.conv1 = this.registerModule('conv1', new Conv2d(channels, f, 1, { rng }));
    this.convF = this.registerModule('conv_f', new Conv2d(f, f, 1, { rng }));
    this.conv2 = this.registerModule('conv2', new Conv2d(f, f, 3, { stride: 2, padding: 0, rng }));
    this.conv3 = this.registerModule('conv3', new Conv2d(f, f, 3, { padding: 1, rng }));
    this.conv4 = this.registerModule('conv4', new Conv2d(f, channels, 1, { rng }));
    this.sigmoid = this.registerModule('sigmoid', new Sigmoid());
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
      const c3 = this.conv3.call(esaMaxPool(c1)) as tf.Tensor4D;
      const up = esaUpsample(c3, [h, w]);
      const cf = this.convF.call(c1a);
      const c4 = this.conv4.call(tf.add(up, cf));
      return tf.mul(x, this.sigmoid.call(c4));
    });
  }
}
