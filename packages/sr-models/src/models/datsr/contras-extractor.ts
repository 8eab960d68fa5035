/**
 * DATSR's texture feature encoder (`ContrasExtractorSep`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, checkOptions, getGlobalRng, type Rng } from '@lab/tensor';
import { VggSlice, registerImageNetBuffers } from './vgg-slice';

/**
 * One branch of the texture encoder (`ContrasExtractorLayer`): ImageNet normalisation
 * (`mean`, `std` buffers) and VGG16 `conv1_1 … conv3_1` (`model.conv1_1` …; no ReLU after
 * `conv3_1`), from `[n, H, W, 3]` in [0, 1] to `[n, H/4, W/4, 256]`.
 * @see caojiezhang/DATSR `contras_extractor_arch.py`
 * @category Models
 */
export class ContrasExtractorLayer extends Module<[tf.Tensor4D], tf.Tensor4D> {
  private readonly model: VggSlice;
  private readonly buffers: { mean: tf.Variable; std: tf.Variable };

  /** @param rng - initial weights (the checkpoint replaces them) */
  constructor(rng: Rng) {
    super();
    this.model = this.registerModule('model', new VggSlice('conv3_1', ['conv3_1'], rng));
    this.buffers = registerImageNetBuffers(this);
  }

  /**
   * @param x - `[n, H, W, 3]` in [0, 1], `H` and `W` multiples of 4
   * @returns `[n, H/4, W/4, 256]`; the caller disposes it
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    const xn = tf.tidy(() => tf.div(tf.sub(x, this.buffers.mean), this.buffers.std) as tf.Tensor4D);
    try {
      return this.model.call(xn).conv3_1!;
    } finally {
      xn.dispose();
    }
  }
}

/** Options of {@link DatsrContrasExtractor}. @category Models */
export interface DatsrContrasExtractorOptions {
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * DATSR's texture feature encoder (`ContrasExtractorSep`, the `net_extractor` of
 * `feature_extraction.pth`): two VGG16-initialised branches with separate weights, one for the
 * upsampled LR image (`feature_extraction_image1`) and one for the reference
 * (`feature_extraction_image2`), trained contrastively (C2-Matching) so that their `conv3_1`
 * features match across the resolution gap. 2 × 555,328 parameters.
 * @see arXiv 2207.11938 §3.2; caojiezhang/DATSR `contras_extractor_arch.py`; arXiv 2106.01863 (C2-Matching)
 * @example
 * ```ts
 * const ext = new DatsrContrasExtractor();
 * loadOfficialWeights(ext, await fs.readFile('feature_extraction.pth'));
 * ```
 * @category Models
 */
export class DatsrContrasExtractor extends Module<[tf.Tensor4D, tf.Tensor4D], [tf.Tensor4D, tf.Tensor4D]> {
  /** `feature_extraction_image1`: the branch for LR↑. */
  readonly image1: ContrasExtractorLayer;
  /** `feature_extraction_image2`: the branch for the reference. */
  readonly image2: ContrasExtractorLayer;

  /**
   * @param options - see {@link DatsrContrasExtractorOptions}
   * @throws InvalidValueError for an unknown option
   */
  constructor(options: DatsrContrasExtractorOptions = {}) {
    super();
    checkOptions('DatsrContrasExtractor', options, ['rng']);
    const rng = options.rng ?? getGlobalRng();
    this.image1 = this.registerModule('feature_extraction_image1', new ContrasExtractorLayer(rng));
    this.image2 = this.registerModule('feature_extraction_image2', new ContrasExtractorLayer(rng));
  }

  /**
   * @param lrUp - the LR image upsampled ×4, `[n, H, W, 3]` in [0, 1]
   * @param ref - the reference `[n, H, W, 3]` in [0, 1]
   * @returns `[dense_features1, dense_features2]`, each `[n, H/4, W/4, 256]`; the caller disposes them
   */
  forward(lrUp: tf.Tensor4D, ref: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    const a = this.image1.call(lrUp);
    try {
      return [a, this.image2.call(ref)];
    } catch (e) {
      a.dispose();
      throw e;
    }
  }
}
