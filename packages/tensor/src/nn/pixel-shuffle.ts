/**
 * Sub-pixel rearrangement with PyTorch's `nn.PixelShuffle` channel order, on NHWC tensors.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors';
import { checkInt } from './internal';
import { Module, checkInput } from './module';

/**
 * A layer that moves blocks of channels to space: `[n, h, w, C·r²] → [n, h·r, w·r, C]` with
 * `y[n, h·r + i, w·r + j, c] = x[n, h, w, c·r² + i·r + j]`, which is PyTorch's `nn.PixelShuffle(r)`
 * channel order (CRD).
 *
 * This differs from tfjs `depthToSpace` (DCR order, channel `(i·r + j)·C + c`), so a convolution
 * loaded from a PyTorch checkpoint works unchanged in front of it. It is built from reshapes and a
 * transpose, so it is differentiable on every backend (tfjs registers no gradient for
 * `DepthToSpace`).
 * @see Shi et al. 2016, arXiv:1609.05158; `torch.nn.PixelShuffle`
 * @example
 * ```ts
 * const up = new PixelShuffle(2);
 * const y = up.call(tf.zeros([1, 8, 8, 12])); // [1, 16, 16, 3]
 * ```
 * @category Modules
 */
export class PixelShuffle extends Module {
  /** The factor `r` by which height and width grow. */
  readonly upscaleFactor: number;

  /**
   * @param upscaleFactor - `r`, a positive integer
   * @throws {@link InvalidValueError} if `upscaleFactor` is not a positive integer
   */
  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = checkInt('PixelShuffle', 'upscaleFactor', upscaleFactor);
  }

  /**
   * Rearranges `x`.
   * @param x - input `[n, h, w, C·r²]`
   * @returns output `[n, h·r, w·r, C]`; the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4 or its channels are not a multiple of `r²`
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('PixelShuffle', x, 4);
    const r = this.upscaleFactor;
    const [n, h, w, cr2] = x.shape;
    if (cr2 % (r * r) !== 0) {
      throw new ShapeError(`PixelShuffle: x must have a multiple of ${r * r} channels (r=${r}), got shape [${x.shape}]`);
    }
    const c = cr2 / (r * r);
    return tf.tidy(() => {
      // [n·h, w, c, i, j] → [n·h, i, w, j, c]; n and h stay adjacent, so rank 5 suffices.
      const t = tf.transpose(tf.reshape(x, [n * h, w, c, r, r]), [0, 3, 1, 4, 2]);
      return tf.reshape(t, [n, h * r, w * r, c]);
    });
  }
}
