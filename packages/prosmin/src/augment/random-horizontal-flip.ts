/**
 * Random horizontal flips of an image batch.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, getGlobalRng } from '@lab/tensor';
import { checkImages, checkOptions, checkProbability, checkRng } from '../internal/validate';
import { perImage } from './internal';

/** Options of {@link randomHorizontalFlip}. @category Augmentations */
export interface RandomHorizontalFlipOptions {
  /** Probability of flipping each image. @defaultValue 0.5 (torchvision, DINO) */
  p?: number;
  /** Generator of the coin flips. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * Mirrors each image left–right with probability p, independently per image.
 * @param images - `[n, h, w, c]`, float32
 * @param options - see {@link RandomHorizontalFlipOptions}
 * @returns `[n, h, w, c]`; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @see torchvision `transforms.RandomHorizontalFlip`
 * @example
 * ```ts
 * const flipped = randomHorizontalFlip(images, { p: 0.5, rng: new Rng(2) });
 * ```
 * @category Augmentations
 */
export function randomHorizontalFlip(images: tf.Tensor4D, options: RandomHorizontalFlipOptions = {}): tf.Tensor4D {
  const fn = 'randomHorizontalFlip';
  checkOptions(fn, options, ['p', 'rng']);
  const x = checkImages(fn, 'images', images);
  const p = checkProbability(fn, 'p', options.p ?? 0.5);
  const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
  const n = x.shape[0];
  const flip = new Float32Array(n);
  for (let i = 0; i < n; i++) flip[i] = rng.next() < p ? 1 : 0;
  return tf.tidy(() => {
    const m = perImage(flip);
    return tf.add(x, tf.mul(m, tf.sub(tf.reverse(x, 2), x))) as tf.Tensor4D;
  });
}
