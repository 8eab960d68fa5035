/**
 * Grad-CAM (Selvaraju et al. 2017).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import { checkBoolOption, checkModel, checkSeed, checkTarget, layerGradients, resolveLayer, sliceRows } from '../core/gradients';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
  targetForSlice,
} from '../core/types';

/** How a Grad-CAM map is resized to the input's height and width. @category Methods */
export type CamInterpolation = 'bilinear' | 'nearest';

/** Settings of {@link GradCam}. @category Methods */
export interface GradCamConfig {
  /** Dotted name of the module whose output `A` `[N, h, w, K]` (NHWC) is explained, as in `model.namedModules()`. */
  layer: string;
  /**
   * Apply a ReLU to the map (the paper's definition). Off by default: signed maps, as Captum's
   * `relu_attributions=False` (captum#179/#181); a correctly classified input can give an all-≤0 map.
   * @defaultValue false
   */
  relu?: boolean;
  /** Resize the map to the input's `H × W` (needs an NHWC image input). @defaultValue true */
  upsample?: boolean;
  /** Resampling for `upsample`. @defaultValue `'bilinear'` (half-pixel centres, as PyTorch `align_corners=False`) */
  interpolation?: CamInterpolation;
  /**
   * Divide each map by its largest absolute value (cam.js-style display scaling), guarded: an
   * all-zero map stays zero instead of NaN.
   * @defaultValue false
   */
  normalize?: boolean;
}

/** Per-call options of {@link GradCam.attribute}: the shared ones only. @category Methods */
export type GradCamOptions = AttributionOptions;

/** What {@link GradCam.attribute} returns. @category Methods */
export interface GradCamResult extends AttributionResult {
  /**
   * Per sample, whether the map is identically zero (for instance an all-≤0 map under `relu`, the
   * case where tfjs-examples' cam.js divides 0 by 0).
   */
  zeroMaps: boolean[];
}

/**
 * Defaults of {@link GradCam}: `relu: false` as Captum's `LayerGradCam`; `upsample: true` and
 * bilinear resampling as tfjs-examples `cam.js`; `normalize: false` (Captum); `batchSize` is this
 * package's.
 * @category Methods
 */
