/**
 * Inverted dropout with a seeded mask, as PyTorch's `nn.Dropout`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '../errors';
import type { Rng } from '../random/rng';
import { checkFloat, checkMinRank, checkNumber, checkRng } from './internal';
import { Module } from './module';

/** Options of {@link Dropout}. @category Modules */
export interface DropoutOptions {
  /**
   * Generator for the masks; read at every call, so a fixed generator gives a repeatable
   * sequence of masks.
   * @defaultValue `getGlobalRng()` (looked up at each call)
   */
  rng?: Rng;
}

/**
 * A dropout layer that computes `y = x · m / (1 − p)` with `m` an element-wise Bernoulli(1 − p)
 * mask in training mode, and `y = x` in eval mode, as PyTorch's `nn.Dropout`.
 *
 * An element is kept when its uniform draw `u ∈ [0, 1)` satisfies `u ≥ p`; `p = 1` zeroes
 * everything. The mask is drawn from the layer's generator, so runs repeat bit for bit.
 * @see Srivastava et al. 2014, JMLR 15; `torch.nn.Dropout`
 * @example
 * ```ts
 * const drop = new Dropout(0.1, { rng: new Rng(0) });
 * const y = drop.call(x); // training: about 10% zeros, the rest scaled by 1/0.9
 * drop.eval();            // now the identity (returns a copy)
 * ```
 * @category Modules
 */
export class Dropout extends Module {
  /** Probability of zeroing an element. */
  readonly p: number;
  private readonly rng: Rng | undefined;

  /**
   * @param p - drop probability in [0, 1]
   * @param options - see {@link DropoutOptions}
   * @throws {@link InvalidValueError} if `p` is outside [0, 1], or on an unknown option
   */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    checkOptions('Dropout', options, ['rng']);
    this.p = checkNumber('Dropout', 'p', p, 0, 1);
    if (options.rng !== undefined) checkRng('Dropout', options.rng);
    this.rng = options.rng;
  }

  /**
   * Applies dropout (training) or the identity (eval).
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkMinRank('Dropout', x, 0);
    checkFloat('Dropout', x);
    if (!this.training || this.p === 0) return tf.clone(x);
    if (this.p === 1) return tf.zerosLike(x);
    const rng = checkRng('Dropout', this.rng);
    const u = rng.uniform(x.size);
    const keep = 1 / (1 - this.p);
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = u[i] >= this.p ? keep : 0;
    return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
  }
}
