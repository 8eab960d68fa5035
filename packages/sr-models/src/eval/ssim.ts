/**
 * Structural similarity of two 8-bit-scale images, as the original MATLAB `ssim_index.m`.
 * @packageDocumentation
 */
import { checkOptions } from '@lab/tensor';
import { type ImageQualityOptions, IMAGE_QUALITY_DEFAULTS, preparePair } from './image-quality-options';
import type { PixelImage } from './pixel-image';

/** Options of {@link ssim}: the shared {@link ImageQualityOptions}. @category Evaluation */
export type SsimOptions = ImageQualityOptions;

/** Defaults of {@link SsimOptions}: {@link IMAGE_QUALITY_DEFAULTS}. @category Evaluation */
export const SSIM_DEFAULTS: Readonly<Required<SsimOptions>> = IMAGE_QUALITY_DEFAULTS;

const KEYS = Object.keys(SSIM_DEFAULTS);

/** Side of the Gaussian window and its σ (Wang et al. 2004; `fspecial('gaussian', 11, 1.5)`). */
const WINDOW = 11;
const SIGMA = 1.5;
/** C1 = (K1·L)², C2 = (K2·L)² with K1 = 0.01, K2 = 0.03, L = 255. */
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Normalised 1-D Gaussian; its outer product is `fspecial('gaussian', 11, 1.5)`. */
const G: Float64Array = (() => {
  const g = new Float64Array(WINDOW);
  const r = (WINDOW - 1) / 2;
  let s = 0;
  for (let i = 0; i < WINDOW; i++) {
    g[i] = Math.exp(-((i - r) ** 2) / (2 * SIGMA * SIGMA));
    s += g[i];
  }
  for (let i = 0; i < WINDOW; i++) g[i] /= s;
  return g;
})();

/** 'valid' Gaussian filtering of one plane (separable), `h × w` → `(h − 10) × (w − 10)`. */
function filterValid(src: Float64Array, h: number, w: number): Float64Array {
  const ow = w - WINDOW + 1;
  const oh = h - WINDOW + 1;
  const rows = new Float64Array(h * ow);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let k = 0; k < WINDOW; k++) acc += G[k] * src[y * w + x + k];
      rows[y * ow + x] = acc;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let k = 0; k < WINDOW; k++) acc += G[k] * rows[(y + k) * ow + x];
      out[y * ow + x] = acc;
    }
  }
  return out;
}

/** Mean SSIM map of one channel (internal). */
function ssimPlane(x: Float64Array, y: Float64Array, h: number, w: number): number {
  const n = h * w;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const mx = filterValid(x, h, w);
  const my = filterValid(y, h, w);
  const sxx = filterValid(xx, h, w);
  const syy = filterValid(yy, h, w);
  const sxy = filterValid(xy, h, w);
  let sum = 0;
  for (let i = 0; i < mx.length; i++) {
    const mu1 = mx[i];
    const mu2 = my[i];
    const mu1sq = mu1 * mu1;
    const mu2sq = mu2 * mu2;
    const mu12 = mu1 * mu2;
    const s1 = sxx[i] - mu1sq;
    const s2 = syy[i] - mu2sq;
    const s12 = sxy[i] - mu12;
    sum += ((2 * mu12 + C1) * (2 * s12 + C2)) / ((mu1sq + mu2sq + C1) * (s1 + s2 + C2));
  }
  return sum / mx.length;
}

/**
 * Computes the mean SSIM of two images on the 0–255 scale (Wang et al. 2004).
 *
 * With μ, σ², σ_xy the local means, variances and covariance under an 11×11 Gaussian window
 * (σ = 1.5), SSIM = ((2μ_xμ_y + C1)(2σ_xy + C2)) / ((μ_x² + μ_y² + C1)(σ_x² + σ_y² + C2)),
 * C1 = (0.01·255)², C2 = (0.03·255)², evaluated where the window fits ('valid') and averaged.
 * No downsampling (as `ssim_index.m` and BasicSR `calculate_ssim`). Several channels: the mean of
 * the per-channel SSIMs; `yOnly`: SSIM of Y (paper tables).
 * @param a - HWC raster on the 0–255 scale; not modified
 * @param b - raster of the same size
 * @param options - see {@link ImageQualityOptions}
 * @returns mean SSIM, 1 for identical images
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for different sizes, a non-RGB image with `yOnly`, or fewer than 11 pixels per side after the border.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN samples or an unknown or malformed option.
 * @see Wang et al., IEEE TIP 13(4), 2004; `ssim_index.m`; BasicSR `basicsr/metrics/psnr_ssim.py` `calculate_ssim`
 * @example
 * ```ts
 * const s = ssim(sr, modcrop(hr, 4), { border: 4, yOnly: true });
 * ```
 * @category Evaluation
 */
export function ssim(a: PixelImage, b: PixelImage, options?: SsimOptions): number {
  const fn = 'ssim';
  checkOptions(fn, options, KEYS);
  const p = preparePair(fn, a, b, options, WINDOW);
  const { width: w, height: h, channels } = p;
  if (channels === 1) return ssimPlane(p.a, p.b, h, w);
  let total = 0;
  const x = new Float64Array(h * w);
  const y = new Float64Array(h * w);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < h * w; i++) {
      x[i] = p.a[i * channels + c];
      y[i] = p.b[i * channels + c];
    }
    total += ssimPlane(x, y, h, w);
  }
  return total / channels;
}
