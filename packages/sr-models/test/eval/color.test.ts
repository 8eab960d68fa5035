import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { rgb2ycbcr } from '../../src/eval/color';

const px = (...rgb: number[]) => ({ width: rgb.length / 3, height: 1, channels: 3, data: new Uint8Array(rgb) });

describe('rgb2ycbcr', () => {
  it('maps black to (16, 128, 128) and white to (235, 128, 128) (BT.601 studio range)', () => {
    const out = rgb2ycbcr(px(0, 0, 0, 255, 255, 255));
    // 16 + (65.481 + 128.553 + 24.966) = 16 + 219 = 235; the Cb and Cr rows sum to 0.
    const expected = [16, 128, 128, 235, 128, 128];
    out.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
  });

  it('maps pure red to MATLAB rgb2ycbcr(uint8([255 0 0])) = [81 90 240] when rounding', () => {
    // Y = 16 + 65.481 = 81.481 → 81; Cb = 128 − 37.797 = 90.203 → 90; Cr = 128 + 112 = 240.
    expect([...rgb2ycbcr(px(255, 0, 0), { round: true }).data]).toEqual([81, 90, 240]);
    const f = rgb2ycbcr(px(255, 0, 0));
    expect(f.data[0]).toBeCloseTo(81.481, 10);
    expect(f.data[1]).toBeCloseTo(90.203, 10);
  });

  it('yOnly returns one channel equal to the first of the full conversion', () => {
    const img = px(12, 200, 37, 90, 91, 92);
    const y = rgb2ycbcr(img, { yOnly: true });
    const full = rgb2ycbcr(img);
    expect(y.channels).toBe(1);
    expect([...y.data]).toEqual([full.data[0], full.data[3]]);
  });

  it('rejects a non-RGB image, NaN and unknown options by class', () => {
    expect(() => rgb2ycbcr({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) })).toThrow(ShapeError);
    expect(() => rgb2ycbcr({ width: 1, height: 1, channels: 3, data: new Float64Array([0, NaN, 0]) })).toThrow(InvalidValueError);
    expect(() => rgb2ycbcr(px(0, 0, 0), { y: true } as never)).toThrow(/unknown option 'y'/);
    expect(() => rgb2ycbcr(px(0, 0, 0), { round: 'yes' } as never)).toThrow(/round must be a boolean/);
  });
});
