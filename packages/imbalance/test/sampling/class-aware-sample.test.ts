import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { classAwareSample } from '../../src/sampling/class-aware-sample';

describe('classAwareSample', () => {
  it('draws each class about equally often: the only sample of the rare class in about half the draws', () => {
    const labels = [[1, 0], [1, 0], [1, 0], [0, 1]];
    const draws = classAwareSample(labels, 600, { seed: 3 });
    const rare = draws.filter((i) => i === 3).length / 600;
    expect(Math.abs(rare - 0.5)).toBeLessThan(0.07); // σ ≈ 0.02
    // Within class 0 the shuffled round-robin visits 0, 1 and 2 equally (±1 per pass).
    const counts = [0, 1, 2].map((i) => draws.filter((d) => d === i).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('skips classes without positives and repeats for a seed', () => {
    const labels = [[1, 0, 0], [0, 0, 1]];
    const a = classAwareSample(labels, 50, { seed: 8 });
    expect(Array.from(a)).toEqual(Array.from(classAwareSample(labels, 50, { seed: 8 })));
    expect(new Set(a)).toEqual(new Set([0, 1]));
  });

  it('rejects labels without positives and a negative count', () => {
    expect(() => classAwareSample([[0, 0]], 3)).toThrow(InvalidValueError);
    expect(() => classAwareSample([[1]], -1)).toThrow(/count must be an integer >= 0/);
  });
});
