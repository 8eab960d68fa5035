/**
 * The super-resolution evaluation protocol: per-image and mean PSNR/SSIM on Y (paper tables) and
 * RGB (NTIRE) against modcropped HR references.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions, tensorToImage } from '@lab/tensor';
import { modcrop } from './crop';
import { IMAGE_QUALITY_DEFAULTS, type ImageQualityOptions } from './image-quality-options';
import { type PixelImage, checkBoolean, checkInteger, checkPixelImage, show } from './pixel-image';
import { psnr } from './psnr';
import { ssim } from './ssim';

/** Options of {@link evaluateSr}; defaults in {@link EVALUATE_SR_DEFAULTS}. @category Evaluation */
export interface EvaluateSrOptions {
  /** Upscaling factor: HR is modcropped to a multiple of it, and it is the default border. Required. */
  scale: number;
  /** Pixels removed from every side before comparing. @defaultValue `scale` */
  border?: number;
  /**
   * Round Y to integers before the MSE and SSIM (MATLAB `rgb2ycbcr` on uint8); see
   * {@link ImageQualityOptions.roundY}.
   * @defaultValue false (float Y, BasicSR/RCAN)
   */
  roundY?: boolean;
}

/** Defaults of {@link EvaluateSrOptions} (`border` defaults to `scale`). @category Evaluation */
export const EVALUATE_SR_DEFAULTS: Readonly<{
  /** Default of {@link EvaluateSrOptions.roundY}. */
  roundY: boolean;
}> = Object.freeze({
  roundY: IMAGE_QUALITY_DEFAULTS.roundY,
});

const KEYS = ['scale', 'border', 'roundY'];

/** One SR output and its reference. @category Evaluation */
export interface SrImagePair {
  /** Label in the result (a file's base name). */
  name: string;
  /**
   * The SR output: a float tensor `[H, W, 3]` or `[1, H, W, 3]` in [0, 1] (a model's output), or a
   * raster on the 0–255 scale; its size must equal `modcrop(hr, scale)`. Not disposed.
   */
  sr: tf.Tensor | PixelImage;
  /** The HR reference, 3-channel RGB on the 0–255 scale, uncropped (8-bit as decoded). */
  hr: PixelImage;
}

/** The four figures of one image, or their means. @category Evaluation */
export interface SrScores {
  /** PSNR of BT.601 Y in dB (paper tables). */
  psnrY: number;
  /** SSIM of Y (paper tables). */
  ssimY: number;
  /** PSNR over R, G and B in dB (NTIRE). */
  psnrRGB: number;
  /** Mean of the per-channel SSIMs of R, G and B. */
  ssimRGB: number;
}

/** Scores of one named image. @category Evaluation */
export interface SrImageScores extends SrScores {
  /** The pair's name. */
  name: string;
}

/** What {@link evaluateSr} returns. @category Evaluation */
export interface EvaluateSrResult {
  /** Per-image scores, in input order. */
  images: SrImageScores[];
  /** Arithmetic means over the images (as the paper tables average per image). */
  mean: SrScores;
}

/** Round half to even (internal; the tie rule of `torch.round` and `tensorToImage`). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** SR as 8-bit samples: clamp to [0, 1], ×255, round (tensors); clamp to [0, 255], round (float rasters). */
function quantiseSr(fn: string, arg: string, sr: unknown): PixelImage {
  if (sr instanceof tf.Tensor) {
    if (sr.rank === 4 && sr.shape[0] !== 1) {
      throw new ShapeError(`${fn}: ${arg} must be [H, W, 3] or [1, H, W, 3], got shape [${sr.shape}]`);
    }
    if (sr.rank !== 3 && sr.rank !== 4) throw new ShapeError(`${fn}: ${arg} must be [H, W, 3] or [1, H, W, 3], got shape [${sr.shape}]`);
    const t = sr.rank === 4 ? (tf.reshape(sr, sr.shape.slice(1)) as tf.Tensor3D) : (sr as tf.Tensor3D);
    try {
      if (t.shape[2] !== 3) throw new ShapeError(`${fn}: ${arg} must have 3 channels (RGB), got shape [${sr.shape}]`);
      return tensorToImage(t);
    } finally {
      if (t !== sr) t.dispose();
    }
  }
  const img = checkPixelImage(fn, arg, sr);
  if (img.data instanceof Uint16Array) throw new InvalidValueError(`${fn}: ${arg} must hold 8-bit or float samples, got a Uint16Array`);
  if (img.data instanceof Uint8Array || img.data instanceof Uint8ClampedArray) return img;
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = img.data[i];
    if (v !== v) throw new InvalidValueError(`${fn}: ${arg} must not contain NaN, got NaN at sample ${i}`);
    out[i] = roundHalfEven(Math.min(255, Math.max(0, v)));
  }
  return { width: img.width, height: img.height, channels: img.channels, data: out };
}

