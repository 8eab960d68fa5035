/**
 * DINO's multi-crop augmentation: two global views and several local views per image.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, getGlobalRng } from '@lab/tensor';
import { checkImages, checkInt, checkNumber, checkOptions, checkProbability, checkRange, checkRng, show } from '../internal/validate';
import { colorJitter } from './color-jitter';
import { randomGaussianBlur } from './random-gaussian-blur';
import { randomGaussianNoise } from './random-gaussian-noise';
import { randomGrayscale } from './random-grayscale';
import { randomHorizontalFlip } from './random-horizontal-flip';
import { randomResizedCrop } from './random-resized-crop';
import { randomSolarize } from './random-solarize';

/** Options of {@link multiCrop}; defaults in {@link MULTI_CROP_DEFAULTS}. @category Augmentations */
export interface MultiCropOptions {
  /** Side of the global views in pixels. @defaultValue the input size (DINO: 224) */
  globalSize?: number;
  /** Side of the local views in pixels. @defaultValue `round(input size · 96/224)` (DINO: 96 for 224) */
  localSize?: number;
  /** Number of local views. @defaultValue 16 */
  localCrops?: number;
  /** Area range of the global crops. @defaultValue [0.4, 1] */
  globalScale?: readonly [number, number];
  /** Area range of the local crops. @defaultValue [0.05, 0.4] */
  localScale?: readonly [number, number];
  /** Probability of a horizontal flip. @defaultValue 0.5 */
  flipProbability?: number;
  /** Probability of colour jitter. @defaultValue 0.8 */
  jitterProbability?: number;
  /** Brightness jitter. @defaultValue 0.4 */
  brightness?: number;
  /** Contrast jitter. @defaultValue 0.4 */
  contrast?: number;
  /** Saturation jitter. @defaultValue 0.2 */
  saturation?: number;
  /** Probability of conversion to grey. @defaultValue 0.2 */
  grayscaleProbability?: number;
  /** Range of the blur σ in pixels. @defaultValue [0.1, 2] */
  blurSigma?: readonly [number, number];
  /** Blur probability of the first global, second global and each local view. @defaultValue [1, 0.1, 0.5] */
  blurProbabilities?: readonly [number, number, number];
  /** Solarisation probability of the second global view. @defaultValue 0.2 */
  solarizeProbability?: number;
  /** Standard deviation of additive noise on every view (0: none). @defaultValue 0 */
  noiseStd?: number;
  /** Generator of every random choice. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * Defaults of {@link MultiCropOptions}: DINO's `DataAugmentationDINO` (facebookresearch/dino
 * `main_dino.py`, kept by ProSMIN's `main_prosmin.py`): 2 global crops at scale 0.4–1, 16 local
 * crops at 0.05–0.4, flip 0.5, `ColorJitter(0.4, 0.4, 0.2)` with p 0.8, grey 0.2, blur σ 0.1–2
 * with p 1 / 0.1 / 0.5, solarisation 0.2 on the second global view. Noise is our addition (off).
 * @category Augmentations
 */
export const MULTI_CROP_DEFAULTS = Object.freeze({
  /** Default of {@link MultiCropOptions.localCrops}. */
  localCrops: 16,
  /** Default of {@link MultiCropOptions.globalScale}. */
  globalScale: Object.freeze([0.4, 1] as const),
  /** Default of {@link MultiCropOptions.localScale}. */
  localScale: Object.freeze([0.05, 0.4] as const),
  /** Default of {@link MultiCropOptions.flipProbability}. */
  flipProbability: 0.5,
  /** Default of {@link MultiCropOptions.jitterProbability}. */
  jitterProbability: 0.8,
  /** Default of {@link MultiCropOptions.brightness}. */
  brightness: 0.4,
  /** Default of {@link MultiCropOptions.contrast}. */
  contrast: 0.4,
  /** Default of {@link MultiCropOptions.saturation}. */
  saturation: 0.2,
  /** Default of {@link MultiCropOptions.grayscaleProbability}. */
  grayscaleProbability: 0.2,
  /** Default of {@link MultiCropOptions.blurSigma}. */
  blurSigma: Object.freeze([0.1, 2] as const),
  /** Default of {@link MultiCropOptions.blurProbabilities}. */
  blurProbabilities: Object.freeze([1, 0.1, 0.5] as const),
  /** Default of {@link MultiCropOptions.solarizeProbability}. */
  solarizeProbability: 0.2,
  /** Default of {@link MultiCropOptions.noiseStd}. */
  noiseStd: 0,
});

/** The views of one batch: two global views (`[n, G, G, c]`) and the local views (`[n, L, L, c]`). @category Augmentations */
export interface MultiCropViews {
  /** The two global views; only they go through the target network. */
  globals: [tf.Tensor4D, tf.Tensor4D];
  /** The local views (possibly none). */
  locals: tf.Tensor4D[];
}

const KEYS = ['globalSize', 'localSize', 'rng', ...Object.keys(MULTI_CROP_DEFAULTS)];

/**
 * Makes DINO's multi-crop views of an image batch: 2 global and `localCrops` local views, each
 * cropped, flipped, colour-jittered, greyed, blurred (and the second global view solarised) with
 * independent random draws per image.
 *
 * Order per view: random resized crop → flip → colour jitter → grey → blur → solarise (second
 * global only) → noise, as in `DataAugmentationDINO` (which then normalises; normalisation is
 * left to the network here).
 * @param images - `[n, h, w, c]`, float32 in [0, 1]
 * @param options - see {@link MultiCropOptions}
 * @returns new view tensors; the caller disposes all of them (`tf.dispose([...globals, ...locals])`)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad image batch; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options
 * @see Caron et al. 2021, arXiv:2104.14294, §3.1 and Appendix
 * @example
 * ```ts
 * const { globals, locals } = multiCrop(images, { localCrops: 2, rng: new Rng(7) });
 * tf.dispose([...globals, ...locals]);
 * ```
 * @category Augmentations
 */
export function multiCrop(images: tf.Tensor4D, options: MultiCropOptions = {}): MultiCropViews {
  const fn = 'multiCrop';
  checkOptions(fn, options, KEYS);
  const x = checkImages(fn, 'images', images);
  const o = resolveMultiCrop(fn, options, x.shape[1]);
  const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
  const view = (size: number, scale: readonly [number, number], blurP: number, solarizeP: number): tf.Tensor4D =>
    tf.tidy(() => {
      let v = randomResizedCrop(x, size, { scale, rng });
      v = randomHorizontalFlip(v, { p: o.flipProbability, rng });
      v = colorJitter(v, { brightness: o.brightness, contrast: o.contrast, saturation: o.saturation, p: o.jitterProbability, rng });
      v = randomGrayscale(v, { p: o.grayscaleProbability, rng });
      v = randomGaussianBlur(v, { p: blurP, sigma: o.blurSigma, rng });
      if (solarizeP > 0) v = randomSolarize(v, { p: solarizeP, rng });
      if (o.noiseStd > 0) v = randomGaussianNoise(v, { std: o.noiseStd, rng });
      return v;
    });
  const [b1, b2, bl] = o.blurProbabilities;
  const globals: [tf.Tensor4D, tf.Tensor4D] = [
    view(o.globalSize, o.globalScale, b1, 0),
    view(o.globalSize, o.globalScale, b2, o.solarizeProbability),
  ];
  const locals: tf.Tensor4D[] = [];
  for (let i = 0; i < o.localCrops; i++) locals.push(view(o.localSize, o.localScale, bl, 0));
  return { globals, locals };
}

/** Every multi-crop setting, validated, with sizes resolved for an input of side `inputSize`. */
export interface ResolvedMultiCrop {
  globalSize: number;
  localSize: number;
  localCrops: number;
  globalScale: readonly [number, number];
  localScale: readonly [number, number];
  flipProbability: number;
  jitterProbability: number;
  brightness: number;
  contrast: number;
  saturation: number;
  grayscaleProbability: number;
  blurSigma: readonly [number, number];
  blurProbabilities: readonly [number, number, number];
  solarizeProbability: number;
  noiseStd: number;
}

/** Validates multi-crop options (without `rng`) and fills in the defaults. */
export function resolveMultiCrop(fn: string, options: Omit<MultiCropOptions, 'rng'>, inputSize: number): ResolvedMultiCrop {
  const d = MULTI_CROP_DEFAULTS;
  const bp = options.blurProbabilities ?? d.blurProbabilities;
  if (!Array.isArray(bp) || bp.length !== 3) {
    throw new InvalidValueError(`${fn}: blurProbabilities must be [global1, global2, local] probabilities, got ${show(bp)}`);
  }
  return {
    globalSize: checkInt(fn, 'globalSize', options.globalSize ?? inputSize),
    localSize: checkInt(fn, 'localSize', options.localSize ?? Math.max(1, Math.round((inputSize * 96) / 224))),
    localCrops: checkInt(fn, 'localCrops', options.localCrops ?? d.localCrops, 0),
    globalScale: checkRange(fn, 'globalScale', options.globalScale ?? d.globalScale, 0, 1),
    localScale: checkRange(fn, 'localScale', options.localScale ?? d.localScale, 0, 1),
    flipProbability: checkProbability(fn, 'flipProbability', options.flipProbability ?? d.flipProbability),
    jitterProbability: checkProbability(fn, 'jitterProbability', options.jitterProbability ?? d.jitterProbability),
    brightness: checkNumber(fn, 'brightness', options.brightness ?? d.brightness, 0),
    contrast: checkNumber(fn, 'contrast', options.contrast ?? d.contrast, 0),
    saturation: checkNumber(fn, 'saturation', options.saturation ?? d.saturation, 0),
    grayscaleProbability: checkProbability(fn, 'grayscaleProbability', options.grayscaleProbability ?? d.grayscaleProbability),
    blurSigma: checkRange(fn, 'blurSigma', options.blurSigma ?? d.blurSigma, 0),
    blurProbabilities: [
      checkProbability(fn, 'blurProbabilities[0]', bp[0]),
      checkProbability(fn, 'blurProbabilities[1]', bp[1]),
      checkProbability(fn, 'blurProbabilities[2]', bp[2]),
    ],
    solarizeProbability: checkProbability(fn, 'solarizeProbability', options.solarizeProbability ?? d.solarizeProbability),
    noiseStd: checkNumber(fn, 'noiseStd', options.noiseStd ?? d.noiseStd, 0),
  };
}
