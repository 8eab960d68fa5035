import { InvalidValueError, NotAvailableError } from '../../errors';
import { decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16 } from './half-float';

/**
 * Element types of stored tensors, named as in the safetensors header (`F32`, `BF16`, …).
 * Every PyTorch storage class maps to one of them (`FloatStorage` → `F32`, `LongStorage` → `I64`).
 * @category Weights
 */
export type TorchDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** The in-memory arrays a {@link RawTensor} can hold. @category Weights */
export type RawTensorData = Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/**
 * A tensor as stored in a weight file, decoded to a plain typed array: `dtype` is the stored
 * element type and `data` holds the values in row-major (C) order, so element `[i, j]` of a
 * `[m, n]` tensor is `data[i * n + j]`.
 *
 * The array type follows from `dtype`: all float types (`F64`, `F32`, `F16`, `BF16`) are held as
 * `Float32Array` (half types decoded exactly, `F64` rounded to float32); `I64` as `BigInt64Array`
 * (convert with {@link rawToInt32}); `I32` `Int32Array`; `I16` `Int16Array`; `I8` `Int8Array`;
 * `U8` `Uint8Array`; `BOOL` `Uint8Array` of 0/1. A scalar has `shape` `[]` and one element.
 * The caller owns `data`; it never aliases the input bytes.
 * @category Weights
 */
export interface RawTensor {
  /** Stored element type. */
  dtype: TorchDtype;
  /** Dimensions, outermost first (PyTorch order, e.g. OIHW for convolution weights). */
  shape: number[];
  /** Values in row-major order, `product(shape)` of them. */
  data: RawTensorData;
}

/** Bytes per element and the in-memory array of each dtype. */
export const DTYPE_INFO: Readonly<
  Record<TorchDtype, { bytes: number; array: 'f32' | 'i64' | 'i32' | 'i16' | 'i8' | 'u8' }>
> = Object.freeze({
  F64: { bytes: 8, array: 'f32' },
  F32: { bytes: 4, array: 'f32' },
  F16: { bytes: 2, array: 'f32' },
  BF16: { bytes: 2, array: 'f32' },
  I64: { bytes: 8, array: 'i64' },
  I32: { bytes: 4, array: 'i32' },
  I16: { bytes: 2, array: 'i16' },
  I8: { bytes: 1, array: 'i8' },
  U8: { bytes: 1, array: 'u8' },
  BOOL: { bytes: 1, array: 'u8' },
});

/** Every supported dtype name. */
export const TORCH_DTYPES = Object.freeze(Object.keys(DTYPE_INFO)) as readonly TorchDtype[];

/** True when `name` is a supported dtype. */
export function isTorchDtype(name: unknown): name is TorchDtype {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_INFO, name);
}

function arrayMatches(dtype: TorchDtype, data: unknown): boolean {
  switch (DTYPE_INFO[dtype].array) {
    case 'f32':
      return data instanceof Float32Array;
    case 'i64':
      return data instanceof BigInt64Array;
    case 'i32':
      return data instanceof Int32Array;
    case 'i16':
      return data instanceof Int16Array;
    case 'i8':
      return data instanceof Int8Array;
    case 'u8':
      return data instanceof Uint8Array;
  }
}

/** Name of the array type a dtype is held in, for messages. */
export function arrayTypeName(dtype: TorchDtype): string {
  return {
    f32: 'Float32Array',
    i64: 'BigInt64Array',
    i32: 'Int32Array',
    i16: 'Int16Array',
    i8: 'Int8Array',
    u8: 'Uint8Array',
  }[DTYPE_INFO[dtype].array];
}

/**
 * Tells whether `value` is a well-formed {@link RawTensor}: a known `dtype`, a `shape` of
 * non-negative integers, and a `data` array of the dtype's array type holding exactly
 * `product(shape)` elements.
 * @param value - anything, e.g. a node of the tree returned by `readTorchCheckpoint`
 * @returns true when `value` is a RawTensor
 * @example
 * ```ts
 * const tree = readTorchCheckpoint(bytes);
 * if (isRawTensor(tree['weight'])) console.log(tree['weight'].shape);
 * ```
 * @category Weights
 */
export function isRawTensor(value: unknown): value is RawTensor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<RawTensor>;
  if (!isTorchDtype(v.dtype) || !Array.isArray(v.shape)) return false;
  let n = 1;
  for (const d of v.shape) {
    if (!Number.isSafeInteger(d) || d < 0) return false;
    n *= d;
  }
  return arrayMatches(v.dtype, v.data) && (v.data as RawTensorData).length === n;
}

