/**
 * Argument checks shared by the public functions of `@lab/imbalance` (not exported from the
 * package). Every check throws a typed `@lab/tensor` error whose message names the function and
 * the argument: "`<function>`: `<argument>` must be `<expected>`, got `<actual>`".
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';

/** A short printable form of a value, for error messages. */
export function show(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof tf.Tensor) return `a tensor of shape [${v.shape}]`;
  if (Array.isArray(v)) return v.length > 8 ? `an array of length ${v.length}` : `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Throws unless `v` is a finite number within [lo, hi] (bounds inclusive unless `open`). */
export function checkNumber(fn: string, arg: string, v: unknown, lo = -Infinity, hi = Infinity, open: { lo?: boolean; hi?: boolean } = {}): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (open.lo ? v > lo : v >= lo) &&
    (open.hi ? v < hi : v <= hi);
  if (!ok) {
    const l = lo === -Infinity ? '' : `${open.lo ? '>' : '>='} ${lo}`;
    const h = hi === Infinity ? '' : `${open.hi ? '<' : '<='} ${hi}`;
    const range = [l, h].filter((s) => s !== '').join(' and ');
    throw new InvalidValueError(`${fn}: ${arg} must be a finite number${range ? ` ${range}` : ''}, got ${show(v)}`);
  }
  return v as number;
}

/** Throws unless `v` is an integer ≥ `min`. */
export function checkInt(fn: string, arg: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidValueError(`${fn}: ${arg} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a boolean. */
export function checkBool(fn: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidValueError(`${fn}: ${arg} must be a boolean, got ${show(v)}`);
  return v;
}

/** Throws unless `v` is one of `choices`. */
export function checkChoice<T extends string>(fn: string, arg: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    throw new InvalidValueError(`${fn}: ${arg} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** Throws unless `v` is a live tensor. */
export function checkTensor(fn: string, arg: string, v: unknown): tf.Tensor {
  if (!(v instanceof tf.Tensor)) throw new ShapeError(`${fn}: ${arg} must be a tf.Tensor, got ${show(v)}`);
  if (v.isDisposed) throw new InvalidValueError(`${fn}: ${arg} must not be disposed`);
  return v;
}

/** Throws unless `v` is an options object (or undefined). */
export function checkObject(fn: string, arg: string, v: unknown): void {
  if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) {
    throw new InvalidValueError(`${fn}: ${arg} must be an object, got ${show(v)}`);
  }
}

/**
 * Checks a per-class list of finite numbers of length `classes` (when given), each ≥ `min`;
 * returns a copy as a plain array.
 */
export function checkNumberList(fn: string, arg: string, v: unknown, classes?: number, min = -Infinity, integer = false): number[] {
  const isList = Array.isArray(v) || ArrayBuffer.isView(v);
  if (!isList) throw new InvalidValueError(`${fn}: ${arg} must be an array of numbers, got ${show(v)}`);
  const list = Array.from(v as ArrayLike<number>);
  if (classes !== undefined && list.length !== classes) {
    throw new ShapeError(`${fn}: ${arg} must have one entry per class (${classes}), got length ${list.length}`);
  }
  if (list.length === 0) throw new InvalidValueError(`${fn}: ${arg} must not be empty`);
  list.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || (integer && !Number.isInteger(x))) {
      const what = integer ? `an integer >= ${min}` : min === -Infinity ? 'a finite number' : `a finite number >= ${min}`;
      throw new InvalidValueError(`${fn}: ${arg}[${i}] must be ${what}, got ${show(x)}`);
    }
  });
  return list;
}

/**
 * Checks a pair of multi-label tensors: `logits` `[N, C]` and `targets` of the same shape.
 * @returns `[N, C]`
 */
export function checkLogitsTargets(fn: string, logits: unknown, targets: unknown): [number, number] {
  const x = checkTensor(fn, 'logits', logits);
  const y = checkTensor(fn, 'targets', targets);
  if (x.rank !== 2) throw new ShapeError(`${fn}: logits must have shape [N, C], got [${x.shape}]`);
  if (y.rank !== 2 || y.shape[0] !== x.shape[0] || y.shape[1] !== x.shape[1]) {
    throw new ShapeError(`${fn}: targets must have the logits' shape [${x.shape}], got [${y.shape}]`);
  }
  const [n, c] = x.shape as [number, number];
  if (n === 0 || c === 0) throw new ShapeError(`${fn}: logits must not be empty, got [${x.shape}]`);
  return [n, c];
}

/**
 * Checks a single-label pair: `logits` `[N, K]` and integer class `labels` `[N]`.
 * @returns `[N, K]`
 */
export function checkLogitsLabels(fn: string, logits: unknown, labels: unknown): [number, number] {
  const x = checkTensor(fn, 'logits', logits);
  const y = checkTensor(fn, 'labels', labels);
  if (x.rank !== 2) throw new ShapeError(`${fn}: logits must have shape [N, K], got [${x.shape}]`);
  if (y.rank !== 1 || y.shape[0] !== x.shape[0]) {
    throw new ShapeError(`${fn}: labels must have shape [${x.shape[0]}] (one class index per sample), got [${y.shape}]`);
  }
  const [n, k] = x.shape as [number, number];
  if (n === 0 || k < 2) throw new ShapeError(`${fn}: logits must have N >= 1 rows and K >= 2 classes, got [${x.shape}]`);
  const values = y.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new InvalidValueError(`${fn}: labels must be class indices in [0, ${k}), got ${v} at [${i}]`);
    }
  }
  return [n, k];
}
