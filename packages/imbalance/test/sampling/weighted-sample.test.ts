import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { weightedSample } from '../../src/sampling/weighted-sample';

describe('weightedSample', () => {
  it('draws with replacement in proportion to the weights and never a zero weight', () => {
    const draws = weightedSample([0, 1, 3], 4000, { seed: 1 });
    expect(draws.includes(0)).toBe(false);
    const twos = draws.filter((i) => i === 2).length / draws.length;
    expect(Math.abs(twos - 0.75)).toBeLessThan(0.03); // 3/(1+3); 4000 draws: σ ≈ 0.007
  });

  it('repeats for a seed and changes with it', () => {
    const w = [1, 2, 3, 4, 5];
    expect(Array.from(weightedSample(w, 20, { seed: 9 }))).toEqual(Array.from(weightedSample(w, 20, { seed: 9 })));
    expect(Array.from(weightedSample(w, 20, { seed: 9 }))).not.toEqual(Array.from(weightedSample(w, 20, { seed: 10 })));
  });

  it('without replacement returns distinct indices of positive weight, heavier ones first more often', () => {
    const all = weightedSample([5, 0, 1, 2], 3, { replacement: false, seed: 4 });
    expect(Array.from(all).sort()).toEqual([0, 2, 3]);
    let firstIsZero = 0;
    for (let seed = 0; seed < 400; seed++) if (weightedSample([5, 0, 1, 2], 1, { replacement: false, seed })[0] === 0) firstIsZero++;
    expect(Math.abs(firstIsZero / 400 - 5 / 8)).toBeLessThan(0.08);
  });

  it('rejects negative or non-finite weights, all-zero weights and a count above the positive weights', () => {
    expect(() => weightedSample([1, -1], 2)).toThrow(/weights\[1\] must be a finite number >= 0/);
    expect(() => weightedSample([0, 0], 2)).toThrow(InvalidValueError);
    expect(() => weightedSample([1, 0, 1], 3, { replacement: false })).toThrow(/count must be <= 2/);
    expect(() => weightedSample([1], 1.5)).toThrow(/count must be an integer >= 0/);
    expect(() => weightedSample([1], 1, { rng: 1 } as never)).toThrow(/unknown option 'rng'/);
  });
});
