import { InvalidValueError, Rng } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../src/quant/fixed-point';

/** gemmlowp's SaturatingRoundingDoublingHighMul in 64-bit integers (BigInt), literally. */
function srdhmBig(a: number, b: number): number {
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates, as C++
}

/** RoundingDivideByPOT as round-half-away-from-zero division, in BigInt. */
function rdbpotBig(x: number, e: number): number {
  if (e === 0) return x;
  const d = 1n << BigInt(e);
  const X = BigInt(x);
  const q = (2n * (X < 0n ? -X : X) + d) / (2n * d);
  return Number(X < 0n ? -q : q);
}

describe('quantizeMultiplier', () => {
  it('decomposes 0.75, 0.5, 0.1 and 1.0 into a Q31 mantissa and shift (hand values)', () => {
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 }); // 0.75·2³¹
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 }); // 0.5·2¹
    expect(quantizeMultiplier(0.1)).toEqual({ multiplier: 1717986918, shift: -3 }); // round(0.8·2³¹), 0.1 = 0.8·2⁻³
  });

  it('renormalises a mantissa that rounds up to 2³¹ and flushes shifts below −31 to zero', () => {
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
  });

  it('reconstructs the multiplier within 2⁻³¹ relative for 1000 seeded values', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 1000; i++) {
      const real = Math.exp(rng.next() * 20 - 15);
      const { multiplier, shift } = quantizeMultiplier(real);
      expect(Math.abs(multiplier * 2 ** (shift - 31) - real) / real).toBeLessThanOrEqual(2 ** -31);
    }
  });

  it('rejects negative and non-finite multipliers', () => {
    expect(() => quantizeMultiplier(-1)).toThrow(InvalidValueError);
    expect(() => quantizeMultiplier(Number.NaN)).toThrow(/quantizeMultiplier: real must be a finite number >= 0, got NaN/);
  });
});

describe('multiplyByQuantizedMultiplier', () => {
  it('rounds 2.5 away from zero and −2.5 away from zero at the right shift (x=±25, M=0.1)', () => {
    const { multiplier, shift } = quantizeMultiplier(0.1);
    expect(multiplyByQuantizedMultiplier(25, multiplier, shift)).toBe(3);
    expect(multiplyByQuantizedMultiplier(-25, multiplier, shift)).toBe(-3);
    expect(multiplyByQuantizedMultiplier(24, multiplier, shift)).toBe(2);
  });

  it('rounds the high multiply half up: −0.5 → 0 and 0.5 → 1 (M = 0.5, shift 0)', () => {
    // SRDHM(±1, 2³⁰) = round(±0.5) with nudge: 0.5 → 1, −0.5 → 0.
    expect(saturatingRoundingDoublingHighMul(1, 2 ** 30)).toBe(1);
    expect(saturatingRoundingDoublingHighMul(-1, 2 ** 30)).toBe(0);
    expect(roundingDivideByPOT(-3, 1)).toBe(-2); // −1.5 → −2
    expect(roundingDivideByPOT(3, 1)).toBe(2);
    expect(roundingDivideByPOT(-5, 2)).toBe(-1); // −1.25 → −1
  });

  it('equals a 64-bit integer evaluation of gemmlowp on 5000 seeded cases, shifts −31…+4', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 5000; i++) {
      const shift = rng.int(-31, 5);
      const multiplier = rng.int(2 ** 30, 2 ** 31 - 1);
      const limit = 2 ** (30 - Math.max(shift, 0));
      const x = rng.int(-limit, limit);
      const expected = rdbpotBig(srdhmBig(x * 2 ** Math.max(shift, 0), multiplier), Math.max(-shift, 0));
      expect(multiplyByQuantizedMultiplier(x, multiplier, shift)).toBe(expected);
      expect(saturatingRoundingDoublingHighMul(x, multiplier)).toBe(srdhmBig(x, multiplier));
    }
  });

  it('stays within 1 of x·M for every case (rounding error)', () => {
    const rng = new Rng(12);
    for (let i = 0; i < 2000; i++) {
      const real = Math.exp(rng.next() * 10 - 10);
      const { multiplier, shift } = quantizeMultiplier(real);
      const x = rng.int(-(2 ** 24), 2 ** 24);
      expect(Math.abs(multiplyByQuantizedMultiplier(x, multiplier, shift) - x * real)).toBeLessThanOrEqual(1);
    }
  });

  it('rejects non-int32 inputs and overflowing left shifts by name', () => {
    expect(() => multiplyByQuantizedMultiplier(0.5, 2 ** 30, 0)).toThrow(/x must be an int32/);
    expect(() => multiplyByQuantizedMultiplier(2 ** 30, 2 ** 30, 2)).toThrow(/x·2\^shift must stay in int32/);
    expect(() => multiplyByQuantizedMultiplier(1, 2 ** 31, 0)).toThrow(/multiplier must be an integer in \[0, 2\^31\)/);
  });
});
