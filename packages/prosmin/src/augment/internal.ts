/**
 * Tensor helpers shared by the augmentations and the corruptions. Not exported from the package.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Luma weights of ITU-R 601-2, as PIL's `convert('L')` and torchvision's `rgb_to_grayscale`. */
export const LUMA = Object.freeze([0.299, 0.587, 0.114]);

/** Grey version `[n, h, w, 1]` of an NHWC batch (identity copy for one channel). */
export function grayscale(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const c = x.shape[3];
    if (c === 1) return x.clone();
    if (c !== 3) return tf.mean(x, 3, true) as tf.Tensor4D;
    return tf.sum(tf.mul(x, tf.tensor1d(LUMA as number[])), 3, true) as tf.Tensor4D;
  });
}

/** `[n, 1, 1, 1]` float tensor from per-image values. */
export function perImage(values: ArrayLike<number>): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(values), [values.length, 1, 1, 1]);
}

/** Replicates the edge rows and columns `r` times ("nearest" mode of scipy.ndimage). */
function padEdge(x: tf.Tensor4D, r: number): tf.Tensor4D {
  if (r === 0) return x;
  const [n, h, w, c] = x.shape;
  const top = tf.tile(tf.slice(x, [0, 0, 0, 0], [n, 1, w, c]), [1, r, 1, 1]);
  const bottom = tf.tile(tf.slice(x, [0, h - 1, 0, 0], [n, 1, w, c]), [1, r, 1, 1]);
  const rows = tf.concat([top, x, bottom], 1) as tf.Tensor4D;
  const left = tf.tile(tf.slice(rows, [0, 0, 0, 0], [n, h + 2 * r, 1, c]), [1, 1, r, 1]);
  const right = tf.tile(tf.slice(rows, [0, 0, w - 1, 0], [n, h + 2 * r, 1, c]), [1, 1, r, 1]);
  return tf.concat([left, rows, right], 2) as tf.Tensor4D;
}

/**
 * Blurs image i with a Gaussian of standard deviation `sigmas[i]` (0: unchanged), separably, with
 * the kernel truncated at `round(truncate·σ)` and edge replication, as
 * `scipy.ndimage.gaussian_filter(mode='nearest', truncate=4)` (used by skimage and ImageNet-C).
 */
export function blurPerImage(x: tf.Tensor4D, sigmas: ArrayLike<number>, truncate = 4): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  let maxSigma = 0;
  for (let i = 0; i < n; i++) maxSigma = Math.max(maxSigma, sigmas[i]);
  if (maxSigma <= 0) return tf.clone(x);
  const r = Math.min(Math.floor(truncate * maxSigma + 0.5), Math.max(h, w));
  const k = 2 * r + 1;
  const taps = new Float32Array(k * n * c);
  for (let i = 0; i < n; i++) {
    const s = sigmas[i];
    const weights = new Float64Array(k);
    if (s <= 0) {
      weights[r] = 1;
    } else {
      const own = Math.floor(truncate * s + 0.5);
      let total = 0;
      for (let t = -Math.min(own, r); t <= Math.min(own, r); t++) {
        weights[t + r] = Math.exp(-(t * t) / (2 * s * s));
        total += weights[t + r];
      }
      for (let t = 0; t < k; t++) weights[t] /= total;
    }
    for (let t = 0; t < k; t++) for (let ch = 0; ch < c; ch++) taps[t * n * c + i * c + ch] = weights[t];
  }
  return tf.tidy(() => {
    // Images become channels of one image, so each gets its own depthwise kernel.
    const padded = padEdge(x, r);
    const [, hp, wp] = padded.shape;
    const stacked = tf.reshape(tf.transpose(padded, [1, 2, 0, 3]), [1, hp, wp, n * c]) as tf.Tensor4D;
    const kv = tf.tensor4d(taps, [k, 1, n * c, 1]);
    const kh = tf.tensor4d(taps, [1, k, n * c, 1]);
    const blurred = tf.depthwiseConv2d(tf.depthwiseConv2d(stacked, kv, 1, 'valid'), kh, 1, 'valid');
    return tf.transpose(tf.reshape(blurred, [h, w, n, c]), [2, 0, 1, 3]) as tf.Tensor4D;
  });
}
