/**
 * `ShortcutBlock` of KAIR / NTIRE2022_ESR `models/basicblock.py`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@lab/tensor';

/**
 * A residual wrapper, `y = x + sub(x)`, registered as `sub` so that parameter names read
 * `<name>.sub.<i>…` as in the reference.
 * @see ofsoundof/NTIRE2022_ESR `models/basicblock.py` (`ShortcutBlock`)
 * @category Models
 */
export class ShortcutBlock extends Module {
  /** The wrapped module (its output must have the input's shape). */
  readonly sub: Module;

  /** @param sub - the residual branch; owned (and disposed) by this block */
  constructor(sub: Module) {
    super();
    this.sub = this.registerModule('sub', sub);
  }

  /**
   * @param x - input of the residual branch
   * @returns `x + sub(x)`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(x, this.sub.call(x)));
  }
}
