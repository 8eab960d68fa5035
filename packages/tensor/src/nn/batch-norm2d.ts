/**
 * Batch normalisation over NHWC feature maps with PyTorch's `nn.BatchNorm2d` semantics.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '../errors';
import { checkBool, checkFloat, checkInt, checkNumber, show } from './internal';
import { Module, checkInput } from './module';

/** Options of {@link BatchNorm2d}; defaults in {@link BATCH_NORM2D_DEFAULTS}. @category Modules */
export interface BatchNorm2dOptions {
  /** Added to the variance before the square root. @defaultValue 1e-5 */
  eps?: number;
  /**
   * Weight of the new batch statistic in the running average,
   * `running = (1 − momentum) · running + momentum · batch`; `null` uses the cumulative average
   * `1 / num_batches_tracked`, as PyTorch.
   * @defaultValue 0.1
   */
  momentum?: number | null;
  /** Whether to learn a per-channel scale `weight` (init 1) and shift `bias` (init 0). @defaultValue true */
  affine?: boolean;
  /**
   * Whether to keep running statistics (buffers `running_mean`, `running_var`,
   * `num_batches_tracked`). Without them, batch statistics are used in eval mode too.
   * @defaultValue true
   */
  trackRunningStats?: boolean;
}

/** Defaults of {@link BatchNorm2dOptions}, those of PyTorch's `nn.BatchNorm2d`. @category Modules */
export const BATCH_NORM2D_DEFAULTS = Object.freeze({
  /** Default of {@link BatchNorm2dOptions.eps}. */
  eps: 1e-5,
  /** Default of {@link BatchNorm2dOptions.momentum}. */
  momentum: 0.1,
  /** Default of {@link BatchNorm2dOptions.affine}. */
  affine: true,
  /** Default of {@link BatchNorm2dOptions.trackRunningStats}. */
  trackRunningStats: true,
});

/**
 * A batch normalisation layer that computes `y = (x − μ) / √(σ² + eps) · γ + β` per channel of an
 * NHWC tensor, as PyTorch's `nn.BatchNorm2d`.
 *
 * In training mode `μ` and `σ²` are the mean and the biased variance of the batch over
 * `(n, h, w)`, and the running statistics are updated with the unbiased variance
 * `σ² · m / (m − 1)` (`m = n·h·w`). In eval mode the running statistics are used. Parameters
 * `weight` (γ) and `bias` (β); buffers `running_mean` (init 0), `running_var` (init 1) and
 * `num_batches_tracked` (int32). The running update works inside `tf.variableGrads`: it assigns
 * the buffers and does not take part in the gradient.
 * @see Ioffe & Szegedy 2015, arXiv:1502.03167; `torch.nn.BatchNorm2d`
 * @example
 * ```ts
 * const bn = new BatchNorm2d(16);
 * const y = bn.call(x);     // training: batch statistics, running stats updated
 * bn.eval();
 * const z = bn.call(x);     // running statistics
 * ```
 * @category Modules
 */
export class BatchNorm2d extends Module {
  /** Number of channels (last axis). */
  readonly numFeatures: number;
  /** Variance epsilon. */
  readonly eps: number;
  /** Momentum of the running average, or null for the cumulative average. */
  readonly momentum: number | null;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Whether running statistics are kept. */
  readonly trackRunningStats: boolean;
  /** Scale γ `[C]`, or null when not affine. */
  readonly weight: tf.Variable | null;
  /** Shift β `[C]`, or null when not affine. */
  readonly bias: tf.Variable | null;
  /** Running mean `[C]`, or null without running statistics. */
  readonly runningMean: tf.Variable | null;
  /** Running (unbiased) variance `[C]`, or null without running statistics. */
  readonly runningVar: tf.Variable | null;
  /** Number of training batches seen (int32 scalar), or null without running statistics. */
  readonly numBatchesTracked: tf.Variable | null;

