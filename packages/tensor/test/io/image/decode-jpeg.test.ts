import { describe, expect, it } from 'vitest';
import * as jpeg from 'jpeg-js';
import { FormatError, decodeJpeg } from '../../../src/index';
import { Rng } from '../../../src/random/rng';

/** Bits '0'/'1' → bytes, padded with 1-bits; a 0xFF data byte gets its 0x00 stuffing byte. */
function bitsToBytes(bits: string): number[] {
  const padded = bits + '1'.repeat((8 - (bits.length % 8)) % 8);
  const out: number[] = [];
  for (let i = 0; i < padded.length; i += 8) {
    const b = parseInt(padded.slice(i, i + 8), 2);
    out.push(b);
    if (b === 0xff) out.push(0);
  }
  return out;
}

/**
 * A hand-assembled one-component 16×8 JPEG with two DC-only blocks of grey 160 and 96.
 * Quantisation is all ones, so the DC coefficient of a flat block of value v is 8·(v − 128):
 * +256 (category 9, bits 100000000) then a difference of −512 (category 10, bits of −512 + 1023 = 0111111111).
 * DC Huffman table: two 2-bit codes, 00 → category 9, 01 → category 10; AC table: one 1-bit code 0 → EOB.
 * Baseline (SOF0) scans each block as DC code + bits + EOB; progressive (SOF2) sends a single
 * DC-first scan (Ss = Se = 0), leaving every AC coefficient zero.
 */
function greyJpeg(progressive: boolean): Uint8Array {
  const dqt = [0xff, 0xdb, 0, 67, 0x00, ...new Array(64).fill(1)];
  const sof = [0xff, progressive ? 0xc2 : 0xc0, 0, 11, 8, 0, 8, 0, 16, 1, 1, 0x11, 0];
  const dhtDc = [0xff, 0xc4, 0, 21, 0x00, 0, 2, ...new Array(14).fill(0), 9, 10];
  const dhtAc = [0xff, 0xc4, 0, 20, 0x10, 1, ...new Array(15).fill(0), 0x00];
  const sos = [0xff, 0xda, 0, 8, 1, 1, 0x00, 0, progressive ? 0 : 63, 0];
  const eob = progressive ? '' : '0';
  const scan = bitsToBytes('00' + '100000000' + eob + '01' + '0111111111' + eob);
  return new Uint8Array([0xff, 0xd8, ...dqt, ...sof, ...dhtDc, ...dhtAc, ...sos, ...scan, 0xff, 0xd9]);
}

function smoothRgba(w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 4 * (y * w + x);
      d[o] = 40 + 8 * x;
      d[o + 1] = 200 - 6 * y;
      d[o + 2] = 100 + 2 * (x + y);
      d[o + 3] = 255;
    }
  }
  return d;
}

describe('decodeJpeg', () => {
  it('decodes a hand-built baseline greyscale JPEG to 1 channel, blocks 160 and 96', () => {
    const img = decodeJpeg(greyJpeg(false));
    expect(img).toMatchObject({ width: 16, height: 8, channels: 1, bitDepth: 8 });
    const expected = new Uint8Array(128).map((_, i) => (i % 16 < 8 ? 160 : 96));
    expect(img.data).toEqual(expected);
  });

  it('decodes the same blocks from a progressive (SOF2) DC-only scan', () => {
    expect(decodeJpeg(greyJpeg(true))).toEqual(decodeJpeg(greyJpeg(false)));
  });

  it('decodes a jpeg-js quality-95 RGB file to within 6 levels of the source pixels', () => {
    const [w, h] = [24, 16];
    const src = smoothRgba(w, h);
    const file = new Uint8Array(jpeg.encode({ width: w, height: h, data: src }, 95).data);
    const img = decodeJpeg(file);
    expect(img).toMatchObject({ width: w, height: h, channels: 3, bitDepth: 8 });
    let worst = 0;
    for (let i = 0; i < w * h; i++) {
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(img.data[3 * i + c] - src[4 * i + c]));
    }
    expect(worst).toBeLessThanOrEqual(6);
  });

  it('rejects every truncation with FormatError', () => {
    const file = greyJpeg(false);
    for (let n = 0; n < file.length; n++) {
      expect(() => decodeJpeg(file.subarray(0, n)), `length ${n}`).toThrow(FormatError);
    }
  });

  it('rejects a frame above maxPixels with the frame header offset, and random bytes after SOI', () => {
    const file = greyJpeg(false);
    try {
      decodeJpeg(file, { maxPixels: 127 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as Error).message).toMatch(/16×8 = 128 pixels, more than maxPixels = 127/);
      expect((e as FormatError).offset).toBe(2 + 69); // SOI (2) + DQT segment (69)
    }
    const rng = new Rng(4);
    for (let trial = 0; trial < 200; trial++) {
      const tail = Array.from({ length: rng.int(0, 300) }, () => rng.int(0, 256));
      expect(() => decodeJpeg(new Uint8Array([0xff, 0xd8, 0xff, ...tail]))).toThrow(FormatError);
    }
    expect(() => decodeJpeg(new Uint8Array([0x89, 0x50]))).toThrow(/must start with the JPEG SOI marker/);
  });
});
