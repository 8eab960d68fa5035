import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, saveCheckpoint } from '../../src/index';
import { Tiny } from './tiny';
import { describeBackends, expectTensorDelta } from '../helpers';

/** Parses a safetensors header by hand: u64 LE length, then JSON. */
function header(bytes: Uint8Array): { json: Record<string, any>; dataStart: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  return { json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), dataStart: 8 + n };
}

describeBackends('saveCheckpoint', () => {
  it('writes the state dict in PyTorch layout: weight [2, 3] transposed, F32 bias, I32 buffer, format pt', async () => {
    const model = new Tiny();
    const bytes = await expectTensorDelta(() => saveCheckpoint(model, { metadata: { epoch: '3' } }), 0);
    const { json, dataStart } = header(bytes);
    expect(json.__metadata__).toEqual({ format: 'pt', epoch: '3' });
    expect(json.weight.dtype).toBe('F32');
    expect(json.weight.shape).toEqual([2, 3]);
    expect(json.bias).toMatchObject({ dtype: 'F32', shape: [2] });
    expect(json.steps).toMatchObject({ dtype: 'I32', shape: [] });
    const [b, e] = json.weight.data_offsets as [number, number];
    const w = new Float32Array(bytes.slice(dataStart + b, dataStart + e).buffer);
    // PyTorch weight[o][i] = native[i][o]: rows (1, 3, 5) and (2, 4, 6).
    expect(Array.from(w)).toEqual([1, 3, 5, 2, 4, 6]);
    const [sb, se] = json.steps.data_offsets as [number, number];
    expect(Array.from(new Int32Array(bytes.slice(dataStart + sb, dataStart + se).buffer))).toEqual([7]);
    model.dispose();
  });

  it('throws InvalidValueError for a non-module, a disposed module and non-string metadata', async () => {
    const model = new Tiny();
    await expect(saveCheckpoint({} as never)).rejects.toThrow(/saveCheckpoint: model must be a Module/);
    await expect(saveCheckpoint(model, { metadata: { epoch: 3 as never } })).rejects.toThrow(/metadata\['epoch'\] must be a string, got number/);
    await expect(saveCheckpoint(model, { meta: {} } as never)).rejects.toThrow(InvalidValueError);
    model.dispose();
    await expect(saveCheckpoint(model)).rejects.toThrow(/saveCheckpoint: model has been disposed/);
  });
});
