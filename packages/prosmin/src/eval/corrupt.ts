/**
 * Common corruptions (noise, blur, contrast) at five severities.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng } from '@lab/tensor';
import { blurPerImage } from '../augment/internal';
import { checkChoice, checkImages, checkInt, checkOptions, checkSeed } from '../internal/validate';

/** A corruption of {@link corrupt}. @category Evaluation */
export type CorruptionName = 'gaussian-noise' | 'gaussian-blur' | 'contrast';

/** The corruptions, in table order. @category Evaluation */
export const CORRUPTIONS: readonly CorruptionName[] = Object.freeze(['gaussian-noise', 'gaussian-blur', 'contrast']);

/**
 * Severity parameters 1–5 of each corruption (noise σ, blur σ in pixels, contrast factor), from
 * Hendrycks & Dietterich's `make_cifar_c.py` (32 px, the default) and `make_imagenet_c.py` (224 px).
 * @category Evaluation
 */
export const CORRUPTION_SEVERITIES = Object.freeze({
  /** `make_cifar_c.py` (32 px images), the default. */
  cifar: Object.freeze({
    /** Noise standard deviation σ of severities 1–5. */
    'gaussian-noise': Object.freeze([0.04, 0.06, 0.08, 0.09, 0.1]),
    /** Blur σ in pixels of severities 1–5. */
    'gaussian-blur': Object.freeze([0.4, 0.6, 0.7, 0.8, 1]),
    /** Contrast factor of severities 1–5. */
    contrast: Object.freeze([0.75, 0.5, 0.4, 0.3, 0.15]),
  }),
  /** `make_imagenet_c.py` (224 px images). */
  imagenet: Object.freeze({
    /** Noise standard deviation σ of severities 1–5. */
    'gaussian-noise': Object.freeze([0.08, 0.12, 0.18, 0.26, 0.38]),
    /** Blur σ in pixels of severities 1–5. */
    'gaussian-blur': Object.freeze([1, 2, 3, 4, 6]),
    /** Contrast factor of severities 1–5. */
    contrast: Object.freeze([0.4, 0.3, 0.2, 0.1, 0.05]),
  }),
});

/** Options of {@link corrupt}. @category Evaluation */
export interface CorruptOptions {
  /** Severity table: `'cifar'` for 28–32 px images, `'imagenet'` for 224 px. @defaultValue 'cifar' */
  preset?: 'cifar' | 'imagenet';
  /** Seed of the noise. @defaultValue 0 */
  seed?: number;
}

/**
 * Applies a common corruption at a severity 1–5 to images in [0, 1], as ImageNet-C / CIFAR-10-C.
 *
 * With c the severity's parameter: `gaussian-noise` `clip(x + N(0, c²))`; `gaussian-blur` a
 * Gaussian of σ = c (truncated at 4σ, edge replication, as skimage's `gaussian`); `contrast`
 * `clip((x − m)·c + m)` with m the per-image, per-channel mean.
 * @param images - `[n, h, w, c]`, float32 in [0, 1]
 * @param corruption - one of {@link CORRUPTIONS}
 * @param severity - 1 (mild) to 5 (severe)
 * @param options - see {@link CorruptOptions}
 * @returns `[n, h, w, c]` in [0, 1]; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad name, severity or option
 * @see Hendrycks & Dietterich 2019, arXiv:1903.12261; github.com/hendrycks/robustness
 * @example
 * ```ts
 * const foggy = corrupt(testImages, 'contrast', 3);
 * ```
 * @category Evaluation
 */
export function corrupt(images: tf.Tensor4D, corruption: CorruptionName, severity: number, options: CorruptOptions = {}): tf.Tensor4D {
  const fn = 'corrupt';
  checkOptions(fn, options, ['preset', 'seed']);
  const x = checkImages(fn, 'images', images);
  const name = checkChoice(fn, 'corruption', corruption, CORRUPTIONS);
  const level = checkInt(fn, 'severity', severity);
  if (level > 5) throw new InvalidValueError(`${fn}: severity must be an integer in [1, 5], got ${level}`);
  const preset = checkChoice(fn, 'preset', options.preset ?? 'cifar', ['cifar', 'imagenet'] as const);
  const seed = checkSeed(fn, options.seed ?? 0);
  const c = CORRUPTION_SEVERITIES[preset][name][level - 1];
  return tf.tidy(() => {
    if (name === 'gaussian-noise') return tf.clipByValue(tf.add(x, new Rng(seed).normalTensor(x.shape, 0, c)), 0, 1) as tf.Tensor4D;
    if (name === 'gaussian-blur') return tf.clipByValue(blurPerImage(x, new Float32Array(x.shape[0]).fill(c)), 0, 1) as tf.Tensor4D;
    const mean = tf.mean(x, [1, 2], true);
    return tf.clipByValue(tf.add(tf.mul(tf.sub(x, mean), c), mean), 0, 1) as tf.Tensor4D;
  });
}
