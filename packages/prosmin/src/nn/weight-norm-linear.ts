/**
 * A weight-normalised linear layer, as `torch.nn.utils.weight_norm(nn.Linear(...))`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { LINEAR_LAYOUT, Module, Rng, ShapeError, type TorchLayout, getGlobalRng, kaimingUniform } from '@lab/tensor';
import { checkBool, checkInt, checkOptions, checkRng, checkTensor } from '../internal/validate';

/** Options of {@link WeightNormLinear}. @category Networks */
export interface WeightNormLinearOptions {
  /**
   * Whether the norm `weight_g` is trained. DINO's `norm_last_layer = True` freezes it at 1
   * (then it is a buffer); ProSMIN's code trains it.
   * @defaultValue true
   */
  trainableNorm?: boolean;
  /** Generator of the initial direction `weight_v`. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** `[out]` natively ↔ `[out, 1]` in PyTorch: the layout of `weight_g`. */
const NORM_LAYOUT: TorchLayout = Object.freeze({
  torchShape: (s: number[]) => [s[0], 1],
  toTorch: (x: tf.Tensor) => tf.reshape(x, [x.shape[0], 1]),
  fromTorch: (x: tf.Tensor) => tf.reshape(x, [x.shape[0]]),
});

/**
 * A bias-free linear layer with weight normalisation, `y = x · Wᵀ` with `W[o] = g[o] · v[o] / ‖v[o]‖`.
 *
 * Parameters `weight_g` (`[out, 1]` in the state dict, initialised to 1 as DINO's head) and
 * `weight_v` (`[out, in]`, PyTorch's default `nn.Linear` initialisation), the names of
 * `torch.nn.utils.weight_norm`.
 * @see Salimans & Kingma 2016, arXiv:1602.07868; DINO `DINOHead.last_layer`
 * @example
 * ```ts
 * const last = new WeightNormLinear(64, 256);
 * const y = last.call(tf.ones([2, 64])); // [2, 256]
 * ```
 * @category Networks
 */
export class WeightNormLinear extends Module {
  /** Size of the last input axis. */
  readonly inFeatures: number;
  /** Size of the last output axis. */
  readonly outFeatures: number;
  /** The norm `g`, native `[out]`. */
  readonly weightG: tf.Variable;
  /** The direction `v`, native `[in, out]`. */
  readonly weightV: tf.Variable;

  /**
   * @param inFeatures - input size, a positive integer
   * @param outFeatures - output size, a positive integer
   * @param options - see {@link WeightNormLinearOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on a bad size or unknown option
   */
  constructor(inFeatures: number, outFeatures: number, options: WeightNormLinearOptions = {}) {
    super();
    const fn = 'WeightNormLinear';
    checkOptions(fn, options, ['trainableNorm', 'rng']);
    this.inFeatures = checkInt(fn, 'inFeatures', inFeatures);
    this.outFeatures = checkInt(fn, 'outFeatures', outFeatures);
    const trainable = checkBool(fn, 'trainableNorm', options.trainableNorm ?? true);
    const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
    const g = tf.ones([outFeatures]);
    this.weightG = trainable ? this.registerParameter('weight_g', g, NORM_LAYOUT) : this.registerBuffer('weight_g', g, NORM_LAYOUT);
    this.weightV = this.registerParameter(
      'weight_v',
      kaimingUniform([inFeatures, outFeatures], inFeatures, { a: Math.sqrt(5), rng }),
      LINEAR_LAYOUT,
    );
  }

  /**
   * Applies the layer.
   * @param x - `[n, inFeatures]`, float32
   * @returns `[n, outFeatures]`; the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a wrong shape
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('WeightNormLinear', 'x', x, 2);
    if (x.shape[1] !== this.inFeatures) {
      throw new ShapeError(`WeightNormLinear: x must have ${this.inFeatures} features, got shape [${x.shape}]`);
    }
    return tf.tidy(() => {
      const norm = tf.sqrt(tf.sum(tf.square(this.weightV), 0)); // ‖v[o]‖ over the input axis
      const w = tf.mul(tf.div(this.weightV, norm), this.weightG);
      return tf.matMul(x, w);
    });
  }
}
