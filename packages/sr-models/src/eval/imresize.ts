/**
 * MATLAB-compatible bicubic `imresize`, exact to the sample on 8-bit images.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import { type PixelData, type PixelImage, checkBoolean, checkPixelImage, show } from './pixel-image';

/**
 * Target of {@link imresize}: a scale factor applied to both sides (output side `⌈s · side⌉`, as
 * MATLAB `imresize(A, s)`), or an explicit `[height, width]` (MATLAB `imresize(A, [rows cols])`).
 * @category Evaluation
 */
export type ImresizeSize =
  | number
  | {
      /** Output `[height, width]` in pixels. */
      readonly outputSize: readonly [number, number];
    };

/** Options of {@link imresize}; defaults in {@link IMRESIZE_DEFAULTS}. @category Evaluation */
export interface ImresizeOptions {
  /** Interpolation kernel. Only `'bicubic'` (Keys, a = −0.5) is implemented. @defaultValue 'bicubic' */
  method?: 'bicubic';
  /** Widen the kernel by `1/s` when shrinking (`s < 1`), as MATLAB's `'Antialiasing', true`. @defaultValue true */
  antialias?: boolean;
}

/** Defaults of {@link ImresizeOptions}: those of MATLAB `imresize(A, s)` (bicubic, antialiasing on). @category Evaluation */
export const IMRESIZE_DEFAULTS: Readonly<Required<ImresizeOptions>> = Object.freeze({
  /** Default of {@link ImresizeOptions.method}. */
  method: 'bicubic',
  /** Default of {@link ImresizeOptions.antialias}. */
  antialias: true,
});

const KEYS = Object.keys(IMRESIZE_DEFAULTS);

/** Keys cubic kernel with a = −0.5, written as MATLAB's `cubic()` in `imresize.m`. */
function cubic(x: number): number {
  const absx = Math.abs(x);
  const absx2 = absx * absx;
  const absx3 = absx2 * absx;
  if (absx <= 1) return 1.5 * absx3 - 2.5 * absx2 + 1;
  if (absx <= 2) return -0.5 * absx3 + 2.5 * absx2 - 4 * absx + 2;
  return 0;
}

/** Per output position: `taps` input indices (0-based, mirrored) and normalised weights. */
interface Contributions {
  readonly taps: number;
  readonly indices: Int32Array;
  readonly weights: Float64Array;
}

/**
 * MATLAB `contributions(in_length, out_length, scale, kernel, kernel_width, antialiasing)`:
 * u = x/s + 0.5(1 − 1/s) (1-based), taps from ⌊u − width/2⌋, ⌈width⌉ + 2 of them, weights
 * normalised per output, indices mirrored edge-inclusively (`[1:n, n:-1:1]`, periodic).
 */
function contributions(inLength: number, outLength: number, scale: number, antialias: boolean): Contributions {
  const shrink = scale < 1 && antialias;
  const kernelWidth = shrink ? 4 / scale : 4;
  const taps = Math.ceil(kernelWidth) + 2;
  const indices = new Int32Array(outLength * taps);
  const weights = new Float64Array(outLength * taps);
  const period = 2 * inLength;
  for (let i = 0; i < outLength; i++) {
    const x = i + 1;
    const u = x / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - kernelWidth / 2);
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const idx = left + k;
      const w = shrink ? scale * cubic(scale * (u - idx)) : cubic(u - idx);
      weights[i * taps + k] = w;
      sum += w;
    }
    for (let k = 0; k < taps; k++) {
      weights[i * taps + k] /= sum;
      // aux = [1:n, n:-1:1]; indices = aux(mod(idx - 1, 2n) + 1), converted to 0-based.
      const m = (((left + k - 1) % period) + period) % period;
      indices[i * taps + k] = m < inLength ? m : period - 1 - m;
    }
  }
  return { taps, indices, weights };
}

/** How a pass stores its result: rounded half away from zero and clamped to [0, max], or as is. */
type Quantiser = ((v: number) => number) | undefined;

function integerQuantiser(max: number): (v: number) => number {
  return (v: number) => {
    if (!(v > 0)) return 0; // also NaN → 0, as MATLAB's saturating cast
    if (v >= max) return max;
    const r = Math.floor(v);
    return v - r >= 0.5 ? r + 1 : r;
  };
}

/**
 * One separable pass along `axis` (0 = rows/height, 1 = columns/width) of an HWC raster.
 * Accumulates in float64 over the taps in order, then quantises (integer data) or stores as is.
 */
