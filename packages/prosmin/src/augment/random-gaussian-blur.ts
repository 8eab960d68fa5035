/**
 * Random Gaussian blur of an image batch.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, getGlobalRng } from '@lab/tensor';
import { checkImages, checkOptions, checkProbability, checkRange, checkRng } from '../internal/validate';
import { blurPerImage } from './internal';

/** Options of {@link randomGaussianBlur}; defaults in {@link RANDOM_GAUSSIAN_BLUR_DEFAULTS}. @category Augmentations */
export interface RandomGaussianBlurOptions {
  /** Probability of blurring each image. @defaultValue 0.5 */
  p?: number;
  /** Range of the standard deviation in pixels, drawn uniformly per image. @defaultValue [0.1, 2] */
  sigma?: readonly [number, number];
  /** Generator of the draws. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Defaults of {@link RandomGaussianBlurOptions}: DINO's `utils.GaussianBlur(p=0.5, radius_min=0.1, radius_max=2.0)` (for 224 px crops). @category Augmentations */
export const RANDOM_GAUSSIAN_BLUR_DEFAULTS = Object.freeze({
  /** Default of {@link RandomGaussianBlurOptions.p}. */
  p: 0.5,
  /** Default of {@link RandomGaussianBlurOptions.sigma}. */
  sigma: Object.freeze([0.1, 2] as const),
});

/**
 * Blurs each image with probability p by a Gaussian of standard deviation σ ~ U(sigma).
 *
 * Separable kernel truncated at 4σ with edge replication (scipy's `gaussian_filter`, mode
 * "nearest"); DINO blurs with PIL's `GaussianBlur(radius=σ)`, a box-blur approximation.
 * @param images - `[n, h, w, c]`, float32
 * @param options - see {@link RandomGaussianBlurOptions}
 * @returns `[n, h, w, c]`; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @see facebookresearch/dino `utils.GaussianBlur`
 * @example
 * ```ts
 * const blurred = randomGaussianBlur(images, { p: 1, sigma: [0.1, 0.5], rng: new Rng(4) });
 * ```
 * @category Augmentations
 */
export function randomGaussianBlur(images: tf.Tensor4D, options: RandomGaussianBlurOptions = {}): tf.Tensor4D {
  const fn = 'randomGaussianBlur';
  checkOptions(fn, options, ['p', 'sigma', 'rng']);
  const x = checkImages(fn, 'images', images);
  const p = checkProbability(fn, 'p', options.p ?? RANDOM_GAUSSIAN_BLUR_DEFAULTS.p);
  const sigma = checkRange(fn, 'sigma', options.sigma ?? RANDOM_GAUSSIAN_BLUR_DEFAULTS.sigma, 0);
  const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
  const n = x.shape[0];
  const sigmas = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (rng.next() < p) sigmas[i] = sigma[0] + (sigma[1] - sigma[0]) * rng.next();
  }
  return blurPerImage(x, sigmas);
}
