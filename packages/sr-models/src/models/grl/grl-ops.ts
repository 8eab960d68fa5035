/**
 * Tensor helpers of GRL's attention: cyclic shifts, window partitioning with the head split, and
 * cosine attention with batched `tf.matMul`. Not exported from the package.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GrlSize2 } from './grl-geometry';

/** `torch.roll(x, (dy, dx), dims=(1, 2))` on NHWC: `out[i] = x[(i − d) mod n]`. */
export function roll2d(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  let y = x;
  const ky = ((dy % h) + h) % h;
  if (ky !== 0) {
    y = tf.concat([tf.slice(y, [0, h - ky, 0, 0], [n, ky, w, c]), tf.slice(y, [0, 0, 0, 0], [n, h - ky, w, c])], 1);
  }
  const kx = ((dx % w) + w) % w;
  if (kx !== 0) {
    y = tf.concat([tf.slice(y, [0, 0, w - kx, 0], [n, h, kx, c]), tf.slice(y, [0, 0, 0, 0], [n, h, w - kx, c])], 2);
  }
  return y;
}

/**
 * Splits an NHWC map into windows and heads with two rank-4 transposes (rank-5 and rank-6
 * transposes are an order of magnitude slower on wasm):
 * `[B, H, W, G·d]` → `[B·nWin, G, win_h·win_w, d]`, windows in row-major order.
 */
export function partitionHeads(x: tf.Tensor4D, win: GrlSize2, groups: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const nh = h / win[0];
  const nw = w / win[1];
  const d = c / groups;
  const n = win[0] * win[1];
  const windows = nw === 1 ? x : tf.transpose(tf.reshape(x, [b * nh, win[0], nw, win[1] * c]), [0, 2, 1, 3]);
  return tf.transpose(tf.reshape(windows, [b * nh * nw, n, groups, d]), [0, 2, 1, 3]);
}

/** Inverse of {@link partitionHeads}: `[B·nWin, heads, N, d]` → `[B, H, W, heads·d]`. */
export function mergeHeads(x: tf.Tensor4D, b: number, res: GrlSize2, win: GrlSize2): tf.Tensor4D {
  const [bw, heads, n, d] = x.shape;
  const nh = res[0] / win[0];
  const nw = res[1] / win[1];
  const c = heads * d;
  const tokens = tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [bw, n, c]);
  const t = nw === 1 ? tokens : tf.transpose(tf.reshape(tokens, [b * nh, nw, win[0], win[1] * c]), [0, 2, 1, 3]);
  return tf.reshape(t, [b, res[0], res[1], c]);
}

/** Slice `[from, from + count)` of axis 1 of a rank-4 tensor. */
export function sliceGroups(x: tf.Tensor4D, from: number, count: number): tf.Tensor4D {
  const [a, , n, d] = x.shape;
  return tf.slice(x, [0, from, 0, 0], [a, count, n, d]);
}

/** `F.normalize(x, dim=-1)`: `x / max(‖x‖₂, 1e-12)` over the last axis. */
export function l2Normalize(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), -1, true)), 1e-12));
}
