/**
 * Local response normalisation across channels, as PyTorch's `nn.CrossMapLRN2d`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module } from '@lab/tensor';
import { checkInt, checkNumber, checkTensor } from '../../internal/checks';

/**
 * Cross-channel local response normalisation, `y_c = x_c / (k + α/n · Σ_{|d−c| ≤ (n−1)/2} x_d²)^β`,
 * as `torch.nn.CrossMapLRN2d(size=n, alpha=α, beta=β, k=k)` (the AlexNet/Caffe form, α divided
 * by the window size), computed with `tf.localResponseNormalization` (depth radius `(n−1)/2`,
 * bias `k`, alpha `α/n`). No parameters.
 * @see Krizhevsky et al. 2012; `torch.nn.CrossMapLRN2d`
 * @example
 * ```ts
 * const lrn = new CrossMapLRN2d(5, 1e-4, 0.75, 1); // iTracker's setting
 * const y = lrn.call(x); // same shape as x
 * ```
 * @category Models
 */
export class CrossMapLRN2d extends Module<[tf.Tensor], tf.Tensor> {
  /** Window size `n` (odd). */
  readonly size: number;
  /** Scale `α` (divided by `n` in the formula). */
  readonly alpha: number;
  /** Exponent `β`. */
  readonly beta: number;
  /** Additive constant `k`. */
  readonly k: number;

  /**
   * @param size - odd window size n
   * @param alpha - α
   * @param beta - β
   * @param k - k
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an even or non-positive size, or a non-finite coefficient
   */
  constructor(size: number, alpha = 1e-4, beta = 0.75, k = 1) {
    super();
    this.size = checkInt('CrossMapLRN2d', 'size', size);
    if (size % 2 === 0) throw new InvalidValueError(`CrossMapLRN2d: size must be odd, got ${size}`);
    this.alpha = checkNumber('CrossMapLRN2d', 'alpha', alpha);
    this.beta = checkNumber('CrossMapLRN2d', 'beta', beta);
    this.k = checkNumber('CrossMapLRN2d', 'k', k);
  }

  /**
   * @param x - `[n, h, w, c]` float32
   * @returns the normalised tensor, same shape; the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} unless `x` is a rank-4 float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('CrossMapLRN2d', 'x', x, [-1, -1, -1, -1]);
    return tf.localResponseNormalization(x as tf.Tensor4D, (this.size - 1) / 2, this.k, this.alpha / this.size, this.beta);
  }
}
