import * as tf from '@tensorflow/tfjs-core';
import { FormatError, InvalidValueError } from '../../errors';
import {
  DTYPE_INFO,
  TORCH_DTYPES,
  arrayTypeName,
  decodeRawData,
  encodeRawData,
  describe,
  isRawTensor,
  isTorchDtype,
  putKey,
  requireLittleEndianHost,
  type RawTensor,
  type RawTensorData,
  type TorchDtype,
} from './raw-tensor';
import { readFileBytes } from './read-file-bytes';

/** What {@link readSafetensors} returns. @category Weights */
export interface SafetensorsContents {
  /** Tensors by name, in file order (integer-like names first, as JavaScript orders keys). */
  tensors: Record<string, RawTensor>;
  /** The `__metadata__` string map of the header; `{}` when absent. */
  metadata: Record<string, string>;
}

/** Largest header accepted, as in the reference implementation (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a little-endian u64 as a number, or undefined when it exceeds 2^53 − 1. */
function readU64(bytes: Uint8Array, at: number): number | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi >= 0x200000) return undefined;
  return hi * 2 ** 32 + lo;
}

/** Character offset of a JSON.parse error, when the engine reports one. */
function jsonErrorPosition(message: string, text: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  if (m) return Number(m[1]);
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) {
    const lines = text.split('\n');
    let pos = 0;
    for (let i = 0; i < Number(lc[1]) - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    return pos + Number(lc[2]) - 1;
  }
  if (/end of JSON input/i.test(message)) return text.length;
  return undefined;
}

/** UTF-8 byte length of the first `chars` UTF-16 units of `text`. */
function utf8Length(text: string, chars: number): number {
  return new TextEncoder().encode(text.slice(0, chars)).length;
}

/**
 * Parses a safetensors file into raw tensors and its metadata map, validating the whole layout.
 *
 * Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (an object mapping
 * each tensor name to `{dtype, shape, data_offsets: [begin, end]}`, plus an optional
 * `__metadata__` string map; trailing spaces allowed), then the data region. Offsets are relative
 * to the data region. As the format requires, the tensors' byte ranges must tile the data
 * region exactly (no gaps, no overlaps, ending at the end of the file), and each range must hold
 * exactly `product(shape) × sizeof(dtype)` bytes. F16/BF16/F64 values are decoded to float32,
 * I64 to `BigInt64Array` (see {@link RawTensor}).
 * @param bytes - the whole file
 * @returns tensors by name and the metadata map; the caller owns the arrays (they do not alias `bytes`)
 * @throws InvalidValueError when `bytes` is not a Uint8Array
 * @throws FormatError (with the byte offset) for a truncated file, a header length beyond the
 *   file, invalid UTF-8 or JSON, an unknown dtype, a bad shape, offsets out of bounds,
 *   overlapping or leaving a gap, or a byte span that does not match shape × dtype
 * @see https://github.com/huggingface/safetensors (format definition)
 * @example
 * ```ts
 * const { tensors } = readSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * const dict = stateDictFromRaw(tensors);
 * model.loadStateDict(dict);
 * disposeStateDict(dict);
 * ```
 * @category Weights
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsContents {
  const fn = 'readSafetensors';
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidValueError(`${fn}: bytes must be a Uint8Array, got ${describe(bytes)}`);
  }
  requireLittleEndianHost(fn);
  if (bytes.length < 8) {
    throw new FormatError(`${fn}: file must hold at least the 8-byte header length, got ${bytes.length} bytes`, 0);
  }
  const n = readU64(bytes, 0);
  if (n === undefined || n > bytes.length - 8) {
    throw new FormatError(
      `${fn}: header length must be at most ${bytes.length - 8} (the bytes after it), got ${n ?? 'more than 2^53'}`,
      0,
    );
  }
  if (n > MAX_HEADER_BYTES) {
    throw new FormatError(`${fn}: header length must be at most ${MAX_HEADER_BYTES}, got ${n}`, 0);
  }
  if (n < 2 || bytes[8] !== 0x7b) {
    throw new FormatError(`${fn}: header must be a JSON object starting with '{'`, 8);
  }
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new FormatError(`${fn}: header must be valid UTF-8`, 8);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = jsonErrorPosition(msg, text);
    throw new FormatError(`${fn}: header must be valid JSON (${msg})`, 8 + (pos === undefined ? 0 : utf8Length(text, pos)));
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new FormatError(`${fn}: header must be a JSON object`, 8);
  }
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: TorchDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) {
        throw new FormatError(`${fn}: __metadata__ must be an object of strings, got ${describe(info)}`, 8);
      }
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          throw new FormatError(`${fn}: __metadata__['${k}'] must be a string, got ${describe(v)}`, 8);
        }
        putKey(metadata, k, v);
      }
      continue;
    }
    if (typeof info !== 'object' || info === null || Array.isArray(info)) {
      throw new FormatError(`${fn}: header entry '${name}' must be an object, got ${describe(info)}`, 8);
    }
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (!isTorchDtype(dtype)) {
      throw new FormatError(
        `${fn}: '${name}'.dtype must be one of ${TORCH_DTYPES.join(', ')}, got ${describe(dtype)}`,
        8,
      );
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new FormatError(`${fn}: '${name}'.shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`, 8);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
    ) {
      throw new FormatError(
        `${fn}: '${name}'.data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`,
        8,
      );
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength) {
      throw new FormatError(
        `${fn}: '${name}'.data_offsets must satisfy begin ≤ end ≤ ${dataLength} (the data region), got [${begin}, ${end}]`,
        dataStart + Math.min(begin, dataLength),
      );
    }
    let numel = 1;
    for (const d of shape as number[]) numel *= d;
    const expected = numel * DTYPE_INFO[dtype].bytes;
    if (expected !== end - begin) {
      throw new FormatError(
        `${fn}: '${name}' must span ${expected} bytes (shape [${(shape as number[]).join(', ')}] × ${dtype}), got ${end - begin}`,
        dataStart + begin,
      );
    }
    entries.push({ name, dtype, shape: (shape as number[]).slice(), begin, end });
  }

  // The ranges must tile [0, dataLength) exactly.
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin < cursor) {
      throw new FormatError(`${fn}: '${e.name}' overlaps the previous tensor (data_offsets [${e.begin}, ${e.end}])`, dataStart + e.begin);
    }
    if (e.begin > cursor) {
      throw new FormatError(`${fn}: data region has a gap before '${e.name}' (bytes ${cursor}–${e.begin} unused)`, dataStart + cursor);
    }
    cursor = e.end;
  }
  if (cursor !== dataLength) {
    throw new FormatError(
      `${fn}: tensors must cover the data region of ${dataLength} bytes exactly, got ${cursor}`,
      dataStart + cursor,
    );
  }

  const tensors: Record<string, RawTensor> = {};
  for (const e of sorted) {
    const data = decodeRawData(e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end));
    putKey(tensors, e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/** What may be written: a tfjs tensor (float32 → F32, int32 → I32, bool → BOOL) or a RawTensor. @category Weights */
