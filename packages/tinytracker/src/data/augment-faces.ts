/**
 * The training augmentation of TinyTracker (`random_augmentations` of `ITrackerDataTF.py`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import { checkNumber, checkTensor, withDefaults } from '../internal/checks';

/** Options of {@link augmentFaces}; defaults in {@link AUGMENT_FACES_DEFAULTS}. @category Data */
export interface AugmentFacesOptions {
  /** Standard deviation of the Gaussian noise field, in 0–255 pixel units, before the per-image factor. @defaultValue 3 */
  noiseStd?: number;
  /** Brightness delta, uniform in ±this, in 0–255 pixel units (`random_brightness(image, 0.5)`). @defaultValue 0.5 */
  brightness?: number;
  /** Contrast factor range (`random_contrast(image, 0.5, 1.5)`). @defaultValue [0.5, 1.5] */
  contrast?: readonly [number, number];
  /** Saturation factor range, RGB only (`random_saturation(image, 0.8, 1.2)`). @defaultValue [0.8, 1.2] */
  saturation?: readonly [number, number];
  /** Hue shift, uniform in ±this of a full turn, RGB only (`random_hue(image, 0.05)`). @defaultValue 0.05 */
  hue?: number;
  /** Seed of the random draws. @defaultValue 0 */
  seed?: number;
}

/**
 * Defaults of {@link AugmentFacesOptions}: `random_augmentations` of pbonazzi/tinytracker
 * `ITrackerDataTF.py` (spec §5: Gaussian noise, brightness ±0.5, contrast 0.5–1.5, saturation
 * 0.8–1.2, hue ±0.05).
 * @category Data
 */
export const AUGMENT_FACES_DEFAULTS = Object.freeze({
  /** Default of {@link AugmentFacesOptions.noiseStd}. */
  noiseStd: 3,
  /** Default of {@link AugmentFacesOptions.brightness}. */
  brightness: 0.5,
  /** Default of {@link AugmentFacesOptions.contrast}. */
  contrast: Object.freeze([0.5, 1.5] as const),
  /** Default of {@link AugmentFacesOptions.saturation}. */
  saturation: Object.freeze([0.8, 1.2] as const),
  /** Default of {@link AugmentFacesOptions.hue}. */
  hue: 0.05,
  /** Default of {@link AugmentFacesOptions.seed}. */
  seed: 0,
});

/**
 * Applies TinyTracker's training augmentation to face crops, image by image, as
 * `random_augmentations` does on 0–255 images.
 *
 * With `v = 127.5·(x + 1)` (back to pixel units): `v += N(0, noiseStd²)·z` (one `z ~ N(0, 1)` per
 * image); `v += U(±brightness)`; per channel `v = (v − mean)·U(contrast) + mean`; for RGB, in HSV,
 * `S ·= U(saturation)` (clipped to [0, 1]) and `H += U(±hue)` (mod 1); clip to [0, 255]; back to
 * `v/127.5 − 1`. Grey images skip saturation and hue, as the reference's grey branch.
 * Augment the image channels only, before appending face-grid channels.
 * @param images - `[n, h, w, 3]` (RGB) or `[n, h, w, 1]` (grey) float32 in [−1, 1]
 * @param options - see {@link AugmentFacesOptions}
 * @returns new augmented images, same shape, in [−1, 1]; the caller disposes them
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a tensor of another shape; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option
 * @see pbonazzi/tinytracker `tinytracker/src/ITrackerDataTF.py` (`random_augmentations`)
 * @example
 * ```ts
 * const x = augmentFaces(batch, { seed: step }); // same shape, new tensor
 * ```
 * @category Data
 */
export function augmentFaces(images: tf.Tensor, options: AugmentFacesOptions = {}): tf.Tensor4D {
  const fn = 'augmentFaces';
  checkOptions(fn, options, Object.keys(AUGMENT_FACES_DEFAULTS));
  const t = checkTensor(fn, 'images', images, [-1, -1, -1, -1]);
  const c = t.shape[3];
  if (c !== 1 && c !== 3) throw new InvalidValueError(`${fn}: images must have 1 or 3 channels, got ${c}`);
  const o = withDefaults(AUGMENT_FACES_DEFAULTS, options);
  checkNumber(fn, 'noiseStd', o.noiseStd, 0);
  checkNumber(fn, 'brightness', o.brightness, 0);
  checkNumber(fn, 'hue', o.hue, 0, 0.5);
  checkNumber(fn, 'seed', o.seed);
  for (const [name, range] of [['contrast', o.contrast], ['saturation', o.saturation]] as const) {
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] >= 0) || !(range[1] >= range[0]) || !Number.isFinite(range[1])) {
      throw new InvalidValueError(`${fn}: ${name} must be a range [lo, hi] with 0 <= lo <= hi, got ${JSON.stringify(range)}`);
    }
  }
  const [n, h, w] = t.shape;
  const data = Float32Array.from(t.dataSync(), (x) => 127.5 * (x + 1));
  const rng = new Rng(o.seed);
  const per = h * w * c;
  for (let i = 0; i < n; i++) {
    const img = data.subarray(i * per, (i + 1) * per);
    const z = rng.gaussian();
    for (let k = 0; k < per; k++) img[k] += o.noiseStd * rng.gaussian() * z;
    const delta = (2 * rng.next() - 1) * o.brightness;
    for (let k = 0; k < per; k++) img[k] += delta;
    const factor = o.contrast[0] + (o.contrast[1] - o.contrast[0]) * rng.next();
    for (let ch = 0; ch < c; ch++) {
      let mean = 0;
      for (let k = ch; k < per; k += c) mean += img[k];
      mean /= h * w;
      for (let k = ch; k < per; k += c) img[k] = (img[k] - mean) * factor + mean;
    }
    if (c === 3) {
      const sat = o.saturation[0] + (o.saturation[1] - o.saturation[0]) * rng.next();
      const shift = (2 * rng.next() - 1) * o.hue;
      for (let k = 0; k < per; k += 3) adjustHsv(img, k, sat, shift);
    }
    for (let k = 0; k < per; k++) img[k] = Math.max(0, Math.min(255, img[k])) / 127.5 - 1;
  }
  return tf.tensor4d(data, [n, h, w, c]);
}

/** Scales saturation and rotates hue of one RGB pixel in place (TensorFlow's HSV conversion). */
function adjustHsv(img: Float32Array, k: number, sat: number, shift: number): void {
  const r = img[k];
  const g = img[k + 1];
  const b = img[k + 2];
  const v = Math.max(r, g, b);
  const range = v - Math.min(r, g, b);
  let s = v > 0 ? range / v : 0;
  let hue = 0;
  if (range > 0) {
    if (v === r) hue = (g - b) / range;
    else if (v === g) hue = 2 + (b - r) / range;
    else hue = 4 + (r - g) / range;
    hue /= 6;
    if (hue < 0) hue += 1;
  }
  s = Math.max(0, Math.min(1, s * sat));
  hue = (((hue + shift) % 1) + 1) % 1;
  // HSV → RGB
  const h6 = hue * 6;
  const sector = Math.floor(h6);
  const f = h6 - sector;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const out = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][sector % 6];
  img[k] = out[0];
  img[k + 1] = out[1];
  img[k + 2] = out[2];
}
