import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { CONV2D_LAYOUT, DEPTHWISE_LAYOUT, LINEAR_LAYOUT, depthwiseLayout } from '../../src/nn/layouts';
import { describeBackends, expectTensorDelta } from '../helpers';

/** A tensor whose value at each index encodes the index (digits), so mappings can be read off. */
function coded(shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let flat = 0; flat < size; flat++) {
    let r = flat;
    let code = 0;
    let mul = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      code += (r % shape[d]) * mul;
      r = Math.floor(r / shape[d]);
      mul *= 10;
    }
    data[flat] = code;
  }
  return tf.tensor(data, shape);
}

describeBackends('CONV2D_LAYOUT', () => {
  it('maps native HWIO [kh,kw,i,o] to torch OIHW with torch[o,i,y,x] = native[y,x,i,o]', async () => {
    const native = coded([2, 3, 4, 5]); // value = y·1000 + x·100 + i·10 + o
    expect(CONV2D_LAYOUT.torchShape([2, 3, 4, 5])).toEqual([5, 4, 2, 3]);
    const torch = await expectTensorDelta(() => CONV2D_LAYOUT.toTorch(native), 1);
    const t = torch.arraySync() as number[][][][];
    expect(t[4][3][1][2]).toBe(1 * 1000 + 2 * 100 + 3 * 10 + 4);
    expect(t[0][1][0][2]).toBe(0 * 1000 + 2 * 100 + 1 * 10 + 0);
    const back = CONV2D_LAYOUT.fromTorch(torch);
    expect(Array.from(back.dataSync())).toEqual(Array.from(native.dataSync()));
    for (const x of [native, torch, back]) x.dispose();
  });
  it('rejects a rank-3 shape with a ShapeError', () => {
    expect(() => CONV2D_LAYOUT.torchShape([3, 3, 4])).toThrow(ShapeError);
  });
});

describeBackends('depthwiseLayout', () => {
  it('maps native [kh,kw,c,m] to torch [c·m,1,kh,kw] with output channel c·m + m in both (m=2)', () => {
    const layout = depthwiseLayout(2);
    const native = coded([2, 3, 4, 2]); // value = y·1000 + x·100 + c·10 + m
    expect(layout.torchShape([2, 3, 4, 2])).toEqual([8, 1, 2, 3]);
    const torch = layout.toTorch(native);
    const t = torch.arraySync() as number[][][][];
    // torch channel 7 = c 3, m 1; tap (1, 2)
    expect(t[7][0][1][2]).toBe(1000 + 200 + 30 + 1);
    expect(t[2][0][0][1]).toBe(0 + 100 + 10 + 0);
    const back = layout.fromTorch(torch);
    expect(back.shape).toEqual([2, 3, 4, 2]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(native.dataSync()));
    for (const x of [native, torch, back]) x.dispose();
  });
  it('DEPTHWISE_LAYOUT is the multiplier-1 layout: [3,3,c,1] ↔ [c,1,3,3]', () => {
    expect(DEPTHWISE_LAYOUT.torchShape([3, 3, 8, 1])).toEqual([8, 1, 3, 3]);
    const t = tf.zeros([8, 1, 3, 3]);
    const n = DEPTHWISE_LAYOUT.fromTorch(t);
    expect(n.shape).toEqual([3, 3, 8, 1]);
    t.dispose();
    n.dispose();
  });
  it('rejects a bad multiplier and a torch shape whose second axis is not 1', () => {
    expect(() => depthwiseLayout(0)).toThrow(InvalidValueError);
    const t = tf.zeros([8, 2, 3, 3]);
    expect(() => depthwiseLayout(2).fromTorch(t)).toThrow(/must have shape \[cin\*2, 1, kh, kw\]/);
    t.dispose();
  });
});

describeBackends('LINEAR_LAYOUT', () => {
  it('maps native [in,out] to torch [out,in] by transposition', () => {
    const native = coded([3, 2]); // value = i·10 + o
    const torch = LINEAR_LAYOUT.toTorch(native);
    expect(torch.arraySync()).toEqual([
      [0, 10, 20],
      [1, 11, 21],
    ]);
    expect(LINEAR_LAYOUT.torchShape([3, 2])).toEqual([2, 3]);
    const back = LINEAR_LAYOUT.fromTorch(torch);
    expect(back.arraySync()).toEqual(native.arraySync());
    for (const x of [native, torch, back]) x.dispose();
  });
});
