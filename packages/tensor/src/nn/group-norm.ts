/**
 * Group normalisation over channels-last tensors with PyTorch's `nn.GroupNorm` semantics.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '../errors';
import { checkBool, checkFloat, checkInt, checkMinRank, checkNumber } from './internal';
import { Module } from './module';

/** Options of {@link GroupNorm}. @category Modules */
export interface GroupNormOptions {
  /** Added to the variance before the square root. @defaultValue 1e-5 */
  eps?: number;
  /** Whether to learn a per-channel scale `weight` (init 1) and shift `bias` (init 0). @defaultValue true */
  affine?: boolean;
}

/**
 * A group normalisation layer that computes `y = (x − μ_g) / √(σ²_g + eps) · γ + β`, where the
 * channels are split into `numGroups` consecutive groups and `μ_g`, `σ²_g` (biased) are taken per
 * sample over the spatial axes and the channels of group `g`, as PyTorch's `nn.GroupNorm`.
 *
 * Input is channels-last: `[n, …, C]` (NHWC for images). Channel `c` belongs to group
 * `⌊c / (C / numGroups)⌋`, as in PyTorch's NCHW layout. Parameters `weight` (γ) and `bias` (β)
 * have shape `[C]`.
 * @see Wu & He 2018, arXiv:1803.08494; `torch.nn.GroupNorm`
 * @example
 * ```ts
 * const gn = new GroupNorm(8, 64);
 * const y = gn.call(tf.randomNormal([2, 16, 16, 64])); // same shape; caller disposes
 * ```
 * @category Modules
 */
export class GroupNorm extends Module {
  /** Number of channel groups. */
  readonly numGroups: number;
  /** Number of channels `C` (last axis). */
  readonly numChannels: number;
  /** Variance epsilon. */
  readonly eps: number;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Scale γ `[C]`, or null. */
  readonly weight: tf.Variable | null;
  /** Shift β `[C]`, or null. */
  readonly bias: tf.Variable | null;

  /**
   * @param numGroups - number of groups; must divide `numChannels`
   * @param numChannels - number of channels `C`
   * @param options - see {@link GroupNormOptions}
   * @throws {@link InvalidValueError} on bad sizes, `eps` or an unknown option
   */
  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    const fn = 'GroupNorm';
    checkOptions(fn, options, ['eps', 'affine']);
    this.numGroups = checkInt(fn, 'numGroups', numGroups);
    this.numChannels = checkInt(fn, 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) {
      throw new InvalidValueError(`${fn}: numGroups must divide numChannels, got numGroups=${numGroups} numChannels=${numChannels}`);
    }
    this.eps = checkNumber(fn, 'eps', options.eps ?? 1e-5, 0);
    this.affine = checkBool(fn, 'affine', options.affine ?? true);
    this.weight = this.affine ? this.registerParameter('weight', tf.ones([numChannels])) : null;
    this.bias = this.affine ? this.registerParameter('bias', tf.zeros([numChannels])) : null;
  }

  /**
   * Normalises `x` per sample and group.
   * @param x - input `[n, …, numChannels]` (rank ≥ 2), float32
   * @returns output of the same shape; the caller disposes it
   * @throws {@link ShapeError} if the last axis of `x` is not `numChannels`
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkMinRank('GroupNorm', x, 2);
    checkFloat('GroupNorm', x);
    if (x.shape[x.rank - 1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm: x must have ${this.numChannels} channels (last axis), got shape [${x.shape}]`);
    }
    return tf.tidy(() => {
      const n = x.shape[0];
      const g = this.numGroups;
      const grouped = tf.reshape(x, [n, -1, g, this.numChannels / g]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const normed = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, this.eps)));
      let y = tf.reshape(normed, x.shape);
      if (this.weight) y = tf.mul(y, this.weight);
      if (this.bias) y = tf.add(y, this.bias);
      return y;
    });
  }
}