export type SafetensorsInput = tf.Tensor | RawTensor;

interface PreparedEntry {
  name: string;
  dtype: TorchDtype;
  shape: number[];
  tensor?: tf.Tensor;
  raw?: RawTensor;
}

const TF_DTYPES: Readonly<Partial<Record<tf.DataType, TorchDtype>>> = Object.freeze({
  float32: 'F32',
  int32: 'I32',
  bool: 'BOOL',
});

function prepare(fn: string, tensors: unknown, metadata: unknown): { entries: PreparedEntry[]; meta: Record<string, string> } {
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors)) {
    throw new InvalidValueError(`${fn}: tensors must be an object of tensors, got ${describe(tensors)}`);
  }
  const meta: Record<string, string> = {};
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new InvalidValueError(`${fn}: metadata must be an object of strings, got ${describe(metadata)}`);
    }
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new InvalidValueError(`${fn}: metadata['${k}'] must be a string, got ${describe(v)}`);
      putKey(meta, k, v);
    }
  }
  const entries: PreparedEntry[] = [];
  for (const [name, value] of Object.entries(tensors as Record<string, unknown>)) {
    if (name === '__metadata__' || name.length === 0) {
      throw new InvalidValueError(`${fn}: tensor name must be non-empty and not '__metadata__', got '${name}'`);
    }
    if (value instanceof tf.Tensor) {
      if (value.isDisposed) throw new InvalidValueError(`${fn}: tensors['${name}'] must not be disposed`);
      const dtype = TF_DTYPES[value.dtype];
      if (!dtype) {
        throw new InvalidValueError(`${fn}: tensors['${name}'].dtype must be float32, int32 or bool, got ${value.dtype}`);
      }
      entries.push({ name, dtype, shape: value.shape.slice(), tensor: value });
    } else if (isRawTensor(value)) {
      entries.push({ name, dtype: value.dtype, shape: value.shape.slice(), raw: value });
    } else {
      const v = value as Partial<RawTensor> | null;
      const hint =
        v && typeof v === 'object' && isTorchDtype(v.dtype)
          ? ` (a ${v.dtype} RawTensor needs a ${arrayTypeName(v.dtype)} of product(shape) elements)`
          : '';
      throw new InvalidValueError(`${fn}: tensors['${name}'] must be a tf.Tensor or a RawTensor, got ${describe(value)}${hint}`);
    }
  }
  // Widest elements first keeps every tensor aligned to its element size; then by name.
  entries.sort(
    (a, b) => DTYPE_INFO[b.dtype].bytes - DTYPE_INFO[a.dtype].bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return { entries, meta };
}

