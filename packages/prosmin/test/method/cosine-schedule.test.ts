import { expect, it, describe } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { cosineSchedule } from '../../src/method/cosine-schedule';

describe('cosineSchedule', () => {
  it('follows final + ½(base − final)(1 + cos(πi/T)): [1, 0.8536, 0.5, 0.1464] for 1 → 0 over 4 steps', () => {
    const s = Array.from(cosineSchedule(1, 0, 4));
    [1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2].forEach((v, i) => expect(s[i]).toBeCloseTo(v, 12));
  });

  it('warms up linearly with linspace(start, base, W) endpoints included, then decays from base', () => {
    const s = Array.from(cosineSchedule(2, 0, 5, { warmupSteps: 3 }));
    expect(s.slice(0, 3)).toEqual([0, 1, 2]);
    expect(s[3]).toBeCloseTo(2, 12); // cosine restarts at base
    expect(s[4]).toBeCloseTo(1, 12); // i = 1 of T − W = 2: cos(π/2) = 0
  });

  it('rises from 0.9 towards 1 for the EMA momentum, monotonically', () => {
    const s = cosineSchedule(0.9, 1, 100);
    expect(s[0]).toBe(0.9);
    for (let i = 1; i < 100; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    expect(s[99]).toBeLessThan(1);
    expect(s[99]).toBeGreaterThan(0.9999);
  });

  it('rejects warm-up longer than the schedule, a non-integer length and unknown options', () => {
    expect(() => cosineSchedule(1, 0, 3, { warmupSteps: 4 })).toThrow(InvalidValueError);
    expect(() => cosineSchedule(1, 0, 2.5)).toThrow(/totalSteps must be a positive integer/);
    expect(() => cosineSchedule(1, 0, 3, { warmup: 1 } as never)).toThrow(/unknown option 'warmup'/);
  });
});
