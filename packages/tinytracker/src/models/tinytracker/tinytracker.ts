/**
 * TinyTracker (arXiv 2307.07813): MobileNetV3-Small minimalistic with a 2-D gaze head.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Linear, type Rng, checkOptions } from '@lab/tensor';
import { checkInt, checkNumber, checkOneOf, checkPositive, checkBool, checkTensor, withDefaults } from '../../internal/checks';
import { GraphBuilder, type InferenceGraph } from '../../quant/inference-graph';
import { GazeModel } from '../common/gaze-model';
import { appendConv, appendLinear } from '../common/layers';
import { MobileNetV3SmallMinimalistic } from './mobilenet-v3-small';

/** Options of {@link TinyTracker}; defaults in {@link TINYTRACKER_DEFAULTS}. @category Models */
export interface TinyTrackerOptions {
  /** Side of the square face crop. @defaultValue 112 (README); the released TFLite model uses 128 */
  inputSize?: number;
  /** `'rgb'` (3 channels) or `'grey'` (1 channel). @defaultValue 'rgb' */
  colour?: 'rgb' | 'grey';
  /**
   * Append the two face-grid channels (x/y coordinate maps of the face box, see
   * `faceGridChannels`) to the image channels. @defaultValue false (README); the released model uses true
   */
  faceGrid?: boolean;
  /** Factor from the tanh output to centimetres. @defaultValue 30 */
  outputScaleCm?: number;
  /** PyTorch-convention batch-norm momentum (1 − Keras momentum). @defaultValue 0.001 (Keras 0.999) */
  batchNormMomentum?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * Defaults of {@link TinyTrackerOptions}: the README configuration of pbonazzi/tinytracker
 * (112×112 RGB, `train_TinyTracker.py` defaults), output ×30 (`train_step`: `model(x) * 30.`),
 * batch norm as Keras' `MobileNetV3` (momentum 0.999 → 0.001, ε = 1e-3).
 * @category Models
 */
export const TINYTRACKER_DEFAULTS = Object.freeze({
  /** Default of {@link TinyTrackerOptions.inputSize}. */
  inputSize: 112,
  /** Default of {@link TinyTrackerOptions.colour}. */
  colour: 'rgb',
  /** Default of {@link TinyTrackerOptions.faceGrid}. */
  faceGrid: false,
  /** Default of {@link TinyTrackerOptions.outputScaleCm}. */
  outputScaleCm: 30,
  /** Default of {@link TinyTrackerOptions.batchNormMomentum}. */
  batchNormMomentum: 0.001,
} as const);

/**
 * The geometry of the released `models/TinyTracker.tflite`: input `[1, 128, 128, 5]` (RGB plus
 * the two face-grid channels).
 * @category Models
 */
export const TINYTRACKER_RELEASED = Object.freeze({
  /** Input height and width of the released model. */
  inputSize: 128,
  /** The released model takes RGB input. */
  colour: 'rgb',
  /** The released model takes the two face-grid channels. */
  faceGrid: true,
} as const);

const KEYS = ['inputSize', 'colour', 'faceGrid', 'outputScaleCm', 'batchNormMomentum', 'rng'];

/** Keras' batch-norm epsilon. */
const BN_EPS = 1e-3;

/**
 * TinyTracker, the gaze network of Bonazzi et al. (IEEE SENSORS 2023), as `TinyTrackerTF.py`
 * builds it with the MobileNetV3 backbone.
 *
 * `conv_g` 1×1 (c → 3, bias) → `backbone` (Keras `MobileNetV3Small(minimalistic=True,
 * include_top=False)`: 3×3 kernels, ReLU, no SE; output `⌈s/32⌉² × 576`) → `conv_fm` 1×1
 * (576 → 2, bias) → flatten (NHWC order, 4·4·2 = 32 values at 112 or 128 px) → `fc1`
 * Dense(128, ReLU) → `fc2` Dense(2, tanh). The gaze in cm is the output × `outputScaleCm` (30),
 * applied outside the network. Inputs are face crops scaled to [−1, 1] (`x/127.5 − 1`), with
 * `c = 3` (RGB) or 1 (grey), plus 2 with the face grid. The input conv maps c channels to the 3
 * the ImageNet backbone takes, as in the released TFLite model (5 → 3); the repository's code
 * writes `Conv2D(in_channels)`, which cannot feed the 3-channel backbone.
 *
 * Figures (hand count from the Keras layer list, checked by the tests): 434,536 trainable
 * parameters for RGB input, 446,648 with the batch-norm statistics (Keras' "Total params"; the
 * README says 455 k), 428,480 constants after folding; 13.99 M MACs at 112 px (README: 11.8 M),
 * 16.82 M at the released 128 px with 5 channels (the TFLite file: ≈16.8 M).
 * @see arXiv 2307.07813; pbonazzi/tinytracker `tinytracker/src/TinyTrackerTF.py`
 * @example
 * ```ts
 * const net = new TinyTracker();              // 112×112 RGB, the README configuration
 * const gaze = tf.tidy(() => tf.mul(net.call(x), net.outputScaleCm)); // [n, 2] in cm
 * const released = new TinyTracker(TINYTRACKER_RELEASED); // 128×128×5
 * ```
 * @category Models
 */
export class TinyTracker extends GazeModel {
  readonly inputShape: readonly [number, number, number];
  readonly outputScaleCm: number;
  /** The resolved options (without `rng`). */
  readonly options: Readonly<Required<Omit<TinyTrackerOptions, 'rng'>>>;
  /** 1×1 convolution mapping the input channels to 3. */
  readonly convG: Conv2d;
  /** The MobileNetV3-Small (minimalistic) feature extractor. */
  readonly backbone: MobileNetV3SmallMinimalistic;
  /** 1×1 convolution reducing the backbone's features to 2 channels. */
  readonly convFm: Conv2d;
  /** Fully connected layer on the flattened feature map (→ 128, ReLU). */
  readonly fc1: Linear;
  /** Output layer (128 → 2). */
  readonly fc2: Linear;

