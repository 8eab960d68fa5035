import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { averagePrecision } from '../../src/metrics/average-precision';

describe('averagePrecision', () => {
  it('scores [0.1, 0.4, 0.35, 0.8] labels [0, 0, 1, 1] give ½·1 + ½·⅔', () => {
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
  });

  it('enters tied scores together: [0.5, 0.5, 0.2] with labels [1, 0, 1] give ½·½ + ½·⅔', () => {
    expect(averagePrecision([0.5, 0.5, 0.2], [1, 0, 1])).toBeCloseTo(0.25 + 1 / 3, 12);
  });

  it('is 1 for a perfect ranking and the positive rate when every score is equal', () => {
    expect(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
    expect(averagePrecision([0.3, 0.3, 0.3, 0.3], [1, 0, 0, 0])).toBe(0.25);
  });

  it('rejects labels without a positive', () => {
    expect(() => averagePrecision([0.1, 0.2], [0, 0])).toThrow(InvalidValueError);
  });
});
