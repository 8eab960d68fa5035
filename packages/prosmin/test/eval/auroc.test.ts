import { describe, expect, it } from 'vitest';
import { InvalidValueError, Rng } from '@lab/tensor';
import { auroc } from '../../src/eval/auroc';

/** P(S₊ > S₋) + ½P(S₊ = S₋) by counting every pair (O(n²)). */
function bruteForce(p: number[], q: number[]): number {
  let s = 0;
  for (const a of p) for (const b of q) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (p.length * q.length);
}

describe('auroc', () => {
  it('is 1 for perfect separation, 0 when reversed and 0.5 when every score ties', () => {
    expect(auroc([3, 4], [1, 2])).toBe(1);
    expect(auroc([1, 2], [3, 4])).toBe(0);
    expect(auroc([1, 1, 1], [1, 1])).toBe(0.5);
  });

  it('counts ties as ½: [0.9, 0.5] vs [0.5, 0.1] gives (1 + 1 + ½ + 1)/4 = 0.875', () => {
    expect(auroc([0.9, 0.5], [0.5, 0.1])).toBe(0.875);
  });

  it('equals the pairwise count on random scores with many ties, and is invariant to monotone maps', () => {
    const rng = new Rng(5);
    const p = Array.from({ length: 70 }, () => Math.floor(rng.next() * 12));
    const q = Array.from({ length: 55 }, () => Math.floor(rng.next() * 10));
    expect(auroc(p, q)).toBeCloseTo(bruteForce(p, q), 12);
    expect(auroc(p.map(Math.exp), q.map(Math.exp))).toBeCloseTo(auroc(p, q), 12);
    expect(auroc(q, p)).toBeCloseTo(1 - auroc(p, q), 12);
  });

  it('rejects empty sets and non-finite scores', () => {
    expect(() => auroc([], [1])).toThrow(InvalidValueError);
    expect(() => auroc([1, NaN], [1])).toThrow(/positives\[1\] must be a finite number/);
  });
});
