import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBmp, decodeImage, decodePng, encodePng, readImageFile } from '../../../src/index';
import { sharedDataDir } from '../../helpers';

const data = sharedDataDir();
const skipReason = 'shared data absent (../shared/data or $LAB_DATA): Set5/DIV2K decode checks skipped';
const describeData = data ? describe : describe.skip;
if (!data) console.warn(skipReason);

// Published sizes of Set5 (width × height) and the ×4 LR images (floor of HR / 4).
const SET5: Record<string, { hr: [number, number]; x4: [number, number] }> = {
  baby: { hr: [512, 512], x4: [128, 128] },
  bird: { hr: [288, 288], x4: [72, 72] },
  butterfly: { hr: [256, 256], x4: [64, 64] },
  head: { hr: [280, 280], x4: [70, 70] },
  woman: { hr: [228, 344], x4: [57, 86] },
};

describeData('decodeBmp on Set5 [data]', () => {
  it.each(Object.keys(SET5))('decodes %s HR and LR_x4 with the published sizes, 3 channels', async (name) => {
    const hr = await readImageFile(join(data!, 'set5', 'HR', `${name}.bmp`));
    const lr = decodeBmp(new Uint8Array(readFileSync(join(data!, 'set5', 'LR_x4', `${name}.bmp`))));
    expect([hr.width, hr.height, hr.channels, hr.bitDepth]).toEqual([...SET5[name].hr, 3, 8]);
    expect([lr.width, lr.height, lr.channels]).toEqual([...SET5[name].x4, 3]);
  });

  it('puts the first stored (bottom-left) pixel of woman.bmp at row 343 as RGB', () => {
    const bytes = new Uint8Array(readFileSync(join(data!, 'set5', 'HR', 'woman.bmp')));
    // Pixel data starts at byte 54 (bfOffBits); the file is bottom-up, so bytes 54–56 (B, G, R) are pixel (0, 343).
    const [b, g, r] = bytes.subarray(54, 57);
    const img = decodeBmp(bytes);
    const o = 343 * 228 * 3;
    expect(Array.from(img.data.subarray(o, o + 3))).toEqual([r, g, b]);
  });
});

describeData('decodePng on DIV2K LR [data]', () => {
  const dir = data ? join(data, 'div2k_test_lr') : '';
  const files = data ? readdirSync(dir).filter((f) => f.endsWith('.png')).sort() : [];

  it.each(files)('decodes %s with the IHDR size and round-trips through encodePng', (file) => {
    const bytes = new Uint8Array(readFileSync(join(dir, file)));
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    // IHDR is the first chunk: width at byte 16, height at byte 20, big-endian.
    const img = decodeImage(bytes);
    expect([img.width, img.height]).toEqual([dv.getUint32(16), dv.getUint32(20)]);
    expect(img.channels).toBe(3);
    expect(img.data.length).toBe(img.width * img.height * 3);
    expect(decodePng(encodePng(img))).toEqual(img);
  });
});
