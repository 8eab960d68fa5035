/**
 * Peak signal-to-noise ratio of two 8-bit-scale images (paper Y and NTIRE RGB variants).
 * @packageDocumentation
 */
import { checkOptions } from '@lab/tensor';
import { type ImageQualityOptions, IMAGE_QUALITY_DEFAULTS, preparePair } from './image-quality-options';
import type { PixelImage } from './pixel-image';

/** Options of {@link psnr}: the shared {@link ImageQualityOptions}. @category Evaluation */
export type PsnrOptions = ImageQualityOptions;

/** Defaults of {@link PsnrOptions}: {@link IMAGE_QUALITY_DEFAULTS}. @category Evaluation */
export const PSNR_DEFAULTS: Readonly<Required<PsnrOptions>> = IMAGE_QUALITY_DEFAULTS;

const KEYS = Object.keys(PSNR_DEFAULTS);

/**
 * Computes the PSNR in dB of two images on the 0–255 scale.
 *
 * PSNR = 10 · log10(255² / MSE), MSE the mean of (a − b)² over every compared sample: all
 * channels (NTIRE `calculate_psnr`), or Y only (`yOnly`, paper tables), inside `border`. Identical
 * images give `Infinity`. Samples are read as they are: quantise a float SR output first
 * (see {@link evaluateSr}).
 * @param a - HWC raster on the 0–255 scale; not modified
 * @param b - raster of the same size
 * @param options - see {@link ImageQualityOptions}
 * @returns PSNR in dB (`Infinity` when MSE is 0)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for different sizes, a non-RGB image with `yOnly`, or a border that leaves nothing.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN samples or an unknown or malformed option.
 * @see BasicSR `basicsr/metrics/psnr_ssim.py` `calculate_psnr`; NTIRE2022_ESR `utils/utils_image.py`
 * @example
 * ```ts
 * const db = psnr(sr, modcrop(hr, 4), { border: 4, yOnly: true }); // paper PSNR on Y
 * ```
 * @category Evaluation
 */
export function psnr(a: PixelImage, b: PixelImage, options?: PsnrOptions): number {
  const fn = 'psnr';
  checkOptions(fn, options, KEYS);
  const p = preparePair(fn, a, b, options);
  let sum = 0;
  for (let i = 0; i < p.a.length; i++) {
    const d = p.a[i] - p.b[i];
    sum += d * d;
  }
  const mse = sum / p.a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}
