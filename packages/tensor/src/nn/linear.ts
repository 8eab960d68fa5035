/**
 * Fully connected layer with PyTorch's `nn.Linear` semantics.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, checkOptions } from '../errors';
import type { Rng } from '../random/rng';
import { kaimingUniform, uniform } from './init';
import { checkBool, checkFloat, checkInt, checkMinRank, checkRng } from './internal';
import { LINEAR_LAYOUT } from './layouts';
import { Module } from './module';

/** Options of {@link Linear}. @category Modules */
export interface LinearOptions {
  /** Whether to add a learnable bias. @defaultValue true */
  bias?: boolean;
  /** Generator for the initial weights. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * A fully connected layer that computes `y = x · Wᵀ + b` over the last axis, as PyTorch's
 * `nn.Linear`.
 *
 * Any leading shape is kept: `(…, inFeatures) → (…, outFeatures)`. Parameters: `weight`
 * (PyTorch `[out, in]` in the state dict, native `[in, out]`) and `bias` (`[out]`), both
 * initialised from `U(±1/√inFeatures)` as PyTorch.
 * @example
 * ```ts
 * const fc = new Linear(128, 10);
 * const logits = fc.call(tf.zeros([4, 128])); // [4, 10]; caller disposes
 * ```
 * @category Modules
 */
export class Linear extends Module {
  /** Size of the last input axis. */
  readonly inFeatures: number;
  /** Size of the last output axis. */
  readonly outFeatures: number;
  /** Whether the layer has a bias. */
  readonly hasBias: boolean;
  /** Weight variable, native `[in, out]`. */
  readonly weight: tf.Variable;
  /** Bias variable `[out]`, or null without bias. */
  readonly bias: tf.Variable | null;

  /**
   * @param inFeatures - size of the last input axis, a positive integer
   * @param outFeatures - size of the last output axis, a positive integer
   * @param options - see {@link LinearOptions}
   * @throws {@link InvalidValueError} on a bad size or unknown option
   */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    const fn = 'Linear';
    checkOptions(fn, options, ['bias', 'rng']);
    this.inFeatures = checkInt(fn, 'inFeatures', inFeatures);
    this.outFeatures = checkInt(fn, 'outFeatures', outFeatures);
    this.hasBias = checkBool(fn, 'bias', options.bias ?? true);
    const rng = checkRng(fn, options.rng);
    this.weight = this.registerParameter(
      'weight',
      kaimingUniform([inFeatures, outFeatures], inFeatures, { a: Math.sqrt(5), rng }),
      LINEAR_LAYOUT,
    );
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias = this.hasBias ? this.registerParameter('bias', uniform([outFeatures], -bound, bound, rng)) : null;
  }

  /**
   * Applies the layer.
   * @param x - input `[…, inFeatures]` (rank ≥ 1), float32
   * @returns output `[…, outFeatures]`; the caller disposes it
   * @throws {@link ShapeError} if the last axis of `x` is not `inFeatures`
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkMinRank('Linear', x, 1);
    checkFloat('Linear', x);
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear: x must have ${this.inFeatures} features on its last axis, got shape [${x.shape}]`);
    }
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      let y = tf.matMul(tf.reshape(x, [-1, this.inFeatures]), this.weight as tf.Tensor2D);
      if (this.bias) y = tf.add(y, this.bias);
      return tf.reshape(y, [...lead, this.outFeatures]);
    });
  }
}