  /**
   * @param numFeatures - number of channels `C`, a positive integer
   * @param options - see {@link BatchNorm2dOptions}
   * @throws {@link InvalidValueError} on a bad size, `eps`, `momentum` or unknown option
   */
  constructor(numFeatures: number, options: BatchNorm2dOptions = {}) {
    super();
    const fn = 'BatchNorm2d';
    checkOptions(fn, options, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.numFeatures = checkInt(fn, 'numFeatures', numFeatures);
    this.eps = checkNumber(fn, 'eps', options.eps ?? BATCH_NORM2D_DEFAULTS.eps, 0);
    const momentum = options.momentum === undefined ? BATCH_NORM2D_DEFAULTS.momentum : options.momentum;
    if (momentum !== null && (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1))) {
      throw new InvalidValueError(`${fn}: momentum must be a number in [0, 1] or null, got ${show(momentum)}`);
    }
    this.momentum = momentum;
    this.affine = checkBool(fn, 'affine', options.affine ?? BATCH_NORM2D_DEFAULTS.affine);
    this.trackRunningStats = checkBool(fn, 'trackRunningStats', options.trackRunningStats ?? BATCH_NORM2D_DEFAULTS.trackRunningStats);
    const c = numFeatures;
    this.weight = this.affine ? this.registerParameter('weight', tf.ones([c])) : null;
    this.bias = this.affine ? this.registerParameter('bias', tf.zeros([c])) : null;
    if (this.trackRunningStats) {
      this.runningMean = this.registerBuffer('running_mean', tf.zeros([c]));
      this.runningVar = this.registerBuffer('running_var', tf.ones([c]));
      this.numBatchesTracked = this.registerBuffer('num_batches_tracked', tf.scalar(0, 'int32'));
    } else {
      this.runningMean = null;
      this.runningVar = null;
      this.numBatchesTracked = null;
    }
  }

  /**
   * Normalises `x`; in training mode with running statistics, also updates them.
   * @param x - input `[n, h, w, numFeatures]`, float32
   * @returns output of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4 with `numFeatures` channels
   * @throws {@link InvalidValueError} in training mode when there is only one value per channel
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('BatchNorm2d', x, 4, this.numFeatures);
    checkFloat('BatchNorm2d', x);
    const useBatch = this.training || !this.trackRunningStats;
    const [n, h, w] = x.shape as number[];
    const count = n * h * w;
    if (useBatch && count <= 1) {
      throw new InvalidValueError(`BatchNorm2d: x must have more than 1 value per channel in training mode, got shape [${x.shape}]`);
    }
    return tf.tidy(() => {
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (useBatch) {
        const m = tf.moments(x, [0, 1, 2]);
        mean = m.mean;
        variance = m.variance;
        if (this.training && this.trackRunningStats) this.updateRunningStats(mean, variance, count);
      } else {
        mean = this.runningMean as tf.Tensor;
        variance = this.runningVar as tf.Tensor;
      }
      let scale = tf.rsqrt(tf.add(variance, this.eps));
      if (this.weight) scale = tf.mul(scale, this.weight);
      let shift = tf.neg(tf.mul(mean, scale));
      if (this.bias) shift = tf.add(shift, this.bias);
      return tf.add(tf.mul(x, scale), shift);
    });
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const rm = this.runningMean as tf.Variable;
    const rv = this.runningVar as tf.Variable;
    const nbt = this.numBatchesTracked as tf.Variable;
    tf.tidy(() => {
      const tracked = tf.add(nbt, tf.scalar(1, 'int32'));
      const factor = this.momentum ?? 1 / (tracked.dataSync()[0] as number);
      const unbiased = tf.mul(variance, count / (count - 1));
      rm.assign(tf.add(tf.mul(rm, 1 - factor), tf.mul(mean, factor)));
      rv.assign(tf.add(tf.mul(rv, 1 - factor), tf.mul(unbiased, factor)));
      nbt.assign(tracked);
    });
  }
}
