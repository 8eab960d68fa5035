/**
 * Plain-JS reference computations for the nn tests, written from the PyTorch definitions
 * (NCHW formulas evaluated on NHWC arrays). Independent of tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Row-major index into an NHWC array. */
export function nhwc(shape: readonly number[], n: number, y: number, x: number, c: number): number {
  return ((n * shape[1] + y) * shape[2] + x) * shape[3] + c;
}

export interface RefConvOptions {
  stride?: [number, number];
  pads?: [[number, number], [number, number]];
  dilation?: [number, number];
  groups?: number;
}

/**
 * PyTorch `F.conv2d` from its definition: `y[n,o,p,q] = b[o] + Σ_{i,u,v} W[o,i,u,v] ·
 * xpad[n, g·cin/G + i, p·sh + u·dh, q·sw + v·dw]` with `g = ⌊o / (cout/G)⌋`, zero padding.
 * `w` is in torch OIHW layout; input/output NHWC.
 */
export function refConv2d(
  x: ArrayLike<number>,
  xShape: [number, number, number, number],
  w: ArrayLike<number>,
  wShape: [number, number, number, number],
  bias: ArrayLike<number> | null,
  o: RefConvOptions = {},
): { data: Float64Array; shape: [number, number, number, number] } {
  const [n, h, wd, cin] = xShape;
  const [cout, cinG, kh, kw] = wShape;
  const [sh, sw] = o.stride ?? [1, 1];
  const [[pt, pb], [pl, pr]] = o.pads ?? [
    [0, 0],
    [0, 0],
  ];
  const [dh, dw] = o.dilation ?? [1, 1];
  const groups = o.groups ?? 1;
  if (cinG * groups !== cin) throw new Error('refConv2d: bad groups');
  const coutG = cout / groups;
  const oh = Math.floor((h + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const out = new Float64Array(n * oh * ow * cout);
  const shape: [number, number, number, number] = [n, oh, ow, cout];
  for (let b = 0; b < n; b++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++)
        for (let oc = 0; oc < cout; oc++) {
          const g = Math.floor(oc / coutG);
          let acc = bias ? bias[oc] : 0;
          for (let i = 0; i < cinG; i++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const yy = p * sh + u * dh - pt;
                const xx = q * sw + v * dw - pl;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                acc += w[((oc * cinG + i) * kh + u) * kw + v] * x[nhwc(xShape, b, yy, xx, g * cinG + i)];
              }
          out[nhwc(shape, b, p, q, oc)] = acc;
        }
  return { data: out, shape };
}

/** Deterministic small test values: `(i·37 mod 17 − 8) / 8`, a fixed pseudo-random pattern. */
export function pattern(n: number, offset = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (((i + offset) * 37) % 17) / 8 - 1;
  return a;
}

/** Asserts element-wise |a − e| ≤ atol + rtol·|e| and equal lengths. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}

/** Reads a tensor's values and disposes it. */
export function take(t: tf.Tensor): Float32Array {
  const d = t.dataSync() as Float32Array;
  const copy = Float32Array.from(d);
  t.dispose();
  return copy;
}
