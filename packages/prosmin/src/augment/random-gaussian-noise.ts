/**
 * Random additive Gaussian noise.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, getGlobalRng } from '@lab/tensor';
import { checkImages, checkNumber, checkOptions, checkProbability, checkRng } from '../internal/validate';
import { perImage } from './internal';

/** Options of {@link randomGaussianNoise}. @category Augmentations */
export interface RandomGaussianNoiseOptions {
  /** Standard deviation of the noise. @defaultValue 0.05 */
  std?: number;
  /** Probability of adding noise to each image. @defaultValue 1 */
  p?: number;
  /** Generator of the noise. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * Adds N(0, std²) noise to every pixel of each chosen image and clips to [0, 1].
 * Not part of DINO's recipe (off there); offered for grey images, where colour jitter does little.
 * @param images - `[n, h, w, c]`, float32 in [0, 1]
 * @param options - see {@link RandomGaussianNoiseOptions}
 * @returns `[n, h, w, c]` in [0, 1]; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @example
 * ```ts
 * const noisy = randomGaussianNoise(images, { std: 0.1, rng: new Rng(5) });
 * ```
 * @category Augmentations
 */
export function randomGaussianNoise(images: tf.Tensor4D, options: RandomGaussianNoiseOptions = {}): tf.Tensor4D {
  const fn = 'randomGaussianNoise';
  checkOptions(fn, options, ['std', 'p', 'rng']);
  const x = checkImages(fn, 'images', images);
  const std = checkNumber(fn, 'std', options.std ?? 0.05, 0);
  const p = checkProbability(fn, 'p', options.p ?? 1);
  const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
  const n = x.shape[0];
  const on = new Float32Array(n);
  for (let i = 0; i < n; i++) on[i] = rng.next() < p ? std : 0;
  return tf.tidy(() => {
    const noise = tf.mul(rng.normalTensor(x.shape), perImage(on));
    return tf.clipByValue(tf.add(x, noise), 0, 1) as tf.Tensor4D;
  });
}
