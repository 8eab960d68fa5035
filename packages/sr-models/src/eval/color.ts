/**
 * MATLAB `rgb2ycbcr`: ITU-R BT.601 studio-range YCbCr of an RGB raster.
 * @packageDocumentation
 */
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import { type PixelImage, checkBoolean, checkPixelImage } from './pixel-image';

/** Options of {@link rgb2ycbcr}; defaults in {@link RGB2YCBCR_DEFAULTS}. @category Evaluation */
export interface Rgb2ycbcrOptions {
  /** Return only Y (one channel) instead of Y, Cb, Cr. @defaultValue false */
  yOnly?: boolean;
  /**
   * Round each value half away from zero and clamp to [0, 255], which is what MATLAB returns for
   * `uint8` input (`imlincomb` saturates); false keeps the exact float values (MATLAB on `double`
   * input, ×255; BasicSR's `rgb2ycbcr(img, y_only=True)` on float images).
   * @defaultValue false
   */
  round?: boolean;
}

/** Defaults of {@link Rgb2ycbcrOptions}: full YCbCr, unrounded. @category Evaluation */
export const RGB2YCBCR_DEFAULTS: Readonly<Required<Rgb2ycbcrOptions>> = Object.freeze({
  /** Default of {@link Rgb2ycbcrOptions.yOnly}. */
  yOnly: false,
  /** Default of {@link Rgb2ycbcrOptions.round}. */
  round: false,
});

const KEYS = Object.keys(RGB2YCBCR_DEFAULTS);

/**
 * BT.601 coefficients of MATLAB `rgb2ycbcr` (rows Y, Cb, Cr; columns R, G, B) on the 0–255 scale,
 * each divided by 255 separately, as `T = origT / 255` in MATLAB; offsets 16, 128, 128.
 */
const T: readonly (readonly [number, number, number])[] = [
  [65.481 / 255, 128.553 / 255, 24.966 / 255],
  [-37.797 / 255, -74.203 / 255, 112.0 / 255],
  [112.0 / 255, -93.786 / 255, -18.214 / 255],
];
const OFFSET = [16, 128, 128] as const;

/** Component `c` (0 Y, 1 Cb, 2 Cr) of R, G, B on the 0–255 scale, in MATLAB's operation order (internal). */
export function ycbcrComponent(c: 0 | 1 | 2, r: number, g: number, b: number): number {
  const t = T[c];
  return t[0] * r + t[1] * g + t[2] * b + OFFSET[c];
}

/** Round half away from zero, clamped to [0, 255] (internal; MATLAB's saturating uint8 cast). */
export function roundUint8(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 255) return 255;
  const r = Math.floor(v);
  return v - r >= 0.5 ? r + 1 : r;
}

/**
 * Converts RGB on the 0–255 scale to BT.601 studio-range YCbCr, as MATLAB `rgb2ycbcr`.
 *
 * Y = 16 + (65.481 R + 128.553 G + 24.966 B)/255, Cb = 128 + (−37.797 R − 74.203 G + 112 B)/255,
 * Cr = 128 + (112 R − 93.786 G − 18.214 B)/255, for R, G, B in 0..255 (Y in 16..235). Not
 * OpenCV's `COLOR_RGB2YCrCb`, which is full-range JPEG YCrCb.
 * @param image - 3-channel RGB raster on the 0–255 scale (uint8 or float samples); not modified
 * @param options - see {@link Rgb2ycbcrOptions}
 * @returns a new raster with `Float64Array` data, 3 channels (Y, Cb, Cr) or 1 with `yOnly`
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when the image does not have 3 channels.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown or malformed option.
 * @see MATLAB `rgb2ycbcr`; ITU-R BT.601
 * @example
 * ```ts
 * const y = rgb2ycbcr(image, { yOnly: true, round: true }); // MATLAB rgb2ycbcr(uint8) Y
 * ```
 * @category Evaluation
 */
export function rgb2ycbcr(image: PixelImage, options?: Rgb2ycbcrOptions): PixelImage<Float64Array> {
  const fn = 'rgb2ycbcr';
  const img = checkPixelImage(fn, 'image', image);
  if (img.channels !== 3) throw new ShapeError(`${fn}: image must have 3 channels (RGB), got ${img.channels}`);
  checkOptions(fn, options, KEYS);
  const yOnly = checkBoolean(fn, 'yOnly', options?.yOnly ?? RGB2YCBCR_DEFAULTS.yOnly);
  const round = checkBoolean(fn, 'round', options?.round ?? RGB2YCBCR_DEFAULTS.round);
  const outCh = yOnly ? 1 : 3;
  const n = img.width * img.height;
  const out = new Float64Array(n * outCh);
  const src = img.data;
  for (let i = 0; i < n; i++) {
    const r = src[3 * i];
    const g = src[3 * i + 1];
    const b = src[3 * i + 2];
    if (r !== r || g !== g || b !== b) {
      throw new InvalidValueError(`${fn}: image must not contain NaN, got NaN at pixel ${i % img.width}, ${Math.floor(i / img.width)}`);
    }
    for (let c = 0; c < outCh; c++) {
      const v = ycbcrComponent(c as 0 | 1 | 2, r, g, b);
      out[i * outCh + c] = round ? roundUint8(v) : v;
    }
  }
  return { width: img.width, height: img.height, channels: outCh, data: out };
}
