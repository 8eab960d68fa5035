/**
 * Keras' `MobileNetV3Small(minimalistic=True, include_top=False)`, the TinyTracker backbone.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchNorm2d, Conv2d, Module, type Rng } from '@lab/tensor';
import { tfSamePads } from '../../internal/checks';
import type { GraphBuilder } from '../../quant/inference-graph';
import { InvertedResidual } from '../common/inverted-residual';
import { type NormSettings, appendConv, batchNorm, convBnAct } from '../common/layers';

/** Keras' `_depth(v, divisor=8)`: `v` rounded to a multiple of 8, never below 90 % of `v`. @internal */
export function kerasDepth(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/**
 * `stack_fn` of `MobileNetV3Small` (`keras/applications/mobilenet_v3.py`): expansion factor,
 * output filters and stride of the eleven blocks (`expanded_conv`, `expanded_conv_1`…`_10`).
 * Minimalistic mode: 3×3 kernels, ReLU, no squeeze-and-excite.
 * @internal
 */
export const MOBILENET_V3_SMALL_BLOCKS: readonly (readonly [expansion: number, filters: number, stride: 1 | 2])[] = Object.freeze([
  [1, 16, 2],
  [72 / 16, 24, 2],
  [88 / 24, 24, 1],
  [4, 40, 2],
  [6, 40, 1],
  [6, 40, 1],
  [3, 48, 1],
  [3, 48, 1],
  [6, 96, 2],
  [6, 96, 1],
  [6, 96, 1],
] as const);

/**
 * The MobileNetV3-Small minimalistic feature extractor at `alpha = 1` without the top:
 * `conv` 3×3/2 (3 → 16, no bias) → BN → ReLU, eleven inverted residual blocks
 * ({@link MOBILENET_V3_SMALL_BLOCKS}; block 0 has no expansion), `Conv_1` 1×1 (96 → 576, no
 * bias) → BN → ReLU. Output `[n, ⌈s/32⌉, ⌈s/32⌉, 576]` for an `s × s` input. All batch norms
 * use Keras' ε = 1e-3. Children named after the Keras layers: `conv`, `conv_bn`,
 * `expanded_conv`, `expanded_conv_1`…`expanded_conv_10`, `Conv_1`, `Conv_1_bn`.
 * @internal
 */
export class MobileNetV3SmallMinimalistic extends Module<[tf.Tensor], tf.Tensor> {
  readonly inputSize: number;
  readonly conv: Conv2d;
  readonly convBn: BatchNorm2d;
  readonly blocks: readonly InvertedResidual[];
  readonly lastConv: Conv2d;
  readonly lastBn: BatchNorm2d;
  /** Side of the output feature map. */
  readonly outputSize: number;
  /** Channels of the output (576). */
  readonly outChannels: number;

  constructor(inputSize: number, norm: NormSettings, rng?: Rng) {
    super();
    this.inputSize = inputSize;
    this.conv = this.registerModule('conv', new Conv2d(3, 16, 3, { stride: 2, padding: tfSamePads(inputSize, 3, 2), bias: false, rng }));
    this.convBn = this.registerModule('conv_bn', batchNorm(16, norm));
    let size = Math.ceil(inputSize / 2);
    let channels = 16;
    const blocks: InvertedResidual[] = [];
    MOBILENET_V3_SMALL_BLOCKS.forEach(([expansion, filters, stride], i) => {
      const block = new InvertedResidual({
        inChannels: channels,
        expandChannels: i === 0 ? null : kerasDepth(channels * expansion),
        outChannels: kerasDepth(filters),
        stride,
        inputSize: size,
        activation: 'relu',
        squeezeExcite: false,
        bias: false,
        norm,
        rng,
      });
      blocks.push(this.registerModule(i === 0 ? 'expanded_conv' : `expanded_conv_${i}`, block));
      size = block.outputSize;
      channels = block.config.outChannels;
    });
    this.blocks = blocks;
    this.outChannels = kerasDepth(channels * 6);
    this.lastConv = this.registerModule('Conv_1', new Conv2d(channels, this.outChannels, 1, { bias: false, rng }));
    this.lastBn = this.registerModule('Conv_1_bn', batchNorm(this.outChannels, norm));
    this.outputSize = size;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = convBnAct(x, this.conv, this.convBn, 'relu');
      for (const block of this.blocks) h = block.call(h);
      return convBnAct(h, this.lastConv, this.lastBn, 'relu');
    });
  }

  /** Appends the backbone's ops and returns its output tensor. */
  appendTo(g: GraphBuilder, input: number, name: string): number {
    let h = appendConv(g, input, `${name}/conv`, this.conv, this.convBn, 'relu');
    this.blocks.forEach((block, i) => {
      h = block.appendTo(g, h, `${name}/${i === 0 ? 'expanded_conv' : `expanded_conv_${i}`}`);
    });
    return appendConv(g, h, `${name}/Conv_1`, this.lastConv, this.lastBn, 'relu');
  }
}