/**
 * Scores SR outputs against their HR references with the protocol of the SR literature.
 *
 * Per image: SR is quantised (clamp to [0, 1], ×255, round half to even, as BasicSR `tensor2img`),
 * HR is `modcrop(hr, scale)`, `border` pixels are removed from every side, then PSNR and SSIM are
 * computed on Y (BT.601, MATLAB `rgb2ycbcr`, rounded per `roundY`) and on RGB. Means are
 * arithmetic over images. MATLAB bicubic upscaling of the Set5 LR files gives 33.67 / 30.40 /
 * 28.43 dB Y-PSNR at ×2 / ×3 / ×4 (published: 33.66 / 30.39 / 28.42, which SRCNN computed by
 * resizing Y alone).
 * @param images - SR/HR pairs; at least one
 * @param options - see {@link EvaluateSrOptions}; `scale` is required
 * @returns per-image and mean scores; no tensor is allocated that outlives the call
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when an SR size differs from its modcropped HR, or an image is not RGB.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an empty list, NaN samples, a missing or bad `scale`, or an unknown option.
 * @see BasicSR `basicsr/metrics/psnr_ssim.py`; NTIRE2022_ESR `test_demo.py`
 * @example
 * ```ts
 * const hr = await readImageFile('HR/baby.bmp');
 * const lr = imresize(modcrop(hr, 4), 1 / 4);
 * const r = evaluateSr([{ name: 'baby', sr: imresize(lr, 4), hr }], { scale: 4 });
 * r.mean.psnrY; // dB
 * ```
 * @category Evaluation
 */
export function evaluateSr(images: readonly SrImagePair[], options: EvaluateSrOptions): EvaluateSrResult {
  const fn = 'evaluateSr';
  if (!Array.isArray(images) || images.length === 0) {
    throw new InvalidValueError(`${fn}: images must be a non-empty array of { name, sr, hr }, got ${show(images)}`);
  }
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new InvalidValueError(`${fn}: options must be an object with scale, got ${show(options)}`);
  }
  checkOptions(fn, options, KEYS);
  const scale = checkInteger(fn, 'scale', options.scale, 1);
  const border = checkInteger(fn, 'border', options.border ?? scale, 0);
  const roundY = checkBoolean(fn, 'roundY', options.roundY ?? EVALUATE_SR_DEFAULTS.roundY);
  const results: SrImageScores[] = [];
  images.forEach((pair, i) => {
    const at = `images[${i}]`;
    if (pair === null || typeof pair !== 'object' || typeof pair.name !== 'string') {
      throw new InvalidValueError(`${fn}: ${at} must be { name: string, sr, hr }, got ${show(pair)}`);
    }
    const hrFull = checkPixelImage(fn, `${at}.hr`, pair.hr);
    if (hrFull.channels !== 3) throw new ShapeError(`${fn}: ${at}.hr must have 3 channels (RGB), got ${hrFull.channels}`);
    if (hrFull.data instanceof Uint16Array) throw new InvalidValueError(`${fn}: ${at}.hr must hold 8-bit or float samples, got a Uint16Array`);
    const hr = modcrop(hrFull, scale);
    const sr = quantiseSr(fn, `${at}.sr`, pair.sr);
    if (sr.channels !== 3) throw new ShapeError(`${fn}: ${at}.sr must have 3 channels (RGB), got ${sr.channels}`);
    if (sr.width !== hr.width || sr.height !== hr.height) {
      throw new ShapeError(
        `${fn}: ${at}.sr must be ${hr.height}×${hr.width} (H×W, modcrop(hr, ${scale})), got ${sr.height}×${sr.width}`,
      );
    }
    results.push({
      name: pair.name,
      psnrY: psnr(sr, hr, { border, yOnly: true, roundY }),
      ssimY: ssim(sr, hr, { border, yOnly: true, roundY }),
      psnrRGB: psnr(sr, hr, { border }),
      ssimRGB: ssim(sr, hr, { border }),
    });
  });
  const mean = (k: keyof SrScores) => results.reduce((s, r) => s + r[k], 0) / results.length;
  return { images: results, mean: { psnrY: mean('psnrY'), ssimY: mean('ssimY'), psnrRGB: mean('psnrRGB'), ssimRGB: mean('ssimRGB') } };
}
