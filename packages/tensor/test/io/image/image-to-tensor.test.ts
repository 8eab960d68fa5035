import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError, imageToTensor } from '../../../src/index';
import { describeBackends, expectTensorDelta } from '../../helpers';

const rgb2 = { width: 2, height: 1, channels: 3 as const, data: new Uint8Array([255, 0, 0, 51, 102, 255]) };

describeBackends('imageToTensor', () => {
  it('scales 8-bit samples to v/255 in float32, shape [H, W, C]', async () => {
    const t = await expectTensorDelta(() => imageToTensor(rgb2), 1);
    expect(t.shape).toEqual([1, 2, 3]);
    expect(t.dtype).toBe('float32');
    // 51/255 = 0.2, 102/255 = 0.4 (rounded once to float32).
    expect(Array.from(t.dataSync())).toEqual(Array.from(new Float32Array([1, 0, 0, 0.2, 0.4, 1])));
    t.dispose();
  });

  it('scales 16-bit samples by 1/65535 and keeps integer values for int32', () => {
    const img16 = { width: 1, height: 1, channels: 1 as const, data: new Uint16Array([65535]) };
    const f = imageToTensor(img16);
    expect(f.dataSync()[0]).toBe(1);
    const i = imageToTensor(img16, { dtype: 'int32' });
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([65535]);
    const i8 = imageToTensor(rgb2, { dtype: 'int32' });
    expect(Array.from(i8.dataSync())).toEqual([255, 0, 0, 51, 102, 255]);
    tf.dispose([f, i, i8]);
  });

  it('converts channels: RGB → grey by BT.601 luma, grey → RGB/RGBA, RGBA → RGB drops alpha', () => {
    const values = (img: Parameters<typeof imageToTensor>[0], channels?: 1 | 3 | 4): number[] => {
      const t = imageToTensor(img, channels === undefined ? { dtype: 'int32' } : { dtype: 'int32', channels });
      const v = Array.from(t.dataSync());
      t.dispose();
      return v;
    };
    // Pixel (255, 0, 0): 0.299·255 = 76.245 → 76 as int32, 0.299 as float. Pixel (51, 102, 255):
    // 0.299·51 + 0.587·102 + 0.114·255 = 15.249 + 59.874 + 29.07 = 104.193 → 104.
    expect(values(rgb2, 1)).toEqual([76, 104]);
    const greyF = imageToTensor(rgb2, { channels: 1 });
    expect(greyF.dataSync()[0]).toBeCloseTo(0.299, 6);
    const ga = { width: 1, height: 1, channels: 2 as const, data: new Uint8Array([10, 20]) };
    expect(values(ga, 4)).toEqual([10, 10, 10, 20]);
    expect(values(ga, 3)).toEqual([10, 10, 10]);
    expect(values(ga)).toEqual([10, 20]);
    const rgba = { width: 1, height: 1, channels: 4 as const, data: new Uint8Array([1, 2, 3, 4]) };
    expect(values(rgba, 3)).toEqual([1, 2, 3]);
    expect(values(rgb2, 4)).toEqual([255, 0, 0, 255, 51, 102, 255, 255]);
    greyF.dispose();
  });

  it('throws typed errors naming the argument, allocating nothing', async () => {
    await expect(expectTensorDelta(() => imageToTensor({ ...rgb2, data: new Uint8Array(5) }))).rejects.toThrow(ShapeError);
    expect(() => imageToTensor(rgb2, { channels: 2 as never })).toThrow(/imageToTensor: channels must be 1, 3 or 4, got 2/);
    expect(() => imageToTensor(rgb2, { dtype: 'bool' as never })).toThrow(InvalidValueError);
    expect(() => imageToTensor(rgb2, { scale: 1 } as never)).toThrow(/unknown option 'scale'/);
    expect(() => imageToTensor(null as never)).toThrow(/imageToTensor: image must be an object/);
  });
});
