/**
 * An indexable list of sub-modules, as PyTorch's `nn.ModuleList`.
 * @packageDocumentation
 */
import { InvalidValueError, NotAvailableError } from '../errors';
import { checkIndex, show } from './internal';
import { Module } from './module';

/**
 * A container that registers modules under `'0'`, `'1'`, … without defining a forward pass, as
 * PyTorch's `nn.ModuleList`: the parent iterates over it in its own `forward`.
 *
 * Parameters are named `<list>.<i>.<name>` as in PyTorch. Calling the list itself throws
 * {@link NotAvailableError}.
 * @example
 * ```ts
 * class Body extends Module {
 *   blocks = this.registerModule('blocks', new ModuleList([new Conv2d(8, 8, 3, { padding: 1 }), new ReLU()]));
 *   forward(x: tf.Tensor) { return tf.tidy(() => { for (const b of this.blocks) x = b.call(x); return x; }); }
 * }
 * ```
 * @category Modules
 */
export class ModuleList<M extends Module<any, any> = Module<any, any>> extends Module<unknown[], never> {
  /**
   * @param modules - initial entries
   * @throws {@link InvalidValueError} if an entry is not a Module
   */
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Number of entries. */
  get length(): number {
    return this.children().length;
  }

  /**
   * Entry `i`; negative indices count from the end, as in Python.
   * @throws {@link InvalidValueError} if `i` is out of range
   */
  get(i: number): M {
    return this.children()[checkIndex('ModuleList.get', i, this.length)] as M;
  }

  /** Adds `module` at the end (name `String(length)`) and returns `this`. */
  append(module: M): this {
    if (!(module instanceof Module)) {
      throw new InvalidValueError(`ModuleList: entry ${this.length} must be a Module, got ${show(module)}`);
    }
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Iterates over the entries in order. */
  [Symbol.iterator](): Iterator<M> {
    return (this.children() as M[])[Symbol.iterator]();
  }

  /**
   * A ModuleList has no forward pass.
   * @throws {@link NotAvailableError} always
   */
  forward(): never {
    throw new NotAvailableError('ModuleList.forward: a ModuleList is not callable; iterate over it in the parent forward');
  }
}
