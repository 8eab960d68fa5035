import { describe, expect, it } from 'vitest';
import * as jpeg from 'jpeg-js';
import { FormatError, decodeBmp, decodeImage, decodeJpeg, decodePng, encodePng, sniffImageFormat } from '../../../src/index';
import { Rng } from '../../../src/random/rng';
import { buildBmp } from './byte-builders';

describe('sniffImageFormat', () => {
  it('recognises the PNG, JPEG and BMP magics and nothing else', () => {
    expect(sniffImageFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(sniffImageFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a]))).toBeUndefined();
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8, 0xff]))).toBe('jpeg');
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8, 0x00]))).toBeUndefined();
    expect(sniffImageFormat(new Uint8Array([0x42, 0x4d]))).toBe('bmp');
    expect(sniffImageFormat(new Uint8Array([0x47, 0x49, 0x46, 0x38]))).toBeUndefined(); // GIF8
  });
});

describe('decodeImage', () => {
  it('dispatches by magic to the PNG, JPEG and BMP decoders', () => {
    const png = encodePng({ width: 1, height: 2, channels: 1, data: new Uint8Array([3, 4]) });
    const jpg = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(128) }, 90).data);
    const bmp = buildBmp({ width: 1, height: 1, bpp: 24, rowsTopDown: [[1, 2, 3]] });
    expect(decodeImage(png)).toEqual(decodePng(png));
    expect(decodeImage(jpg)).toEqual(decodeJpeg(jpg));
    expect(decodeImage(bmp)).toEqual(decodeBmp(bmp));
    expect(decodeImage(bmp).data).toEqual(new Uint8Array([3, 2, 1]));
  });

  it('throws FormatError at offset 0 for an unknown magic and passes options on', () => {
    try {
      decodeImage(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).offset).toBe(0);
      expect((e as Error).message).toMatch(/decodeImage: bytes must start with a PNG, JPEG or BMP signature, got \[47 49 46 38 39 61\]/);
    }
    const png = encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) });
    expect(() => decodeImage(png, { maxPixels: 3 })).toThrow(/decodePng: .*more than maxPixels = 3/);
    expect(() => decodeImage(png, { max: 3 } as never)).toThrow(/decodeImage: unknown option 'max'/);
  });

  it('throws only FormatError on 2000 random byte strings, with and without a valid magic', () => {
    const rng = new Rng(21);
    const magics = [[], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0xff, 0xd8, 0xff], [0x42, 0x4d]];
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = new Uint8Array([...magics[trial % 4], ...Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 256))]);
      let err: unknown;
      try {
        decodeImage(bytes);
      } catch (e) {
        err = e;
      }
      expect(err, `trial ${trial}`).toBeInstanceOf(FormatError);
    }
  });
});