/**
 * Converts the values of an integer {@link RawTensor} to an `Int32Array`, checking that every
 * value fits in int32 (needed for `I64`, which PyTorch uses for all integer buffers such as
 * `num_batches_tracked`).
 * @param raw - a tensor of dtype I64, I32, I16, I8, U8 or BOOL
 * @param name - what to call the tensor in error messages
 * @returns a new `Int32Array` of `product(raw.shape)` values; the caller owns it
 * @throws InvalidValueError when `raw` is not an integer RawTensor or a value lies outside
 *   [-2^31, 2^31 − 1] (the message gives the index and the value)
 * @example
 * ```ts
 * const steps = rawToInt32(dict['bn.num_batches_tracked'])[0];
 * ```
 * @category Weights
 */
export function rawToInt32(raw: RawTensor, name = 'raw'): Int32Array {
  if (!isRawTensor(raw)) throw new InvalidValueError(`rawToInt32: ${name} must be a RawTensor, got ${describe(raw)}`);
  const data = raw.data;
  if (data instanceof Float32Array) {
    throw new InvalidValueError(`rawToInt32: ${name} must have an integer dtype, got ${raw.dtype}`);
  }
  if (data instanceof BigInt64Array) {
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < -2147483648n || v > 2147483647n) {
        throw new InvalidValueError(
          `rawToInt32: ${name}[${i}] must fit in int32 [-2147483648, 2147483647], got ${v}`,
        );
      }
      out[i] = Number(v);
    }
    return out;
  }
  return Int32Array.from(data);
}

/** Short description of a value's type, for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  return `${typeof value} ${String(value)}`;
}

/** Sets an own enumerable property, also for keys such as `__proto__` (never the prototype). */
export function putKey<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

let littleEndian: boolean | undefined;

/** Throws NotAvailableError on big-endian hosts, where the typed-array fast paths would be wrong. */
export function requireLittleEndianHost(fn: string): void {
  littleEndian ??= new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (!littleEndian) throw new NotAvailableError(`${fn}: weight files can only be read on little-endian hosts`);
}

/**
 * Decodes `bytes` (little-endian elements of `dtype`, length a multiple of the element size)
 * into the dtype's in-memory array. Copies; never aliases `bytes`.
 */
export function decodeRawData(dtype: TorchDtype, bytes: Uint8Array): RawTensorData {
  // A fresh, aligned buffer (not `slice()`, which returns a view for Node Buffers).
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const buf = copy.buffer;
  const n = copy.length / DTYPE_INFO[dtype].bytes;
  switch (dtype) {
    case 'F64':
      return Float32Array.from(new Float64Array(buf, 0, n));
    case 'F32':
      return new Float32Array(buf, 0, n);
    case 'F16':
      return decodeFloat16(new Uint16Array(buf, 0, n));
    case 'BF16':
      return decodeBfloat16(new Uint16Array(buf, 0, n));
    case 'I64':
      return new BigInt64Array(buf, 0, n);
    case 'I32':
      return new Int32Array(buf, 0, n);
    case 'I16':
      return new Int16Array(buf, 0, n);
    case 'I8':
      return new Int8Array(buf, 0, n);
    case 'U8':
      return copy;
    case 'BOOL':
      for (let i = 0; i < n; i++) copy[i] = copy[i] !== 0 ? 1 : 0;
      return copy;
  }
}

/** Allocates an empty in-memory array of `dtype` with `n` elements. */
export function allocRawData(dtype: TorchDtype, n: number): RawTensorData {
  switch (DTYPE_INFO[dtype].array) {
    case 'f32':
      return new Float32Array(n);
    case 'i64':
      return new BigInt64Array(n);
    case 'i32':
      return new Int32Array(n);
    case 'i16':
      return new Int16Array(n);
    case 'i8':
      return new Int8Array(n);
    case 'u8':
      return new Uint8Array(n);
  }
}

/**
 * Encodes an in-memory array as little-endian bytes of `dtype` (F16/BF16 round to nearest even,
 * F64 widens exactly, BOOL writes 0/1). The array type must match the dtype (checked by callers).
 */
export function encodeRawData(dtype: TorchDtype, data: RawTensorData): Uint8Array {
  switch (dtype) {
    case 'F64': {
      const out = Float64Array.from(data as Float32Array);
      return new Uint8Array(out.buffer);
    }
    case 'F16':
      return new Uint8Array(encodeFloat16(data as Float32Array).buffer);
    case 'BF16':
      return new Uint8Array(encodeBfloat16(data as Float32Array).buffer);
    case 'BOOL':
      return Uint8Array.from(data as Uint8Array, (v) => (v !== 0 ? 1 : 0));
    default:
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
}
