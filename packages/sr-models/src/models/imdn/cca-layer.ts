/**
 * Contrast-aware channel attention of the original IMDN.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { AdaptiveAvgPool2d, Conv2d, Module, ReLU, Sequential, Sigmoid, type Rng } from '@lab/tensor';

/**
 * Contrast-aware channel attention (CCA): `y = x · sigmoid(W₂ relu(W₁ (std(x) + mean(x))))`, where
 * `std` and `mean` are taken per channel over H×W (population standard deviation, divided by
 * H·W, no epsilon) and W₁ (c → c/r), W₂ (c/r → c) are 1×1 convolutions with bias.
 *
 * Parameters: `conv_du.0` and `conv_du.2` (`conv_du` is Sequential(conv, ReLU, conv, Sigmoid)).
 * @see arXiv 1909.11856, section 3.2; Zheng222/IMDN `model/block.py` (`CCALayer`)
 * @category Models
 */
export class CcaLayer extends Module {
  /** Global average pooling (`avg_pool`). */
  readonly avgPool: AdaptiveAvgPool2d;
  /** The squeeze-and-excitation branch (`conv_du`). */
  readonly convDu: Sequential;

  /**
   * @param channels - channels of the input
   * @param reduction - channel reduction r of the bottleneck
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(channels: number, reduction = 16, rng?: Rng) {
    super();
    const mid = Math.floor(channels / reduction);
    this.avgPool = this.registerModule('avg_pool', new AdaptiveAvgPool2d(1));
    this.convDu = this.registerModule(
      'conv_du',
      new Sequential(new Conv2d(channels, mid, 1, { rng }), new ReLU(), new Conv2d(mid, channels, 1, { rng }), new Sigmoid()),
    );
  }

  /**
   * @param x - `[n, h, w, channels]`
   * @returns `x` scaled per channel, same shape; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [, h, w] = x.shape;
      // Both spatial means as full-window average pools: on wasm 20× faster than tf.mean.
      const mean = this.avgPool.call(x);
      const variance = tf.avgPool(tf.square(tf.sub(x, mean)) as tf.Tensor4D, [h, w], [h, w], 'valid');
      const y = tf.add(tf.sqrt(variance), mean);
      return tf.mul(x, this.convDu.call(y));
    });
  }
}
