import * as tf from '@tensorflow/tfjs-core';
import { LeakyReLU, PReLU, ReLU, ReLU6 } from '../nn/activations';
import { BatchNorm2d } from '../nn/batch-norm2d';
import { Conv2d } from '../nn/conv2d';
import { Linear } from '../nn/linear';
import type { ForwardHook, Module } from '../nn/module';

/**
 * Efficiency counts by the rules of the NTIRE 2022 Efficient SR challenge
 * (`utils/model_summary.py` of ofsoundof/NTIRE2022_ESR), quirks included.
 * @category Profiler
 */
export interface NtireCounts {
  /**
   * "FLOPs" as NTIRE counts them, summed over every executed call of a counted module
   * (these are multiply-accumulates for convolutions, element counts elsewhere):
   * - `Conv2d`: batch · H_out · W_out · kh · kw · C_in · ⌊C_out / groups⌋ (no bias);
   * - `ReLU`, `PReLU`, `LeakyReLU`, `ReLU6` (and `ELU` in PyTorch): output numel;
   * - `BatchNorm2d`: output numel, ×2 when affine;
   * - `Linear`: for input `x` and output `y` (PyTorch shapes; `Linear` acts on the last axis in
   *   both frameworks, so they equal ours): `x[0]·y[0]` for rank 1, otherwise `x[0]·x[1]·y[1]`.
   *   That is batch·C_in·C_out for `(B, C)` inputs but batch·L² for `(B, L, C)` tokens: the
   *   challenge's bug, reproduced;
   * - nothing else: matmuls/attention in functional code, additions, multiplications, sigmoid,
   *   GELU, softmax, pooling, pixel shuffle and normalisations other than `BatchNorm2d` count 0,
   *   as do activations applied functionally (`tf.relu`) rather than through a module.
   */
  flops: number;
  /** Sum of the output numel of every executed `Conv2d` call (`Linear` outputs are not counted). */
  activations: number;
  /**
   * Number of executed `Conv2d` calls: NTIRE's `num_conv` increments once per forward call of a
   * convolution module, so a module called twice counts twice and one never called counts 0.
   */
  convLayers: number;
}

/** One module's contribution to {@link NtireCounts} from one call. */
interface NtireContribution {
  flops: number;
  activations: number;
  convLayers: number;
}

/** True when NTIRE's counter attaches a hook to modules of this class (PyTorch `isinstance`). @internal */
export function isNtireCounted(m: Module<any, any>): boolean {
  return (
    m instanceof Conv2d ||
    m instanceof Linear ||
    m instanceof BatchNorm2d ||
    m instanceof ReLU ||
    m instanceof PReLU ||
    m instanceof LeakyReLU ||
    m instanceof ReLU6
  );
}

/** The NTIRE counts of one call of `m` with `inputs` → `output`, or null for a module NTIRE ignores. @internal */
export function ntireContribution(
  m: Module<any, any>,
  inputs: readonly unknown[],
  output: unknown,
): NtireContribution | null {
  if (!(output instanceof tf.Tensor)) return null;
  const out = output.shape;
  if (m instanceof Conv2d) {
    const [kh, kw] = m.kernelSize;
    const perPosition = kh * kw * m.inChannels * Math.floor(m.outChannels / m.groups);
    // PyTorch output [N, C, H, W]: batch = shape[0], spatial = shape[2:]; ours NHWC: shape[1..-1].
    let positions = out[0];
    for (const d of out.slice(1, -1)) positions *= d;
    return { flops: perPosition * positions, activations: output.size, convLayers: 1 };
  }
  if (m instanceof BatchNorm2d) {
    return { flops: output.size * (m.affine ? 2 : 1), activations: 0, convLayers: 0 };
  }
  if (m instanceof ReLU || m instanceof PReLU || m instanceof LeakyReLU || m instanceof ReLU6) {
    return { flops: output.size, activations: 0, convLayers: 0 };
  }
  if (m instanceof Linear) {
    const x = inputs[0];
    if (!(x instanceof tf.Tensor)) return null;
    const flops = x.rank === 1 ? x.shape[0] * out[0] : x.shape[0] * x.shape[1] * out[1];
    return { flops, activations: 0, convLayers: 0 };
  }
  return null;
}

/** A forward hook that adds each call's NTIRE counts into `totals` (it never replaces the output). @internal */
export function ntireHook(totals: NtireCounts): ForwardHook {
  return (m, inputs, output) => {
    const c = ntireContribution(m, inputs, output);
    if (!c) return undefined;
    totals.flops += c.flops;
    totals.activations += c.activations;
    totals.convLayers += c.convLayers;
    return undefined;
  };
}
