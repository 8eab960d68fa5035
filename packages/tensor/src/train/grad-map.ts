import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '../errors';

/** Gradients by name, as `tf.variableGrads` returns them (variable name → gradient). @category Training */
export type GradMap = Record<string, tf.Tensor>;

/** Validates a gradient map (internal): an object whose every value is a live tf.Tensor. */
export function checkGradMap(fn: string, grads: unknown): asserts grads is GradMap {
  if (typeof grads !== 'object' || grads === null || Array.isArray(grads) || grads instanceof tf.Tensor) {
    throw new InvalidValueError(`${fn}: grads must be an object of tensors (name → gradient), got ${grads === null ? 'null' : Array.isArray(grads) ? 'an array' : typeof grads}`);
  }
  for (const [name, g] of Object.entries(grads)) {
    if (!(g instanceof tf.Tensor)) {
      throw new InvalidValueError(`${fn}: grads['${name}'] must be a tf.Tensor, got ${g === null ? 'null' : typeof g}`);
    }
    if (g.isDisposed) throw new InvalidValueError(`${fn}: grads['${name}'] has been disposed`);
  }
}

/** Validates a positive finite threshold (internal). */
export function checkPositive(fn: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new InvalidValueError(`${fn}: ${name} must be a positive finite number, got ${String(v)}`);
  }
}
