/**
 * TinyTrackerS (arXiv 2308.12313), the Spresense gaze network.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchNorm2d, Conv2d, Linear, type Rng, checkOptions } from '@lab/tensor';
import { checkBool, checkInt, checkNumber, checkOneOf, checkPositive, checkTensor, tfSamePads, withDefaults } from '../../internal/checks';
import { BAKED_GRID_RANGE, coordinateMaps } from '../../data/face-grid';
import { GraphBuilder, type InferenceGraph } from '../../quant/inference-graph';
import { GazeModel } from '../common/gaze-model';
import { InvertedResidual } from '../common/inverted-residual';
import { appendConv, appendLinear, batchNorm, convBnAct } from '../common/layers';

/** Options of {@link TinyTrackerS}; defaults in {@link TINYTRACKER_S_DEFAULTS}. @category Models */
export interface TinyTrackerSOptions {
  /** Side of the square greyscale face crop. @defaultValue 96 */
  inputSize?: number;
  /**
   * Where the two face-grid channels come from: `'baked'` concatenates the constant grid of the
   * released model inside the network (input `[n, s, s, 1]`), `'input'` takes them with the image
   * (input `[n, s, s, 3]`, see `faceGridChannels`), `'none'` uses the grey image alone.
   * @defaultValue 'baked'
   */
  faceGrid?: 'baked' | 'input' | 'none';
  /**
   * Squeeze-and-excite in every block, as `TinyTrackerS.py` writes it. Without it the network
   * has the README's 85.8 k parameters (see the class notes).
   * @defaultValue true
   */
  squeezeExcite?: boolean;
  /** Factor from the tanh output to centimetres. @defaultValue 10 */
  outputScaleCm?: number;
  /** PyTorch-convention batch-norm momentum. @defaultValue 0.01 (Keras' default 0.99) */
  batchNormMomentum?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * Defaults of {@link TinyTrackerSOptions}: the released `models/TinyTrackerS.tflite` (96×96
 * grey input, grid concatenated in the graph, `convert_tflite.py --bake`), SE blocks as in
 * `TinyTrackerS.py`, output ×10 with targets clipped to ±10 cm (`train_TinyTrackerS.py`),
 * Keras' default batch norm (momentum 0.99 → 0.01, ε = 1e-3).
 * @category Models
 */
export const TINYTRACKER_S_DEFAULTS = Object.freeze({
  /** Default of {@link TinyTrackerSOptions.inputSize}. */
  inputSize: 96,
  /** Default of {@link TinyTrackerSOptions.faceGrid}. */
  faceGrid: 'baked',
  /** Default of {@link TinyTrackerSOptions.squeezeExcite}. */
  squeezeExcite: true,
  /** Default of {@link TinyTrackerSOptions.outputScaleCm}. */
  outputScaleCm: 10,
  /** Default of {@link TinyTrackerSOptions.batchNormMomentum}. */
  batchNormMomentum: 0.01,
} as const);

/**
 * Blocks of `lightweight_mobilenetv3` in `TinyTrackerS.py` (the function `convert_tflite.py`
 * exports): output filters, expansion, stride.
 * @internal
 */
export const TINYTRACKER_S_BLOCKS: readonly (readonly [filters: number, expansion: number, stride: 1 | 2])[] = Object.freeze([
  [8, 1, 2],
  [16, 6, 2],
  [24, 6, 1],
  [32, 6, 2],
  [64, 6, 1],
] as const);

const KEYS = ['inputSize', 'faceGrid', 'squeezeExcite', 'outputScaleCm', 'batchNormMomentum', 'rng'];
const BN_EPS = 1e-3;

/**
 * TinyTrackerS, the greyscale gaze network of Rüegg, Bonazzi and Ronco for the Sony Spresense, as
 * `lightweight_mobilenetv3` of `TinyTrackerS.py` (exported by `convert_tflite.py --bake`).
 *
 * `[concat grid]` → `conv` 3×3/2 (→ 8, bias) → BN → ReLU6 → five inverted residual blocks
 * `block_1`…`block_5` (expand 1×1 to `filters·expansion`, depthwise 3×3, SE with `⌊c/16⌋` units,
 * project 1×1; every conv with bias; ReLU6; filters 8, 16, 24, 32, 64; strides 2, 2, 1, 2, 1)
 * → `conv_last` 1×1 (64 → 128) → BN → ReLU6 → global average pool → `fc1` Dense(64, ReLU) →
 * `fc2` Dense(2, tanh). Gaze in cm = output × `outputScaleCm` (10, as `train_TinyTrackerS.py`).
 *
 * Figures at 96 px with the grid (hand count from the layer list): 113,461 trainable parameters
 * and 5.256 M MACs with SE (README: 5.3 M); without SE exactly 85,802 parameters (README:
 * 85.8 k) and 5.229 M MACs (the released TFLite: ≈5.23 M). The README's parameter count
 * therefore matches the network without SE; the spec and the code have SE, the default here.
 * @see arXiv 2308.12313; pbonazzi/tinytracker `tinytracker/src/TinyTrackerS.py`, `convert_tflite.py`
 * @example
 * ```ts
 * const net = new TinyTrackerS();                 // input [n, 96, 96, 1] grey in [−1, 1]
 * const gaze = tf.tidy(() => tf.mul(net.call(x), net.outputScaleCm)); // cm
 * ```
 * @category Models
 */
export class TinyTrackerS extends GazeModel {
  readonly inputShape: readonly [number, number, number];
  readonly outputScaleCm: number;
  /** The resolved options (without `rng`). */
  readonly options: Readonly<Required<Omit<TinyTrackerSOptions, 'rng'>>>;
  /** Stem convolution (3×3, stride 2, 8 filters). */
  readonly conv: Conv2d;
  /** Batch norm of the stem convolution. */
  readonly convBn: BatchNorm2d;
  /** The inverted residual blocks, one per entry of `TINYTRACKER_S_BLOCKS`. */
  readonly blocks: readonly InvertedResidual[];
  /** Last 1×1 convolution (→ 128 channels). */
  readonly convLast: Conv2d;
  /** Batch norm of the last convolution. */
  readonly convLastBn: BatchNorm2d;
  /** Fully connected layer (128 → 64). */
  readonly fc1: Linear;
  /** Output layer (64 → 2). */
  readonly fc2: Linear;
  /** The baked grid channels `[s, s, 2]`, or null unless `faceGrid` is `'baked'`. */
  readonly bakedGrid: Float32Array | null;

