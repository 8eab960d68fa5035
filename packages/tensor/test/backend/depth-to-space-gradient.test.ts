import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/backend/index';
import { describeBackends, expectTensorDelta } from '../helpers';
import { seededTensor } from './conv-cases';

/**
 * Reference gradient of Σ depthToSpace(x)·w, from the axiom that depthToSpace permutes
 * elements: running it on x = 0, 1, 2, … gives, for each output position j, the input index
 * P(j) it reads, and the gradient is g[P(j)] = w[j].
 */
function permutationGradient(xShape: number[], r: number, format: 'NHWC' | 'NCHW', w: Float32Array): Float32Array {
  const n = xShape.reduce((a, b) => a * b, 1);
  const index = tf.tidy(() =>
    tf.depthToSpace(tf.tensor4d(Array.from({ length: n }, (_, i) => i), xShape as [number, number, number, number]), r, format).dataSync(),
  );
  const g = new Float32Array(n);
  for (let j = 0; j < n; j++) g[index[j]] = w[j];
  return g;
}

describe('depthToSpaceGradConfig', () => {
  it('is registered for DepthToSpace by importing the package', () => {
    expect(tf.getGradient('DepthToSpace')).toBeDefined();
  });

  describeBackends('depthToSpace gradient', () => {
    it('routes each output gradient to its source channel (x=[1,1,1,4] r=2, hand-derived)', () => {
      // DCR order: y[0, i, j, 0] = x[0, 0, 0, i·2 + j], so dL/dx[0,0,0,i·2+j] = w[0,i,j,0] and the
      // gradient, read in x's memory order, is w in row-major order: 1, 2, 3, 4.
      const x = tf.zeros([1, 1, 1, 4]) as tf.Tensor4D;
      const w = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.depthToSpace(xx as tf.Tensor4D, 2), w)))(x);
      expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4]);
      tf.dispose([x, w, g]);
    });

    for (const [shape, r] of [
      [[2, 3, 4, 8], 2],
      [[1, 2, 3, 18], 3],
    ] as const) {
      it(`applies the inverse permutation to dy for x=[${shape}] r=${r} NHWC`, () => {
        const x = seededTensor<tf.Rank.R4>([...shape], 1);
        const outShape = [shape[0], shape[1] * r, shape[2] * r, shape[3] / (r * r)];
        const w = seededTensor<tf.Rank.R4>(outShape, 2);
        const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.depthToSpace(xx as tf.Tensor4D, r), w)))(x);
        expect(g.shape).toEqual([...shape]);
        expect(Array.from(g.dataSync())).toEqual(Array.from(permutationGradient([...shape], r, 'NHWC', w.dataSync() as Float32Array)));
        tf.dispose([x, w, g]);
      });
    }

    it('leaves only the returned gradient behind (tf.grad, x=[1,2,2,8] r=2)', async () => {
      const x = seededTensor<tf.Rank.R4>([1, 2, 2, 8], 3);
      const g = await expectTensorDelta(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.depthToSpace(xx as tf.Tensor4D, 2))))(x), 1);
      tf.dispose([x, g]);
    });
  });

  describeBackends(
    'depthToSpace gradient, NCHW',
    () => {
      it('applies the inverse permutation to dy for x=[2,8,3,4] r=2 NCHW', () => {
        const x = seededTensor<tf.Rank.R4>([2, 8, 3, 4], 4);
        const w = seededTensor<tf.Rank.R4>([2, 2, 6, 8], 5);
        const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.depthToSpace(xx as tf.Tensor4D, 2, 'NCHW'), w)))(x);
        expect(Array.from(g.dataSync())).toEqual(Array.from(permutationGradient([2, 8, 3, 4], 2, 'NCHW', w.dataSync() as Float32Array)));
        tf.dispose([x, w, g]);
      });
    },
    { skip: { cpu: "tfjs' cpu DepthToSpace kernel supports NHWC only" } },
  );
});
