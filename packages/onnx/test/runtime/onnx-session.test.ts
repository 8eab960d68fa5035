import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError, initBackend } from '@lab/tensor';
import * as ort from 'onnxruntime-node';
import { OnnxSession, matMulOnnxModel, type OrtRuntime } from '../../src/index';
import { expectTensorDelta } from '../helpers';

beforeAll(async () => {
  await initBackend();
});

/** The same LCG as matMulOnnxModel's documented B (seed 12345), recomputed here. */
function expectedB(k: number, n: number): Float32Array {
  const b = new Float32Array(k * n);
  let s = 12345;
  for (let i = 0; i < b.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s / 2 ** 32 - 0.5;
  }
  return b;
}

describe('OnnxSession', () => {
  it('runs matMulOnnxModel(3,4,5) equal to a host triple loop within 1e-6', async () => {
    const session = await OnnxSession.create(matMulOnnxModel(3, 4, 5), { threads: 2 });
    expect(session.threads).toBe(2);
    expect(session.inputNames).toEqual(['input']);
    const a = Float32Array.from({ length: 12 }, (_, i) => i - 6);
    const [out] = await session.runData(a, [3, 4]);
    const b = expectedB(4, 5);
    expect(out.shape).toEqual([3, 5]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 5; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += a[i * 4 + k] * b[k * 5 + j];
        expect(Math.abs(out.data[i * 5 + j] - s)).toBeLessThan(1e-6);
      }
    }
    await session.release();
  });

  it('accepts an explicitly passed runtime module (onnxruntime-node fits OrtRuntime)', async () => {
    const runtime: OrtRuntime = ort;
    const session = await OnnxSession.create(matMulOnnxModel(1, 2, 1), { runtime, threads: 1 });
    const [out] = await session.runData(Float32Array.of(1, 1), [1, 2]);
    const b = expectedB(2, 1);
    expect(Math.abs(out.data[0] - (b[0] + b[1]))).toBeLessThan(1e-6);
    await session.release();
  });

  it('returns exactly one new tensor from run and keeps the input', async () => {
    const session = await OnnxSession.create(matMulOnnxModel(2, 2, 2));
    const x = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const y = await expectTensorDelta(() => session.run(x), 1);
    expect(y.shape).toEqual([2, 2]);
    // identity · B = B
    expect(Array.from(y.dataSync())).toEqual(Array.from(expectedB(2, 2)));
    tf.dispose([x, y]);
    await session.release();
  });

  it('throws typed errors for a bad shape, a bad option, an empty model and a released session', async () => {
    await expect(OnnxSession.create(new Uint8Array(0))).rejects.toThrow(InvalidValueError);
    await expect(OnnxSession.create(new Uint8Array([1, 2, 3]))).rejects.toThrow(/ONNX Runtime rejected the model/);
    await expect(OnnxSession.create(matMulOnnxModel(1, 1, 1), { threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
    await expect(OnnxSession.create(matMulOnnxModel(1, 1, 1), { thread: 1 } as never)).rejects.toThrow(/unknown option 'thread'/);
    const session = await OnnxSession.create(matMulOnnxModel(2, 2, 2));
    await expect(session.runData(new Float32Array(4), [3, 2])).rejects.toThrow(ShapeError);
    await session.release();
    await expect(session.runData(new Float32Array(4), [2, 2])).rejects.toThrow(/released/);
    expect(() => matMulOnnxModel(0, 1, 1)).toThrow(/m must be a positive integer/);
  });
});
