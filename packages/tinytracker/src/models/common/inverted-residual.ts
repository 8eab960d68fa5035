/**
 * The inverted residual block in the two forms the gaze networks use: Keras'
 * `_inverted_res_block` of MobileNetV3 (TinyTracker) and `inverted_residual_block` of
 * `TinyTrackerS.py`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchNorm2d, Conv2d, Module, type Rng } from '@lab/tensor';
import { tfSamePads } from '../../internal/checks';
import type { GraphBuilder } from '../../quant/inference-graph';
import { type NormSettings, appendConv, batchNorm, convBnAct } from './layers';
import { SqueezeExcite } from './squeeze-excite';

/** Configuration of one {@link InvertedResidual}. @internal */
export interface InvertedResidualConfig {
  readonly inChannels: number;
  /** Channels of the 1×1 expansion, or null for none (block 0 of MobileNetV3). */
  readonly expandChannels: number | null;
  readonly outChannels: number;
  readonly stride: 1 | 2;
  /** Side of the (square) input, for TensorFlow's `'same'` pads. */
  readonly inputSize: number;
  readonly activation: 'relu' | 'relu6';
  readonly squeezeExcite: boolean;
  /** Whether the convolutions have biases (Keras `use_bias`). */
  readonly bias: boolean;
  readonly norm: NormSettings;
  readonly rng?: Rng;
}

/**
 * `[expand 1×1 → BN → act] → depthwise 3×3 (stride s, TF 'same' pads) → BN → act → [SE] →
 * project 1×1 → BN`, plus the input when `s = 1` and the channel counts agree. Children
 * `expand`, `expand_bn`, `depthwise`, `depthwise_bn`, `se`, `project`, `project_bn`, named after
 * the Keras layers (`expanded_conv_1/expand`, `…/expand/BatchNorm`).
 * @internal
 */
export class InvertedResidual extends Module<[tf.Tensor], tf.Tensor> {
  readonly config: InvertedResidualConfig;
  readonly expand: Conv2d | null;
  readonly expandBn: BatchNorm2d | null;
  readonly depthwise: Conv2d;
  readonly depthwiseBn: BatchNorm2d;
  readonly se: SqueezeExcite | null;
  readonly project: Conv2d;
  readonly projectBn: BatchNorm2d;
  /** True when the input is added to the output. */
  readonly residual: boolean;
  /** Side of the output. */
  readonly outputSize: number;

  constructor(config: InvertedResidualConfig) {
    super();
    this.config = config;
    const { inChannels, expandChannels, outChannels, stride, bias, norm, rng } = config;
    const mid = expandChannels ?? inChannels;
    if (expandChannels !== null) {
      this.expand = this.registerModule('expand', new Conv2d(inChannels, mid, 1, { bias, rng }));
      this.expandBn = this.registerModule('expand_bn', batchNorm(mid, norm));
    } else {
      this.expand = null;
      this.expandBn = null;
    }
    this.depthwise = this.registerModule(
      'depthwise',
      new Conv2d(mid, mid, 3, { stride, groups: mid, padding: tfSamePads(config.inputSize, 3, stride), bias, rng }),
    );
    this.depthwiseBn = this.registerModule('depthwise_bn', batchNorm(mid, norm));
    this.se = config.squeezeExcite ? this.registerModule('se', new SqueezeExcite(mid, rng)) : null;
    this.project = this.registerModule('project', new Conv2d(mid, outChannels, 1, { bias, rng }));
    this.projectBn = this.registerModule('project_bn', batchNorm(outChannels, norm));
    this.residual = stride === 1 && inChannels === outChannels;
    this.outputSize = Math.ceil(config.inputSize / stride);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const act = this.config.activation;
      let h = this.expand ? convBnAct(x, this.expand, this.expandBn, act) : x;
      h = convBnAct(h, this.depthwise, this.depthwiseBn, act);
      if (this.se) h = this.se.call(h);
      h = convBnAct(h, this.project, this.projectBn, 'none');
      return this.residual ? tf.add(h, x) : h;
    });
  }

  /** Appends the block's ops (batch norms folded) and returns its output tensor. */
  appendTo(g: GraphBuilder, input: number, name: string): number {
    const act = this.config.activation;
    let h = this.expand ? appendConv(g, input, `${name}/expand`, this.expand, this.expandBn, act) : input;
    h = appendConv(g, h, `${name}/depthwise`, this.depthwise, this.depthwiseBn, act);
    if (this.se) h = this.se.appendTo(g, h, `${name}/se`);
    h = appendConv(g, h, `${name}/project`, this.project, this.projectBn, 'none');
    if (!this.residual) return h;
    return g.add({ kind: 'add', name: `${name}/add`, inputs: [input, h], output: g.tensor(g.shape(h)) });
  }
}
