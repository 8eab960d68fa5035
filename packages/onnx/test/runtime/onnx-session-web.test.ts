import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { OnnxSession, matMulOnnxModel, type OrtRuntime } from '../../src/browser';

describe('OnnxSession (browser entry)', () => {
  it('runs matMulOnnxModel(1,2,1) on onnxruntime-web (wasm, here in Node) equal to b00 + b10', async () => {
    const runtime: OrtRuntime = ortWeb; // onnxruntime-web fits the structural runtime type
    const session = await OnnxSession.create(matMulOnnxModel(1, 2, 1), { runtime });
    const [out] = await session.runData(Float32Array.of(1, 1), [1, 2]);
    // B of matMulOnnxModel: LCG from seed 12345, s ← 1103515245·s + 12345 mod 2³², b = s/2³² − 0.5.
    let s = 12345;
    const b: number[] = [];
    for (let i = 0; i < 2; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      b.push(Math.fround(s / 2 ** 32 - 0.5));
    }
    expect(Math.abs(out.data[0] - (b[0] + b[1]))).toBeLessThan(1e-6);
    await session.release();
  });
});
