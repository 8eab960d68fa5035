import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FormatError, InvalidValueError } from '../../../src/errors';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readSafetensors,
  readSafetensorsFile,
  writeSafetensors,
  writeSafetensorsSync,
  type RawTensor,
} from '../../../src/io/weights/index';
import { describeBackends, expectTensorDelta } from '../../helpers';
import { le, mulberry32 } from './fixtures';

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** A safetensors file assembled by hand: u64 LE header length, header text, data bytes. */
function handFile(header: string, data: number[], headerLength?: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  return new Uint8Array([...le(headerLength ?? h.length, 8), ...h, ...data]);
}

/** The data region of a file written by writeSafetensors. */
function dataRegion(file: Uint8Array): Uint8Array {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return file.subarray(8 + n);
}

function u16s(bytes: Uint8Array): number[] {
  return Array.from(new Uint16Array(bytes.slice().buffer));
}

const f32 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);

describe('readSafetensors', () => {
  it('decodes a hand-built two-tensor file with metadata', () => {
    const header =
      '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},' +
      '"n":{"dtype":"I64","shape":[],"data_offsets":[16,24]}}   ';
    const file = handFile(header, [...f32([1, -2, 0.5, 3]), ...le(-3, 8)]);
    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.w.dtype).toBe('F32');
    expect(tensors.w.shape).toEqual([2, 2]);
    expect(Array.from(tensors.w.data as Float32Array)).toEqual([1, -2, 0.5, 3]);
    expect(tensors.n.shape).toEqual([]);
    expect(Array.from(tensors.n.data as BigInt64Array)).toEqual([-3n]);
  });

  it('reads a pooled Node Buffer (non-zero byteOffset) like a plain Uint8Array', () => {
    const file = writeSafetensorsSync({ a: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } });
    const buf = Buffer.from(file);
    expect(readSafetensors(buf)).toEqual(readSafetensors(file));
  });

  it('decodes F16 0x3555 as 1365/4096 and BF16 0x3eab as 0.333984375', () => {
    const header = '{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]}}';
    const { tensors } = readSafetensors(handFile(header, [0x55, 0x35, 0xab, 0x3e]));
    expect(tensors.h.data[0]).toBe(1365 / 4096); // (1024 + 0x155) · 2^(13 − 25)
    expect(tensors.b.data[0]).toBe(0.333984375); // 0x3eab0000 as float32
  });

  it("keeps a tensor named '__proto__' as an own key without touching the prototype", () => {
    const { tensors } = readSafetensors(handFile('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [9]));
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Array.from(Object.getOwnPropertyDescriptor(tensors, '__proto__')!.value.data)).toEqual([9]);
  });

  it('rejects a header length larger than the file, at byte 0', () => {
    const file = handFile('{}', [], 1000);
    const err = catchError(() => readSafetensors(file)) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain('header length');
    expect(err.offset).toBe(0);
  });

  it('rejects a header length beyond 2^53 and a file shorter than 8 bytes', () => {
    const huge = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0xff, 0x7b, 0x7d]);
    expect(catchError(() => readSafetensors(huge))).toBeInstanceOf(FormatError);
    expect(catchError(() => readSafetensors(new Uint8Array(5)))).toBeInstanceOf(FormatError);
  });

  it('rejects invalid JSON with the offset of the offending character', () => {
    const err = catchError(() => readSafetensors(handFile('{"a" 1}', []))) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain('JSON');
    expect(err.offset).toBe(8 + 5); // V8 reports position 5, the '1' after the key
  });

  it('rejects a header that is not an object, or not UTF-8', () => {
    expect(catchError(() => readSafetensors(handFile('[1]', [])))).toBeInstanceOf(FormatError);
    expect(catchError(() => readSafetensors(new Uint8Array([...le(3, 8), 0x7b, 0xff, 0x7d])))).toBeInstanceOf(FormatError);
  });

  it('rejects overlapping data_offsets, naming the tensor', () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
    const err = catchError(() => readSafetensors(handFile(header, Array(12).fill(0)))) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain("'b' overlaps");
    expect(err.offset).toBe(8 + header.length + 4);
  });

  it('rejects out-of-bounds data_offsets, naming the tensor', () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';
    const err = catchError(() => readSafetensors(handFile(header, Array(12).fill(0)))) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain("'b'.data_offsets");
  });

  it('rejects a gap, trailing bytes, and a span that does not match shape × dtype', () => {
    const gap = '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}';
    const e1 = catchError(() => readSafetensors(handFile(gap, [1, 2, 3, 4, 5]))) as FormatError;
    expect(e1.message).toContain('gap');
    const trailing = '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}';
    const e2 = catchError(() => readSafetensors(handFile(trailing, [1, 2, 3]))) as FormatError;
    expect(e2.message).toContain('cover the data region');
    const span = '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}';
    const e3 = catchError(() => readSafetensors(handFile(span, Array(8).fill(0)))) as FormatError;
    expect(e3.message).toContain('must span 12 bytes');
    for (const e of [e1, e2, e3]) expect(e).toBeInstanceOf(FormatError);
  });

  it('rejects an unknown dtype and a non-string metadata value', () => {
    const e1 = catchError(() => readSafetensors(handFile('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', [0]))) as Error;
    expect(e1).toBeInstanceOf(FormatError);
    expect(e1.message).toContain("'a'.dtype");
    const e2 = catchError(() => readSafetensors(handFile('{"__metadata__":{"k":1}}', []))) as Error;
    expect(e2).toBeInstanceOf(FormatError);
    expect(e2.message).toContain("__metadata__['k']");
  });

  it('throws FormatError for every truncation of a written file and for seeded random bytes', () => {
    const file = writeSafetensorsSync({
      a: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) },
      b: { dtype: 'I64', shape: [1], data: new BigInt64Array([5n]) },
    });
    for (let cut = 0; cut < file.length; cut++) {
      expect(catchError(() => readSafetensors(file.subarray(0, cut)))).toBeInstanceOf(FormatError);
    }
    const rand = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const b = new Uint8Array(Math.floor(rand() * 300));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
      if (b.length >= 8 && i % 2 === 0) b.set(le(Math.floor(rand() * (b.length - 8)), 8)); // plausible lengths
      if (b.length > 8) b[8] = 0x7b;
      expect(catchError(() => readSafetensors(b))).toBeInstanceOf(FormatError);
    }
  });
});

