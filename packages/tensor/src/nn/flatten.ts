/**
 * Flattening of all but the batch axis, optionally in PyTorch's NCHW element order.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '../errors';
import { checkBool, checkMinRank } from './internal';
import { Module } from './module';

/** Options of {@link Flatten}. @category Modules */
export interface FlattenOptions {
  /**
   * Flatten in PyTorch's channels-first order: the channel axis (last here) is moved to position 1
   * before flattening, so a following {@link Linear} loads PyTorch weights unchanged.
   * @defaultValue true
   */
  torchOrder?: boolean;
}

/**
 * A layer that reshapes `[n, d1, …, dk]` to `[n, d1·…·dk]`, as PyTorch's `nn.Flatten()`.
 *
 * With `torchOrder` (the default) a channels-last input `[n, …, c]` is flattened in the order of
 * the channels-first tensor `[n, c, …]`: element `(n, h, w, c)` of an NHWC map lands at
 * `c·h·w + h·W + w`, as in PyTorch. Without it, the NHWC memory order is kept.
 * @example
 * ```ts
 * const flat = new Flatten();
 * const y = flat.call(tf.zeros([2, 7, 7, 64])); // [2, 3136], PyTorch order
 * ```
 * @category Modules
 */
export class Flatten extends Module {
  /** Whether PyTorch's channels-first order is used. */
  readonly torchOrder: boolean;

  /**
   * @param options - see {@link FlattenOptions}
   * @throws {@link InvalidValueError} on an unknown option
   */
  constructor(options: FlattenOptions = {}) {
    super();
    checkOptions('Flatten', options, ['torchOrder']);
    this.torchOrder = checkBool('Flatten', 'torchOrder', options.torchOrder ?? true);
  }

  /**
   * Flattens `x`.
   * @param x - input of rank ≥ 2
   * @returns `[n, size/n]`; the caller disposes it
   * @throws {@link ShapeError} if `x` has rank < 2
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkMinRank('Flatten', x, 2);
    const n = x.shape[0];
    const rest = x.shape.slice(1).reduce((a, b) => a * b, 1);
    return tf.tidy(() => {
      let t = x;
      if (this.torchOrder && x.rank > 2) {
        const perm = [0, x.rank - 1, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 1)];
        t = tf.transpose(x, perm);
      }
      return tf.reshape(t, [n, rest]);
    });
  }
}
