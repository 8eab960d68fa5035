/**
 * The contract of the single-input gaze networks (TinyTracker, TinyTrackerS).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '@lab/tensor';
import type { InferenceGraph } from '../../quant/inference-graph';

/**
 * A gaze network that maps one NHWC image batch to `[n, 2]` values in [−1, 1] (a tanh output);
 * multiplied by {@link GazeModel.outputScaleCm} they are the gaze point in centimetres in
 * GazeCapture camera coordinates (`labelDotXCam`, `labelDotYCam`).
 * @category Models
 */
export abstract class GazeModel extends Module<[tf.Tensor], tf.Tensor> {
  /** Shape of one input sample `[h, w, c]` (NHWC, without the batch axis). */
  abstract readonly inputShape: readonly [number, number, number];
  /** Factor from the network output to centimetres, applied outside the network. */
  abstract readonly outputScaleCm: number;
  /**
   * The network in inference form (batch norm folded into the convolutions, activations fused),
   * as the TFLite converter sees it; the basis of quantisation and size accounting.
   * Reads the current weights; holds no tensors.
   */
  abstract inferenceGraph(): InferenceGraph;
}