function assemble(entries: PreparedEntry[], datas: RawTensorData[], meta: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(meta).length > 0) putKey(header, '__metadata__', meta);
  const blobs: Uint8Array[] = [];
  let offset = 0;
  entries.forEach((e, i) => {
    // tfjs bool data arrives as Uint8Array and int32 as Int32Array; RawTensors were checked.
    const blob = encodeRawData(e.dtype, datas[i]);
    putKey(header, e.name, { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + blob.length] });
    offset += blob.length;
    blobs.push(blob);
  });
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded % 2 ** 32, true);
  dv.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Serialises tensors into a safetensors file, reading tfjs tensors with `await tensor.data()`.
 *
 * The header is compact JSON padded with spaces to a multiple of 8 bytes, so the data region
 * starts 8-byte aligned; tensors are laid out widest dtype first, then by name, which keeps
 * every tensor aligned to its element size. tfjs tensors are written as F32 (float32), I32
 * (int32) or BOOL (bool). A {@link RawTensor} is written in its own `dtype`: F16/BF16 are encoded
 * from float32 rounding to nearest even, F64 widens the float32 values. No tensor is created or
 * disposed; the caller keeps ownership of the inputs.
 * @param tensors - tensors by name (PyTorch layout if the file is meant for PyTorch)
 * @param metadata - optional string map stored as `__metadata__`
 * @returns the file bytes
 * @throws InvalidValueError for a name that is empty or `__metadata__`, a disposed tensor, a tfjs
 *   dtype other than float32/int32/bool, a malformed RawTensor, or a non-string metadata value
 * @see {@link writeSafetensorsSync} for the synchronous variant
 * @example
 * ```ts
 * const bytes = await writeSafetensors(model.stateDict(), { format: 'pt' });
 * await fs.writeFile('model.safetensors', bytes);
 * ```
 * @category Weights
 */
export async function writeSafetensors(
  tensors: Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): Promise<Uint8Array> {
  const { entries, meta } = prepare('writeSafetensors', tensors, metadata);
  const datas: RawTensorData[] = [];
  for (const e of entries) datas.push(e.raw ? e.raw.data : ((await e.tensor!.data()) as RawTensorData));
  return assemble(entries, datas, meta);
}

/**
 * Serialises tensors into a safetensors file like {@link writeSafetensors}, reading tfjs tensors
 * with `dataSync()` (blocks on GPU backends; fine on cpu and wasm).
 * @param tensors - tensors by name
 * @param metadata - optional string map stored as `__metadata__`
 * @returns the file bytes
 * @throws InvalidValueError as for {@link writeSafetensors}
 * @example
 * ```ts
 * const bytes = writeSafetensorsSync({ w: tf.ones([2, 2]) });
 * ```
 * @category Weights
 */
export function writeSafetensorsSync(
  tensors: Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): Uint8Array {
  const { entries, meta } = prepare('writeSafetensorsSync', tensors, metadata);
  const datas = entries.map((e) => (e.raw ? e.raw.data : (e.tensor!.dataSync() as RawTensorData)));
  return assemble(entries, datas, meta);
}

/**
 * Reads a safetensors file from disk (Node only) and parses it with {@link readSafetensors}.
 * @param path - file path
 * @returns as {@link readSafetensors}
 * @throws NotAvailableError outside Node; the file system's error when the file cannot be read; otherwise as {@link readSafetensors}
 * @example
 * ```ts
 * const { tensors } = await readSafetensorsFile('model.safetensors');
 * ```
 * @category Weights
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  if (typeof path !== 'string') throw new InvalidValueError(`readSafetensorsFile: path must be a string, got ${describe(path)}`);
  return readSafetensors(await readFileBytes('readSafetensorsFile', path));
}
