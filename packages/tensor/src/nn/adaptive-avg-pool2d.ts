/**
 * Adaptive average pooling to a fixed output size with PyTorch's bin rule, on NHWC tensors.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyAxisMatrix, checkFloat, intPair } from './internal';
import { Module, checkInput } from './module';

/**
 * A layer that averages `x` over `outH × outW` bins, as PyTorch's `nn.AdaptiveAvgPool2d`.
 *
 * Output row `i` averages input rows `⌊i·h/outH⌋ … ⌈(i+1)·h/outH⌉ − 1` (bins may overlap when `h`
 * is not a multiple of `outH`), likewise for columns. When the sizes divide evenly this is an
 * average pool with kernel and stride `h/outH`; otherwise the bins are applied as one averaging
 * matrix per axis. Both paths are differentiable.
 * @see `torch.nn.AdaptiveAvgPool2d`
 * @example
 * ```ts
 * const pool = new AdaptiveAvgPool2d(7);
 * const y = pool.call(tf.zeros([1, 20, 20, 64])); // [1, 7, 7, 64]
 * ```
 * @category Modules
 */
export class AdaptiveAvgPool2d extends Module {
  /** Output size `[outH, outW]`. */
  readonly outputSize: [number, number];

  /**
   * @param outputSize - `s` or `[outH, outW]`, positive integers
   * @throws {@link InvalidValueError} on a bad size
   */
  constructor(outputSize: number | [number, number]) {
    super();
    this.outputSize = intPair('AdaptiveAvgPool2d', 'outputSize', outputSize);
  }

  /**
   * Pools `x`.
   * @param x - input `[n, h, w, c]`, float32
   * @returns output `[n, outH, outW, c]`; the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('AdaptiveAvgPool2d', x, 4);
    checkFloat('AdaptiveAvgPool2d', x);
    const [, h, w] = x.shape;
    const [oh, ow] = this.outputSize;
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      if (h % oh === 0 && w % ow === 0) {
        const k: [number, number] = [h / oh, w / ow];
        return k[0] === 1 && k[1] === 1 ? tf.clone(x4) : tf.avgPool(x4, k, k, 'valid');
      }
      const y = applyAxisMatrix(x4, binMatrix(h, oh), oh, 1);
      return applyAxisMatrix(y, binMatrix(w, ow), ow, 2);
    });
  }
}

/** Row-major `[out, n]` matrix averaging PyTorch's adaptive bins. */
function binMatrix(n: number, out: number): Float32Array {
  const m = new Float32Array(out * n);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * n) / out);
    const end = Math.ceil(((i + 1) * n) / out);
    for (let j = start; j < end; j++) m[i * n + j] = 1 / (end - start);
  }
  return m;
}
