/**
 * Random brightness, contrast and saturation changes (torchvision's ColorJitter without hue).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, getGlobalRng } from '@lab/tensor';
import { checkImages, checkNumber, checkOptions, checkProbability, checkRng } from '../internal/validate';
import { grayscale, perImage } from './internal';

/** Options of {@link colorJitter}; defaults in {@link COLOR_JITTER_DEFAULTS}. @category Augmentations */
export interface ColorJitterOptions {
  /** Brightness factor drawn from `U[max(0, 1 − b), 1 + b]`. @defaultValue 0.4 */
  brightness?: number;
  /** Contrast factor drawn from `U[max(0, 1 − c), 1 + c]`. @defaultValue 0.4 */
  contrast?: number;
  /** Saturation factor drawn from `U[max(0, 1 − s), 1 + s]` (no effect on one channel). @defaultValue 0.2 */
  saturation?: number;
  /** Probability of jittering each image (torchvision `RandomApply`). @defaultValue 0.8 */
  p?: number;
  /** Generator of the factors. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Defaults of {@link ColorJitterOptions}: DINO's `ColorJitter(0.4, 0.4, 0.2, 0.1)` applied with p = 0.8 (hue is not implemented). @category Augmentations */
export const COLOR_JITTER_DEFAULTS = Object.freeze({
  /** Default of {@link ColorJitterOptions.brightness}. */
  brightness: 0.4,
  /** Default of {@link ColorJitterOptions.contrast}. */
  contrast: 0.4,
  /** Default of {@link ColorJitterOptions.saturation}. */
  saturation: 0.2,
  /** Default of {@link ColorJitterOptions.p}. */
  p: 0.8,
});

/**
 * Changes brightness, contrast and saturation by random factors, per image, clipping to [0, 1].
 *
 * With factors b, c, s: `x ← clip(b·x)`, then `x ← clip(c·x + (1 − c)·mean(gray(x)))`, then
 * `x ← clip(s·x + (1 − s)·gray(x))`, as torchvision's `adjust_brightness`, `adjust_contrast` and
 * `adjust_saturation`. torchvision applies the operations in random order and also jitters hue;
 * here the order is fixed and hue is left out.
 * @param images - `[n, h, w, c]`, float32 in [0, 1], c = 1 or 3
 * @param options - see {@link ColorJitterOptions}
 * @returns `[n, h, w, c]` in [0, 1]; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @see torchvision `transforms.ColorJitter`
 * @example
 * ```ts
 * const jittered = colorJitter(images, { brightness: 0.4, contrast: 0.4, rng: new Rng(3) });
 * ```
 * @category Augmentations
 */
export function colorJitter(images: tf.Tensor4D, options: ColorJitterOptions = {}): tf.Tensor4D {
  const fn = 'colorJitter';
  checkOptions(fn, options, ['brightness', 'contrast', 'saturation', 'p', 'rng']);
  const x = checkImages(fn, 'images', images);
  const b = checkNumber(fn, 'brightness', options.brightness ?? COLOR_JITTER_DEFAULTS.brightness, 0);
  const c = checkNumber(fn, 'contrast', options.contrast ?? COLOR_JITTER_DEFAULTS.contrast, 0);
  const s = checkNumber(fn, 'saturation', options.saturation ?? COLOR_JITTER_DEFAULTS.saturation, 0);
  const p = checkProbability(fn, 'p', options.p ?? COLOR_JITTER_DEFAULTS.p);
  const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
  const n = x.shape[0];
  const fb = new Float32Array(n).fill(1);
  const fc = new Float32Array(n).fill(1);
  const fs = new Float32Array(n).fill(1);
  const draw = (spread: number): number => Math.max(0, 1 - spread) + (1 + spread - Math.max(0, 1 - spread)) * rng.next();
  for (let i = 0; i < n; i++) {
    if (!(rng.next() < p)) continue;
    fb[i] = draw(b);
    fc[i] = draw(c);
    fs[i] = draw(s);
  }
  return tf.tidy(() => {
    let y = tf.clipByValue(tf.mul(x, perImage(fb)), 0, 1) as tf.Tensor4D;
    const kc = perImage(fc);
    const mean = tf.mean(grayscale(y), [1, 2, 3], true);
    y = tf.clipByValue(tf.add(tf.mul(y, kc), tf.mul(tf.sub(1, kc), mean)), 0, 1) as tf.Tensor4D;
    if (y.shape[3] > 1) {
      const ks = perImage(fs);
      y = tf.clipByValue(tf.add(tf.mul(y, ks), tf.mul(tf.sub(1, ks), grayscale(y))), 0, 1) as tf.Tensor4D;
    }
    return y;
  });
}