describe('readSafetensorsFile', () => {
  it('reads a file from disk like readSafetensors reads its bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-st-'));
    try {
      const bytes = writeSafetensorsSync({ a: { dtype: 'I16', shape: [2], data: new Int16Array([-3, 4]) } }, { k: 'v' });
      writeFileSync(join(dir, 'a.safetensors'), bytes);
      expect(await readSafetensorsFile(join(dir, 'a.safetensors'))).toEqual(readSafetensors(bytes));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writeSafetensorsSync', () => {
  it('writes the exact bytes of a hand-derived file (compact JSON padded with spaces to 8)', () => {
    const file = writeSafetensorsSync({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) } });
    const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 bytes → padded to 56
    expect(file).toEqual(handFile(`${json}  `, [...f32([1, -2])]));
  });

  it('round-trips every dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL) with metadata', () => {
    const raw: Record<string, RawTensor> = {
      f64: { dtype: 'F64', shape: [2], data: new Float32Array([0.1, -3]) },
      f32: { dtype: 'F32', shape: [2, 1], data: new Float32Array([1.5, -0]) },
      f16: { dtype: 'F16', shape: [3], data: new Float32Array([1, 0.5, -65504]) },
      bf16: { dtype: 'BF16', shape: [2], data: new Float32Array([1, -2]) },
      i64: { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 62n), 2n ** 40n]) },
      i32: { dtype: 'I32', shape: [2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
      i16: { dtype: 'I16', shape: [1], data: new Int16Array([-32768]) },
      i8: { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) },
      u8: { dtype: 'U8', shape: [1], data: new Uint8Array([255]) },
      bool: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    };
    const { tensors, metadata } = readSafetensors(writeSafetensorsSync(raw, { format: 'pt', note: 'x' }));
    expect(metadata).toEqual({ format: 'pt', note: 'x' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(raw).sort());
    for (const [k, v] of Object.entries(raw)) {
      expect(tensors[k].dtype, k).toBe(v.dtype);
      expect(tensors[k].shape, k).toEqual(v.shape);
      expect(tensors[k].data, k).toEqual(v.data);
    }
  });

  it('encodes F16 rounding to nearest even: 1/3→0x3555, 65504→0x7bff, 65520→Inf, 2^-25→0, 3·2^-25→0x0002', () => {
    const values = [1 / 3, 65504, 65520, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -0, -Infinity, 1e-8, 6.1e-5];
    // 1+2^-11 ties to 1 (0x3c00, even); 1+3·2^-11 ties up to 0x3c02; 1e-8 < 2^-25 → 0;
    // 6.1e-5 = 0.99942·2^-14 → subnormal 1023.4·2^-24 → 0x03ff
    const expected = [0x3555, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x0002, 0x3c00, 0x3c02, 0x8000, 0xfc00, 0x0000, 0x03ff];
    const file = writeSafetensorsSync({ h: { dtype: 'F16', shape: [values.length], data: new Float32Array(values) } });
    expect(u16s(dataRegion(file)).map((b) => b.toString(16))).toEqual(expected.map((b) => b.toString(16)));
    const nan = u16s(dataRegion(writeSafetensorsSync({ h: { dtype: 'F16', shape: [1], data: new Float32Array([NaN]) } })))[0];
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });

  it('encodes BF16 rounding to nearest even: 1/3→0x3eab, 1+2^-8→0x3f80, 1+3·2^-8→0x3f82, max float→Inf', () => {
    const values = [1 / 3, 1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2, 3.4028234663852886e38];
    const expected = [0x3eab, 0x3f80, 0x3f80, 0x3f82, 0xc000, 0x7f80];
    const file = writeSafetensorsSync({ b: { dtype: 'BF16', shape: [values.length], data: new Float32Array(values) } });
    expect(u16s(dataRegion(file)).map((b) => b.toString(16))).toEqual(expected.map((b) => b.toString(16)));
  });

  it('aligns the data region to 8 bytes and every tensor to its element size', () => {
    const file = writeSafetensorsSync({
      a: { dtype: 'U8', shape: [3], data: new Uint8Array(3) },
      b: { dtype: 'F64', shape: [1], data: new Float32Array(1) },
      c: { dtype: 'F16', shape: [1], data: new Float32Array(1) },
    });
    const n = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
    expect(header.b.data_offsets[0] % 8).toBe(0);
    expect(header.c.data_offsets[0] % 2).toBe(0);
  });

  it('rejects the name __metadata__, non-string metadata and malformed RawTensors with InvalidValueError', () => {
    const t = { dtype: 'F32', shape: [1], data: new Float32Array(1) } as RawTensor;
    const e1 = catchError(() => writeSafetensorsSync({ __metadata__: t })) as Error;
    expect(e1).toBeInstanceOf(InvalidValueError);
    expect(e1.message).toContain('__metadata__');
    const e2 = catchError(() => writeSafetensorsSync({ t }, { k: 1 as unknown as string })) as Error;
    expect(e2).toBeInstanceOf(InvalidValueError);
    expect(e2.message).toContain("metadata['k']");
    const bad = { dtype: 'I64', shape: [2], data: new Int32Array(2) } as unknown as RawTensor;
    const e3 = catchError(() => writeSafetensorsSync({ bad })) as Error;
    expect(e3).toBeInstanceOf(InvalidValueError);
    expect(e3.message).toContain("tensors['bad']");
    expect(e3.message).toContain('BigInt64Array');
  });
});

