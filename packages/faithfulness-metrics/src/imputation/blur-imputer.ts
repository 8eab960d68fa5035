import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { Rng } from '@lab/tensor';
import { checkInt, checkNumber, type ImageDims } from '../core/checks';
import { Imputer, type ImputerState } from './imputer';

/** Options of {@link BlurImputer}. @category Imputation */
export interface BlurImputerOptions {
  /** Kernel side, odd. @defaultValue 11 (RISE `gkern(klen=11)`) */
  kernelSize?: number;
  /** Standard deviation in pixels. @defaultValue 1.1 (RISE `nsig=5` over 11 taps: 11 / (2·5)) */
  sigma?: number;
}

/**
 * Defaults of {@link BlurImputerOptions}: the insertion substrate of RISE (Petsiuk et al. 2018,
 * `gkern(11, 5)`: an 11-tap Gaussian spanning ±5σ, i.e. σ = 1.1 px), zero padding as RISE's
 * `conv2d(padding=klen//2)`.
 * @category Imputation
 */
export const BLUR_IMPUTER_DEFAULTS = Object.freeze({
  /** Default of {@link BlurImputerOptions.kernelSize}. */
  kernelSize: 11,
  /** Default of {@link BlurImputerOptions.sigma}. */
  sigma: 1.1,
});

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse for golden tests; use a series/continued-fraction pair.
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 60; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz) for large |x|
  let f = t;
  let c = t;
  let d = 0;
  for (let k = 1; k < 200; k++) {
    const a = k / 2;
    d = t + a * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = t + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-t * t) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}

/** The 1-D kernel: the N(0, σ²) mass of each pixel bin `[k − ½, k + ½]`, normalised to sum 1. */
export function gaussianBinKernel(size: number, sigma: number): Float64Array {
  const r = (size - 1) / 2;
  const k = new Float64Array(size);
  let s = 0;
  for (let i = 0; i < size; i++) {
    const lo = (i - r - 0.5) / (sigma * Math.SQRT2);
    const hi = (i - r + 0.5) / (sigma * Math.SQRT2);
    k[i] = 0.5 * (erf(hi) - erf(lo));
    s += k[i];
  }
  for (let i = 0; i < size; i++) k[i] /= s;
  return k;
}

/**
 * Replaces a removed pixel by a Gaussian blur of the original image: `x̃ = (G_σ ∗ x)_p`, with a
 * separable `kernelSize`-tap kernel and zero padding (the insertion canvas of RISE).
 * @see arXiv 1806.07421 (Petsiuk et al., RISE; insertion metric) and eclique/RISE `evaluation.py`
 * @example
 * ```ts
 * const canvas = await new BlurImputer().impute(images, allRemoved);
 * ```
 * @category Imputation
 */
export class BlurImputer extends Imputer {
  readonly name = 'blur';
  /** The resolved {@link BlurImputerOptions.kernelSize}. */
  readonly kernelSize: number;
  /** The resolved {@link BlurImputerOptions.sigma}. */
  readonly sigma: number;
  private readonly kernel: Float64Array;

  /** @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an even or non-positive kernel size, σ ≤ 0, or an unknown option */
  constructor(options: BlurImputerOptions = {}) {
    super();
    checkOptions('BlurImputer', options, ['kernelSize', 'sigma']);
    this.kernelSize = checkInt('BlurImputer', 'kernelSize', options.kernelSize ?? BLUR_IMPUTER_DEFAULTS.kernelSize, 1, 255);
    if (this.kernelSize % 2 === 0) throw new InvalidValueError(`BlurImputer: kernelSize must be odd, got ${this.kernelSize}`);
    this.sigma = checkNumber('BlurImputer', 'sigma', options.sigma ?? BLUR_IMPUTER_DEFAULTS.sigma, 1e-6);
    this.kernel = gaussianBinKernel(this.kernelSize, this.sigma);
  }

  /** The blurred image `G_σ ∗ x`, `H·W·C` (zero padding). */
  blur(image: Float32Array, dims: ImageDims): Float32Array {
    const { height: H, width: W, channels: C } = dims;
    const k = this.kernel;
    const r = (this.kernelSize - 1) / 2;
    const tmp = new Float64Array(H * W * C);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let t = -r; t <= r; t++) {
            const xx = x + t;
            if (xx >= 0 && xx < W) s += k[t + r] * image[(y * W + xx) * C + c];
          }
          tmp[(y * W + x) * C + c] = s;
        }
      }
    }
    const out = new Float32Array(H * W * C);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let t = -r; t <= r; t++) {
            const yy = y + t;
            if (yy >= 0 && yy < H) s += k[t + r] * tmp[(yy * W + x) * C + c];
          }
          out[(y * W + x) * C + c] = s;
        }
      }
    }
    return out;
  }

  fill(image: Float32Array, removed: Uint8Array, dims: ImageDims, _rng: Rng, state?: ImputerState): void {
    let blurred = state?.cache;
    if (!blurred || blurred.length !== image.length) {
      blurred = this.blur(image, dims);
      if (state) state.cache = blurred;
    }
    const c = dims.channels;
    for (let p = 0; p < removed.length; p++) {
      if (removed[p]) for (let k = 0; k < c; k++) image[p * c + k] = blurred[p * c + k];
    }
  }
}