export const GRAD_CAM_DEFAULTS = Object.freeze({
  /** Default of {@link GradCamConfig.relu}. */
  relu: false,
  /** Default of {@link GradCamConfig.upsample}. */
  upsample: true,
  /** Default of {@link GradCamConfig.interpolation}. */
  interpolation: 'bilinear' as CamInterpolation,
  /** Default of {@link GradCamConfig.normalize}. */
  normalize: false,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Grad-CAM: a layer's channels weighted by their spatially averaged gradients.
 *
 * With `A^k` the `K` channels of the layer output and `Z = h·w`:
 * `α_k = (1/Z) Σ_{i,j} ∂f_c/∂A^k_{ij}` and `map = Σ_k α_k A^k` (then `ReLU` with `relu`). When the
 * layer is followed by global average pooling and a linear layer `W`, `α_k = W_{k,c}/Z`, so the map
 * is the class activation map divided by `Z`.
 *
 * Attributions have shape `[N, H, W, 1]` with `upsample` (bilinear by default), else `[N, h, w, 1]`:
 * one map per sample that broadcasts over the input's channels. The gradient is taken with
 * respect to the layer output only, by a replacing forward hook (the network below the layer is
 * not differentiated).
 * @see arXiv 1610.02391; Captum `LayerGradCam`; tfjs-examples `visualize-convnet/cam.js`
 * @example
 * ```ts
 * const cam = new GradCam({ layer: 'features.4' });
 * const { attributions } = await cam.attribute(model, images, { target: 3 });
 * // attributions: [N, H, W, 1], signed; caller disposes
 * ```
 * @category Methods
 */
export class GradCam implements AttributionMethod<GradCamOptions> {
  readonly name = 'grad-cam';
  /** False with `relu` (maps are then non-negative). */
  readonly signed: boolean;
  /** The explained layer. */
  readonly layer: string;
  /** Whether the map is rectified. */
  readonly relu: boolean;
  /** Whether the map is resized to the input size. */
  readonly upsample: boolean;
  /** Resampling used by `upsample`. */
  readonly interpolation: CamInterpolation;
  /** Whether each map is divided by its largest absolute value. */
  readonly normalize: boolean;

  /**
   * @param config - see {@link GradCamConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a missing `layer`, an unknown key or a bad value.
   */
  constructor(config: GradCamConfig) {
    const fn = 'GradCam';
    if (config === null || typeof config !== 'object') throw new InvalidValueError(`${fn}: config must be an object with a layer name`);
    checkOptions(fn, config, ['layer', 'relu', 'upsample', 'interpolation', 'normalize']);
    if (typeof config.layer !== 'string' || config.layer === '') {
      throw new InvalidValueError(`${fn}: layer must be a non-empty dotted module name, got ${String(config.layer)}`);
    }
    this.layer = config.layer;
    this.relu = checkBoolOption(fn, 'relu', config.relu ?? GRAD_CAM_DEFAULTS.relu);
    this.upsample = checkBoolOption(fn, 'upsample', config.upsample ?? GRAD_CAM_DEFAULTS.upsample);
    this.normalize = checkBoolOption(fn, 'normalize', config.normalize ?? GRAD_CAM_DEFAULTS.normalize);
    const interp = config.interpolation ?? GRAD_CAM_DEFAULTS.interpolation;
    if (interp !== 'bilinear' && interp !== 'nearest') {
      throw new InvalidValueError(`${fn}: interpolation must be 'bilinear' or 'nearest', got ${String(interp)}`);
    }
    this.interpolation = interp;
    this.signed = !this.relu;
  }

  /**
   * Computes the Grad-CAM map of every sample.
   * @param model - a Module containing the layer
   * @param input - a batch `[N, H, W, C]` (NHWC; any batch when `upsample` is false)
   * @param options - target, batchSize, seed (unused: the method is deterministic)
   * @returns `attributions` `[N, H, W, 1]` (or `[N, h, w, 1]`) and `zeroMaps`; the caller disposes the tensor
   * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} for a plain-function model; {@link "@lab/tensor"!UnknownNameError | UnknownNameError} for an
   * unknown layer; {@link "@lab/tensor"!ShapeError | ShapeError} for a layer output that is not `[N, h, w, K]` or a non-image
   * input with `upsample`; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad target or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: GradCamOptions = {}): Promise<GradCamResult> {
    const fn = 'GradCam.attribute';
    checkOptions(fn, options, ['target', 'batchSize', 'seed']);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    if (this.upsample && input.rank !== 4) {
      throw new ShapeError(`${fn}: input must be an NHWC image batch [N, H, W, C] to upsample, got [${input.shape}]`);
    }
    checkTarget(fn, options.target, input.shape[0]);
    const batchSize = checkBatchSize(fn, options.batchSize, GRAD_CAM_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    resolveLayer(model, this.layer, fn);
    const parts: tf.Tensor[] = [];
    try {
      for (let start = 0; start < input.shape[0]; start += batchSize) {
        const end = Math.min(input.shape[0], start + batchSize);
        const xs = sliceRows(input, start, end);
        try {
          const { activations, grads, scores } = layerGradients(model, this.layer, xs, targetForSlice(options.target, start, end), fn);
          try {
            if (activations.rank !== 4) {
              throw new ShapeError(`${fn}: layer '${this.layer}' must output NHWC [N, h, w, K], got [${activations.shape}]`);
            }
            parts.push(tf.tidy(() => this.map(activations as tf.Tensor4D, grads as tf.Tensor4D, input.shape as number[])));
          } finally {
            tf.dispose([activations, grads, scores]);
          }
        } finally {
          xs.dispose();
        }
      }
      const attributions = parts.length === 1 ? (parts.pop() as tf.Tensor) : tf.concat(parts, 0);
      const peaks = tf.tidy(() => tf.max(tf.abs(tf.reshape(attributions, [attributions.shape[0], -1])), 1));
      const zeroMaps = Array.from(await peaks.data(), (v) => v === 0);
      peaks.dispose();
      return { attributions, zeroMaps };
    } finally {
      tf.dispose(parts);
    }
  }

  /** `Σ_k α_k A^k` for a chunk, then ReLU, resizing and normalisation as configured. */
  private map(a: tf.Tensor4D, g: tf.Tensor4D, inputShape: number[]): tf.Tensor4D {
    const alpha = tf.mean(g, [1, 2], true);
    let cam = tf.sum(tf.mul(alpha, a), 3, true) as tf.Tensor4D;
    if (this.relu) cam = tf.relu(cam);
    if (this.upsample) {
      const size: [number, number] = [inputShape[1], inputShape[2]];
      cam =
        this.interpolation === 'bilinear'
          ? tf.image.resizeBilinear(cam, size, false, true)
          : tf.image.resizeNearestNeighbor(cam, size, false, true);
    }
    if (this.normalize) {
      const peak = tf.max(tf.abs(cam), [1, 2, 3], true);
      // Guarded division: an all-zero map stays zero (cam.js divides by the max without a guard).
      cam = tf.div(cam, tf.where(tf.greater(peak, 0), peak, tf.onesLike(peak))) as tf.Tensor4D;
    }
    return cam;
  }
}
