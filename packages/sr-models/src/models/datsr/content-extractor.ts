/**
 * The LR content encoder of DATSR (`ContentExtractor`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module, Sequential, type Rng } from '@lab/tensor';

/** `x + conv2(relu(conv1(x)))` with 3×3 convolutions (BasicSR's `ResidualBlockNoBN`). @category Models */
export class ResidualBlockNoBN extends Module<[tf.Tensor], tf.Tensor> {
  private readonly conv1: Conv2d;
  private readonly conv2: Conv2d;

  /**
   * @param nf - channels
   * @param rng - initial weights
   */
  constructor(nf: number, rng: Rng) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(nf, nf, 3, { padding: 1, rng }));
    this.conv2 = this.registerModule('conv2', new Conv2d(nf, nf, 3, { padding: 1, rng }));
  }

  /**
   * @param x - `[n, h, w, nf]`
   * @returns `[n, h, w, nf]`
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(x, this.conv2.call(tf.relu(this.conv1.call(x)))));
  }
}

/**
 * DATSR's content extractor: `body(lrelu₀.₁(conv_first(x)))` with `body` a chain of
 * {@link ResidualBlockNoBN} (`conv_first`, `body.i.conv1`, `body.i.conv2`).
 * @see caojiezhang/DATSR `swin_unetv3_ref_restoration_arch.py` (`ContentExtractor`)
 * @category Models
 */
export class ContentExtractor extends Module<[tf.Tensor], tf.Tensor> {
  private readonly convFirst: Conv2d;
  private readonly body: Sequential;

  /**
   * @param nf - feature channels (`ngf`, 128)
   * @param nBlocks - residual blocks (`n_blocks`, 8)
   * @param rng - initial weights
   */
  constructor(nf: number, nBlocks: number, rng: Rng) {
    super();
    this.convFirst = this.registerModule('conv_first', new Conv2d(3, nf, 3, { padding: 1, rng }));
    this.body = this.registerModule('body', new Sequential(...Array.from({ length: nBlocks }, () => new ResidualBlockNoBN(nf, rng))));
  }

  /**
   * @param x - LR image `[n, h, w, 3]`
   * @returns `[n, h, w, nf]`
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.body.call(tf.leakyRelu(this.convFirst.call(x), 0.1)));
  }
}