function resizeAxis(
  src: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  axis: 0 | 1,
  c: Contributions,
  dst: { [i: number]: number; length: number },
  quantise: Quantiser,
): void {
  const { taps, indices, weights } = c;
  if (axis === 0) {
    const outH = indices.length / taps;
    const rowStride = width * channels;
    for (let y = 0; y < outH; y++) {
      const base = y * taps;
      for (let j = 0; j < rowStride; j++) {
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += weights[base + k] * src[indices[base + k] * rowStride + j];
        dst[y * rowStride + j] = quantise ? quantise(acc) : acc;
      }
    }
  } else {
    const outW = indices.length / taps;
    for (let y = 0; y < height; y++) {
      const srcRow = y * width * channels;
      const dstRow = y * outW * channels;
      for (let x = 0; x < outW; x++) {
        const base = x * taps;
        for (let ch = 0; ch < channels; ch++) {
          let acc = 0;
          for (let k = 0; k < taps; k++) acc += weights[base + k] * src[srcRow + indices[base + k] * channels + ch];
          dst[dstRow + x * channels + ch] = quantise ? quantise(acc) : acc;
        }
      }
    }
  }
}

/** Resolves the output size and per-axis scales the way MATLAB's `imresize` parses them. */
function resolveSize(fn: string, height: number, width: number, size: unknown): { outH: number; outW: number; scaleH: number; scaleW: number } {
  if (typeof size === 'number') {
    if (!Number.isFinite(size) || size <= 0) {
      throw new InvalidValueError(`${fn}: scale must be a finite number > 0, got ${show(size)}`);
    }
    const outH = Math.ceil(size * height);
    const outW = Math.ceil(size * width);
    return { outH, outW, scaleH: size, scaleW: size };
  }
  if (size !== null && typeof size === 'object' && 'outputSize' in size) {
    checkOptions(fn, size, ['outputSize']);
    const o = (size as { outputSize: unknown }).outputSize;
    if (!Array.isArray(o) || o.length !== 2 || !o.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 1)) {
      throw new InvalidValueError(`${fn}: outputSize must be [height, width] of positive integers, got ${show(o)}`);
    }
    return { outH: o[0], outW: o[1], scaleH: o[0] / height, scaleW: o[1] / width };
  }
  throw new InvalidValueError(`${fn}: size must be a scale factor or { outputSize: [height, width] }, got ${show(size)}`);
}

function resolveOptions(fn: string, options: ImresizeOptions | undefined): Required<ImresizeOptions> {
  checkOptions(fn, options, KEYS);
  const method = options?.method ?? IMRESIZE_DEFAULTS.method;
  if (method !== 'bicubic') throw new InvalidValueError(`${fn}: method must be 'bicubic', got ${show(method)}`);
  const antialias = checkBoolean(fn, 'antialias', options?.antialias ?? IMRESIZE_DEFAULTS.antialias);
  return { method, antialias };
}

/** Shared core: resizes raw HWC samples; `quantise` set for integer data. */
function resizeSamples(
  data: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  sizes: { outH: number; outW: number; scaleH: number; scaleW: number },
  antialias: boolean,
  quantise: Quantiser,
  makeOut: (n: number) => { [i: number]: number; length: number },
): { [i: number]: number; length: number } {
  const { outH, outW, scaleH, scaleW } = sizes;
  // MATLAB processes the dimension with the smaller scale first (stable sort: height on ties).
  const heightFirst = scaleH <= scaleW;
  const cH = contributions(height, outH, scaleH, antialias);
  const cW = contributions(width, outW, scaleW, antialias);
  const out = makeOut(outH * outW * channels);
  if (heightFirst) {
    // Intermediate in float64; for integer data it holds the rounded, clamped first pass.
    const mid = new Float64Array(outH * width * channels);
    resizeAxis(data, height, width, channels, 0, cH, mid, quantise);
    resizeAxis(mid, outH, width, channels, 1, cW, out, quantise);
  } else {
    const mid = new Float64Array(height * outW * channels);
    resizeAxis(data, height, width, channels, 1, cW, mid, quantise);
    resizeAxis(mid, height, outW, channels, 0, cH, out, quantise);
  }
  return out;
}

