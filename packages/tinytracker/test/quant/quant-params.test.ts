import { InvalidValueError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { activationQuantParams, quantizeBias, quantizeWeights } from '../../src/quant/quant-params';

describe('activationQuantParams', () => {
  it('gives the released TinyTracker input parameters (0.00816, −5) for RGB in [−1, 1] plus a grid reaching 1.08', () => {
    // Grid channels reach (x + w)·2/25 − 1 = 1.08 for a box touching cell 26 (ITrackerDataTF.create_grid).
    const p = activationQuantParams(-1, 1.08);
    expect(p.scale).toBeCloseTo(0.00816, 5); // spec §3: scale 0.00816
    expect(p.zeroPoint).toBe(-5); // spec §3: zero point −5
  });

  it('maps [0, 6] to scale 6/255, zero point −128, and [−1, 1] to 2/255, −1 (hand values)', () => {
    expect(activationQuantParams(0, 6)).toEqual({ scale: Math.fround(6 / 255), zeroPoint: -128 });
    // zp from max: 127 − 1/(2/255) = −0.5, smaller error than from min → rounds away to −1.
    expect(activationQuantParams(-1, 1)).toEqual({ scale: Math.fround(2 / 255), zeroPoint: -1 });
  });

  it('widens a positive range to include 0 and returns scale 1 for [0, 0]', () => {
    expect(activationQuantParams(2, 4)).toEqual(activationQuantParams(0, 4));
    expect(activationQuantParams(0, 0)).toEqual({ scale: 1, zeroPoint: 0 });
  });

  it('represents 0 exactly and both ends within half a step', () => {
    for (const [lo, hi] of [[-3.3, 0.7], [-0.01, 12], [-5, 5]] as const) {
      const { scale, zeroPoint } = activationQuantParams(lo, hi);
      expect(Number.isInteger(zeroPoint)).toBe(true);
      expect(scale * (-128 - zeroPoint)).toBeLessThanOrEqual(lo + scale / 2 + 1e-9);
      expect(scale * (127 - zeroPoint)).toBeGreaterThanOrEqual(hi - scale / 2 - 1e-9);
    }
  });

  it('rejects an inverted or non-finite range', () => {
    expect(() => activationQuantParams(1, 0)).toThrow(/activationQuantParams: \[min, max\] must be a finite range with min <= max, got \[1, 0\]/);
    expect(() => activationQuantParams(Number.NaN, 0)).toThrow(InvalidValueError);
  });
});

describe('quantizeWeights', () => {
  it('scales each output channel (last axis) by max|w|/127 with symmetric rounding (hand values)', () => {
    // channel 0: [0.5, 0.25] → scale 0.5/127 → [127, 63.5 → 64]; channel 1: [−1, 2] → scale 2/127 → [−63.5 → −64, 127]
    const q = quantizeWeights(Float32Array.of(0.5, -1, 0.25, 2), 2);
    expect(Array.from(q.values)).toEqual([127, -64, 64, 127]);
    expect(q.scales[0]).toBeCloseTo(0.5 / 127, 9);
    expect(q.scales[1]).toBeCloseTo(2 / 127, 9);
  });

  it('uses one scale per tensor with channels = 1, never −128, and scale 1 for an all-zero channel', () => {
    const q = quantizeWeights(Float32Array.of(-4, 1, 2, 4), 1);
    expect(Array.from(q.values)).toEqual([-127, 32, 64, 127]); // 1/(4/127) = 31.75 → 32
    expect(q.scales).toHaveLength(1);
    expect(quantizeWeights(Float32Array.of(0, 0), 2).scales).toEqual(Float32Array.of(1, 1));
  });

  it('rejects a channel count that does not divide the length', () => {
    expect(() => quantizeWeights(new Float32Array(6), 4)).toThrow(/quantizeWeights: channels must be a positive integer dividing 6, got 4/);
  });
});

describe('quantizeBias', () => {
  it('divides by s_in·s_w per channel and rounds half away from zero', () => {
    // 0.3/(0.1·0.01) = 300; −0.00025/(0.1·0.001) = −2.5 → −3
    expect(Array.from(quantizeBias(Float32Array.of(0.3, -0.00025), 0.1, Float32Array.of(0.01, 0.001)))).toEqual([300, -3]);
  });

  it('rejects a scale list of the wrong length and a non-positive input scale', () => {
    expect(() => quantizeBias(new Float32Array(3), 0.1, new Float32Array(2))).toThrow(/weightScales must have length 1 or 3, got 2/);
    expect(() => quantizeBias(new Float32Array(1), 0, new Float32Array(1))).toThrow(InvalidValueError);
  });
});
