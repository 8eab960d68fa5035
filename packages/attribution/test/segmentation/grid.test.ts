import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { gridSegments } from '../../src/segmentation/grid';

describe('gridSegments', () => {
  it('splits 4×4 into 2×2 quadrants labelled row by row', () => {
    const { labels, count } = gridSegments(4, 4, 2, 2);
    expect(count).toBe(4);
    expect(Array.from(labels)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]); // hand layout
  });

  it('covers every pixel with labels 0..K−1, each used, for uneven sizes (7×5, 3×2 cells)', () => {
    const { labels, count, height, width } = gridSegments(7, 5, 3, 2);
    expect([count, height, width]).toEqual([6, 7, 5]);
    expect(labels.length).toBe(35);
    expect(new Set(labels)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });

  it('throws InvalidValueError naming the argument for zero or too many cells', () => {
    expect(() => gridSegments(4, 4, 0, 2)).toThrow(/cellsY must be a positive integer/);
    expect(() => gridSegments(4, 4, 2, 5)).toThrow(InvalidValueError);
    expect(() => gridSegments(4.5, 4, 2, 2)).toThrow(/h must be a positive integer/);
  });
});
