/**
 * The imputer contract: how the pixels a metric removes are filled in.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, type Rng, ShapeError, checkOptions } from '@lab/tensor';
import { checkImages, checkSeed, type ImageDims } from '../core/checks';
import { rngFor, STREAM } from '../core/seeds';

/**
 * Per-image cache an imputer keeps between successive fills of the same image (a blurred copy,
 * the last linear-system solution used to warm-start the next solve). Create one per image and
 * pass it to every {@link Imputer.fill} of that image; a fresh state gives a cold start.
 * @category Imputation
 */
export class ImputerState {
  /** Noiseless field of the last solve, `H·W·C` (noisy linear imputation). */
  solution: Float64Array | undefined;
  /** Which pixels were unknowns of the last solve (1) (noisy linear imputation). */
  solved: Uint8Array | undefined;
  /** Cached per-image data (the blurred image, the channel means). */
  cache: Float32Array | undefined;
  /** Solver iterations of the last fill (0 for closed-form imputers). */
  iterations = 0;
  /** Total solver iterations over every fill with this state. */
  totalIterations = 0;
}

/** Options of {@link Imputer.impute}. @category Imputation */
export interface ImputeOptions {
  /** Seed of the imputation noise; image `i` uses a stream derived from `seed` and `i`. @defaultValue 0 */
  seed?: number;
}

/**
 * Fills removed pixels of images. Subclasses implement {@link Imputer.fill} on one host image;
 * {@link Imputer.impute} applies it to a tensor batch.
 * @category Imputation
 */
export abstract class Imputer {
  /** Registry-style name, recorded in every curve a metric returns (`noisy-linear`, `constant`…). */
  abstract readonly name: string;

  /**
   * Fills the removed pixels of one NHWC image in place; kept pixels are never changed.
   * @param image - `H·W·C` values, row-major NHWC of one sample (original values everywhere on entry)
   * @param removed - `H·W` flags, non-zero where the pixel (all its channels) is removed
   * @param dims - the image's height, width and channels
   * @param rng - the generator of any noise the imputer adds
   * @param state - per-image cache for successive fills of the same image (warm starts)
   */
  abstract fill(image: Float32Array, removed: Uint8Array, dims: ImageDims, rng: Rng, state?: ImputerState): void;

  /**
   * Imputes the removed pixels of a batch.
   * @param images - `[N, H, W, C]`, float32, finite
   * @param removed - `[N, H, W]` or `[N, H, W, 1]`, non-zero where a pixel is removed
   * @param options - see {@link ImputeOptions}
   * @returns the imputed images `[N, H, W, C]`; the caller disposes them
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or a bad option
   */
  async impute(images: tf.Tensor, removed: tf.Tensor, options: ImputeOptions = {}): Promise<tf.Tensor4D> {
    const fn = `${this.constructor.name}.impute`;
    checkOptions(fn, options, ['seed']);
    const seed = checkSeed(fn, options.seed ?? 0);
    const { count, height, width, channels } = checkImages(fn, images, 'images');
    if (!(removed instanceof tf.Tensor) || removed.shape[0] !== count || removed.shape[1] !== height || removed.shape[2] !== width || !(removed.rank === 3 || (removed.rank === 4 && removed.shape[3] === 1))) {
      throw new ShapeError(`${fn}: removed must have shape [${count}, ${height}, ${width}] or [${count}, ${height}, ${width}, 1], got ${removed instanceof tf.Tensor ? `[${removed.shape}]` : typeof removed}`);
    }
    const data = Float32Array.from(await images.data());
    for (let q = 0; q < data.length; q++) {
      if (!Number.isFinite(data[q])) throw new InvalidValueError(`${fn}: images must be finite, got ${data[q]}`);
    }
    const flags = await removed.data();
    const size = height * width * channels;
    const pixels = height * width;
    const dims = { height, width, channels };
    for (let i = 0; i < count; i++) {
      const mask = new Uint8Array(pixels);
      for (let p = 0; p < pixels; p++) mask[p] = flags[i * pixels + p] !== 0 ? 1 : 0;
      this.fill(data.subarray(i * size, (i + 1) * size), mask, dims, rngFor(seed, STREAM.noise, i), new ImputerState());
    }
    return tf.tensor4d(data, [count, height, width, channels]);
  }
}
