/**
 * The functional operations of the ESA blocks (RFDN, RLFN), with PyTorch's semantics on NHWC.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `F.max_pool2d(x, kernel_size=7, stride=3)`: valid windows only (no padding, floor mode).
 * @param x - `[n, h, w, c]` with `h, w ≥ 7`
 * @returns `[n, ⌊(h − 7)/3⌋ + 1, ⌊(w − 7)/3⌋ + 1, c]`; the caller disposes it
 */
export function esaMaxPool(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 7, 3, 'valid');
}

/**
 * `F.interpolate(x, (h, w), mode='bilinear', align_corners=False)`: source coordinate
 * `(i + 0.5)·in/out − 0.5`, clamped at the borders, which is tfjs `resizeBilinear` with
 * half-pixel centres.
 * @param x - `[n, h0, w0, c]`
 * @param size - output `[h, w]`
 * @returns `[n, h, w, c]`; the caller disposes it
 */
export function esaUpsample(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  return tf.image.resizeBilinear(x, size, false, true);
}

/**
 * Smallest input side an ESA block accepts: its 3×3 stride-2 convolution must leave at least
 * 7 pixels for the 7×7 max pool, `⌊(s − 3)/2⌋ + 1 ≥ 7`.
 */
export const ESA_MIN_INPUT_SIZE = 15;
