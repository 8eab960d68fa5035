/**
 * Building blocks shared by the gaze networks: activations by name, and the emission of a
 * conv + batch norm + activation into an inference graph.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Linear, Module, type Rng, invariant } from '@lab/tensor';
import { foldBatchNorm } from '../../quant/fold-batch-norm';
import { type FusedActivation, type GraphBuilder, convOutputSize } from '../../quant/inference-graph';

/** Applies a fused activation by name. @internal */
export function activate(x: tf.Tensor, activation: FusedActivation): tf.Tensor {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'relu6') return tf.relu6(x);
  return x;
}

/** Batch-norm settings of a network (PyTorch momentum convention). @internal */
export interface NormSettings {
  readonly eps: number;
  readonly momentum: number;
}

/** A BatchNorm2d with Keras' epsilon and the given momentum. @internal */
export function batchNorm(channels: number, norm: NormSettings): BatchNorm2d {
  return new BatchNorm2d(channels, { eps: norm.eps, momentum: norm.momentum });
}

/** Runs conv → (bn) → activation. @internal */
export function convBnAct(x: tf.Tensor, conv: Conv2d, bn: BatchNorm2d | null, activation: FusedActivation): tf.Tensor {
  const y = conv.call(x);
  return activate(bn ? bn.call(y) : y, activation);
}

/**
 * Appends conv → (bn) → activation to `g` as one convolution op with the batch norm folded in.
 * @internal
 */
export function appendConv(
  g: GraphBuilder,
  input: number,
  name: string,
  conv: Conv2d,
  bn: BatchNorm2d | null,
  activation: FusedActivation,
): number {
  const [h, w, c] = g.shape(input);
  invariant(c === conv.inChannels, `${name}: input has ${conv.inChannels} channels`);
  invariant(conv.padding !== 'same' && conv.dilation[0] === 1 && conv.dilation[1] === 1, `${name}: explicit pads, no dilation`);
  const depthwise = conv.groups > 1;
  const pads = conv.padding as [[number, number], [number, number]];
  const geometry = { kernel: conv.kernelSize, stride: conv.stride, pads };
  const [oh, ow] = convOutputSize(geometry, h, w);
  const { weight, bias } = foldBatchNorm(conv, bn);
  return g.add({
    kind: 'conv2d',
    name,
    input,
    output: g.tensor([oh, ow, conv.outChannels]),
    depthwise,
    kernel: [...conv.kernelSize],
    stride: [...conv.stride],
    pads: [[...pads[0]], [...pads[1]]],
    inChannels: conv.inChannels,
    outChannels: conv.outChannels,
    weight,
    bias,
    activation,
  });
}

/** Appends a fully connected layer with a fused activation. @internal */
export function appendLinear(g: GraphBuilder, input: number, name: string, fc: Linear, activation: 'none' | 'relu'): number {
  invariant(g.shape(input).length === 1 && g.shape(input)[0] === fc.inFeatures, `${name}: input has ${fc.inFeatures} features`);
  return g.add({
    kind: 'fullyConnected',
    name,
    input,
    output: g.tensor([fc.outFeatures]),
    inFeatures: fc.inFeatures,
    outFeatures: fc.outFeatures,
    weight: Float32Array.from(fc.weight.dataSync()),
    bias: fc.bias ? Float32Array.from(fc.bias.dataSync()) : new Float32Array(fc.outFeatures),
    activation,
  });
}

/**
 * A Keras `Dense` layer with zero inputs: its output is its bias alone (`[n, units]`). The
 * squeeze-and-excite block of TinyTrackerS builds one when `channels // 16` is 0.
 * Parameter `bias` `[units]` (Keras initialises it to zeros).
 * @internal
 */
export class BiasOnlyDense extends Module<[tf.Tensor], tf.Tensor> {
  readonly units: number;
  readonly bias: tf.Variable;
  constructor(units: number) {
    super();
    this.units = units;
    this.bias = this.registerParameter('bias', tf.zeros([units]));
  }
  /** `x [n, 0] → [n, units]`, every row equal to the bias. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.tile(tf.reshape(this.bias, [1, this.units]), [x.shape[0], 1]));
  }
}

/** Options passed to every layer constructor. @internal */
export interface LayerInit {
  readonly rng?: Rng;
}
