/**
 * The inverse of {@link PixelShuffle}: space to channels in PyTorch's `nn.PixelUnshuffle` order.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors';
import { checkInt } from './internal';
import { Module, checkInput } from './module';

/**
 * A layer that moves blocks of pixels to channels: `[n, h·r, w·r, C] → [n, h, w, C·r²]` with
 * `y[n, h, w, c·r² + i·r + j] = x[n, h·r + i, w·r + j, c]`, PyTorch's `nn.PixelUnshuffle(r)` order
 * and the exact inverse of {@link PixelShuffle}.
 *
 * Built from reshapes and a transpose, so it is differentiable on every backend.
 * @see Shi et al. 2016, arXiv:1609.05158; `torch.nn.PixelUnshuffle`
 * @example
 * ```ts
 * const down = new PixelUnshuffle(2);
 * const y = down.call(tf.zeros([1, 16, 16, 3])); // [1, 8, 8, 12]
 * ```
 * @category Modules
 */
export class PixelUnshuffle extends Module {
  /** The factor `r` by which height and width shrink. */
  readonly downscaleFactor: number;

  /**
   * @param downscaleFactor - `r`, a positive integer
   * @throws {@link InvalidValueError} if `downscaleFactor` is not a positive integer
   */
  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = checkInt('PixelUnshuffle', 'downscaleFactor', downscaleFactor);
  }

  /**
   * Rearranges `x`.
   * @param x - input `[n, h·r, w·r, C]`
   * @returns output `[n, h, w, C·r²]`; the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4 or its height or width is not a multiple of `r`
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('PixelUnshuffle', x, 4);
    const r = this.downscaleFactor;
    const [n, hr, wr, c] = x.shape;
    if (hr % r !== 0 || wr % r !== 0) {
      throw new ShapeError(`PixelUnshuffle: x must have height and width divisible by ${r}, got shape [${x.shape}]`);
    }
    const h = hr / r;
    const w = wr / r;
    return tf.tidy(() => {
      // [n·h, i, w, j, c] → [n·h, w, c, i, j]
      const t = tf.transpose(tf.reshape(x, [n * h, r, w, r, c]), [0, 2, 4, 1, 3]);
      return tf.reshape(t, [n, h, w, c * r * r]);
    });
  }
}
