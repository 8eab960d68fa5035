import { describe, expect, it } from 'vitest';
import { unzlibSync } from 'fflate';
import { InvalidValueError, ShapeError, decodePng, encodePng } from '../../../src/index';
import type { PngFilter } from '../../../src/index';
import { Rng } from '../../../src/random/rng';
import { SIGNATURE, bitwiseCrc32 } from './byte-builders';

function readChunks(png: Uint8Array): { type: string; data: Uint8Array; crcOk: boolean }[] {
  const out: { type: string; data: Uint8Array; crcOk: boolean }[] = [];
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let p = 8;
  while (p < png.length) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    const crcOk = dv.getUint32(p + 8 + len) === bitwiseCrc32(png.subarray(p + 4, p + 8 + len));
    out.push({ type, data: png.subarray(p + 8, p + 8 + len), crcOk });
    p += 12 + len;
  }
  return out;
}

describe('encodePng', () => {
  it('writes signature, IHDR, IDAT, IEND with valid CRCs and the expected header fields', () => {
    const png = encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 0, 255]) }, { filter: 'none' });
    expect(Array.from(png.subarray(0, 8))).toEqual(SIGNATURE);
    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    // IHDR: width 2, height 1, depth 8, colour type 2 (RGB), compression/filter/interlace 0.
    expect(Array.from(chunks[0].data)).toEqual([0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    // Filter None: the inflated stream is the filter byte 0 followed by the samples.
    expect(Array.from(unzlibSync(chunks[1].data))).toEqual([0, 255, 0, 0, 0, 0, 255]);
  });

  it('maps channels to colour types 0, 4, 2, 6 and Uint16Array data to depth 16', () => {
    const types = [1, 2, 3, 4].map((c) => {
      const png = encodePng({ width: 1, height: 1, channels: c as 1 | 2 | 3 | 4, data: new Uint16Array(c) });
      const h = readChunks(png)[0].data;
      return [h[8], h[9]];
    });
    expect(types).toEqual([[16, 0], [16, 4], [16, 2], [16, 6]]);
  });

  it('writes the Sub filter as the hand-computed byte differences', () => {
    // Grey 3×1 [10, 15, 20] with Sub: 10, 5, 5.
    const png = encodePng({ width: 3, height: 1, channels: 1, data: new Uint8Array([10, 15, 20]) }, { filter: 'sub' });
    expect(Array.from(unzlibSync(readChunks(png)[1].data))).toEqual([1, 10, 5, 5]);
  });

  it('picks the filter with the smallest signed-byte sum per row in adaptive mode', () => {
    // A horizontal ramp: Sub turns row bytes into 0, 1, 1, 1 … (sum 7 over 8 bytes); None sums 0+1+…+7·... larger.
    const data = new Uint8Array(8 * 2).map((_, i) => (i % 8) * 30);
    const raw = unzlibSync(readChunks(encodePng({ width: 8, height: 2, channels: 1, data }))[1].data);
    expect(raw[0]).toBe(1); // row 0: Sub (Up/Paeth with no row above equal None/Sub; Sub has sum 210 < None 840)
    expect(raw[9]).toBe(2); // row 1 equals row 0: Up gives all zeros
  });

  it('round-trips every channel count, bit depth and filter through decodePng exactly', () => {
    const rng = new Rng(11);
    const filters: PngFilter[] = ['adaptive', 'none', 'sub', 'up', 'average', 'paeth'];
    for (const channels of [1, 2, 3, 4] as const) {
      for (const bitDepth of [8, 16] as const) {
        for (const filter of filters) {
          const [w, h] = [rng.int(1, 13), rng.int(1, 9)];
          const n = w * h * channels;
          const data = bitDepth === 8 ? new Uint8Array(n) : new Uint16Array(n);
          for (let i = 0; i < n; i++) data[i] = rng.int(0, bitDepth === 8 ? 256 : 65536);
          const img = { width: w, height: h, channels, bitDepth, data };
          expect(decodePng(encodePng(img, { filter })), `${channels}ch ${bitDepth}-bit ${filter}`).toEqual(img);
        }
      }
    }
  });

  it('splits IDAT above 1 MiB and still round-trips', () => {
    const rng = new Rng(5);
    const data = new Uint8Array(700 * 700 * 3).map(() => rng.int(0, 256)); // ~1.47 MB, incompressible
    const png = encodePng({ width: 700, height: 700, channels: 3, data }, { level: 0 });
    const chunks = readChunks(png);
    expect(chunks.filter((c) => c.type === 'IDAT').length).toBe(2);
    expect(decodePng(png).data).toEqual(data);
  });

  it('accepts a Uint8ClampedArray and compresses more at level 9 than at level 0', () => {
    const data = new Uint8ClampedArray(64 * 64).fill(7);
    const l0 = encodePng({ width: 64, height: 64, channels: 1, data }, { level: 0 });
    const l9 = encodePng({ width: 64, height: 64, channels: 1, data }, { level: 9 });
    expect(l9.length).toBeLessThan(l0.length);
    expect(decodePng(l9).data).toEqual(new Uint8Array(64 * 64).fill(7));
  });

  it('throws ShapeError or InvalidValueError naming the bad field', () => {
    const ok = { width: 2, height: 2, channels: 1 as const, data: new Uint8Array(4) };
    expect(() => encodePng({ ...ok, width: 0 })).toThrow(ShapeError);
    expect(() => encodePng({ ...ok, width: 0 })).toThrow(/encodePng: image.width must be a positive integer, got 0/);
    expect(() => encodePng({ ...ok, channels: 5 as never })).toThrow(/image.channels must be 1, 2, 3 or 4/);
    expect(() => encodePng({ ...ok, data: new Uint8Array(5) })).toThrow(/image.data must hold .* = 4 samples, got 5/);
    expect(() => encodePng({ ...ok, data: new Float32Array(4) as never })).toThrow(InvalidValueError);
    expect(() => encodePng({ ...ok, bitDepth: 16 })).toThrow(/image.bitDepth must match the data/);
    expect(() => encodePng(ok, { level: 10 })).toThrow(/encodePng: level must be an integer in \[0, 9\], got 10/);
    expect(() => encodePng(ok, { filter: 'best' as never })).toThrow(/filter must be one of/);
    expect(() => encodePng(ok, { compression: 1 } as never)).toThrow(/unknown option 'compression'/);
  });
});
