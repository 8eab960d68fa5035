/**
 * Random resized crops of an image batch.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, ShapeError, getGlobalRng } from '@lab/tensor';
import { checkImages, checkInt, checkOptions, checkRange, checkRng } from '../internal/validate';

/** Options of {@link randomResizedCrop}; defaults in {@link RANDOM_RESIZED_CROP_DEFAULTS}. @category Augmentations */
export interface RandomResizedCropOptions {
  /** Range of the crop area as a fraction of the image area. @defaultValue [0.08, 1] */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio w/h (sampled log-uniformly). @defaultValue [3/4, 4/3] */
  ratio?: readonly [number, number];
  /** Generator of the crop boxes. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Defaults of {@link RandomResizedCropOptions}: torchvision's `RandomResizedCrop`. @category Augmentations */
export const RANDOM_RESIZED_CROP_DEFAULTS = Object.freeze({
  /** Default of {@link RandomResizedCropOptions.scale}. */
  scale: Object.freeze([0.08, 1] as const),
  /** Default of {@link RandomResizedCropOptions.ratio}. */
  ratio: Object.freeze([3 / 4, 4 / 3] as const),
});

/**
 * Crops a random box from each image and resizes it to `size × size`, as torchvision's
 * `RandomResizedCrop`.
 *
 * Per image: up to 10 tries of area `A·U(scale)` and aspect `exp(U(log ratio))`, a box of
 * `w = round(√(area·aspect))`, `h = round(√(area/aspect))` placed uniformly when it fits, else a
 * central crop clamped to the ratio range. Resizing is bilinear with corner-aligned sampling
 * (`tf.image.cropAndResize`); DINO uses bicubic.
 * @param images - `[n, h, w, c]`, float32, h, w ≥ 2
 * @param size - output side in pixels
 * @param options - see {@link RandomResizedCropOptions}
 * @returns `[n, size, size, c]`; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @see torchvision `transforms.RandomResizedCrop.get_params`
 * @example
 * ```ts
 * const crops = randomResizedCrop(images, 28, { scale: [0.4, 1], rng: new Rng(1) });
 * ```
 * @category Augmentations
 */
export function randomResizedCrop(images: tf.Tensor4D, size: number, options: RandomResizedCropOptions = {}): tf.Tensor4D {
  const fn = 'randomResizedCrop';
  checkOptions(fn, options, ['scale', 'ratio', 'rng']);
  const x = checkImages(fn, 'images', images);
  checkInt(fn, 'size', size);
  const scale = checkRange(fn, 'scale', options.scale ?? RANDOM_RESIZED_CROP_DEFAULTS.scale, 0, 1);
  const ratio = checkRange(fn, 'ratio', options.ratio ?? RANDOM_RESIZED_CROP_DEFAULTS.ratio, 1e-6);
  if (!(scale[1] > 0)) throw new InvalidValueError(`${fn}: scale must allow a positive area, got [${scale}]`);
  if (x.shape[1] < 2 || x.shape[2] < 2) throw new ShapeError(`${fn}: images must be at least 2×2 px, got shape [${x.shape}]`);
  const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
  const [n, h, w] = x.shape;
  const boxes = cropBoxes(n, h, w, scale, ratio, rng);
  return tf.tidy(() =>
    tf.image.cropAndResize(x, tf.tensor2d(boxes, [n, 4]), tf.range(0, n, 1, 'int32') as tf.Tensor1D, [size, size], 'bilinear'),
  );
}

/** Normalised `[y1, x1, y2, x2]` boxes of `n` random resized crops (torchvision's sampling). */
export function cropBoxes(n: number, h: number, w: number, scale: readonly number[], ratio: readonly number[], rng: Rng): Float32Array {
  const boxes = new Float32Array(4 * n);
  const area = h * w;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let k = 0; k < n; k++) {
    let top = -1;
    let left = 0;
    let ch = h;
    let cw = w;
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * (scale[0] + (scale[1] - scale[0]) * rng.next());
      const aspect = Math.exp(logLo + (logHi - logLo) * rng.next());
      const bw = Math.round(Math.sqrt(target * aspect));
      const bh = Math.round(Math.sqrt(target / aspect));
      if (bw > 0 && bw <= w && bh > 0 && bh <= h) {
        top = Math.floor(rng.next() * (h - bh + 1));
        left = Math.floor(rng.next() * (w - bw + 1));
        ch = bh;
        cw = bw;
        break;
      }
    }
    if (top < 0) {
      const inRatio = w / h;
      if (inRatio < ratio[0]) {
        cw = w;
        ch = Math.round(w / ratio[0]);
      } else if (inRatio > ratio[1]) {
        ch = h;
        cw = Math.round(h * ratio[1]);
      } else {
        cw = w;
        ch = h;
      }
      top = Math.floor((h - ch) / 2);
      left = Math.floor((w - cw) / 2);
    }
    boxes[4 * k] = top / (h - 1);
    boxes[4 * k + 1] = left / (w - 1);
    boxes[4 * k + 2] = (top + ch - 1) / (h - 1);
    boxes[4 * k + 3] = (left + cw - 1) / (w - 1);
  }
  return boxes;
}
