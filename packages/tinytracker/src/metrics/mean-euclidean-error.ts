/**
 * The gaze metric of GazeCapture and TinyTracker: mean Euclidean distance in centimetres.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { checkTensor } from '../internal/checks';

/**
 * Mean Euclidean error between predicted and true gaze points: `(1/n)·Σᵢ ‖ŷᵢ − yᵢ‖₂`, in the
 * points' unit (cm for GazeCapture camera coordinates). Lower is better.
 *
 * This is `lossLin` of `train_TinyTracker.py` (`validate`) and the error iTracker and TinyTracker
 * report (2.34 cm for TinyTracker int8 on GazeCapture).
 * @param pred - predicted points `[n, 2]`, float32 (network output × `outputScaleCm`)
 * @param target - true points `[n, 2]`, float32
 * @returns the mean distance (a number; no tensors remain)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} unless both are `[n, 2]` float32 with the same n ≥ 1
 * @see arXiv 2307.07813 §IV; pbonazzi/tinytracker `train_TinyTracker.py`
 * @example
 * ```ts
 * meanEuclideanError(tf.tensor2d([[3, 4]]), tf.tensor2d([[0, 0]])); // 5
 * ```
 * @category Metrics
 */
export function meanEuclideanError(pred: tf.Tensor, target: tf.Tensor): number {
  const fn = 'meanEuclideanError';
  const n = checkTensor(fn, 'pred', pred, [-1, 2]).shape[0];
  checkTensor(fn, 'target', target, [n, 2]);
  if (n < 1) throw new ShapeError(`${fn}: pred must hold at least one point, got shape [${pred.shape}]`);
  return tf.tidy(() => tf.mean(tf.sqrt(tf.sum(tf.square(tf.sub(pred, target)), 1))).dataSync()[0]);
}