  /**
   * @param options - see {@link TinyTrackerOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown option or a bad value (inputSize below 32)
   */
  constructor(options: TinyTrackerOptions = {}) {
    super();
    const fn = 'TinyTracker';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(TINYTRACKER_DEFAULTS, options);
    checkInt(fn, 'inputSize', o.inputSize, 32);
    checkOneOf(fn, 'colour', o.colour, ['rgb', 'grey']);
    checkBool(fn, 'faceGrid', o.faceGrid);
    checkPositive(fn, 'outputScaleCm', o.outputScaleCm);
    checkNumber(fn, 'batchNormMomentum', o.batchNormMomentum, 0, 1);
    this.options = Object.freeze({
      inputSize: o.inputSize,
      colour: o.colour,
      faceGrid: o.faceGrid,
      outputScaleCm: o.outputScaleCm,
      batchNormMomentum: o.batchNormMomentum,
    });
    const channels = (o.colour === 'rgb' ? 3 : 1) + (o.faceGrid ? 2 : 0);
    this.inputShape = Object.freeze([o.inputSize, o.inputSize, channels]) as readonly [number, number, number];
    this.outputScaleCm = o.outputScaleCm;
    const rng = options.rng;
    const norm = { eps: BN_EPS, momentum: o.batchNormMomentum };
    this.convG = this.registerModule('conv_g', new Conv2d(channels, 3, 1, { rng }));
    this.backbone = this.registerModule('backbone', new MobileNetV3SmallMinimalistic(o.inputSize, norm, rng));
    this.convFm = this.registerModule('conv_fm', new Conv2d(this.backbone.outChannels, 2, 1, { rng }));
    const flat = this.backbone.outputSize * this.backbone.outputSize * 2;
    this.fc1 = this.registerModule('fc1', new Linear(flat, 128, { rng }));
    this.fc2 = this.registerModule('fc2', new Linear(128, 2, { rng }));
  }

  /**
   * Predicts the normalised gaze point.
   * @param x - face crops `[n, s, s, c]` in [−1, 1], float32 (`inputShape`)
   * @returns `[n, 2]` in [−1, 1] (tanh); × `outputScaleCm` gives centimetres. The caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when `x` does not have shape `[n, ...inputShape]`
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('TinyTracker', 'x', x, [-1, ...this.inputShape]);
    return tf.tidy(() => {
      const n = x.shape[0];
      const features = this.convFm.call(this.backbone.call(this.convG.call(x)));
      const h = tf.relu(this.fc1.call(tf.reshape(features, [n, -1])));
      return tf.tanh(this.fc2.call(h));
    });
  }

  /** The network with batch norms folded: 25 convolutions (11 depthwise), 6 adds, 2 FCs, tanh. */
  inferenceGraph(): InferenceGraph {
    const g = new GraphBuilder(this.inputShape);
    let h = appendConv(g, 0, 'conv_g', this.convG, null, 'none');
    h = this.backbone.appendTo(g, h, 'backbone');
    h = appendConv(g, h, 'conv_fm', this.convFm, null, 'none');
    const flat = g.shape(h).reduce((a, b) => a * b, 1);
    h = g.add({ kind: 'reshape', name: 'flatten', input: h, output: g.tensor([flat]) });
    h = appendLinear(g, h, 'fc1', this.fc1, 'relu');
    h = appendLinear(g, h, 'fc2', this.fc2, 'none');
    h = g.add({ kind: 'tanh', name: 'tanh', input: h, output: g.tensor([2]) });
    return g.build(h);
  }
}