  /**
   * @param options - see {@link TinyTrackerSOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown option or a bad value (inputSize below 16)
   */
  constructor(options: TinyTrackerSOptions = {}) {
    super();
    const fn = 'TinyTrackerS';
    checkOptions(fn, options, KEYS);
    const o = withDefaults(TINYTRACKER_S_DEFAULTS, options);
    checkInt(fn, 'inputSize', o.inputSize, 16);
    checkOneOf(fn, 'faceGrid', o.faceGrid, ['baked', 'input', 'none']);
    checkBool(fn, 'squeezeExcite', o.squeezeExcite);
    checkPositive(fn, 'outputScaleCm', o.outputScaleCm);
    checkNumber(fn, 'batchNormMomentum', o.batchNormMomentum, 0, 1);
    this.options = Object.freeze({
      inputSize: o.inputSize,
      faceGrid: o.faceGrid,
      squeezeExcite: o.squeezeExcite,
      outputScaleCm: o.outputScaleCm,
      batchNormMomentum: o.batchNormMomentum,
    });
    const s = o.inputSize;
    this.inputShape = Object.freeze([s, s, o.faceGrid === 'input' ? 3 : 1]) as readonly [number, number, number];
    this.outputScaleCm = o.outputScaleCm;
    const [x0, y0, x1, y1] = BAKED_GRID_RANGE;
    this.bakedGrid = o.faceGrid === 'baked' ? coordinateMaps(x0, y0, x1, y1, s) : null;
    const stemIn = o.faceGrid === 'none' ? 1 : 3;
    const rng = options.rng;
    const norm = { eps: BN_EPS, momentum: o.batchNormMomentum };
    this.conv = this.registerModule('conv', new Conv2d(stemIn, 8, 3, { stride: 2, padding: tfSamePads(s, 3, 2), rng }));
    this.convBn = this.registerModule('conv_bn', batchNorm(8, norm));
    let size = Math.ceil(s / 2);
    let channels = 8;
    const blocks: InvertedResidual[] = [];
    TINYTRACKER_S_BLOCKS.forEach(([filters, expansion, stride], i) => {
      const block = new InvertedResidual({
        inChannels: channels,
        expandChannels: filters * expansion,
        outChannels: filters,
        stride,
        inputSize: size,
        activation: 'relu6',
        squeezeExcite: o.squeezeExcite,
        bias: true,
        norm,
        rng,
      });
      blocks.push(this.registerModule(`block_${i + 1}`, block));
      size = block.outputSize;
      channels = filters;
    });
    this.blocks = blocks;
    this.convLast = this.registerModule('conv_last', new Conv2d(channels, 128, 1, { rng }));
    this.convLastBn = this.registerModule('conv_last_bn', batchNorm(128, norm));
    this.fc1 = this.registerModule('fc1', new Linear(128, 64, { rng }));
    this.fc2 = this.registerModule('fc2', new Linear(64, 2, { rng }));
  }

