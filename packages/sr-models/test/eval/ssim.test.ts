import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { ssim } from '../../src/eval/ssim';

const C1 = (0.01 * 255) ** 2;
const flat = (w: number, h: number, c: number, v: number) => ({ width: w, height: h, channels: c, data: new Uint8Array(w * h * c).fill(v) });

/** 20×16 pattern images (sample = (k_x·x + k_y·y + off) mod 256, per channel offset). */
function pattern(kx: number, ky: number, off: number, channels: number, step: number) {
  const data = new Uint8Array(20 * 16 * channels);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 20; x++) for (let c = 0; c < channels; c++) data[(y * 20 + x) * channels + c] = (kx * x + ky * y + off + step * c) % 256;
  return { width: 20, height: 16, channels, data };
}

describe('ssim', () => {
  it('is exactly 1 for identical images', () => {
    const a = pattern(7, 13, 0, 3, 40);
    expect(ssim(a, a)).toBeCloseTo(1, 14);
  });

  it('constant 100 vs 110 gives (2·100·110 + C1)/(100² + 110² + C1) (σ terms cancel: C2/C2)', () => {
    const expected = (2 * 100 * 110 + C1) / (100 * 100 + 110 * 110 + C1); // 0.995476…
    expect(ssim(flat(12, 11, 1, 100), flat(12, 11, 1, 110))).toBeCloseTo(expected, 12);
  });

  it('20×16 patterns: 0.8521436588089817 (one channel) and 0.6427427505514124 (RGB mean) as the numpy reference', () => {
    // Reference: numpy/scipy `correlate2d(…, outer(g, g), 'valid')`, the BasicSR `_ssim` algorithm
    // with a non-separable window, on the same patterns (test/fixtures/ssim-reference.py).
    expect(ssim(pattern(7, 13, 0, 1, 0), pattern(5, 11, 3, 1, 0))).toBeCloseTo(0.8521436588089817, 12);
    expect(ssim(pattern(7, 13, 0, 3, 40), pattern(5, 11, 3, 3, 60))).toBeCloseTo(0.6427427505514124, 12);
  });

  it('is symmetric in its arguments', () => {
    const a = pattern(7, 13, 0, 1, 0);
    const b = pattern(5, 11, 3, 1, 0);
    expect(ssim(a, b)).toBeCloseTo(ssim(b, a), 14);
  });

  it('rejects images smaller than the 11×11 window after the border, and bad inputs', () => {
    expect(() => ssim(flat(10, 12, 1, 0), flat(10, 12, 1, 0))).toThrow(ShapeError);
    expect(() => ssim(flat(13, 13, 1, 0), flat(13, 13, 1, 0), { border: 2 })).toThrow(/at least 11 pixels/);
    expect(() => ssim(flat(11, 11, 1, 0), flat(11, 11, 3, 0))).toThrow(/b must have the size of a/);
    expect(() => ssim(flat(11, 11, 1, 0), flat(11, 11, 1, 0), { window: 7 } as never)).toThrow(InvalidValueError);
  });
});
