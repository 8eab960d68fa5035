/**
 * The projection head of DINO (and of ProSMIN's online and target networks).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { GELU, Linear, Module, Rng, Sequential, ShapeError, getGlobalRng, truncNormal } from '@lab/tensor';
import { checkBool, checkInt, checkOptions, checkRng, checkTensor } from '../internal/validate';
import { WeightNormLinear } from './weight-norm-linear';

/** Options of {@link DinoHead}; defaults in {@link DINO_HEAD_DEFAULTS}. @category Networks */
export interface DinoHeadOptions {
  /** Width of the hidden layers. @defaultValue 2048 */
  hiddenDim?: number;
  /** Width of the L2-normalised bottleneck. @defaultValue 256 */
  bottleneckDim?: number;
  /** Number of linear layers of the MLP (≥ 1). @defaultValue 3 */
  layers?: number;
  /** Freeze the norm of the last layer at 1 (DINO's `norm_last_layer`). @defaultValue false */
  normLastLayer?: boolean;
  /** Generator of the initial weights. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * Defaults of {@link DinoHeadOptions}: DINO's `DINOHead` (hidden 2048, bottleneck 256, 3 layers)
 * with `norm_last_layer = False`, the ProSMIN code's setting (amirvhd/SSL-sore-rule `main_prosmin.py`).
 * @category Networks
 */
export const DINO_HEAD_DEFAULTS = Object.freeze({
  /** Default of {@link DinoHeadOptions.hiddenDim}. */
  hiddenDim: 2048,
  /** Default of {@link DinoHeadOptions.bottleneckDim}. */
  bottleneckDim: 256,
  /** Default of {@link DinoHeadOptions.layers}. */
  layers: 3,
  /** Default of {@link DinoHeadOptions.normLastLayer}. */
  normLastLayer: false,
});

/**
 * DINO's projection head: an MLP with GELU (`mlp.0`, `mlp.2`, …), L2 normalisation of the
 * bottleneck, and a weight-normalised linear layer to `outDim` (`last_layer`).
 *
 * `y = last_layer(normalize(mlp(x)))`. The MLP's linear weights are drawn from N(0, 0.02²)
 * truncated at ±2 (absolute, so in effect untruncated) and their biases are zero, as DINO's `_init_weights`.
 * @see Caron et al. 2021, arXiv:2104.14294; facebookresearch/dino `vision_transformer.py`
 * @example
 * ```ts
 * const head = new DinoHead(128, 256, { hiddenDim: 256, bottleneckDim: 64 });
 * const z = head.call(tf.ones([4, 128])); // [4, 256]
 * ```
 * @category Networks
 */
export class DinoHead extends Module {
  /** Input size. */
  readonly inDim: number;
  /** Output size. */
  readonly outDim: number;
  /** The MLP up to the bottleneck. */
  readonly mlp: Module;
  /** The weight-normalised output layer. */
  readonly lastLayer: WeightNormLinear;

  /**
   * @param inDim - input size (the backbone's embedding size)
   * @param outDim - output size
   * @param options - see {@link DinoHeadOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on a bad size or unknown option
   */
  constructor(inDim: number, outDim: number, options: DinoHeadOptions = {}) {
    super();
    const fn = 'DinoHead';
    checkOptions(fn, options, ['hiddenDim', 'bottleneckDim', 'layers', 'normLastLayer', 'rng']);
    this.inDim = checkInt(fn, 'inDim', inDim);
    this.outDim = checkInt(fn, 'outDim', outDim);
    const hidden = checkInt(fn, 'hiddenDim', options.hiddenDim ?? DINO_HEAD_DEFAULTS.hiddenDim);
    const bottleneck = checkInt(fn, 'bottleneckDim', options.bottleneckDim ?? DINO_HEAD_DEFAULTS.bottleneckDim);
    const nLayers = checkInt(fn, 'layers', options.layers ?? DINO_HEAD_DEFAULTS.layers);
    const normLast = checkBool(fn, 'normLastLayer', options.normLastLayer ?? DINO_HEAD_DEFAULTS.normLastLayer);
    const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
    const linear = (i: number, o: number): Linear => {
      const l = new Linear(i, o, { rng });
      tf.tidy(() => {
        l.weight.assign(truncNormal([i, o], { std: 0.02, rng }));
        (l.bias as tf.Variable).assign(tf.zeros([o]));
      });
      return l;
    };
    if (nLayers === 1) {
      this.mlp = this.registerModule('mlp', linear(inDim, bottleneck));
    } else {
      const layers: Module<any, any>[] = [linear(inDim, hidden), new GELU()];
      for (let k = 0; k < nLayers - 2; k++) layers.push(linear(hidden, hidden), new GELU());
      layers.push(linear(hidden, bottleneck));
      this.mlp = this.registerModule('mlp', new Sequential(...layers));
    }
    this.lastLayer = this.registerModule('last_layer', new WeightNormLinear(bottleneck, outDim, { trainableNorm: !normLast, rng }));
  }

  /**
   * Projects features.
   * @param x - `[n, inDim]`, float32
   * @returns `[n, outDim]`; the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a wrong shape
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('DinoHead', 'x', x, 2);
    if (x.shape[1] !== this.inDim) throw new ShapeError(`DinoHead: x must have ${this.inDim} features, got shape [${x.shape}]`);
    return tf.tidy(() => this.lastLayer.call(l2Normalize(this.mlp.call(x))));
  }
}

/** Row-wise L2 normalisation with PyTorch's `F.normalize` guard `max(‖x‖, 1e-12)`. */
export function l2Normalize(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', -1, true), 1e-12)));
}
