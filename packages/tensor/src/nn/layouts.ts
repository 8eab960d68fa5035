/**
 * Weight layouts of the built-in layers and their mapping to PyTorch's `state_dict` layout.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '../errors';
import type { TorchLayout } from './module';

/**
 * Layout of a (possibly grouped) convolution weight: native HWIO `[kh, kw, cin/groups, cout]`
 * ↔ PyTorch OIHW `[cout, cin/groups, kh, kw]`.
 *
 * The mapping is the transpose `native[y, x, i, o] = torch[o, i, y, x]`. It is exact for grouped
 * convolutions too, because both layouts order output channels group by group: output channel
 * `o` belongs to group `⌊o / (cout/groups)⌋` and reads input channel
 * `group · cin/groups + i` in both.
 * @example
 * ```ts
 * CONV2D_LAYOUT.torchShape([3, 3, 16, 32]); // [32, 16, 3, 3]
 * ```
 * @category Modules
 */
export const CONV2D_LAYOUT: TorchLayout = Object.freeze({
  torchShape: (s: number[]) => {
    checkRank('CONV2D_LAYOUT.torchShape', s, 4);
    return [s[3], s[2], s[0], s[1]];
  },
  toTorch: (x: tf.Tensor) => {
    checkRank('CONV2D_LAYOUT.toTorch', x.shape, 4);
    return tf.transpose(x, [3, 2, 0, 1]);
  },
  fromTorch: (x: tf.Tensor) => {
    checkRank('CONV2D_LAYOUT.fromTorch', x.shape, 4);
    return tf.transpose(x, [2, 3, 1, 0]);
  },
});

/**
 * Returns the layout of a depthwise convolution weight with channel multiplier `multiplier`:
 * native `[kh, kw, cin, multiplier]` (the filter of `tf.depthwiseConv2d`) ↔ PyTorch
 * `[cin · multiplier, 1, kh, kw]` (a `Conv2d` with `groups = cin`).
 *
 * Output channel `c · multiplier + m` is filtered by `native[:, :, c, m]` and by
 * `torch[c · multiplier + m, 0]`, in both frameworks. The multiplier is part of the layout because
 * a PyTorch shape alone does not tell `cin` from `multiplier`.
 * @param multiplier - channel multiplier `cout / cin`, a positive integer
 * @returns the layout (a new frozen object)
 * @throws {@link InvalidValueError} if `multiplier` is not a positive integer
 * @example
 * ```ts
 * depthwiseLayout(2).torchShape([3, 3, 8, 2]); // [16, 1, 3, 3]
 * ```
 * @category Modules
 */
export function depthwiseLayout(multiplier: number): TorchLayout {
  if (typeof multiplier !== 'number' || !Number.isInteger(multiplier) || multiplier < 1) {
    throw new InvalidValueError(`depthwiseLayout: multiplier must be a positive integer, got ${String(multiplier)}`);
  }
  const name = `depthwiseLayout(${multiplier})`;
  return Object.freeze({
    torchShape: (s: number[]) => {
      checkRank(`${name}.torchShape`, s, 4);
      if (s[3] !== multiplier) {
        throw new ShapeError(`${name}.torchShape: nativeShape must end in ${multiplier}, got [${s}]`);
      }
      return [s[2] * s[3], 1, s[0], s[1]];
    },
    toTorch: (x: tf.Tensor) => {
      checkRank(`${name}.toTorch`, x.shape, 4);
      const [kh, kw, c, m] = x.shape;
      return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [kh, kw, c * m]), [2, 0, 1]), [c * m, 1, kh, kw]));
    },
    fromTorch: (x: tf.Tensor) => {
      checkRank(`${name}.fromTorch`, x.shape, 4);
      const [cm, one, kh, kw] = x.shape;
      if (one !== 1 || cm % multiplier !== 0) {
        throw new ShapeError(`${name}.fromTorch: x must have shape [cin*${multiplier}, 1, kh, kw], got [${x.shape}]`);
      }
      return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [cm, kh, kw]), [1, 2, 0]), [kh, kw, cm / multiplier, multiplier]));
    },
  });
}

/**
 * Layout of a depthwise convolution weight with channel multiplier 1 (`groups = cin = cout`):
 * native `[kh, kw, c, 1]` ↔ PyTorch `[c, 1, kh, kw]`. Other multipliers use
 * {@link depthwiseLayout}.
 * @category Modules
 */
export const DEPTHWISE_LAYOUT: TorchLayout = depthwiseLayout(1);

/**
 * Layout of a linear weight: native `[in, out]` (so `y = x · W`) ↔ PyTorch `[out, in]`
 * (`y = x · Wᵀ`); the mapping is the transpose.
 * @example
 * ```ts
 * LINEAR_LAYOUT.torchShape([128, 10]); // [10, 128]
 * ```
 * @category Modules
 */
export const LINEAR_LAYOUT: TorchLayout = Object.freeze({
  torchShape: (s: number[]) => {
    checkRank('LINEAR_LAYOUT.torchShape', s, 2);
    return [s[1], s[0]];
  },
  toTorch: (x: tf.Tensor) => {
    checkRank('LINEAR_LAYOUT.toTorch', x.shape, 2);
    return tf.transpose(x, [1, 0]);
  },
  fromTorch: (x: tf.Tensor) => {
    checkRank('LINEAR_LAYOUT.fromTorch', x.shape, 2);
    return tf.transpose(x, [1, 0]);
  },
});

function checkRank(fn: string, shape: readonly number[], rank: number): void {
  if (shape.length !== rank) throw new ShapeError(`${fn}: shape must have rank ${rank}, got [${shape}]`);
}