describeBackends('writeSafetensors', () => {
  it('writes float32/int32/bool tfjs tensors as F32/I32/BOOL and creates no tensors', async () => {
    const w = tf.tensor2d([[1, 2], [3, 4.5]]);
    const i = tf.tensor1d([-7, 9], 'int32');
    const m = tf.tensor1d([true, false], 'bool');
    const file = await expectTensorDelta(() => writeSafetensors({ w, i, m }), 0);
    const sync = await expectTensorDelta(() => writeSafetensorsSync({ w, i, m }), 0);
    expect(sync).toEqual(file);
    const { tensors } = readSafetensors(file);
    expect(tensors.w).toEqual({ dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4.5]) });
    expect(tensors.i).toEqual({ dtype: 'I32', shape: [2], data: new Int32Array([-7, 9]) });
    expect(tensors.m).toEqual({ dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) });
    tf.dispose([w, i, m]);
  });

  it('rejects a disposed tensor and a string tensor with InvalidValueError naming it', async () => {
    const d = tf.scalar(1);
    d.dispose();
    await expect(writeSafetensors({ d })).rejects.toThrow(/tensors\['d'\] must not be disposed/);
    const s = tf.tensor1d(['a'], 'string');
    await expect(expectTensorDelta(() => writeSafetensors({ s }))).rejects.toThrow(InvalidValueError);
    await expect(writeSafetensors({ s })).rejects.toThrow(/tensors\['s'\]\.dtype must be float32, int32 or bool, got string/);
    s.dispose();
  });
});
