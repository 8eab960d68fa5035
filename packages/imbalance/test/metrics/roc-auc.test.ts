import { describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { rocAuc } from '../../src/metrics/roc-auc';

describe('rocAuc', () => {
  it('scores [0.1, 0.4, 0.35, 0.8] labels [0, 0, 1, 1] give 3 of 4 pairs ordered: 0.75', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('counts a tied positive–negative pair as ½', () => {
    expect(rocAuc([0.5, 0.5], [0, 1])).toBe(0.5);
    // pos {0.2, 0.6} vs neg {0.2, 0.1}: 0.2 ties 0.2 (½), beats 0.1 (1); 0.6 beats both (2) → 3.5/4.
    expect(rocAuc([0.2, 0.6, 0.2, 0.1], [1, 1, 0, 0])).toBe(0.875);
  });

  it('is invariant to a monotone transform of the scores and flips to 1 − AUC when they are negated', () => {
    const s = [0.3, -1, 2, 0.7, 0.1, 1.4];
    const y = [1, 0, 1, 0, 0, 1];
    const auc = rocAuc(s, y);
    expect(rocAuc(s.map((v) => 1 / (1 + Math.exp(-v))), y)).toBeCloseTo(auc, 12);
    expect(rocAuc(s.map((v) => -v), y)).toBeCloseTo(1 - auc, 12);
  });

  it('rejects a single class, unequal lengths, non-finite scores and labels other than 0/1', () => {
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(/labels must contain both classes/);
    expect(() => rocAuc([0.1, 0.2], [1])).toThrow(ShapeError);
    expect(() => rocAuc([NaN, 0.2], [1, 0])).toThrow(/scores\[0\] must be finite/);
    expect(() => rocAuc([0.1, 0.2], [2, 0])).toThrow(InvalidValueError);
  });
});
