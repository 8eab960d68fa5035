import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { BlurImputer, gaussianBinKernel } from '../../src/imputation/blur-imputer';
import { ConstantImputer } from '../../src/imputation/constant-imputer';
import { ImputerState } from '../../src/imputation/imputer';
import { MeanImputer } from '../../src/imputation/mean-imputer';

const dims = (h: number, w: number, c: number) => ({ height: h, width: w, channels: c });

describe('ConstantImputer', () => {
  it('sets every channel of the removed pixels to the value: 1×3×2, middle removed, value 0.25', () => {
    const img = Float32Array.from([1, 2, 3, 4, 5, 6]);
    new ConstantImputer({ value: 0.25 }).fill(img, Uint8Array.from([0, 1, 0]), dims(1, 3, 2), new Rng(0));
    expect(Array.from(img)).toEqual([1, 2, 0.25, 0.25, 5, 6]);
  });
  it('rejects a non-finite value', () => {
    expect(() => new ConstantImputer({ value: NaN })).toThrow(InvalidValueError);
  });
});

describe('MeanImputer', () => {
  it('fills with the per-channel mean of the whole original image: 1×4×2 → (2.5, 25)', () => {
    // Channel 0: (1+2+3+4)/4 = 2.5; channel 1: (10+20+30+40)/4 = 25 (removed pixels included: the original image).
    const img = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    new MeanImputer().fill(img, Uint8Array.from([1, 0, 0, 1]), dims(1, 4, 2), new Rng(0), new ImputerState());
    expect(Array.from(img)).toEqual([2.5, 25, 2, 20, 3, 30, 2.5, 25]);
  });
});

describe('BlurImputer', () => {
  it('uses the N(0, σ²) mass of each pixel bin: size 3, σ = 1 → side 0.279010, centre 0.441980', () => {
    // Φ(0.5) = 0.691462, Φ(1.5) = 0.933193: side = 0.241730, centre = 0.382925, sum 0.866386.
    const k = gaussianBinKernel(3, 1);
    expect(k[0]).toBeCloseTo(0.27901, 5);
    expect(k[1]).toBeCloseTo(0.44198, 5);
    expect(k[2]).toBeCloseTo(0.27901, 5);
  });

  it('reproduces RISE gkern(11, 5): diff(Φ(linspace(−5, 5, 12))) normalised', () => {
    // RISE bins span ±5 std over 11 pixels: bin width 10/11 std = 1 px, so σ = 1.1 px.
    const phi = (x: number) => 0.5 * (1 + erfRef(x / Math.SQRT2));
    const edges = Array.from({ length: 12 }, (_, i) => -5 + (10 * i) / 11);
    const rise = edges.slice(1).map((e, i) => phi(e) - phi(edges[i]));
    const s = rise.reduce((a, b) => a + b, 0);
    const k = gaussianBinKernel(11, 1.1);
    rise.forEach((v, i) => expect(k[i]).toBeCloseTo(v / s, 6));
  });

  it('blurs an impulse at the centre of 3×3 into the outer product of the kernel: centre 0.441980² = 0.195346', () => {
    const img = Float32Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const out = new BlurImputer({ kernelSize: 3, sigma: 1 }).blur(img, dims(3, 3, 1));
    expect(out[4]).toBeCloseTo(0.195346, 5);
    expect(out[0]).toBeCloseTo(0.27901 ** 2, 5);
    expect(out[1]).toBeCloseTo(0.27901 * 0.44198, 5);
  });

  it('replaces only the removed pixels and pads with zeros at the border (constant 1 image, 1×3)', () => {
    // Row of ones, kernel k = (0.27901, 0.44198, 0.27901). Horizontal pass: end pixel 0.44198 + 0.27901
    // = 0.72099 (one tap in the zero pad), middle 1. Vertical pass on a 1-row image keeps only the
    // centre tap: × 0.44198 → 0.318663 and 0.44198.
    const img = Float32Array.from([1, 1, 1]);
    new BlurImputer({ kernelSize: 3, sigma: 1 }).fill(img, Uint8Array.from([1, 1, 0]), dims(1, 3, 1), new Rng(0));
    expect(img[0]).toBeCloseTo(0.72099 * 0.44198, 5);
    expect(img[1]).toBeCloseTo(0.44198, 5);
    expect(img[2]).toBe(1);
  });

  it('rejects an even kernel size', () => {
    expect(() => new BlurImputer({ kernelSize: 4 })).toThrow(/kernelSize must be odd/);
  });
});

describeBackends('ConstantImputer.impute', () => {
  it('returns one new tensor and leaves the inputs untouched', async () => {
    const x = tf.ones([1, 2, 2, 1]);
    const m = tf.tensor4d([1, 0, 0, 1], [1, 2, 2, 1]);
    const out = await expectTensorDelta(() => new ConstantImputer().impute(x, m), 1);
    expect(Array.from(await out.data())).toEqual([0, 1, 1, 0]);
    expect(Array.from(await x.data())).toEqual([1, 1, 1, 1]);
    tf.dispose([x, m, out]);
  });
});

/** erf by its Maclaurin series (independent of the implementation under test). */
function erfRef(x: number): number {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
