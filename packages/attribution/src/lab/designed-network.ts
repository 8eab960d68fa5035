/**
 * The AttributionLab network: conventional layers whose every weight is set by construction.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, GlobalAvgPool2d, InvalidValueError, Linear, Module, ReLU, Rng, ShapeError, checkInput } from '@lab/tensor';
import type { LabDesign } from './design';
import { PALETTE_COLOURS, detectorWeights, paletteIndex } from './palette';

/**
 * A hand-weighted CNN that computes an AttributionLab design's outputs exactly on every designed
 * image. Nothing is learned: every weight below is set by the construction.
 *
 * Layers (children, in order), with `P = 8` palette colours and `U` units:
 * 1. `detect`: `Conv2d(3 → P, 1×1)` + `detectRelu`. Channel `i` detects palette colour `i`:
 *    weights `k·(±1)` (+ where the vertex has a 1), bias `1 − k·|v|`, so it outputs exactly 1 on
 *    that colour and 0 on every other palette colour ({@link detectorResponse}; `k` = sharpness).
 * 2. `spatial`: `Conv2d(P → P, 3×3, padding 1)` + `spatialRelu`, whose only non-zero taps are the
 *    centre ones, an identity (the ReLU is the identity on its non-negative input).
 * 3. `mix`: `Conv2d(P → 2U, 1×1)` + `mixRelu`: channel `2j` sums unit `j`'s positive detectors,
 *    channel `2j + 1` its negative ones, each times the feature weight.
 * 4. `pool`: `GlobalAvgPool2d`, the mean over the `H·W` pixels.
 * 5. `fc`: `Linear(2U → U)` + `fcRelu`: `u_j = ReLU(H·W·(m_{2j} − m_{2j+1}) − θ_j)`, the
 *    threshold unit `ReLU(e_j − θ_j)` of the pixel-count evidence `e_j`.
 * 6. `head`: `Linear(U → K)`, the identity for classification (logits `u_j`), or weight 1 and
 *    bias `θ_0` for regression (output `u_0 + θ_0`).
 *
 * All weights are integers, so designed images (values 0 or 1) give exact integer activations;
 * the only rounding is the pooling mean times `H·W`, exact when `H·W` is a power of two (the
 * default 32×32) and within float32 rounding otherwise (labels stay exact: the active unit clears
 * its threshold by at least 1). Off the data (colours inside the cube) the detectors respond as
 * {@link detectorResponse} says: the all-black image fires only the black detector and mid-grey
 * fires none, so unless black is a feature colour both give zero evidence and the bias outputs
 * (all-zero logits; regression output `θ_0`).
 * @example
 * ```ts
 * const net = new DesignedNetwork(createLabDesign({ imageSize: 16 }));
 * const logits = net.call(images); // [N, 3]; caller disposes
 * net.dispose();
 * ```
 * @category AttributionLab
 */
export class DesignedNetwork extends Module {
  /** The design the weights implement. */
  readonly design: LabDesign;
  /** Layer 1: `Conv2d(3 → 8, 1×1)`, one detector per palette colour. */
  readonly detect: Conv2d;
  /** ReLU after `detect`. */
  readonly detectRelu: ReLU;
  /** Layer 2: `Conv2d(8 → 8, 3×3, padding 1)`, an identity through its centre taps. */
  readonly spatial: Conv2d;
  /** ReLU after `spatial` (the identity on its non-negative input). */
  readonly spatialRelu: ReLU;
  /** Layer 3: `Conv2d(8 → 2U, 1×1)`: per unit, its weighted positive and negative detectors. */
  readonly mix: Conv2d;
  /** ReLU after `mix`. */
  readonly mixRelu: ReLU;
  /** Layer 4: global average pooling over the `H·W` pixels. */
  readonly pool: GlobalAvgPool2d;
  /** Layer 5: `Linear(2U → U)`, the evidence minus the threshold of each unit. */
  readonly fc: Linear;
  /** ReLU after `fc`: the threshold units `u_j = ReLU(e_j − θ_j)`. */
  readonly fcRelu: ReLU;
  /** Layer 6: `Linear(U → K)`: the identity (classification) or weight 1 and bias `θ_0` (regression). */
  readonly head: Linear;

