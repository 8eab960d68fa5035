/**
 * Random conversion of images to grey.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, getGlobalRng } from '@lab/tensor';
import { checkImages, checkOptions, checkProbability, checkRng } from '../internal/validate';
import { grayscale, perImage } from './internal';

/** Options of {@link randomGrayscale}. @category Augmentations */
export interface RandomGrayscaleOptions {
  /** Probability of converting each image. @defaultValue 0.2 (DINO) */
  p?: number;
  /** Generator of the coin flips. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * Replaces each image by its luma `0.299R + 0.587G + 0.114B` on every channel with probability p
 * (a copy for one-channel images).
 * @param images - `[n, h, w, c]`, float32
 * @param options - see {@link RandomGrayscaleOptions}
 * @returns `[n, h, w, c]`; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @see torchvision `transforms.RandomGrayscale`
 * @example
 * ```ts
 * const grey = randomGrayscale(rgb, { p: 1 });
 * ```
 * @category Augmentations
 */
export function randomGrayscale(images: tf.Tensor4D, options: RandomGrayscaleOptions = {}): tf.Tensor4D {
  const fn = 'randomGrayscale';
  checkOptions(fn, options, ['p', 'rng']);
  const x = checkImages(fn, 'images', images);
  const p = checkProbability(fn, 'p', options.p ?? 0.2);
  const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
  const n = x.shape[0];
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.next() < p ? 1 : 0;
  if (x.shape[3] === 1) return tf.clone(x);
  return tf.tidy(() => {
    const k = perImage(m);
    return tf.add(x, tf.mul(k, tf.sub(grayscale(x), x))) as tf.Tensor4D;
  });
}
