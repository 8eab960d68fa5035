/**
 * The default backbone for 28–32 px images: a small VGG-style ConvNet.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, GlobalAvgPool2d, InvalidValueError, MaxPool2d, Module, ReLU, Rng, Sequential, ShapeError, getGlobalRng } from '@lab/tensor';
import { checkImages, checkInt, checkOptions, checkRng, show } from '../internal/validate';

/** Options of {@link SmallConvNet}; defaults in {@link SMALL_CONVNET_DEFAULTS}. @category Networks */
export interface SmallConvNetOptions {
  /** Channels of the input images (1 for MNIST, 3 for CIFAR). @defaultValue 1 */
  inChannels?: number;
  /** Output channels of each conv stage; the last is the embedding size. @defaultValue [32, 64, 128] */
  widths?: readonly number[];
  /** Generator of the initial weights. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * Defaults of {@link SmallConvNetOptions}. Our choice for 28–32 px images on CPU/wasm (the
 * reference uses ViT-S/16 at 224 px, which is out of reach here).
 * @category Networks
 */
export const SMALL_CONVNET_DEFAULTS = Object.freeze({
  /** Default of {@link SmallConvNetOptions.inChannels}. */
  inChannels: 1,
  /** Default of {@link SmallConvNetOptions.widths}. */
  widths: Object.freeze([32, 64, 128]),
});

/**
 * A small ConvNet that maps NHWC images to a feature vector: per stage `conv3×3 (no bias) → BN →
 * ReLU`, a 2×2 max-pool between stages, and global average pooling at the end.
 *
 * `[n, h, w, inChannels] → [n, widths.at(−1)]`. Works for any input of at least `2^(stages−1)` px
 * per side, so one network serves the global and the local crops of multi-crop training.
 * Parameter names: `features.<i>.weight` (conv, OIHW in the state dict) and the BN parameters.
 * @example
 * ```ts
 * const net = new SmallConvNet({ widths: [16, 32, 64], rng: new Rng(0) });
 * const f = net.call(tf.zeros([8, 28, 28, 1])); // [8, 64]; caller disposes
 * ```
 * @category Networks
 */
export class SmallConvNet extends Module {
  /** Size of the output feature vector. */
  readonly embedDim: number;
  /** Channels of the input. */
  readonly inChannels: number;
  /** Smallest input side the network accepts. */
  readonly minInputSize: number;
  /** The conv stages, pools and the global pooling. */
  readonly features: Sequential;

  /**
   * @param options - see {@link SmallConvNetOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on a bad width list or an unknown option
   */
  constructor(options: SmallConvNetOptions = {}) {
    super();
    const fn = 'SmallConvNet';
    checkOptions(fn, options, ['inChannels', 'widths', 'rng']);
    this.inChannels = checkInt(fn, 'inChannels', options.inChannels ?? SMALL_CONVNET_DEFAULTS.inChannels);
    const widths = options.widths ?? SMALL_CONVNET_DEFAULTS.widths;
    if (!Array.isArray(widths) || widths.length === 0 || !widths.every((w) => Number.isInteger(w) && w > 0)) {
      throw new InvalidValueError(`${fn}: widths must be a non-empty array of positive integers, got ${show(widths)}`);
    }
    const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
    const layers: Module<any, any>[] = [];
    let cin = this.inChannels;
    widths.forEach((w, i) => {
      layers.push(new Conv2d(cin, w, 3, { padding: 1, bias: false, rng }), new BatchNorm2d(w), new ReLU());
      if (i < widths.length - 1) layers.push(new MaxPool2d(2));
      cin = w;
    });
    layers.push(new GlobalAvgPool2d());
    this.features = this.registerModule('features', new Sequential(...layers));
    this.embedDim = cin;
    this.minInputSize = 2 ** (widths.length - 1);
  }

  /**
   * Embeds a batch of images.
   * @param x - `[n, h, w, inChannels]`, float32, h and w at least {@link SmallConvNet.minInputSize}
   * @returns `[n, embedDim]`; the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a wrong rank, channel count or a too small image
   */
  forward(x: tf.Tensor): tf.Tensor {
    const fn = 'SmallConvNet';
    const [, h, w, c] = checkImages(fn, 'x', x).shape;
    if (c !== this.inChannels) {
      throw new ShapeError(`${fn}: x must have ${this.inChannels} channels (NHWC), got shape [${x.shape}]`);
    }
    if (h < this.minInputSize || w < this.minInputSize) {
      throw new ShapeError(`${fn}: x must be at least ${this.minInputSize}×${this.minInputSize} px, got shape [${x.shape}]`);
    }
    return this.features.call(x);
  }
}