  /**
   * Predicts the normalised gaze point.
   * @param x - grey face crops `[n, s, s, 1]` in [−1, 1] (`[n, s, s, 3]` with `faceGrid: 'input'`), float32
   * @returns `[n, 2]` in [−1, 1] (tanh); × `outputScaleCm` gives centimetres. The caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when `x` does not have shape `[n, ...inputShape]`
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('TinyTrackerS', 'x', x, [-1, ...this.inputShape]);
    return tf.tidy(() => {
      const [n, s] = x.shape;
      let h = x;
      if (this.bakedGrid) h = tf.concat([x, tf.broadcastTo(tf.tensor4d(this.bakedGrid, [1, s, s, 2]), [n, s, s, 2])], 3);
      h = convBnAct(h, this.conv, this.convBn, 'relu6');
      for (const block of this.blocks) h = block.call(h);
      h = tf.mean(convBnAct(h, this.convLast, this.convLastBn, 'relu6'), [1, 2]);
      return tf.tanh(this.fc2.call(tf.relu(this.fc1.call(h))));
    });
  }

  /** The network with batch norms folded (SE as mean → FC → FC → logistic → mul). */
  inferenceGraph(): InferenceGraph {
    const g = new GraphBuilder(this.inputShape);
    let h = 0;
    if (this.bakedGrid) {
      const s = this.options.inputSize;
      h = g.add({ kind: 'concatConstant', name: 'concat_grid', input: 0, output: g.tensor([s, s, 3]), constant: this.bakedGrid });
    }
    h = appendConv(g, h, 'conv', this.conv, this.convBn, 'relu6');
    this.blocks.forEach((block, i) => {
      h = block.appendTo(g, h, `block_${i + 1}`);
    });
    h = appendConv(g, h, 'conv_last', this.convLast, this.convLastBn, 'relu6');
    h = g.add({ kind: 'mean', name: 'global_average_pooling', input: h, output: g.tensor([128]) });
    h = appendLinear(g, h, 'fc1', this.fc1, 'relu');
    h = appendLinear(g, h, 'fc2', this.fc2, 'none');
    h = g.add({ kind: 'tanh', name: 'tanh', input: h, output: g.tensor([2]) });
    return g.build(h);
  }
}
