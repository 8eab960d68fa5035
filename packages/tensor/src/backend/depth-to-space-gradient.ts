/**
 * The gradient of `DepthToSpace`, which tfjs-core does not register on any backend.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient config of `DepthToSpace` (DCR order): the op is a permutation of elements, so its
 * gradient applies the inverse permutation to `dy`, a space-to-depth written with reshape and
 * transpose.
 *
 * NHWC: the forward op maps `x[n, h, w, (i·r + j)·C + c]` to `y[n, h·r + i, w·r + j, c]`, so
 * `dx = reshape(transpose(reshape(dy, [N,H,r,W,r,C]), [0,1,3,2,4,5]), [N,H,W,r·r·C])`.
 * NCHW: `x[n, (i·r + j)·C + c, h, w]` maps to `y[n, c, h·r + i, w·r + j]`, so
 * `dx = reshape(transpose(reshape(dy, [N,C,H,r,W,r]), [0,3,5,1,2,4]), [N,r·r·C,H,W])`.
 */
export const depthToSpaceGradConfig: tf.GradConfig = {
  kernelName: tf.DepthToSpace,
  gradFunc: (dy, _saved, attrs) => {
    const { blockSize: r, dataFormat } = attrs as unknown as tf.DepthToSpaceAttrs;
    const g = dy as tf.Tensor4D;
    return {
      x: () => {
        if (dataFormat === 'NCHW') {
          const [n, c, hr, wr] = g.shape;
          const h = hr / r;
          const w = wr / r;
          return tf.tidy(() =>
            tf.reshape(tf.transpose(tf.reshape(g, [n, c, h, r, w, r]), [0, 3, 5, 1, 2, 4]), [n, r * r * c, h, w]),
          );
        }
        const [n, hr, wr, c] = g.shape;
        const h = hr / r;
        const w = wr / r;
        return tf.tidy(() =>
          tf.reshape(tf.transpose(tf.reshape(g, [n, h, r, w, r, c]), [0, 1, 3, 2, 4, 5]), [n, h, w, r * r * c]),
        );
      },
    };
  },
};
