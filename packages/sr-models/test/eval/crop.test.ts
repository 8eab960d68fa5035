import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { modcrop, shave } from '../../src/eval/crop';

/** 5×7 single-channel image whose sample is 10·row + column. */
const grid = () => ({ width: 7, height: 5, channels: 1, data: Uint8Array.from({ length: 35 }, (_, i) => 10 * Math.floor(i / 7) + (i % 7)) });

describe('modcrop', () => {
  it('h=5 w=7 s=3: keeps the top-left 3×6 (MATLAB img(1:H−mod(H,s), 1:W−mod(W,s)))', () => {
    const out = modcrop(grid(), 3);
    expect([out.height, out.width]).toEqual([3, 6]);
    expect([...out.data]).toEqual([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25]);
  });

  it('returns a copy of the same array type when the sides already divide', () => {
    const img = { width: 4, height: 2, channels: 2, data: new Float32Array(16).fill(3) };
    const out = modcrop(img, 2);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.data).not.toBe(img.data);
    expect([...out.data]).toEqual([...img.data]);
  });

  it('rejects a scale larger than a side or not a positive integer', () => {
    expect(() => modcrop(grid(), 6)).toThrow(ShapeError);
    expect(() => modcrop(grid(), 0)).toThrow(InvalidValueError);
    expect(() => modcrop(grid(), 1.5)).toThrow(/scale must be an integer >= 1/);
  });
});

describe('shave', () => {
  it('h=5 w=7 b=1: removes one pixel from every side', () => {
    const out = shave(grid(), 1);
    expect([out.height, out.width]).toEqual([3, 5]);
    expect([...out.data]).toEqual([11, 12, 13, 14, 15, 21, 22, 23, 24, 25, 31, 32, 33, 34, 35]);
  });

  it('rejects a border that leaves nothing, and a negative border', () => {
    expect(() => shave(grid(), 3)).toThrow(ShapeError);
    expect(() => shave(grid(), -1)).toThrow(/border must be an integer >= 0/);
  });
});
