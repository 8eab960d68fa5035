/** Test helpers of @lab/tinytracker: the shared backend/memory helpers of @lab/tensor, plus fixtures. */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@lab/tensor';
export { BACKENDS, describeBackends, expectTensorDelta, maxRelError, useBackend } from '../../tensor/test/helpers';

/** A seeded uniform tensor in [lo, hi). The caller disposes it. */
export function uniformTensor(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return new Rng(seed).uniformTensor(shape, lo, hi);
}

/**
 * Gives every batch norm of `model` seeded non-trivial statistics and affine parameters, so that
 * folding is exercised (fresh norms are the identity in evaluation mode).
 */
export function randomiseBatchNorms(model: { namedBuffers(): [string, tf.Variable][]; namedParameters(): [string, tf.Variable][] }, seed: number): void {
  const rng = new Rng(seed);
  for (const [name, v] of model.namedBuffers()) {
    if (name.endsWith('running_mean')) v.assign(tf.tensor(rng.uniform(v.size, -0.2, 0.2), v.shape));
    if (name.endsWith('running_var')) v.assign(tf.tensor(rng.uniform(v.size, 0.5, 1.5), v.shape));
  }
  for (const [name, v] of model.namedParameters()) {
    if (/_bn\.weight$/.test(name)) v.assign(tf.tensor(rng.uniform(v.size, 0.7, 1.3), v.shape));
    if (/_bn\.bias$/.test(name)) v.assign(tf.tensor(rng.uniform(v.size, -0.1, 0.1), v.shape));
  }
}
