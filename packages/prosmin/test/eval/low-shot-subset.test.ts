import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { lowShotSubset } from '../../src/eval/low-shot-subset';

const labels = [...Array(100).fill(0), ...Array(50).fill(1), ...Array(7).fill(2)];

describe('lowShotSubset', () => {
  it('keeps round(fraction·n_c) per class, at least one: 10 % of (100, 50, 7) → (10, 5, 1)', () => {
    const idx = lowShotSubset(labels, 0.1, { seed: 1 });
    const per = [0, 0, 0];
    for (const i of idx) per[labels[i]]++;
    expect(per).toEqual([10, 5, 1]);
    expect(lowShotSubset(labels, 0.01).length).toBe(1 + 1 + 1); // 1 % rounds to 1, 0 → 1, 0 → 1
  });

  it('returns ascending, distinct indices, reproducible from the seed; fraction 1 keeps everything', () => {
    const a = lowShotSubset(labels, 0.3, { seed: 4 });
    expect(Array.from(a)).toEqual([...new Set(a)].sort((x, y) => x - y));
    expect(Array.from(lowShotSubset(labels, 0.3, { seed: 4 }))).toEqual(Array.from(a));
    expect(Array.from(lowShotSubset(labels, 0.3, { seed: 5 }))).not.toEqual(Array.from(a));
    expect(lowShotSubset(labels, 1).length).toBe(157);
    expect(lowShotSubset(labels, 0.01, { minPerClass: 0 }).length).toBe(2); // 1.0 → 1, 0.5 → 1 (half up), 0.07 → 0
  });

  it('rejects a fraction outside (0, 1], bad labels and unknown options', () => {
    expect(() => lowShotSubset(labels, 0)).toThrow(InvalidValueError);
    expect(() => lowShotSubset([0, -1], 0.5)).toThrow(/labels\[1\] must be a non-negative integer/);
    expect(() => lowShotSubset(labels, 0.5, { perClass: 2 } as never)).toThrow(/unknown option 'perClass'/);
  });
});
