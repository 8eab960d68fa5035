/**
 * Shared fixtures of the wasm kernel tests: seeded data, the convolution case grid and cpu
 * references (including dilated cases, which tfjs' cpu backprop kernels do not implement).
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../helpers';

/**
 * Seeded uniform values in [-1, 1] (mulberry32), identical on every backend. With `exact`, the
 * values are multiples of 1/16, so every product is a multiple of 1/256 and every sum of a few
 * thousand of them is exact in float32: two correct kernels then agree bit for bit whatever
 * their summation order, and any difference is a real error rather than rounding.
 */
export function seeded(n: number, seed: number, exact = false): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    out[i] = exact ? Math.round(u * 16) / 16 : u;
  }
  return out;
}

export function seededTensor<R extends tf.Rank>(shape: number[], seed: number, exact = false): tf.Tensor<R> {
  return tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed, exact), shape, 'float32') as unknown as tf.Tensor<R>;
}

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

export interface ConvCase {
  /** Printed configuration, e.g. `x=[2,11,10,3] k=3 s=2 d=1 same m=2`. */
  label: string;
  xShape: [number, number, number, number];
  k: number;
  stride: number;
  dilation: number;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** Output channels (conv) or channel multiplier (depthwise). */
  out: number;
}

const EXPLICIT: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];

function padLabel(pad: Pad): string {
  if (typeof pad === 'string') return pad;
  if (typeof pad === 'number') return `pad=${pad}`;
  return `explicit=${JSON.stringify(pad.slice(1, 3))}`;
}

/**
 * The grid strides {1,2} × dilations {1,2} × paddings {same, valid, explicit} × kernel sizes
 * {1,3,5} × `outs`, plus numeric padding with `ceil` rounding.
 */
export function convCases(
  xShape: [number, number, number, number],
  outs: number[],
  outName: string,
  dilations: number[] = [1, 2],
): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const stride of [1, 2]) {
    for (const dilation of dilations) {
      for (const pad of ['same', 'valid', EXPLICIT] as Pad[]) {
        for (const k of [1, 3, 5]) {
          for (const out of outs) {
            cases.push({
              label: `x=[${xShape}] k=${k} s=${stride} d=${dilation} ${padLabel(pad)} ${outName}=${out}`,
              xShape,
              k,
              stride,
              dilation,
              pad,
              out,
            });
          }
        }
      }
    }
  }
  for (const out of outs) {
    cases.push({
      label: `x=[${xShape}] k=3 s=2 d=1 pad=1 ceil ${outName}=${out}`,
      xShape,
      k: 3,
      stride: 2,
      dilation: 1,
      pad: 1,
      dimRoundingMode: 'ceil',
      out,
    });
  }
  return cases;
}

/** Output shape of the forward convolution of a case (depthwise: `out` is the multiplier). */
export function outShape(c: ConvCase, depthwise: boolean): [number, number, number, number] {
  const cin = c.xShape[3];
  const info = tf.backend_util.computeConv2DInfo(
    c.xShape,
    [c.k, c.k, cin, c.out],
    c.stride,
    c.dilation,
    c.pad,
    c.dimRoundingMode,
    depthwise,
  );
  return info.outShape;
}

/**
 * Inserts `d − 1` zero taps between the taps of an HWIO (or HWCM) filter: a convolution with
 * dilation `d` equals a dilation-1 convolution with the result.
 */
export function dilateFilter(w: tf.Tensor4D, d: number): tf.Tensor4D {
  if (d === 1) return w.clone();
  return tf.tidy((): tf.Tensor4D => {
    const [kh, kw, i, o] = w.shape;
    const six = tf.reshape(w, [kh, 1, kw, 1, i, o]);
    const padded = tf.pad(six, [
      [0, 0],
      [0, d - 1],
      [0, 0],
      [0, d - 1],
      [0, 0],
      [0, 0],
    ]);
    const big = tf.reshape(padded, [kh * d, kw * d, i, o]);
    return tf.slice(big, [0, 0, 0, 0], [(kh - 1) * d + 1, (kw - 1) * d + 1, i, o]) as tf.Tensor4D;
  });
}

/** Taps `0, d, 2d, …` of a dilated filter: the inverse of {@link dilateFilter}. */
export function undilateFilter(w: tf.Tensor4D, d: number): tf.Tensor4D {
  if (d === 1) return w.clone();
  return tf.tidy(() => tf.stridedSlice(w, [0, 0, 0, 0], w.shape, [d, d, 1, 1]) as unknown as tf.Tensor4D);
}

/** Runs a kernel directly through the engine on the active backend and reads the result. */
export function runKernelData(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): {
  shape: number[];
  values: Float32Array;
} {
  const out = tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
  const result = { shape: out.shape.slice(), values: out.dataSync() as Float32Array };
  out.dispose();
  return result;
}

/** Runs `fn` on the cpu backend, then switches back to `back`. */
export async function onCpu<T>(fn: () => T, back: 'wasm' | 'cpu' = 'wasm'): Promise<T> {
  await useBackend('cpu');
  try {
    return fn();
  } finally {
    await useBackend(back);
  }
}
