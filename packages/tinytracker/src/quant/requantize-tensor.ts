/**
 * TFLite's `MultiplyByQuantizedMultiplier` evaluated exactly with float32 tfjs ops, for the
 * fake-quantised path.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Per-channel constants of {@link requantizeTensor}, precomputed from multipliers and shifts. @internal */
export interface RequantConstants {
  /** Bytes 0…3 of each Q31 multiplier, as float32 vectors `[c]`. */
  readonly limbs: [Float32Array, Float32Array, Float32Array, Float32Array];
  /** `2^max(shift, 0)`. */
  readonly leftScale: Float32Array;
  /** `2^−r` and `2^r` for the right shift `r = max(−shift, 0)`, and the rounding threshold `2^(r−1)` (0.5 for r = 0). */
  readonly rightInverse: Float32Array;
  readonly rightScale: Float32Array;
  readonly half: Float32Array;
}

/** Splits multipliers and shifts into the constants of {@link requantizeTensor}. @internal */
export function requantConstants(multiplier: Int32Array, shift: Int32Array): RequantConstants {
  const c = multiplier.length;
  const limbs: [Float32Array, Float32Array, Float32Array, Float32Array] = [new Float32Array(c), new Float32Array(c), new Float32Array(c), new Float32Array(c)];
  const leftScale = new Float32Array(c);
  const rightInverse = new Float32Array(c);
  const rightScale = new Float32Array(c);
  const half = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const m = multiplier[i];
    for (let j = 0; j < 4; j++) limbs[j][i] = (m >>> (8 * j)) & 255;
    const left = Math.max(shift[i], 0);
    const right = Math.max(-shift[i], 0);
    leftScale[i] = 2 ** left;
    rightInverse[i] = 2 ** -right;
    rightScale[i] = 2 ** right;
    half[i] = right > 0 ? 2 ** (right - 1) : 0.5;
  }
  return { limbs, leftScale, rightInverse, rightScale, half };
}

/**
 * `MultiplyByQuantizedMultiplier(acc, M, shift)` per channel (last axis) on a float32 tensor of
 * integer accumulators, exactly, provided `|acc·2^max(shift,0)| < 2²⁴`.
 *
 * With `a = acc·2^left`, `X = |a|` split into bytes `x₀…x₂` and `M` into bytes `m₀…m₃`, the
 * partial sums `L_k = Σ_{i+j=k} x_i·m_j` (< 2¹⁸) carry-propagate to
 * `T = ⌊(X·M + 2³⁰ − [a<0]) / 2³¹⌋` (gemmlowp's rounding doubling high multiply on |a|, every
 * intermediate an integer below 2²⁴, hence exact in float32); then
 * `R = ⌊T/2^r⌋ + [T mod 2^r ≥ 2^(r−1)]` (rounding half away from zero on the magnitude) and the
 * result is `sign(a)·R`. All ops are exact on every backend.
 * @internal
 */
export function requantizeTensor(acc: tf.Tensor, k: RequantConstants): tf.Tensor {
  return tf.tidy(() => {
    const vec = (v: Float32Array): tf.Tensor => tf.tensor1d(v);
    const a = tf.mul(acc, vec(k.leftScale));
    const neg = tf.cast(tf.less(a, 0), 'float32');
    const x = tf.abs(a);
    const x1full = tf.floor(tf.mul(x, 1 / 256));
    const x0 = tf.sub(x, tf.mul(x1full, 256));
    const x2 = tf.floor(tf.mul(x1full, 1 / 256));
    const x1 = tf.sub(x1full, tf.mul(x2, 256));
    const [m0, m1, m2, m3] = k.limbs.map(vec);
    const ones255 = tf.mul(neg, 255);
    const l0 = tf.add(tf.mul(x0, m0), ones255);
    const l1 = tf.addN([tf.mul(x0, m1), tf.mul(x1, m0), ones255]);
    const l2 = tf.addN([tf.mul(x0, m2), tf.mul(x1, m1), tf.mul(x2, m0), ones255]);
    const l3 = tf.addN([tf.mul(x0, m3), tf.mul(x1, m2), tf.mul(x2, m1), tf.sub(64, neg)]);
    const l4 = tf.add(tf.mul(x1, m3), tf.mul(x2, m2));
    const l5 = tf.mul(x2, m3);
    const c1 = tf.floor(tf.mul(l0, 1 / 256));
    const c2 = tf.floor(tf.mul(tf.add(l1, c1), 1 / 256));
    const c3 = tf.floor(tf.mul(tf.add(l2, c2), 1 / 256));
    const t = tf.addN([tf.floor(tf.mul(tf.add(c3, l3), 1 / 128)), tf.mul(l4, 2), tf.mul(l5, 512)]);
    const q = tf.floor(tf.mul(t, vec(k.rightInverse)));
    const r = tf.sub(t, tf.mul(q, vec(k.rightScale)));
    const magnitude = tf.add(q, tf.cast(tf.greaterEqual(r, vec(k.half)), 'float32'));
    return tf.mul(magnitude, tf.sub(1, tf.mul(neg, 2)));
  });
}
