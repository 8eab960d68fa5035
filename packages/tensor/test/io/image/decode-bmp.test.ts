import { describe, expect, it } from 'vitest';
import { FormatError, decodeBmp } from '../../../src/index';
import { Rng } from '../../../src/random/rng';
import { buildBmp, le32 } from './byte-builders';

const u8 = (a: number[]): Uint8Array => new Uint8Array(a);

// Display order (top-down) of a 2×2 image: red, green / blue, white (RGB).
const RGB_2X2 = u8([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
// The same rows as BGR bytes.
const BGR_ROWS = [
  [0, 0, 255, 0, 255, 0],
  [255, 0, 0, 255, 255, 255],
];

describe('decodeBmp', () => {
  it('reads a bottom-up 24-bit file (positive height, rows padded to 4 bytes) as RGB top-down', () => {
    const bmp = buildBmp({ width: 2, height: 2, bpp: 24, rowsTopDown: BGR_ROWS });
    // Hand check of the layout: 14 + 40 header bytes, then the bottom row (blue, white) first, 6 bytes + 2 padding.
    expect(Array.from(bmp.subarray(54, 62))).toEqual([255, 0, 0, 255, 255, 255, 0, 0]);
    expect(decodeBmp(bmp)).toEqual({ width: 2, height: 2, channels: 3, bitDepth: 8, data: RGB_2X2 });
  });

  it('reads a top-down file (negative height) to the same pixels', () => {
    const bmp = buildBmp({ width: 2, height: -2, bpp: 24, rowsTopDown: BGR_ROWS });
    expect(Array.from(bmp.subarray(54, 62))).toEqual([0, 0, 255, 0, 255, 0, 0, 0]);
    expect(decodeBmp(bmp).data).toEqual(RGB_2X2);
  });

  it('accepts a last row without its padding', () => {
    const bmp = buildBmp({ width: 2, height: 2, bpp: 24, rowsTopDown: BGR_ROWS, dropLastPadding: true });
    expect(decodeBmp(bmp).data).toEqual(RGB_2X2);
  });

  it('reads 32-bit BI_RGB as RGB, ignoring the fourth byte', () => {
    const rows = BGR_ROWS.map((r) => [r[0], r[1], r[2], 77, r[3], r[4], r[5], 77]);
    const img = decodeBmp(buildBmp({ width: 2, height: 2, bpp: 32, rowsTopDown: rows }));
    expect(img).toEqual({ width: 2, height: 2, channels: 3, bitDepth: 8, data: RGB_2X2 });
  });

  it('reads 32-bit BI_BITFIELDS with an alpha mask (V5 header) as RGBA', () => {
    // Masks R=0x00FF0000, G=0x0000FF00, B=0x000000FF, A=0xFF000000: bytes are B, G, R, A.
    const rows = [[10, 20, 30, 40, 50, 60, 70, 80]];
    const img = decodeBmp(
      buildBmp({ width: 2, height: 1, bpp: 32, rowsTopDown: rows, compression: 3, header: 124, masks: [0xff0000, 0xff00, 0xff, 0xff000000] }),
    );
    expect(img).toEqual({ width: 2, height: 1, channels: 4, bitDepth: 8, data: u8([30, 20, 10, 40, 70, 60, 50, 80]) });
  });

  it('reads 16-bit 5-6-5 bitfields with channels scaled to 0–255', () => {
    // Pixel 0xF81F = R 31, G 0, B 31 → 255, 0, 255; pixel 0x0400 = G 32 (6 bits) → round(32·255/63) = 130.
    const rows = [[0x1f, 0xf8, 0x00, 0x04]];
    const img = decodeBmp(buildBmp({ width: 2, height: 1, bpp: 16, rowsTopDown: rows, compression: 3, masks: [0xf800, 0x07e0, 0x001f, 0] }));
    expect(img).toEqual({ width: 2, height: 1, channels: 3, bitDepth: 8, data: u8([255, 0, 255, 0, 130, 0]) });
  });

  it('reads 8-bit grey palettes as 1 channel and 4-bit colour palettes as RGB', () => {
    const greyPal = Array.from({ length: 256 }, (_, i) => [i, i, i]);
    const grey = decodeBmp(buildBmp({ width: 3, height: 2, bpp: 8, rowsTopDown: [[0, 128, 255], [1, 2, 3]], palette: greyPal }));
    expect(grey).toEqual({ width: 3, height: 2, channels: 1, bitDepth: 8, data: u8([0, 128, 255, 1, 2, 3]) });
    // 4-bit: 3 pixels, indices 1, 0, 2 → bytes 0x10, 0x20. Palette entries are B, G, R.
    const pal = [[3, 2, 1], [6, 5, 4], [9, 8, 7]];
    const colour = decodeBmp(buildBmp({ width: 3, height: 1, bpp: 4, rowsTopDown: [[0x10, 0x20]], palette: pal }));
    expect(colour).toEqual({ width: 3, height: 1, channels: 3, bitDepth: 8, data: u8([4, 5, 6, 1, 2, 3, 7, 8, 9]) });
  });

  it('rejects every truncation, RLE compression, a bad magic and a palette index past the palette', () => {
    const bmp = buildBmp({ width: 2, height: 2, bpp: 24, rowsTopDown: BGR_ROWS });
    for (let n = 0; n < bmp.length - 2; n++) {
      // The last 2 bytes are optional final-row padding.
      expect(() => decodeBmp(bmp.subarray(0, n)), `length ${n}`).toThrow(FormatError);
    }
    expect(() => decodeBmp(buildBmp({ width: 1, height: 1, bpp: 8, rowsTopDown: [[0]], compression: 1, palette: [[0, 0, 0]] }))).toThrow(
      /compression RLE8 is not supported/,
    );
    const notBm = bmp.slice();
    notBm[1] = 0x41;
    expect(() => decodeBmp(notBm)).toThrow(/must start with the BMP magic/);
    expect(() => decodeBmp(buildBmp({ width: 1, height: 1, bpp: 8, rowsTopDown: [[5]], palette: [[0, 0, 0], [1, 2, 3]] }))).toThrow(
      /palette index 5 at pixel \(0, 0\) is past the 2 palette entries/,
    );
  });

  it('reports the offset of a bad header field', () => {
    const bmp = buildBmp({ width: 2, height: 2, bpp: 24, rowsTopDown: BGR_ROWS });
    const badBpp = bmp.slice();
    badBpp[28] = 7;
    try {
      decodeBmp(badBpp);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).offset).toBe(28);
    }
    const badHeader = bmp.slice();
    badHeader.set(le32(41), 14);
    expect(() => decodeBmp(badHeader)).toThrow(/DIB header size must be one of/);
    const huge = bmp.slice();
    huge.set(le32(20000), 18);
    huge.set(le32(20000), 22);
    expect(() => decodeBmp(huge)).toThrow(/more than maxPixels/);
  });

  it('throws FormatError, never hangs, on random bytes after the BM magic', () => {
    const rng = new Rng(9);
    for (let trial = 0; trial < 300; trial++) {
      const tail = Array.from({ length: rng.int(0, 120) }, () => rng.int(0, 256));
      let err: unknown;
      try {
        decodeBmp(new Uint8Array([0x42, 0x4d, ...tail]));
      } catch (e) {
        err = e;
      }
      expect(err, `trial ${trial}`).toBeInstanceOf(FormatError);
    }
  });
});
