/**
 * Global average pooling over the spatial axes of NHWC tensors.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '../errors';
import { checkBool, checkFloat } from './internal';
import { Module, checkInput } from './module';

/** Options of {@link GlobalAvgPool2d}. @category Modules */
export interface GlobalAvgPool2dOptions {
  /** Keep the spatial axes as size 1 (`[n, 1, 1, c]`) instead of dropping them (`[n, c]`). @defaultValue false */
  keepDims?: boolean;
}

/**
 * A layer that computes the mean of each channel over height and width,
 * `y[n, c] = 1/(h·w) · Σ_{i,j} x[n, i, j, c]`; equal to PyTorch's `nn.AdaptiveAvgPool2d(1)`
 * followed by `flatten(1)` (or without the flatten, with `keepDims`).
 * @example
 * ```ts
 * const gap = new GlobalAvgPool2d();
 * const y = gap.call(tf.zeros([2, 7, 7, 512])); // [2, 512]
 * ```
 * @category Modules
 */
export class GlobalAvgPool2d extends Module {
  /** Whether the spatial axes are kept. */
  readonly keepDims: boolean;

  /**
   * @param options - see {@link GlobalAvgPool2dOptions}
   * @throws {@link InvalidValueError} on an unknown option
   */
  constructor(options: GlobalAvgPool2dOptions = {}) {
    super();
    checkOptions('GlobalAvgPool2d', options, ['keepDims']);
    this.keepDims = checkBool('GlobalAvgPool2d', 'keepDims', options.keepDims ?? false);
  }

  /**
   * Averages `x` over height and width.
   * @param x - input `[n, h, w, c]`, float32
   * @returns `[n, c]`, or `[n, 1, 1, c]` with `keepDims`; the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('GlobalAvgPool2d', x, 4);
    checkFloat('GlobalAvgPool2d', x);
    return tf.tidy(() => tf.mean(x, [1, 2], this.keepDims));
  }
}
