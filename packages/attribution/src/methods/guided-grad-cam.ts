/**
 * Guided Grad-CAM (Selvaraju et al. 2017).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import { checkModel, checkSeed, checkTarget, resolveLayer } from '../core/gradients';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
} from '../core/types';
import { type CamInterpolation, GRAD_CAM_DEFAULTS, GradCam } from './grad-cam';
import { GuidedBackprop } from './guided-backprop';

/** Settings of {@link GuidedGradCam}. @category Methods */
export interface GuidedGradCamConfig {
  /** Dotted name of the Grad-CAM layer (output `[N, h, w, K]`, NHWC). */
  layer: string;
  /**
   * Resampling of the Grad-CAM map to the input size.
   * @defaultValue `'bilinear'` (Captum's `GuidedGradCam` defaults to `'nearest'`)
   */
  interpolation?: CamInterpolation;
}

/** Per-call options of {@link GuidedGradCam.attribute}: the shared ones only. @category Methods */
export type GuidedGradCamOptions = AttributionOptions;

/** Defaults of {@link GuidedGradCam}: bilinear resampling (as {@link GradCam}); `batchSize` is this package's. @category Methods */
export const GUIDED_GRAD_CAM_DEFAULTS = Object.freeze({
  /** Default of {@link GuidedGradCamConfig.interpolation}. */
  interpolation: GRAD_CAM_DEFAULTS.interpolation,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Guided Grad-CAM: Guided Backprop attributions masked by the rectified, upsampled Grad-CAM map.
 *
 * `φ = GB(x) ⊙ up(ReLU(Σ_k α_k A^k))`, the map broadcast over the input's channels, as Captum's
 * `GuidedGradCam` (which always uses `relu_attributions=True`). Model requirements are those of
 * {@link GuidedBackprop} (ReLU modules) and {@link GradCam} (a named NHWC layer).
 * @see arXiv 1610.02391; Captum `GuidedGradCam`
 * @example
 * ```ts
 * const ggc = new GuidedGradCam({ layer: 'features.4' });
 * const { attributions } = await ggc.attribute(model, images, { target: 3 });
 * // attributions: images' shape; caller disposes
 * ```
 * @category Methods
 */
export class GuidedGradCam implements AttributionMethod<GuidedGradCamOptions> {
  readonly name = 'guided-grad-cam';
  readonly signed = true;
  /** The Grad-CAM layer. */
  readonly layer: string;
  /** Resampling of the map. */
  readonly interpolation: CamInterpolation;
  private readonly cam: GradCam;
  private readonly guided = new GuidedBackprop();

  /**
   * @param config - see {@link GuidedGradCamConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a missing `layer`, an unknown key or a bad value.
   */
  constructor(config: GuidedGradCamConfig) {
    const fn = 'GuidedGradCam';
    if (config === null || typeof config !== 'object') throw new InvalidValueError(`${fn}: config must be an object with a layer name`);
    checkOptions(fn, config, ['layer', 'interpolation']);
    this.cam = new GradCam({ layer: config.layer, relu: true, upsample: true, interpolation: config.interpolation ?? GUIDED_GRAD_CAM_DEFAULTS.interpolation });
    this.layer = this.cam.layer;
    this.interpolation = this.cam.interpolation;
  }

  /**
   * Computes Guided Grad-CAM attributions.
   * @param model - a Module with ReLU modules and the named layer
   * @param input - a batch `[N, H, W, C]` (NHWC)
   * @param options - target, batchSize, seed (unused: the method is deterministic)
   * @returns attributions of the input's shape; the caller disposes them
   * @throws as {@link GradCam} and {@link GuidedBackprop}.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: GuidedGradCamOptions = {}): Promise<AttributionResult> {
    const fn = 'GuidedGradCam.attribute';
    checkOptions(fn, options, ['target', 'batchSize', 'seed']);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    if (input.rank !== 4) throw new ShapeError(`${fn}: input must be an NHWC image batch [N, H, W, C], got [${input.shape}]`);
    checkTarget(fn, options.target, input.shape[0]);
    checkBatchSize(fn, options.batchSize, GUIDED_GRAD_CAM_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    resolveLayer(model, this.layer, fn);
    const cam = await this.cam.attribute(model, input, options);
    try {
      const gb = await this.guided.attribute(model, input, options);
      try {
        return { attributions: tf.mul(gb.attributions, cam.attributions) };
      } finally {
        gb.attributions.dispose();
      }
    } finally {
      cam.attributions.dispose();
    }
  }
}
