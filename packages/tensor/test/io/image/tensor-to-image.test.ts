import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError, imageToTensor, tensorToImage } from '../../../src/index';
import { Rng } from '../../../src/random/rng';
import { describeBackends, expectTensorDelta } from '../../helpers';

describeBackends('tensorToImage', () => {
  it('rounds half to even and clamps, range 0-255', async () => {
    const t = tf.tensor3d([0.5, 1.5, 2.5, 254.5, 3.49, -3, 300, Infinity, -Infinity], [1, 9, 1]);
    const img = await expectTensorDelta(() => tensorToImage(t, { range: '0-255' }), 0);
    // Ties go to the even neighbour: 0.5 → 0, 1.5 → 2, 2.5 → 2, 254.5 → 254; out-of-range values clamp.
    expect(img).toEqual({ width: 9, height: 1, channels: 1, bitDepth: 8, data: new Uint8Array([0, 2, 2, 254, 3, 0, 255, 255, 0]) });
    t.dispose();
  });

  it('multiplies by 255 in float32 before rounding, range 0-1', () => {
    // 0.5·255 = 127.5 → 128 (even); float32(0.2)·255 = 51.000000…76 → float32 51 → 51; 1 → 255; 1.2 → clamps.
    const t = tf.tensor3d([0.5, 0.2, 1, 1.2, -0.1, 0.5 / 255, 1.5 / 255], [1, 7, 1]);
    const img = tensorToImage(t);
    expect(Array.from(img.data)).toEqual([128, 51, 255, 255, 0, 0, 2]);
    tf.dispose(t);
  });

  it('writes 16-bit samples scaled to 65535', () => {
    const t = tf.tensor3d([0, 0.5, 1, 128], [1, 2, 2]);
    const first = tf.slice(t, [0, 0, 0], [1, 2, 1]);
    const img = tensorToImage(first, { bitDepth: 16 });
    // 0.5·65535 = 32767.5 → 32768 (even).
    expect(img).toEqual({ width: 2, height: 1, channels: 1, bitDepth: 16, data: new Uint16Array([0, 65535]) });
    const both = tensorToImage(t, { bitDepth: 16, range: '0-255' });
    // range 0-255 to 16 bits multiplies by 65535/255 = 257: 0.5·257 = 128.5 → 128, 128·257 = 32896.
    expect(Array.from(both.data)).toEqual([0, 128, 257, 32896]);
    tf.dispose([t, first]);
  });

  it('inverts imageToTensor exactly for 8- and 16-bit images', () => {
    const rng = new Rng(2);
    for (const [Arr, max] of [[Uint8Array, 256], [Uint16Array, 65536]] as const) {
      const data = new Arr(5 * 3 * 4).map(() => rng.int(0, max));
      const img = { width: 5, height: 3, channels: 4 as const, bitDepth: (max === 256 ? 8 : 16) as 8 | 16, data };
      const t = imageToTensor(img);
      expect(tensorToImage(t, { bitDepth: img.bitDepth })).toEqual(img);
      const ti = imageToTensor(img, { dtype: 'int32' });
      expect(tensorToImage(ti, { bitDepth: img.bitDepth, range: '0-255' }).data).toEqual(
        max === 256 ? data : new Uint16Array(data.length).map((_, i) => Math.min(65535, data[i] * 257)),
      );
      tf.dispose([t, ti]);
    }
  });

  it('throws InvalidValueError for NaN naming the position, ShapeError for wrong rank/channels/dtype', async () => {
    const nan = tf.tensor3d([0, 0, 0, NaN], [2, 1, 2]);
    await expect(expectTensorDelta(() => tensorToImage(nan))).rejects.toThrow(InvalidValueError);
    expect(() => tensorToImage(nan)).toThrow(/tensorToImage: t must not contain NaN, got NaN at \[1, 0, 1\]/);
    const r4 = tf.zeros([1, 2, 2, 3]);
    expect(() => tensorToImage(r4 as never)).toThrow(ShapeError);
    expect(() => tensorToImage(r4 as never)).toThrow(/t must have rank 3 \[height, width, channels\], got shape \[1,2,2,3\]/);
    const c5 = tf.zeros([2, 2, 5]) as tf.Tensor3D;
    expect(() => tensorToImage(c5)).toThrow(/1–4 channels/);
    const b = tf.zeros([1, 1, 1], 'bool') as tf.Tensor3D;
    expect(() => tensorToImage(b)).toThrow(/dtype float32 or int32, got bool/);
    const z = tf.zeros([0, 2, 3]) as tf.Tensor3D;
    expect(() => tensorToImage(z)).toThrow(/non-empty height and width/);
    const ok = tf.zeros([1, 1, 1]) as tf.Tensor3D;
    expect(() => tensorToImage(ok, { range: '0-65535' as never })).toThrow(/range must be '0-1' or '0-255'/);
    expect(() => tensorToImage(ok, { clamp: true } as never)).toThrow(/unknown option 'clamp'/);
    tf.dispose([nan, r4, c5, b, z, ok]);
  });
});
