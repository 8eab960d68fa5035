/**
 * `modcrop` and `shave`: the two crops of the super-resolution evaluation protocol.
 * @packageDocumentation
 */
import { ShapeError } from '@lab/tensor';
import { type PixelData, type PixelImage, checkInteger, checkPixelImage } from './pixel-image';

/** Copies rows `[top, top + h)` and columns `[left, left + w)` of an HWC raster (internal). */
export function cropRaster<D extends PixelData>(image: PixelImage<D>, top: number, left: number, h: number, w: number): PixelImage<D> {
  const { width, channels, data } = image;
  const Ctor = data.constructor as new (n: number) => D;
  const out = new Ctor(h * w * channels);
  const rowLen = w * channels;
  for (let y = 0; y < h; y++) {
    const start = ((top + y) * width + left) * channels;
    out.set(data.subarray(start, start + rowLen) as never, y * rowLen);
  }
  return { width: w, height: h, channels, data: out };
}

/**
 * Crops an image to the largest size whose sides are multiples of `scale`, keeping the top-left
 * corner (MATLAB `modcrop`: `img(1:H − mod(H, s), 1:W − mod(W, s), :)`).
 *
 * This is how Set5 HR images become the references of their ×s LR files (baby 512² → 510² at ×3).
 * @param image - HWC raster; not modified
 * @param scale - positive integer
 * @returns a new raster of the same array type, `(H − H mod s) × (W − W mod s)`
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when a side is shorter than `scale`.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when `scale` is not a positive integer.
 * @example
 * ```ts
 * const hr = modcrop(await readImageFile('HR/baby.bmp'), 3); // 510 × 510
 * ```
 * @category Evaluation
 */
export function modcrop<D extends PixelData>(image: PixelImage<D>, scale: number): PixelImage<D> {
  const fn = 'modcrop';
  const img = checkPixelImage(fn, 'image', image) as PixelImage<D>;
  checkInteger(fn, 'scale', scale, 1);
  const h = img.height - (img.height % scale);
  const w = img.width - (img.width % scale);
  if (h === 0 || w === 0) {
    throw new ShapeError(`${fn}: image must be at least scale = ${scale} pixels on each side, got ${img.height}×${img.width} (H×W)`);
  }
  return cropRaster(img, 0, 0, h, w);
}

/**
 * Removes `border` pixels from every side of an image (BasicSR `crop_border`, MATLAB
 * `img(1+b:end−b, 1+b:end−b, :)`).
 * @param image - HWC raster; not modified
 * @param border - non-negative integer; 0 returns a copy
 * @returns a new raster of the same array type, `(H − 2b) × (W − 2b)`
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when nothing would remain.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when `border` is not a non-negative integer.
 * @example
 * ```ts
 * const inner = shave(sr, 4); // the PSNR region at ×4
 * ```
 * @category Evaluation
 */
export function shave<D extends PixelData>(image: PixelImage<D>, border: number): PixelImage<D> {
  const fn = 'shave';
  const img = checkPixelImage(fn, 'image', image) as PixelImage<D>;
  checkInteger(fn, 'border', border, 0);
  const h = img.height - 2 * border;
  const w = img.width - 2 * border;
  if (h < 1 || w < 1) {
    throw new ShapeError(`${fn}: image must be larger than 2·border = ${2 * border} on each side, got ${img.height}×${img.width} (H×W)`);
  }
  return cropRaster(img, border, border, h, w);
}