/**
 * Resizes an HWC raster with MATLAB's `imresize(A, s)` / `imresize(A, [rows cols])`, bicubic.
 *
 * Separable Keys cubic (a = −0.5): output position x (1-based) maps to u = x/s + 0.5(1 − 1/s);
 * it takes ⌈w⌉ + 2 taps from ⌊u − w/2⌋ with weights k(u − j) normalised to sum 1, where w = 4, or,
 * when shrinking with antialiasing, w = 4/s and weights s·k(s(u − j)). Borders mirror
 * edge-inclusively (`… 2 1 1 2 …`). The side with the smaller scale is resized first (height on
 * a tie). Sums are float64 in tap order; integer data is rounded half away from zero and clamped
 * after **each** pass (MATLAB's `imresizemex`), which is what makes 8-bit results exact. Float data
 * is resized without rounding (float64 intermediates; the output has the input's array type).
 * @param image - HWC raster, any channel count; not modified
 * @param size - scale factor (both sides, output side ⌈s·side⌉) or `{ outputSize: [height, width] }`
 * @param options - see {@link ImresizeOptions}
 * @returns a new raster of the same array type (`Uint8ClampedArray` comes back as `Uint8Array`)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a malformed image.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-positive scale, a bad output size or an unknown option.
 * @see MATLAB `imresize.m` (`contributions`, `cubic`); Keys 1981, doi:10.1109/TASSP.1981.1163711
 * @example
 * ```ts
 * const hr = modcrop(await readImageFile('HR/baby.bmp'), 4);
 * const lr = imresize(hr, 1 / 4);       // Uint8Array, equal to MATLAB's output
 * const up = imresize(lr, 4);           // bicubic baseline at ×4
 * ```
 * @category Evaluation
 */
export function imresize<D extends PixelData>(image: PixelImage<D>, size: ImresizeSize, options?: ImresizeOptions): PixelImage<D extends Uint8ClampedArray ? Uint8Array : D> {
  const fn = 'imresize';
  const img = checkPixelImage(fn, 'image', image);
  const { antialias } = resolveOptions(fn, options);
  const sizes = resolveSize(fn, img.height, img.width, size);
  const { data, width, height, channels } = img;
  let out: PixelData;
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) {
    out = resizeSamples(data, height, width, channels, sizes, antialias, integerQuantiser(255), (n) => new Uint8Array(n)) as Uint8Array;
  } else if (data instanceof Uint16Array) {
    out = resizeSamples(data, height, width, channels, sizes, antialias, integerQuantiser(65535), (n) => new Uint16Array(n)) as Uint16Array;
  } else if (data instanceof Float32Array) {
    out = resizeSamples(data, height, width, channels, sizes, antialias, undefined, (n) => new Float32Array(n)) as Float32Array;
  } else {
    out = resizeSamples(data, height, width, channels, sizes, antialias, undefined, (n) => new Float64Array(n)) as Float64Array;
  }
  return { width: sizes.outW, height: sizes.outH, channels, data: out } as PixelImage<D extends Uint8ClampedArray ? Uint8Array : D>;
}

/**
 * Resizes an `[H, W, C]` or `[N, H, W, C]` float tensor with the same MATLAB bicubic as
 * {@link imresize}, in float mode (float64 sums, no rounding; values are not clamped).
 *
 * A thin wrapper: the samples are read to the CPU, resized per image, and uploaded again.
 * @param x - float32 tensor `[H, W, C]` or `[N, H, W, C]`; not disposed
 * @param size - scale factor or `{ outputSize: [height, width] }`
 * @param options - see {@link ImresizeOptions}
 * @returns a new float32 tensor of rank of `x`; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when `x` is not a rank-3 or rank-4 float32 tensor.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} as {@link imresize}.
 * @example
 * ```ts
 * const lr = imresizeTensor(hr, 1 / 4); // [h/4, w/4, 3]
 * ```
 * @category Evaluation
 */
export function imresizeTensor<T extends tf.Tensor3D | tf.Tensor4D>(x: T, size: ImresizeSize, options?: ImresizeOptions): T {
  const fn = 'imresizeTensor';
  if (!(x instanceof tf.Tensor)) throw new ShapeError(`${fn}: x must be a tf.Tensor, got ${show(x)}`);
  if (x.rank !== 3 && x.rank !== 4) throw new ShapeError(`${fn}: x must have rank 3 [H, W, C] or 4 [N, H, W, C], got shape [${x.shape}]`);
  if (x.dtype !== 'float32') throw new ShapeError(`${fn}: x must have dtype float32, got ${x.dtype}`);
  const [n, height, width, channels] = (x.rank === 4 ? x.shape : [1, ...x.shape]) as [number, number, number, number];
  if (height < 1 || width < 1 || channels < 1) throw new ShapeError(`${fn}: x must be non-empty, got shape [${x.shape}]`);
  const { antialias } = resolveOptions(fn, options);
  const sizes = resolveSize(fn, height, width, size);
  const src = x.dataSync() as Float32Array;
  const per = height * width * channels;
  const perOut = sizes.outH * sizes.outW * channels;
  const out = new Float32Array(n * perOut);
  for (let i = 0; i < n; i++) {
    const r = resizeSamples(src.subarray(i * per, (i + 1) * per), height, width, channels, sizes, antialias, undefined, (m) => new Float32Array(m));
    out.set(r as Float32Array, i * perOut);
  }
  const shape: number[] = x.rank === 4 ? [n, sizes.outH, sizes.outW, channels] : [sizes.outH, sizes.outW, channels];
  return tf.tensor(out, shape, 'float32') as unknown as T;
}
