/**
 * 2-D average pooling with PyTorch's `nn.AvgPool2d` semantics, on NHWC tensors.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '../errors';
import { checkBool, checkHalfKernel, intPair, poolOutSize } from './internal';
import { Module, checkInput } from './module';

/** Options of {@link AvgPool2d}. @category Modules */
export interface AvgPool2dOptions {
  /** Stride, one number or `[sh, sw]`. @defaultValue the kernel size */
  stride?: number | [number, number];
  /** Zero padding on each side, one number or `[ph, pw]`; at most half the kernel. @defaultValue 0 */
  padding?: number | [number, number];
  /**
   * Whether padded zeros count in the divisor (`kh · kw` always) or not (the number of input
   * pixels in the window).
   * @defaultValue true (as PyTorch)
   */
  countIncludePad?: boolean;
}

/**
 * An average pooling layer that computes the mean of each `kh × kw` window of `x`, as PyTorch's
 * `nn.AvgPool2d` (with `ceil_mode=False`).
 *
 * Output size `⌊(h + 2ph − kh) / sh⌋ + 1`, likewise for the width. With `countIncludePad` (the
 * default) the window sum is divided by `kh · kw`; without, by the number of non-padding pixels.
 * @see `torch.nn.AvgPool2d`
 * @example
 * ```ts
 * const pool = new AvgPool2d(3, { stride: 1, padding: 1 });
 * const y = pool.call(tf.zeros([1, 8, 8, 3])); // [1, 8, 8, 3]
 * ```
 * @category Modules
 */
export class AvgPool2d extends Module {
  /** Window size `[kh, kw]`. */
  readonly kernelSize: [number, number];
  /** Stride `[sh, sw]`. */
  readonly stride: [number, number];
  /** Padding `[ph, pw]` on each side. */
  readonly padding: [number, number];
  /** Whether padded zeros count in the divisor. */
  readonly countIncludePad: boolean;

  /**
   * @param kernelSize - `k` or `[kh, kw]`
   * @param options - see {@link AvgPool2dOptions}
   * @throws {@link InvalidValueError} on bad sizes, padding above half the kernel, or an unknown option
   */
  constructor(kernelSize: number | [number, number], options: AvgPool2dOptions = {}) {
    super();
    const fn = 'AvgPool2d';
    checkOptions(fn, options, ['stride', 'padding', 'countIncludePad']);
    this.kernelSize = intPair(fn, 'kernelSize', kernelSize);
    this.stride = intPair(fn, 'stride', options.stride ?? this.kernelSize);
    this.padding = intPair(fn, 'padding', options.padding ?? 0, 0);
    checkHalfKernel(fn, this.padding, this.kernelSize);
    this.countIncludePad = checkBool(fn, 'countIncludePad', options.countIncludePad ?? true);
  }

  /**
   * Pools `x`.
   * @param x - input `[n, h, w, c]`, float32
   * @returns output `[n, h', w', c]`; the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4 or is smaller than the window
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('AvgPool2d', x, 4);
    const [, h, w] = x.shape;
    const [ph, pw] = this.padding;
    poolOutSize('AvgPool2d', x.shape, h, this.kernelSize[0], this.stride[0], ph, false);
    poolOutSize('AvgPool2d', x.shape, w, this.kernelSize[1], this.stride[1], pw, false);
    const pads: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [ph, ph],
      [pw, pw],
      [0, 0],
    ];
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      // tfjs averages over the non-padding pixels only, which is count_include_pad=False.
      if (!this.countIncludePad || (ph === 0 && pw === 0)) {
        return tf.avgPool(x4, this.kernelSize, this.stride, pads);
      }
      return tf.avgPool(tf.pad(x4, pads), this.kernelSize, this.stride, 'valid');
    });
  }
}
