/**
 * 3×3 feature unfolding in PyTorch's `F.unfold` channel order. Not exported from the package.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The 3×3 neighbourhood of every pixel, zero-padded, as `F.unfold(x, 3, padding=1)` reshaped to
 * `[n, 9c, h, w]`: output channel `ch·9 + 3·dy + dx` holds channel `ch` of pixel
 * `(y + dy − 1, x + dx − 1)`.
 * @param x - `[n, h, w, c]`
 * @returns `[n, h, w, 9c]`; the caller disposes it
 * @internal
 */
export function unfold3x3(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const p = tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const taps: tf.Tensor[] = [];
    for (let dy = 0; dy < 3; dy++) {
      for (let dx = 0; dx < 3; dx++) taps.push(tf.slice(p, [0, dy, dx, 0], [n, h, w, c]));
    }
    return tf.reshape(tf.stack(taps, 4), [n, h, w, 9 * c]) as tf.Tensor4D;
  });
}
