/**
 * Folding of an evaluation-mode batch norm into the convolution before it.
 * @packageDocumentation
 */
import { BatchNorm2d, Conv2d, InvalidValueError } from '@lab/tensor';

/** A convolution's weights after {@link foldBatchNorm}. @category Quantisation */
export interface FoldedConv {
  /** Weights in the convolution's native layout (HWIO, or `[kh, kw, c, 1]` depthwise). */
  readonly weight: Float32Array;
  /** Bias `[cout]`. */
  readonly bias: Float32Array;
}

/**
 * Folds a batch norm (running statistics) into the convolution before it, as the TFLite
 * converter does before quantising.
 *
 * With `a_o = γ_o / √(σ²_o + ε)`: `W'[…, o] = a_o · W[…, o]` and
 * `b'_o = β_o + a_o · (b_o − μ_o)` (`b_o = 0` without a conv bias), so
 * `conv'(x) = BN(conv(x))` in evaluation mode. Computed in float64, rounded to float32.
 * Without a batch norm the conv's own weights and bias (or zeros) are copied.
 * @param conv - a {@link Conv2d} (plain, or depthwise with multiplier 1)
 * @param bn - the {@link BatchNorm2d} after it (affine, with running statistics), or null
 * @returns new arrays; no tensors are created
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when the channel counts differ, the norm keeps no running
 *   statistics, or the conv is grouped but not depthwise
 * @example
 * ```ts
 * const { weight, bias } = foldBatchNorm(block.conv, block.bn);
 * ```
 * @category Quantisation
 */
export function foldBatchNorm(conv: Conv2d, bn: BatchNorm2d | null): FoldedConv {
  const fn = 'foldBatchNorm';
  if (!(conv instanceof Conv2d)) throw new InvalidValueError(`${fn}: conv must be a Conv2d`);
  const depthwise = conv.groups > 1;
  if (depthwise && (conv.groups !== conv.inChannels || conv.outChannels !== conv.inChannels)) {
    throw new InvalidValueError(`${fn}: conv must be plain or depthwise with multiplier 1, got groups=${conv.groups}`);
  }
  const c = conv.outChannels;
  const w = conv.weight.dataSync() as Float32Array;
  const b = conv.bias ? (conv.bias.dataSync() as Float32Array) : new Float32Array(c);
  if (bn === null) return { weight: Float32Array.from(w), bias: Float32Array.from(b) };
  if (!(bn instanceof BatchNorm2d)) throw new InvalidValueError(`${fn}: bn must be a BatchNorm2d or null`);
  if (bn.numFeatures !== c) {
    throw new InvalidValueError(`${fn}: bn must have ${c} features (the conv's outChannels), got ${bn.numFeatures}`);
  }
  if (!bn.runningMean || !bn.runningVar) throw new InvalidValueError(`${fn}: bn must keep running statistics`);
  const mean = bn.runningMean.dataSync();
  const variance = bn.runningVar.dataSync();
  const gamma = bn.weight ? bn.weight.dataSync() : new Float32Array(c).fill(1);
  const beta = bn.bias ? bn.bias.dataSync() : new Float32Array(c);
  const a = new Float64Array(c);
  const bias = new Float32Array(c);
  for (let o = 0; o < c; o++) {
    a[o] = gamma[o] / Math.sqrt(variance[o] + bn.eps);
    bias[o] = beta[o] + a[o] * (b[o] - mean[o]);
  }
  // The output channel is the last axis of both layouts (depthwise multiplier 1: [kh, kw, c, 1]).
  const weight = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) weight[i] = w[i] * a[i % c];
  return { weight, bias };
}
