/**
 * A chain of modules applied in order, as PyTorch's `nn.Sequential`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '../errors';
import { checkIndex, checkMinRank, show } from './internal';
import { Module } from './module';

/**
 * A module that applies its children in order, `y = f_{k−1}(… f_1(f_0(x)))`, as PyTorch's
 * `nn.Sequential`.
 *
 * Children are registered under `'0'`, `'1'`, …, so parameter names (`0.weight`, `2.bias`) match
 * a PyTorch `Sequential`'s `state_dict` keys. Intermediate outputs are freed once the next child
 * has consumed them; a forward hook that keeps one must `tf.keep` or clone it.
 * @example
 * ```ts
 * const body = new Sequential(new Conv2d(3, 16, 3, { padding: 1 }), new ReLU(), new Conv2d(16, 3, 3, { padding: 1 }));
 * const y = body.call(tf.zeros([1, 8, 8, 3])); // [1, 8, 8, 3]
 * Object.keys(body.stateDict()); // ['0.weight', '0.bias', '2.weight', '2.bias']
 * ```
 * @category Modules
 */
export class Sequential extends Module {
  /**
   * @param modules - the children, in application order
   * @throws {@link InvalidValueError} if an argument is not a Module
   */
  constructor(...modules: Module<any, any>[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Number of children. */
  get length(): number {
    return this.children().length;
  }

  /**
   * Child `i`; negative indices count from the end, as in Python.
   * @throws {@link InvalidValueError} if `i` is out of range
   */
  get(i: number): Module<any, any> {
    return this.children()[checkIndex('Sequential.get', i, this.length)];
  }

  /** Adds `module` at the end (name `String(length)`) and returns `this`. */
  append(module: Module<any, any>): this {
    if (!(module instanceof Module)) {
      throw new InvalidValueError(`Sequential: module ${this.length} must be a Module, got ${show(module)}`);
    }
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Iterates over the children in order. */
  [Symbol.iterator](): Iterator<Module<any, any>> {
    return this.children()[Symbol.iterator]();
  }

  /**
   * Applies the children in order (an empty Sequential returns a copy of `x`).
   * @param x - input of the first child
   * @returns output of the last child; the caller disposes it
   * @throws whatever a child throws (a {@link ShapeError} for a mismatched input)
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkMinRank('Sequential', x, 0);
    const children = this.children();
    return tf.tidy(() => {
      let y: tf.Tensor = children.length === 0 ? tf.clone(x) : x;
      for (const child of children) y = child.call(y) as tf.Tensor;
      return y;
    });
  }
}
