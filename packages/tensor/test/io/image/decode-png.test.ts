import { describe, expect, it } from 'vitest';
import { zlibSync } from 'fflate';
import { FormatError, InvalidValueError, decodePng } from '../../../src/index';
import { Rng } from '../../../src/random/rng';
import { SIGNATURE, buildPng, chunk, ihdr, rawStream } from './byte-builders';

const u8 = (a: number[]): Uint8Array => new Uint8Array(a);
const u16 = (a: number[]): Uint16Array => new Uint16Array(a);

describe('decodePng', () => {
  it('reads 8-bit RGB 2×2 with filter None', () => {
    // Rows: filter 0 then R,G,B per pixel, written by hand.
    const png = buildPng({ width: 2, height: 2, depth: 8, colorType: 2 }, [
      0, 255, 0, 0, 0, 255, 0,
      0, 0, 0, 255, 10, 20, 30,
    ]);
    expect(decodePng(png)).toEqual({
      width: 2,
      height: 2,
      channels: 3,
      bitDepth: 8,
      data: u8([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]),
    });
  });

  it('scales greyscale 1-bit to 0/255', () => {
    // 3×2: row 0 = 1,0,1 → bits 101 + 5 pad bits = 0xA0; row 1 = 0,1,1 → 011 00000 = 0x60.
    const png = buildPng({ width: 3, height: 2, depth: 1, colorType: 0 }, [0, 0xa0, 0, 0x60]);
    const img = decodePng(png);
    expect(img.channels).toBe(1);
    expect(img.data).toEqual(u8([255, 0, 255, 0, 255, 255]));
  });

  it('scales greyscale 2-bit by 85 and 4-bit by 17', () => {
    // 2-bit, 4×1: 0,1,2,3 → 00 01 10 11 = 0x1B; scale 255/3 = 85.
    expect(decodePng(buildPng({ width: 4, height: 1, depth: 2, colorType: 0 }, [0, 0x1b])).data).toEqual(
      u8([0, 85, 170, 255]),
    );
    // 4-bit, 3×1: 1, 14, 15 → 0x1E, 0xF0; scale 255/15 = 17.
    expect(decodePng(buildPng({ width: 3, height: 1, depth: 4, colorType: 0 }, [0, 0x1e, 0xf0])).data).toEqual(
      u8([17, 238, 255]),
    );
  });

  it('reads 16-bit greyscale big-endian into a Uint16Array', () => {
    const img = decodePng(buildPng({ width: 2, height: 1, depth: 16, colorType: 0 }, [0, 0x12, 0x34, 0xff, 0xfe]));
    expect(img).toEqual({ width: 2, height: 1, channels: 1, bitDepth: 16, data: u16([0x1234, 0xfffe]) });
  });

  it('reads grey+alpha and RGBA at 8 and 16 bits', () => {
    expect(decodePng(buildPng({ width: 1, height: 1, depth: 8, colorType: 4 }, [0, 7, 200])).data).toEqual(u8([7, 200]));
    expect(
      decodePng(buildPng({ width: 1, height: 1, depth: 16, colorType: 4 }, [0, 1, 2, 3, 4])).data,
    ).toEqual(u16([0x0102, 0x0304]));
    expect(decodePng(buildPng({ width: 1, height: 1, depth: 8, colorType: 6 }, [0, 1, 2, 3, 4]))).toMatchObject({
      channels: 4,
      data: u8([1, 2, 3, 4]),
    });
    const rgba16 = decodePng(buildPng({ width: 1, height: 1, depth: 16, colorType: 6 }, [0, 0, 1, 0, 2, 0, 3, 0xff, 0xff]));
    expect(rgba16).toMatchObject({ channels: 4, bitDepth: 16, data: u16([1, 2, 3, 65535]) });
  });

  it('maps palette indices at 1, 2, 4 and 8 bits to RGB', () => {
    const plte = chunk('PLTE', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
    const expected = u8([40, 50, 60, 10, 20, 30]); // indices 1, 0
    expect(decodePng(buildPng({ width: 2, height: 1, depth: 1, colorType: 3 }, [0, 0x80], [chunk('PLTE', [10, 20, 30, 40, 50, 60])])).data).toEqual(expected);
    expect(decodePng(buildPng({ width: 2, height: 1, depth: 2, colorType: 3 }, [0, 0x40], [plte])).data).toEqual(expected);
    expect(decodePng(buildPng({ width: 2, height: 1, depth: 4, colorType: 3 }, [0, 0x10], [plte])).data).toEqual(expected);
    const img = decodePng(buildPng({ width: 3, height: 1, depth: 8, colorType: 3 }, [0, 3, 1, 0], [plte]));
    expect(img).toEqual({ width: 3, height: 1, channels: 3, bitDepth: 8, data: u8([100, 110, 120, 40, 50, 60, 10, 20, 30]) });
  });

  it('expands palette + tRNS to RGBA, entries past tRNS opaque', () => {
    const plte = chunk('PLTE', [10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const trns = chunk('tRNS', [0, 128]); // entry 0 transparent, entry 1 half, entry 2 absent → 255
    const img = decodePng(buildPng({ width: 3, height: 1, depth: 8, colorType: 3 }, [0, 0, 1, 2], [plte, trns]));
    expect(img.channels).toBe(4);
    expect(img.data).toEqual(u8([10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 255]));
  });

  it('turns a greyscale or RGB tRNS colour key into alpha', () => {
    // 2-bit grey key 2: samples 2, 3 → grey 170 alpha 0, grey 255 alpha 255.
    const grey = decodePng(buildPng({ width: 2, height: 1, depth: 2, colorType: 0 }, [0, 0xb0], [chunk('tRNS', [0, 2])]));
    expect(grey).toMatchObject({ channels: 2, data: u8([170, 0, 255, 255]) });
    const rgb = decodePng(
      buildPng({ width: 2, height: 1, depth: 8, colorType: 2 }, [0, 1, 2, 3, 1, 2, 4], [chunk('tRNS', [0, 1, 0, 2, 0, 3])]),
    );
    expect(rgb).toMatchObject({ channels: 4, data: u8([1, 2, 3, 0, 1, 2, 4, 255]) });
  });

  it('reverses Sub, Up, Average and Paeth filters (hand-computed rows)', () => {
    // Grey 8-bit 3×4, bpp = 1. Pixel rows: r0 = 10 15 20, r1 = 11 16 21, r2 = 20 30 40, r3 = 25 27 45.
    // r0 Sub:     10, 15−10=5, 20−15=5.
    // r1 Up:      11−10=1, 16−15=1, 21−20=1.
    // r2 Average: 20−floor((0+11)/2)=15, 30−floor((20+16)/2)=12, 40−floor((30+21)/2)=15.
    // r3 Paeth (a = left, b = up, c = up-left):
    //   x0: a=0,b=20,c=0 → p=20, pa=20,pb=0,pc=20 → b=20; 25−20=5.
    //   x1: a=25,b=30,c=20 → p=35, pa=10,pb=5,pc=15 → b=30; 27−30=−3 → 253.
    //   x2: a=27,b=40,c=30 → p=37, pa=10,pb=3,pc=7 → b=40; 45−40=5.
    const raw = [1, 10, 5, 5, 2, 1, 1, 1, 3, 15, 12, 15, 4, 5, 253, 5];
    const img = decodePng(buildPng({ width: 3, height: 4, depth: 8, colorType: 0 }, raw));
    expect(img.data).toEqual(u8([10, 15, 20, 11, 16, 21, 20, 30, 40, 25, 27, 45]));
  });

  it('uses whole pixels as the filter distance (RGB 8-bit Sub, 16-bit Sub)', () => {
    // RGB 2×1 Sub: pixel 1 = pixel 0 + (1, 2, 3).
    const rgb = decodePng(buildPng({ width: 2, height: 1, depth: 8, colorType: 2 }, [1, 100, 110, 120, 1, 2, 3]));
    expect(rgb.data).toEqual(u8([100, 110, 120, 101, 112, 123]));
    // Grey 16-bit 2×1 Sub on bytes with bpp = 2: bytes 0x01 0x02 | 0x01 0x01 → 0x0102, 0x0203.
    const g16 = decodePng(buildPng({ width: 2, height: 1, depth: 16, colorType: 0 }, [1, 1, 2, 1, 1]));
    expect(g16.data).toEqual(u16([0x0102, 0x0203]));
  });

  it('reads Adam7 3×3 greyscale from its hand-ordered passes', () => {
    // Pixels 1..9 row-major. Pass 1 (0,0) → 1; passes 2, 3 empty; pass 4 (2,0) → 3;
    // pass 5 row y=2, x=0,2 → 7, 9; pass 6 x=1, y=0 and y=2 → 2, 8; pass 7 row y=1 → 4, 5, 6.
    const raw = [0, 1, 0, 3, 0, 7, 9, 0, 2, 0, 8, 0, 4, 5, 6];
    const img = decodePng(buildPng({ width: 3, height: 3, depth: 8, colorType: 0, interlace: 1 }, raw));
    expect(img.data).toEqual(u8([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('gives the same pixels interlaced and not, for sizes 1–10 and every colour type/depth', () => {
    const rng = new Rng(7);
    const cases: [number, number, number][] = [
      // [colorType, depth, samples per pixel]
      [0, 1, 1], [0, 2, 1], [0, 4, 1], [0, 8, 1], [0, 16, 1],
      [2, 8, 3], [2, 16, 3], [3, 1, 1], [3, 4, 1], [3, 8, 1], [4, 8, 2], [4, 16, 2], [6, 8, 4], [6, 16, 4],
    ];
    for (const [colorType, depth, spp] of cases) {
      for (const [w, h] of [[1, 1], [2, 3], [5, 5], [9, 7], [10, 10]]) {
        const rows = Array.from({ length: h }, () => Array.from({ length: w * spp }, () => rng.int(0, 2 ** depth)));
        // A palette with all 2^depth entries, so every random index is valid.
        const pal = colorType === 3 ? [chunk('PLTE', Array.from({ length: 3 * 2 ** depth }, (_, i) => (i * 37) & 255))] : [];
        const plain = decodePng(buildPng({ width: w, height: h, depth, colorType }, rawStream(rows, w, spp, depth, false), pal));
        const laced = decodePng(
          buildPng({ width: w, height: h, depth, colorType, interlace: 1 }, rawStream(rows, w, spp, depth, true), pal),
        );
        expect(laced, `colorType ${colorType} depth ${depth} ${w}×${h}`).toEqual(plain);
        if (colorType !== 3 && depth >= 8) expect(Array.from(plain.data)).toEqual(rows.flat());
      }
    }
  });

  it('concatenates IDAT data split over several chunks and skips unknown ancillary chunks', () => {
    const raw = [0, 1, 2, 3, 0, 4, 5, 6];
    const one = decodePng(buildPng({ width: 3, height: 2, depth: 8, colorType: 0 }, raw));
    const split = decodePng(buildPng({ width: 3, height: 2, depth: 8, colorType: 0 }, raw, [chunk('tEXt', [65, 0, 66])], 3));
    expect(split).toEqual(one);
    expect(one.data).toEqual(u8([1, 2, 3, 4, 5, 6]));
  });

  describe('corrupt input', () => {
    const good = buildPng({ width: 2, height: 2, depth: 8, colorType: 0 }, [0, 1, 2, 0, 3, 4]);

    it('reports a CRC mismatch with the offset of the stored CRC', () => {
      const bad = good.slice();
      bad[8 + 8 + 13] ^= 1; // first byte of IHDR's CRC, at 8 (signature) + 8 (length, type) + 13 (data)
      expect(() => decodePng(bad)).toThrow(FormatError);
      try {
        decodePng(bad);
      } catch (e) {
        expect((e as FormatError).offset).toBe(29);
        expect((e as Error).message).toMatch(/decodePng: CRC mismatch in chunk 'IHDR'/);
      }
      const badData = good.slice();
      badData[8 + 25 + 8] ^= 0x40; // first byte of IDAT data → IDAT CRC fails
      expect(() => decodePng(badData)).toThrow(/CRC mismatch in chunk 'IDAT'/);
    });

    it('rejects every truncation with FormatError', () => {
      for (let n = 0; n < good.length; n++) {
        expect(() => decodePng(good.subarray(0, n)), `length ${n}`).toThrow(FormatError);
      }
    });

    it('rejects a missing IHDR, a missing IEND and a missing PLTE', () => {
      const noIhdr = new Uint8Array([...SIGNATURE, ...chunk('IDAT', zlibSync(u8([0, 1]))), ...chunk('IEND')]);
      expect(() => decodePng(noIhdr)).toThrow(/first chunk must be IHDR/);
      expect(() => decodePng(new Uint8Array(SIGNATURE))).toThrow(/missing IHDR/);
      const noIend = good.subarray(0, good.length - 12);
      expect(() => decodePng(noIend)).toThrow(/missing IEND/);
      expect(() => decodePng(buildPng({ width: 1, height: 1, depth: 8, colorType: 3 }, [0, 0]))).toThrow(/no PLTE/);
    });

    it('rejects bad IHDR fields with their offsets', () => {
      const cases: [number[], RegExp, number][] = [
        [ihdr(0, 1, 8, 0), /width must be/, 16],
        [ihdr(1, 0, 8, 0), /height must be/, 20],
        [ihdr(1, 1, 3, 0), /bit depth/, 24],
        [ihdr(1, 1, 8, 5), /colour type/, 25],
        [ihdr(1, 1, 8, 0, 2), /interlace/, 28],
        [ihdr(1, 1, 4, 2), /bit depth for colour type 2/, 24],
      ];
      for (const [h, re, offset] of cases) {
        const bytes = new Uint8Array([...SIGNATURE, ...h, ...chunk('IDAT', zlibSync(u8([0, 0]))), ...chunk('IEND')]);
        let err: unknown;
        try {
          decodePng(bytes);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(FormatError);
        expect((err as Error).message).toMatch(re);
        expect((err as FormatError).offset).toBe(offset);
      }
    });

    it('rejects a declared size above maxPixels before allocating', () => {
      const huge = new Uint8Array([...SIGNATURE, ...ihdr(100000, 100000, 8, 6), ...chunk('IEND')]);
      expect(() => decodePng(huge)).toThrow(/more than maxPixels = 100000000/);
      expect(() => decodePng(good, { maxPixels: 3 })).toThrow(/2×2 = 4 pixels, more than maxPixels = 3/);
      expect(decodePng(good, { maxPixels: 4 }).width).toBe(2);
    });

    it('rejects short image data, an unknown filter type and a bad palette index', () => {
      expect(() => decodePng(buildPng({ width: 2, height: 2, depth: 8, colorType: 0 }, [0, 1, 2]))).toThrow(
        /IDAT holds 3 bytes of filtered image data, .* needs 6/,
      );
      expect(() => decodePng(buildPng({ width: 1, height: 1, depth: 8, colorType: 0 }, [5, 1]))).toThrow(
        /row filter type must be 0–4, got 5/,
      );
      const plte = chunk('PLTE', [1, 2, 3]);
      expect(() => decodePng(buildPng({ width: 1, height: 1, depth: 8, colorType: 3 }, [0, 1], [plte]))).toThrow(
        /palette index 1 at pixel 0 is past the 1 PLTE entries/,
      );
    });

    it('rejects an unknown critical chunk and corrupt zlib data', () => {
      expect(() => decodePng(buildPng({ width: 1, height: 1, depth: 8, colorType: 0 }, [0, 0], [chunk('ABCD', [1])]))).toThrow(
        /unknown critical chunk 'ABCD'/,
      );
      const junk = new Uint8Array([...SIGNATURE, ...ihdr(1, 1, 8, 0), ...chunk('IDAT', [0x78, 0x9c, 0xff, 0xff, 0xff, 0, 0, 0, 0]), ...chunk('IEND')]);
      expect(() => decodePng(junk)).toThrow(/corrupt zlib data in IDAT/);
    });

    it('throws FormatError, never hangs, on random bytes after a valid signature and IHDR', () => {
      const rng = new Rng(3);
      for (let trial = 0; trial < 300; trial++) {
        const tail = Array.from({ length: rng.int(0, 200) }, () => rng.int(0, 256));
        const body = trial % 2 === 0 ? [...ihdr(4, 4, 8, 2), ...chunk('IDAT', tail), ...chunk('IEND')] : tail;
        expect(() => decodePng(new Uint8Array([...SIGNATURE, ...body]))).toThrow(FormatError);
      }
    });

    it('throws FormatError on every single-byte corruption of a valid file', () => {
      // Any flipped byte breaks the signature, a length/type (→ framing) or a CRC: nothing decodes.
      for (let i = 0; i < good.length; i++) {
        const bad = good.slice();
        bad[i] ^= 0x10;
        expect(() => decodePng(bad), `byte ${i}`).toThrow(FormatError);
      }
    });
  });

  it('names the argument when bytes is not a Uint8Array or an option is unknown', () => {
    expect(() => decodePng([1, 2] as unknown as Uint8Array)).toThrow(InvalidValueError);
    expect(() => decodePng([1, 2] as unknown as Uint8Array)).toThrow(/decodePng: bytes must be a Uint8Array, got Array/);
    expect(() => decodePng(new Uint8Array(0), { maxPixel: 1 } as never)).toThrow(/decodePng: unknown option 'maxPixel'/);
  });
});
