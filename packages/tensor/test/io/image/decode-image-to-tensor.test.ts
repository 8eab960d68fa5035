import { expect, it } from 'vitest';
import { FormatError, decodeImageToTensor, encodePng } from '../../../src/index';
import { describeBackends, expectTensorDelta } from '../../helpers';

describeBackends('decodeImageToTensor', () => {
  const png = encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 51, 255]) });

  it('decodes to a float32 [H, W, C] tensor in [0, 1], returning exactly one tensor', async () => {
    const t = await expectTensorDelta(() => decodeImageToTensor(png), 1);
    expect(t.shape).toEqual([1, 2, 3]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(new Float32Array([1, 0, 0, 0, 0.2, 1])));
    t.dispose();
  });

  it('passes dtype, channels and maxPixels through', () => {
    const t = decodeImageToTensor(png, { dtype: 'int32', channels: 4 });
    expect(Array.from(t.dataSync())).toEqual([255, 0, 0, 255, 0, 51, 255, 255]);
    t.dispose();
    expect(() => decodeImageToTensor(png, { maxPixels: 1 })).toThrow(FormatError);
    expect(() => decodeImageToTensor(png, { range: '0-1' } as never)).toThrow(/decodeImageToTensor: unknown option 'range'/);
  });

  it('allocates no tensor on a corrupt file', async () => {
    await expect(expectTensorDelta(() => decodeImageToTensor(png.subarray(0, 30)))).rejects.toThrow(FormatError);
  });
});
