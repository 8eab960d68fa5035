import * as tf from '@tensorflow/tfjs-core';
import { expect, it, describe } from 'vitest';
import { InvalidValueError } from '../../../src/errors';
import { disposeStateDict, isRawTensor, rawToInt32, stateDictFromRaw, type RawTensor } from '../../../src/io/weights/index';
import { describeBackends, expectTensorDelta } from '../../helpers';

const RAW: Record<string, RawTensor> = {
  'conv.weight': { dtype: 'F32', shape: [1, 1, 1, 2], data: new Float32Array([0.5, -1]) },
  'half': { dtype: 'F16', shape: [1], data: new Float32Array([1365 / 4096]) },
  'bn.num_batches_tracked': { dtype: 'I64', shape: [], data: new BigInt64Array([-(2n ** 31n)]) },
  'u8': { dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) },
  'mask': { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
};

describeBackends('stateDictFromRaw', () => {
  it('creates float32, int32 and bool tensors with the same names, shapes and values', async () => {
    const dict = await expectTensorDelta(() => stateDictFromRaw(RAW), 5);
    expect(Object.keys(dict)).toEqual(Object.keys(RAW));
    expect(dict['conv.weight'].dtype).toBe('float32');
    expect(dict['conv.weight'].shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(dict['conv.weight'].dataSync())).toEqual([0.5, -1]);
    expect(dict.half.dataSync()[0]).toBe(1365 / 4096);
    expect(dict['bn.num_batches_tracked'].dtype).toBe('int32');
    expect(dict['bn.num_batches_tracked'].shape).toEqual([]);
    expect(dict['bn.num_batches_tracked'].dataSync()[0]).toBe(-(2 ** 31));
    expect(Array.from(dict.u8.dataSync())).toEqual([0, 255]);
    expect(dict.mask.dtype).toBe('bool');
    expect(Array.from(dict.mask.dataSync())).toEqual([1, 0]);
    await expectTensorDelta(() => disposeStateDict(dict), -5);
  });

  it('copies the data, so later writes to the raw arrays do not reach the tensors', async () => {
    const raw: Record<string, RawTensor> = { w: { dtype: 'F32', shape: [1], data: new Float32Array([2]) } };
    const dict = stateDictFromRaw(raw);
    (raw.w.data as Float32Array)[0] = 9;
    expect(dict.w.dataSync()[0]).toBe(2);
    disposeStateDict(dict);
  });

  it('rejects an I64 value beyond int32 with InvalidValueError naming key and index, leaking nothing', async () => {
    const raw: Record<string, RawTensor> = {
      ok: RAW['conv.weight'],
      steps: { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, 2n ** 31n]) },
    };
    const p = expectTensorDelta(() => stateDictFromRaw(raw), 0);
    await expect(p).rejects.toThrow(InvalidValueError);
    await expect(expectTensorDelta(() => stateDictFromRaw(raw), 0)).rejects.toThrow("raw['steps'][1]");
  });

  it('rejects a malformed entry with InvalidValueError naming the key', async () => {
    const bad = { w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } } as Record<string, RawTensor>;
    await expect(expectTensorDelta(() => stateDictFromRaw(bad), 0)).rejects.toThrow("stateDictFromRaw: raw['w']");
  });
});

describeBackends('disposeStateDict', () => {
  it('disposes every tensor and skips already-disposed ones', async () => {
    const dict = { a: tf.ones([2]), b: tf.zeros([3]) };
    dict.a.dispose();
    await expectTensorDelta(() => disposeStateDict(dict), -1);
    expect(dict.b.isDisposed).toBe(true);
  });

  it('rejects a value that is not a tensor with InvalidValueError naming the key, disposing nothing', async () => {
    const t = tf.ones([1]);
    const dict = { t, x: 3 } as unknown as Record<string, tf.Tensor>;
    await expect(expectTensorDelta(() => disposeStateDict(dict), 0)).rejects.toThrow("dict['x']");
    t.dispose();
  });
});

describe('rawToInt32', () => {
  it('converts I64 within range and rejects 2^31 naming the index', () => {
    const ok = rawToInt32({ dtype: 'I64', shape: [2], data: new BigInt64Array([-5n, 2147483647n]) });
    expect(Array.from(ok)).toEqual([-5, 2147483647]);
    expect(() => rawToInt32({ dtype: 'I64', shape: [1], data: new BigInt64Array([2n ** 31n]) }, 'n')).toThrow(
      /n\[0\] must fit in int32/,
    );
  });

  it('rejects float tensors with InvalidValueError naming the dtype', () => {
    expect(() => rawToInt32({ dtype: 'F16', shape: [1], data: new Float32Array(1) })).toThrow(/integer dtype, got F16/);
  });
});

describe('isRawTensor', () => {
  it('accepts matching dtype, array type and length and rejects any mismatch', () => {
    expect(isRawTensor({ dtype: 'I8', shape: [2, 1], data: new Int8Array(2) })).toBe(true);
    expect(isRawTensor({ dtype: 'I8', shape: [3], data: new Int8Array(2) })).toBe(false);
    expect(isRawTensor({ dtype: 'I16', shape: [2], data: new Int8Array(2) })).toBe(false);
    expect(isRawTensor({ dtype: 'F32', shape: [-1], data: new Float32Array(0) })).toBe(false);
    expect(isRawTensor({ dtype: 'F8', shape: [1], data: new Uint8Array(1) })).toBe(false);
  });
});
