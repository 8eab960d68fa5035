/**
 * Element-wise pieces shared by the losses (internal; every function runs inside the caller's
 * `tf.tidy`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Binary cross-entropy with logits per element, in the overflow-free form of PyTorch's
 * `binary_cross_entropy_with_logits`: `(1 − y)·x + (1 + (w⁺ − 1)·y)·softplus(−x)` with
 * `softplus(−x) = log(1 + e^{−|x|}) + max(−x, 0)`; `posWeight` `[C]` is `w⁺` (1 when absent).
 */
export function bceElements(x: tf.Tensor, y: tf.Tensor, posWeight?: tf.Tensor): tf.Tensor {
  const softplusNeg = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(x)))), tf.relu(tf.neg(x)));
  const neg = tf.mul(tf.sub(1, y), x);
  if (posWeight === undefined) return tf.add(neg, softplusNeg);
  const scale = tf.add(1, tf.mul(tf.sub(posWeight, 1), y));
  return tf.add(neg, tf.mul(scale, softplusNeg));
}

/** A per-class list as a `[1, C]` float32 row that broadcasts over the batch. */
export function classRow(values: readonly number[]): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(values), [1, values.length], 'float32');
}

/** Float targets (cast when they are not float32 already). */
export function asFloat(y: tf.Tensor): tf.Tensor {
  return y.dtype === 'float32' ? y : tf.cast(y, 'float32');
}

/**
 * Sigmoid focal loss per element (mmcls `sigmoid_focal_loss`, the reference's copy):
 * `α_t·(1 − p_t)^γ·BCE` with `1 − p_t = (1 − p)·y + p·(1 − y)` and `α_t = α·y + (1 − α)·(1 − y)`;
 * `alpha` is a number or a `[1, C]` row.
 */
export function focalElements(x: tf.Tensor, y: tf.Tensor, alpha: number | tf.Tensor, gamma: number): tf.Tensor {
  const p = tf.sigmoid(x);
  const oneMinusPt = tf.add(tf.mul(tf.sub(1, p), y), tf.mul(p, tf.sub(1, y)));
  const a = typeof alpha === 'number' ? tf.scalar(alpha) : alpha;
  const alphaT = tf.add(tf.mul(a, y), tf.mul(tf.sub(1, a), tf.sub(1, y)));
  const modulator = gamma === 0 ? tf.onesLike(oneMinusPt) : tf.pow(oneMinusPt, gamma);
  return tf.mul(tf.mul(alphaT, modulator), bceElements(x, y));
}

/** `[N, K]` one-hot float rows of integer `labels` `[N]` (cast to int32 first). */
export function oneHotRows(labels: tf.Tensor, k: number): tf.Tensor {
  const idx = labels.dtype === 'int32' ? labels : tf.cast(tf.round(labels), 'int32');
  return tf.cast(tf.oneHot(idx as tf.Tensor1D, k), 'float32');
}

/** Per-sample `−log softmax(x)_y`, `[N]`, and the one-hot rows. */
export function crossEntropyRows(logits: tf.Tensor, oneHot: tf.Tensor): tf.Tensor {
  return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1));
}

/** Class-balanced weights `(1 − β)/(1 − β^{n_c})`, normalised to sum K (Cui et al. 2019). */
export function effectiveNumberWeights(samplesPerClass: readonly number[], beta: number): number[] {
  const raw = samplesPerClass.map((n) => {
    if (beta === 0) return 1;
    const e = -Math.expm1(n * Math.log(beta)); // 1 − βⁿ
    return e === 0 ? 0 : (1 - beta) / e;
  });
  const s = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => (w * samplesPerClass.length) / s);
}
