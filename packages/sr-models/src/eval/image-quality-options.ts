/**
 * Options shared by {@link psnr} and {@link ssim}, and the preparation both apply to their inputs
 * (Y conversion, border crop) before comparing.
 * @packageDocumentation
 */
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { roundUint8, ycbcrComponent } from './color';
import { type PixelImage, checkBoolean, checkInteger, checkPixelImage, checkSameSize } from './pixel-image';

/**
 * Options shared by the full-reference image metrics {@link psnr} and {@link ssim}. Both read
 * samples on the 0–255 scale (peak 255).
 * @category Evaluation
 */
export interface ImageQualityOptions {
  /** Pixels removed from every side before comparing (the SR protocol uses the scale). @defaultValue 0 */
  border?: number;
  /**
   * Compare the BT.601 luma Y of MATLAB `rgb2ycbcr` (paper tables) instead of every channel
   * (NTIRE, RGB). Needs 3-channel images.
   * @defaultValue false
   */
  yOnly?: boolean;
  /**
   * With `yOnly`, round Y to integers first, as MATLAB `rgb2ycbcr` does on `uint8` images
   * (SRCNN-era scripts); false keeps float Y, as BasicSR's `to_y_channel` and the MATLAB
   * `Evaluate_PSNR_SSIM.m` of RCAN (`rgb2ycbcr(im2double(x))`). The choice moves PSNR in the
   * second decimal (Set5 bicubic ×2 from the RGB LR files: 33.673 dB float, 33.640 dB rounded).
   * @defaultValue false (float Y, the BasicSR/RCAN convention)
   */
  roundY?: boolean;
}

/** Defaults of {@link ImageQualityOptions}. @category Evaluation */
export const IMAGE_QUALITY_DEFAULTS: Readonly<Required<ImageQualityOptions>> = Object.freeze({
  /** Default of {@link ImageQualityOptions.border}. */
  border: 0,
  /** Default of {@link ImageQualityOptions.yOnly}. */
  yOnly: false,
  /** Default of {@link ImageQualityOptions.roundY}. */
  roundY: false,
});

/** Two images ready to compare: float64 planes, interleaved HWC after Y conversion and crop. */
export interface PreparedPair {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/** The 0–255 samples of an image (Y when asked) inside the border, as float64 (internal). */
function extract(fn: string, arg: string, img: PixelImage, border: number, yOnly: boolean, roundY: boolean): Float64Array {
  const { width, height, channels, data } = img;
  const h = height - 2 * border;
  const w = width - 2 * border;
  const outCh = yOnly ? 1 : channels;
  const out = new Float64Array(h * w * outCh);
  let o = 0;
  for (let y = border; y < border + h; y++) {
    for (let x = border; x < border + w; x++) {
      const s = (y * width + x) * channels;
      if (yOnly) {
        const r = data[s];
        const g = data[s + 1];
        const b = data[s + 2];
        const v = ycbcrComponent(0, r, g, b);
        if (v !== v) throw new InvalidValueError(`${fn}: ${arg} must not contain NaN, got NaN at [${y}, ${x}]`);
        out[o++] = roundY ? roundUint8(v) : v;
      } else {
        for (let c = 0; c < channels; c++) {
          const v = data[s + c];
          if (v !== v) throw new InvalidValueError(`${fn}: ${arg} must not contain NaN, got NaN at [${y}, ${x}, ${c}]`);
          out[o++] = v;
        }
      }
    }
  }
  return out;
}

/** Validates the two images and the shared options, and prepares both (internal). */
export function preparePair(
  fn: string,
  a: PixelImage,
  b: PixelImage,
  options: ImageQualityOptions | undefined,
  minSide = 1,
): PreparedPair {
  const ia = checkPixelImage(fn, 'a', a);
  const ib = checkPixelImage(fn, 'b', b);
  checkSameSize(fn, ia, ib);
  const border = checkInteger(fn, 'border', options?.border ?? IMAGE_QUALITY_DEFAULTS.border, 0);
  const yOnly = checkBoolean(fn, 'yOnly', options?.yOnly ?? IMAGE_QUALITY_DEFAULTS.yOnly);
  const roundY = checkBoolean(fn, 'roundY', options?.roundY ?? IMAGE_QUALITY_DEFAULTS.roundY);
  if (yOnly && ia.channels !== 3) throw new ShapeError(`${fn}: a must have 3 channels (RGB) with yOnly, got ${ia.channels}`);
  const height = ia.height - 2 * border;
  const width = ia.width - 2 * border;
  if (height < minSide || width < minSide) {
    throw new ShapeError(
      `${fn}: a must be at least ${minSide} pixels on each side after removing border = ${border}, got ${ia.height}×${ia.width} (H×W)`,
    );
  }
  return {
    width,
    height,
    channels: yOnly ? 1 : ia.channels,
    a: extract(fn, 'a', ia, border, yOnly, roundY),
    b: extract(fn, 'b', ib, border, yOnly, roundY),
  };
}
