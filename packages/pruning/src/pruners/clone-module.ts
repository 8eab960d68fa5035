/**
 * A structural copy of a module tree with some modules replaced.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@lab/tensor';

/**
 * Copies `root` and everything it owns: modules become new objects of the same class with their
 * own fields copied, variables become new variables (sharing the unchanged data until assigned),
 * arrays, maps, sets and plain objects are copied; modules in `replace` are substituted by their
 * replacement wherever they appear (registered children and fields alike). Forward hooks are not
 * copied. Non-variable tensors, functions, frozen objects and other class instances are shared.
 * @returns the copy and the copy of every original module
 * @internal
 */
export function cloneModule(root: Module<any, any>, replace: ReadonlyMap<Module<any, any>, Module<any, any>>): {
  copy: Module<any, any>;
  copies: Map<Module<any, any>, Module<any, any>>;
} {
  const memo = new Map<unknown, unknown>();
  const copies = new Map<Module<any, any>, Module<any, any>>();
  const created: tf.Variable[] = [];

  const clone = (value: unknown): unknown => {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
    if (typeof value === 'function') return value;
    if (memo.has(value)) return memo.get(value);
    if (value instanceof Module) {
      const replacement = replace.get(value);
      if (replacement) {
        memo.set(value, replacement);
        copies.set(value, replacement);
        return replacement;
      }
      const copy = Object.create(Object.getPrototypeOf(value)) as Module<any, any>;
      memo.set(value, copy);
      copies.set(value, copy);
      for (const key of Reflect.ownKeys(value)) {
        const d = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
        if ('value' in d) d.value = key === '_hooks' ? new Set() : clone(d.value);
        Object.defineProperty(copy, key, d);
      }
      return copy;
    }
    if (value instanceof tf.Variable) {
      const v = tf.variable(value, value.trainable);
      created.push(v);
      memo.set(value, v);
      return v;
    }
    if (value instanceof tf.Tensor || Object.isFrozen(value)) return value;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      memo.set(value, out);
      for (const v of value) out.push(clone(v));
      return out;
    }
    if (value instanceof Map) {
      const out = new Map();
      memo.set(value, out);
      for (const [k, v] of value) out.set(clone(k), clone(v));
      return out;
    }
    if (value instanceof Set) {
      const out = new Set();
      memo.set(value, out);
      for (const v of value) out.add(clone(v));
      return out;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const out = Object.create(proto) as Record<PropertyKey, unknown>;
      memo.set(value, out);
      for (const key of Reflect.ownKeys(value)) out[key] = clone((value as Record<PropertyKey, unknown>)[key]);
      return out;
    }
    return value;
  };

  try {
    return { copy: clone(root) as Module<any, any>, copies };
  } catch (e) {
    for (const v of created) v.dispose();
    throw e;
  }
}
