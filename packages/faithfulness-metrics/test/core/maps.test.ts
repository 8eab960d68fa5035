import { describe, expect, it } from 'vitest';
import { transformPixelMaps } from '../../src/core/maps';
import { pearson } from '../../src/core/stats';

const maps = (v: number[], count = 1) => ({ values: Float64Array.from(v), count, height: 1, width: v.length / count, pixels: v.length / count });

describe('transformPixelMaps', () => {
  it('converts the sign before normalising: [−4, 2] → abs/max [1, .5], positive/max [0, 1], negative/sum [1, 0]', () => {
    expect(Array.from(transformPixelMaps('t', maps([-4, 2]), { sign: 'abs', normalise: 'max' }).values)).toEqual([1, 0.5]);
    expect(Array.from(transformPixelMaps('t', maps([-4, 2]), { sign: 'positive', normalise: 'max' }).values)).toEqual([0, 1]);
    expect(Array.from(transformPixelMaps('t', maps([-4, 2]), { sign: 'negative', normalise: 'sum' }).values)).toEqual([1, 0]);
  });

  it('keeps the sign with max normalisation by max |a|: [−4, 2] → [−1, .5]', () => {
    expect(Array.from(transformPixelMaps('t', maps([-4, 2]), { sign: 'keep', normalise: 'max' }).values)).toEqual([-1, 0.5]);
  });

  it('leaves an all-zero map at zero instead of dividing by zero, per sample', () => {
    const out = transformPixelMaps('t', maps([0, 0, 2, 6], 2), { sign: 'keep', normalise: 'sum' });
    expect(Array.from(out.values)).toEqual([0, 0, 0.25, 0.75]);
  });

  it('rejects a negative value when the metric needs non-negative maps, naming the conversion option', () => {
    expect(() => transformPixelMaps('soundness', maps([1, -1]), { sign: 'keep', normalise: 'none', requireNonNegative: true })).toThrow(
      /soundness: attributions must be non-negative \(convert a signed map explicitly with option sign/,
    );
  });
});

describe('pearson', () => {
  it('treats a spread at rounding level as no spread (0, not ±1 from noise)', () => {
    expect(pearson([1, 1 + 1e-16, 1], [1, 2, 3])).toBe(0);
  });
});
