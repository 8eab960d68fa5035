/**
 * Random solarisation.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, getGlobalRng } from '@lab/tensor';
import { checkImages, checkNumber, checkOptions, checkProbability, checkRng } from '../internal/validate';
import { perImage } from './internal';

/** Options of {@link randomSolarize}. @category Augmentations */
export interface RandomSolarizeOptions {
  /** Probability of solarising each image. @defaultValue 0.2 (DINO's second global crop) */
  p?: number;
  /** Values at or above it are inverted. @defaultValue 128/255 (PIL `ImageOps.solarize`) */
  threshold?: number;
  /** Generator of the coin flips. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * Inverts the pixels at or above a threshold, `x ← 1 − x` where `x ≥ threshold`, in each image
 * chosen with probability p.
 * @param images - `[n, h, w, c]`, float32 in [0, 1]
 * @param options - see {@link RandomSolarizeOptions}
 * @returns `[n, h, w, c]`; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @see PIL `ImageOps.solarize`; facebookresearch/dino `utils.Solarization`
 * @example
 * ```ts
 * const sol = randomSolarize(images, { p: 1 });
 * ```
 * @category Augmentations
 */
export function randomSolarize(images: tf.Tensor4D, options: RandomSolarizeOptions = {}): tf.Tensor4D {
  const fn = 'randomSolarize';
  checkOptions(fn, options, ['p', 'threshold', 'rng']);
  const x = checkImages(fn, 'images', images);
  const p = checkProbability(fn, 'p', options.p ?? 0.2);
  const threshold = checkNumber(fn, 'threshold', options.threshold ?? 128 / 255);
  const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
  const n = x.shape[0];
  const on = new Float32Array(n);
  for (let i = 0; i < n; i++) on[i] = rng.next() < p ? 1 : 0;
  return tf.tidy(() => {
    const mask = tf.mul(tf.cast(tf.greaterEqual(x, threshold), 'float32'), perImage(on));
    return tf.add(x, tf.mul(mask, tf.sub(1, tf.mul(x, 2)))) as tf.Tensor4D;
  });
}
