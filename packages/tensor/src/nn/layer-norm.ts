/**
 * Layer normalisation over trailing axes with PyTorch's `nn.LayerNorm` semantics.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '../errors';
import { checkBool, checkFloat, checkMinRank, checkNumber, show } from './internal';
import { Module } from './module';

/** Options of {@link LayerNorm}. @category Modules */
export interface LayerNormOptions {
  /** Added to the variance before the square root. @defaultValue 1e-5 */
  eps?: number;
  /** Whether to learn an element-wise scale `weight` (init 1) and shift `bias` (init 0). @defaultValue true */
  elementwiseAffine?: boolean;
}

/**
 * A layer normalisation layer that computes `y = (x − μ) / √(σ² + eps) · γ + β`, with `μ` and the
 * biased variance `σ²` taken over the trailing axes given by `normalizedShape`, as PyTorch's
 * `nn.LayerNorm`.
 *
 * Parameters `weight` (γ) and `bias` (β) have shape `normalizedShape`. On NHWC feature maps,
 * `new LayerNorm(C)` normalises each pixel over its channels.
 * @see Ba et al. 2016, arXiv:1607.06450; `torch.nn.LayerNorm`
 * @example
 * ```ts
 * const ln = new LayerNorm(64);
 * const y = ln.call(tf.randomNormal([2, 16, 64])); // same shape; caller disposes
 * ```
 * @category Modules
 */
export class LayerNorm extends Module {
  /** The trailing shape normalised over. */
  readonly normalizedShape: number[];
  /** Variance epsilon. */
  readonly eps: number;
  /** Whether `weight` and `bias` exist. */
  readonly elementwiseAffine: boolean;
  /** Scale γ of shape `normalizedShape`, or null. */
  readonly weight: tf.Variable | null;
  /** Shift β of shape `normalizedShape`, or null. */
  readonly bias: tf.Variable | null;

  /**
   * @param normalizedShape - size of the last axis, or the sizes of the last axes
   * @param options - see {@link LayerNormOptions}
   * @throws {@link InvalidValueError} on a bad shape, `eps` or unknown option
   */
  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    const fn = 'LayerNorm';
    checkOptions(fn, options, ['eps', 'elementwiseAffine']);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (
      !Array.isArray(shape) ||
      shape.length === 0 ||
      !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)
    ) {
      throw new InvalidValueError(
        `${fn}: normalizedShape must be a positive integer or a non-empty array of them, got ${show(normalizedShape)}`,
      );
    }
    this.normalizedShape = shape.slice();
    this.eps = checkNumber(fn, 'eps', options.eps ?? 1e-5, 0);
    this.elementwiseAffine = checkBool(fn, 'elementwiseAffine', options.elementwiseAffine ?? true);
    this.weight = this.elementwiseAffine ? this.registerParameter('weight', tf.ones(shape)) : null;
    this.bias = this.elementwiseAffine ? this.registerParameter('bias', tf.zeros(shape)) : null;
  }

  /**
   * Normalises `x` over its trailing axes.
   * @param x - input `[…, ...normalizedShape]`, float32
   * @returns output of the same shape; the caller disposes it
   * @throws {@link ShapeError} if the trailing axes of `x` differ from `normalizedShape`
   */
  forward(x: tf.Tensor): tf.Tensor {
    const k = this.normalizedShape.length;
    checkMinRank('LayerNorm', x, k);
    checkFloat('LayerNorm', x);
    const tail = x.shape.slice(x.rank - k);
    if (!tail.every((d, i) => d === this.normalizedShape[i])) {
      throw new ShapeError(`LayerNorm: x must end in shape [${this.normalizedShape}], got shape [${x.shape}]`);
    }
    return tf.tidy(() => {
      const axes = tail.map((_, i) => x.rank - k + i);
      const { mean, variance } = tf.moments(x, axes, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (this.weight) y = tf.mul(y, this.weight);
      if (this.bias) y = tf.add(y, this.bias);
      return y;
    });
  }
}
