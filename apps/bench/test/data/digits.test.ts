import { describe, expect, it } from 'vitest';
import { loadDigits } from '../../src/data/digits';

describe('loadDigits', () => {
  it('returns perClass real images of every class in [0, 1], the same for the same seed', () => {
    for (const source of ['mnist', 'fashion-mnist'] as const) {
      const a = loadDigits(source, 3, { seed: 5 });
      const b = loadDigits(source, 3, { seed: 5 });
      expect(a.count).toBe(30);
      expect(Array.from(a.labels).sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
      expect(Math.max(...a.images)).toBeLessThanOrEqual(1);
      expect(Math.max(...a.images)).toBeGreaterThan(0.5); // real strokes, not blank
      expect(Math.min(...a.images)).toBe(0);
      expect(Array.from(a.images)).toEqual(Array.from(b.images));
    }
  });

  it('keeps disjoint offsets disjoint', () => {
    const train = loadDigits('mnist', 2, { classes: [7] });
    const test = loadDigits('mnist', 2, { classes: [7], offset: 2 });
    expect(Array.from(train.images)).not.toEqual(Array.from(test.images));
  });
});
