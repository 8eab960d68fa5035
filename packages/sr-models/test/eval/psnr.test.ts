import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { psnr } from '../../src/eval/psnr';

const flat = (w: number, h: number, c: number, v: number) => ({ width: w, height: h, channels: c, data: new Uint8Array(w * h * c).fill(v) });

describe('psnr', () => {
  it('MSE 100 gives 10·log10(255²/100) = 28.1308 dB', () => {
    // Every sample differs by 10: MSE = 100.
    expect(psnr(flat(6, 4, 3, 0), flat(6, 4, 3, 10))).toBeCloseTo(10 * Math.log10(65025 / 100), 10);
    expect(psnr(flat(6, 4, 3, 0), flat(6, 4, 3, 10))).toBeCloseTo(28.1308, 4);
  });

  it('is Infinity for identical images and symmetric in its arguments', () => {
    const a = { width: 3, height: 2, channels: 1, data: new Uint8Array([1, 50, 3, 200, 5, 6]) };
    const b = { width: 3, height: 2, channels: 1, data: new Uint8Array([0, 52, 3, 190, 5, 9]) };
    expect(psnr(a, a)).toBe(Infinity);
    expect(psnr(a, b)).toBe(psnr(b, a));
  });

  it('border=1 ignores differences in the outer ring', () => {
    const a = flat(5, 5, 1, 100);
    const b = flat(5, 5, 1, 100);
    b.data[0] = 0; // corner
    b.data[12] = 110; // centre: MSE over the 3×3 interior = 100 / 9
    expect(psnr(a, b, { border: 1 })).toBeCloseTo(10 * Math.log10((65025 * 9) / 100), 10);
  });

  it('yOnly on grey 0 vs grey 10: float Y differs by 10·219/255, rounded Y by 25 − 16 = 9', () => {
    const a = flat(4, 4, 3, 0);
    const b = flat(4, 4, 3, 10);
    const d = (10 * 219) / 255; // 65.481 + 128.553 + 24.966 = 219
    expect(psnr(a, b, { yOnly: true })).toBeCloseTo(10 * Math.log10(65025 / (d * d)), 10);
    // Y(0) = 16; Y(10) = 24.588 → 25.
    expect(psnr(a, b, { yOnly: true, roundY: true })).toBeCloseTo(10 * Math.log10(65025 / 81), 10);
  });

  it('rejects different sizes, yOnly on grey, NaN and unknown options, naming the argument', () => {
    expect(() => psnr(flat(4, 4, 3, 0), flat(4, 3, 3, 0))).toThrow(ShapeError);
    expect(() => psnr(flat(4, 4, 1, 0), flat(4, 4, 1, 0), { yOnly: true })).toThrow(/3 channels/);
    expect(() => psnr(flat(4, 4, 1, 0), flat(4, 4, 1, 0), { border: 2 })).toThrow(/after removing border = 2/);
    const nan = { width: 1, height: 1, channels: 1, data: new Float64Array([NaN]) };
    expect(() => psnr(flat(1, 1, 1, 0), nan)).toThrow(InvalidValueError);
    expect(() => psnr(flat(1, 1, 1, 0), nan)).toThrow(/b must not contain NaN/);
    expect(() => psnr(flat(1, 1, 1, 0), flat(1, 1, 1, 0), { shave: 1 } as never)).toThrow(/unknown option 'shave'/);
    expect(() => psnr(flat(1, 1, 1, 0), flat(1, 1, 1, 0), { border: -1 })).toThrow(/border must be an integer >= 0/);
  });
});
