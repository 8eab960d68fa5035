/**
 * Tensors as plain messages: what crosses between threads of a {@link WorkerPool}.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors';

/**
 * A tensor as plain data that `postMessage` can copy or transfer: its shape, dtype and values in
 * row-major order (NHWC for images). @category Parallel
 */
export interface TensorPayload {
  /** The tensor's shape. */
  shape: number[];
  /** The tensor's dtype. */
  dtype: 'float32' | 'int32' | 'bool';
  /** The values: `Float32Array` for float32, `Int32Array` for int32, `Uint8Array` for bool. */
  data: Float32Array | Int32Array | Uint8Array;
}

const ARRAY_OF = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;

/**
 * Copies a tensor's values into a {@link TensorPayload} (synchronously; the tensor is not disposed).
 *
 * The payload owns a fresh typed array, so it can be transferred without detaching the tensor.
 * @param t - a float32, int32 or bool tensor of any shape
 * @returns a new payload (no tensors)
 * @throws {@link ShapeError} for another dtype (complex64, string)
 * @example
 * ```ts
 * const p = tensorToPayload(tf.ones([1, 2]));
 * // { shape: [1, 2], dtype: 'float32', data: Float32Array [1, 1] }
 * ```
 * @category Parallel
 */
export function tensorToPayload(t: tf.Tensor): TensorPayload {
  if (!(t instanceof tf.Tensor)) throw new ShapeError(`tensorToPayload: t must be a tf.Tensor, got ${typeof t}`);
  const dtype = t.dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new ShapeError(`tensorToPayload: t must have dtype float32, int32 or bool, got ${dtype}`);
  }
  const values = t.dataSync();
  const data = new ARRAY_OF[dtype](values.length);
  data.set(values as ArrayLike<number>);
  return { shape: t.shape.slice(), dtype, data };
}

/**
 * Builds a tensor from a {@link TensorPayload} (the inverse of {@link tensorToPayload}).
 * @param payload - shape, dtype and matching values
 * @returns a new tensor of `payload.shape`, owned by the caller
 * @throws {@link ShapeError} when the payload is malformed (unknown dtype, wrong array type or length)
 * @example
 * ```ts
 * const t = payloadToTensor({ shape: [2], dtype: 'float32', data: new Float32Array([1, 2]) });
 * ```
 * @category Parallel
 */
export function payloadToTensor(payload: TensorPayload): tf.Tensor {
  const fn = 'payloadToTensor';
  if (payload === null || typeof payload !== 'object') throw new ShapeError(`${fn}: payload must be an object, got ${String(payload)}`);
  const { shape, dtype, data } = payload;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${fn}: payload.shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const ctor = (ARRAY_OF as Record<string, unknown>)[dtype as string] as typeof Float32Array | undefined;
  if (ctor === undefined) throw new ShapeError(`${fn}: payload.dtype must be float32, int32 or bool, got ${String(dtype)}`);
  if (!(data instanceof ctor)) throw new ShapeError(`${fn}: payload.data must be a ${ctor.name} for dtype ${dtype}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new ShapeError(`${fn}: payload.data must hold ${size} values for shape [${shape}], got ${data.length}`);
  return tf.tensor(data, shape, dtype);
}

/**
 * Collects the `ArrayBuffer`s under a message (typed arrays and buffers inside plain objects and
 * arrays), each once, for `postMessage`'s transfer list.
 * @param value - any structured-cloneable value
 * @returns the distinct buffers (shared memory excluded: it is shared, not transferred)
 * @example
 * ```ts
 * const p = tensorToPayload(x);
 * worker.postMessage(p, transferablesOf(p));
 * ```
 * @category Parallel
 */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) found.add(v.buffer);
      return;
    }
    if (v instanceof ArrayBuffer) {
      found.add(v);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) {
        visit(k);
        visit(x);
      }
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) for (const x of Object.values(v)) visit(x);
  };
  visit(value);
  return [...found];
}