  /**
   * Builds the layers and sets every weight from the design.
   * @param design - a design from {@link createLabDesign}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when `design` is not a design object
   */
  constructor(design: LabDesign) {
    super();
    if (design === null || typeof design !== 'object' || !Array.isArray(design.units) || typeof design.sharpness !== 'number') {
      throw new InvalidValueError('DesignedNetwork: design must be a LabDesign from createLabDesign');
    }
    this.design = design;
    const P = PALETTE_COLOURS.length;
    const U = design.units.length;
    const K = design.outputs;
    const HW = design.height * design.width;
    // Initial values are overwritten below; a private generator keeps the global stream untouched.
    const rng = new Rng(0);
    this.detect = this.registerModule('detect', new Conv2d(3, P, 1, { rng }));
    this.detectRelu = this.registerModule('detectRelu', new ReLU());
    this.spatial = this.registerModule('spatial', new Conv2d(P, P, 3, { padding: 1, rng }));
    this.spatialRelu = this.registerModule('spatialRelu', new ReLU());
    this.mix = this.registerModule('mix', new Conv2d(P, 2 * U, 1, { rng }));
    this.mixRelu = this.registerModule('mixRelu', new ReLU());
    this.pool = this.registerModule('pool', new GlobalAvgPool2d());
    this.fc = this.registerModule('fc', new Linear(2 * U, U, { rng }));
    this.fcRelu = this.registerModule('fcRelu', new ReLU());
    this.head = this.registerModule('head', new Linear(U, K, { rng }));

    // 1. detectors, HWIO [1, 1, 3, P]
    const detW = new Float32Array(3 * P);
    const detB = new Float32Array(P);
    PALETTE_COLOURS.forEach((colour, i) => {
      const { weights, bias } = detectorWeights(colour, design.sharpness);
      for (let ch = 0; ch < 3; ch++) detW[ch * P + i] = weights[ch];
      detB[i] = bias;
    });
    // 2. centre-tap identity, HWIO [3, 3, P, P]
    const spW = new Float32Array(9 * P * P);
    for (let i = 0; i < P; i++) spW[(1 * 3 + 1) * P * P + i * P + i] = 1;
    // 3. mixing, HWIO [1, 1, P, 2U]
    const mixW = new Float32Array(P * 2 * U);
    design.units.forEach((u, j) => {
      for (const f of u.positive) mixW[paletteIndex(f.colour) * 2 * U + 2 * j] = f.weight;
      for (const f of u.negative) mixW[paletteIndex(f.colour) * 2 * U + 2 * j + 1] = f.weight;
    });
    // 5. threshold units, native [2U, U]
    const fcW = new Float32Array(2 * U * U);
    const fcB = new Float32Array(U);
    design.units.forEach((u, j) => {
      fcW[2 * j * U + j] = HW;
      fcW[(2 * j + 1) * U + j] = -HW;
      fcB[j] = -u.threshold;
    });
    // 6. head, native [U, K]
    const headW = new Float32Array(U * K);
    const headB = new Float32Array(K);
    if (design.task === 'classification') {
      for (let j = 0; j < U; j++) headW[j * K + j] = 1;
    } else {
      headW[0] = 1;
      headB[0] = design.units[0].threshold;
    }
    tf.tidy(() => {
      this.detect.weight.assign(tf.tensor4d(detW, [1, 1, 3, P]));
      this.detect.bias!.assign(tf.tensor1d(detB));
      this.spatial.weight.assign(tf.tensor4d(spW, [3, 3, P, P]));
      this.spatial.bias!.assign(tf.zeros([P]));
      this.mix.weight.assign(tf.tensor4d(mixW, [1, 1, P, 2 * U]));
      this.mix.bias!.assign(tf.zeros([2 * U]));
      this.fc.weight.assign(tf.tensor2d(fcW, [2 * U, U]));
      this.fc.bias!.assign(tf.tensor1d(fcB));
      this.head.weight.assign(tf.tensor2d(headW, [U, K]));
      this.head.bias!.assign(tf.tensor1d(headB));
    });
    this.eval();
  }

  /**
   * Runs the network.
   * @param x - images `[N, H, W, 3]` (NHWC, the design's size), float32
   * @returns `[N, K]` logits (classification) or `[N, 1]` (regression); the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for another rank, channel count or image size
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('DesignedNetwork', x, 4, 3);
    const { height, width } = this.design;
    if (x.shape[1] !== height || x.shape[2] !== width) {
      throw new ShapeError(`DesignedNetwork: x must be [N, ${height}, ${width}, 3] (the design's image size), got shape [${x.shape}]`);
    }
    return tf.tidy(() => {
      let h = this.detectRelu.call(this.detect.call(x));
      h = this.spatialRelu.call(this.spatial.call(h));
      h = this.mixRelu.call(this.mix.call(h));
      h = this.pool.call(h);
      h = this.fcRelu.call(this.fc.call(h));
      return this.head.call(h);
    });
  }
}
