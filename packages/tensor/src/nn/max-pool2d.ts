/**
 * 2-D max pooling with PyTorch's `nn.MaxPool2d` semantics, on NHWC tensors.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '../errors';
import { checkBool, checkHalfKernel, intPair, poolOutSize } from './internal';
import { Module, checkInput } from './module';

/** Options of {@link MaxPool2d}. @category Modules */
export interface MaxPool2dOptions {
  /** Stride, one number or `[sh, sw]`. @defaultValue the kernel size */
  stride?: number | [number, number];
  /** Implicit −∞ padding on each side, one number or `[ph, pw]`; at most half the kernel. @defaultValue 0 */
  padding?: number | [number, number];
  /** Round the output size up instead of down (windows must still start inside the input or left padding). @defaultValue false */
  ceilMode?: boolean;
}

/**
 * A max pooling layer that computes `y[n, p, q, c] = max over the window at (p·sh − ph, q·sw − pw)`
 * of `x[n, ·, ·, c]`, as PyTorch's `nn.MaxPool2d`; padded positions never win.
 *
 * Output size `⌊(h + 2ph − kh) / sh⌋ + 1` (with `ceilMode`, `⌈·⌉ + 1`, minus one if the last window
 * would start in the right padding), likewise for the width.
 * @see `torch.nn.MaxPool2d`
 * @example
 * ```ts
 * const pool = new MaxPool2d(2);
 * const y = pool.call(tf.zeros([1, 8, 8, 3])); // [1, 4, 4, 3]
 * ```
 * @category Modules
 */
export class MaxPool2d extends Module {
  /** Window size `[kh, kw]`. */
  readonly kernelSize: [number, number];
  /** Stride `[sh, sw]`. */
  readonly stride: [number, number];
  /** Padding `[ph, pw]` on each side. */
  readonly padding: [number, number];
  /** Whether the output size is rounded up. */
  readonly ceilMode: boolean;

  /**
   * @param kernelSize - `k` or `[kh, kw]`
   * @param options - see {@link MaxPool2dOptions}
   * @throws {@link InvalidValueError} on bad sizes, padding above half the kernel, or an unknown option
   */
  constructor(kernelSize: number | [number, number], options: MaxPool2dOptions = {}) {
    super();
    const fn = 'MaxPool2d';
    checkOptions(fn, options, ['stride', 'padding', 'ceilMode']);
    this.kernelSize = intPair(fn, 'kernelSize', kernelSize);
    this.stride = intPair(fn, 'stride', options.stride ?? this.kernelSize);
    this.padding = intPair(fn, 'padding', options.padding ?? 0, 0);
    checkHalfKernel(fn, this.padding, this.kernelSize);
    this.ceilMode = checkBool(fn, 'ceilMode', options.ceilMode ?? false);
  }

  /**
   * Pools `x`.
   * @param x - input `[n, h, w, c]`
   * @returns output `[n, h', w', c]`; the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4 or is smaller than the window
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('MaxPool2d', x, 4);
    const [, h, w] = x.shape;
    const oh = poolOutSize('MaxPool2d', x.shape, h, this.kernelSize[0], this.stride[0], this.padding[0], this.ceilMode);
    const ow = poolOutSize('MaxPool2d', x.shape, w, this.kernelSize[1], this.stride[1], this.padding[1], this.ceilMode);
    const [ph, pw] = this.padding;
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.stride;
    // The trailing pad makes tfjs's floor rule produce exactly (oh, ow); padding never wins a max.
    const pad = [
      [0, 0],
      [ph, Math.max(0, (oh - 1) * sh + kh - h - ph)],
      [pw, Math.max(0, (ow - 1) * sw + kw - w - pw)],
      [0, 0],
    ] as [[number, number], [number, number], [number, number], [number, number]];
    return tf.tidy(() => tf.maxPool(x as tf.Tensor4D, this.kernelSize, this.stride, pad));
  }
}
