/**
 * Full-integer post-training quantisation of a gaze model, as the TFLite converter does it.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { GazeModel } from '../models/common/gaze-model';
import { CALIBRATE_DEFAULTS, type CalibrateOptions, calibrateActivations } from './calibrate';
import { quantizeGraph } from './quantize-graph';
import { QuantizedModel } from './quantized-model';

/** Options of {@link quantizeModel}: the calibration options. @category Quantisation */
export type QuantizeModelOptions = CalibrateOptions;

/**
 * Quantises a gaze model to int8 with post-training calibration, as `convert_tflite.py`
 * (`TFLITE_BUILTINS_INT8`, a representative dataset, int8 input, float output).
 *
 * Steps: the model's inference graph (batch norms folded into the convolutions in evaluation
 * mode, activations fused); activation ranges from `data` ({@link calibrateActivations}, min/max
 * by default); per-tensor asymmetric int8 activations; per-channel symmetric int8 convolution and
 * depthwise weights; per-tensor symmetric fully connected weights; int32 biases; TFLite's
 * fixed-point multipliers. The model is read, not changed.
 * @param model - a {@link GazeModel} (TinyTracker, TinyTrackerS) with trained weights
 * @param data - calibration inputs `[N, ...model.inputShape]` float32 (the reference uses 500 validation images)
 * @param options - see {@link CalibrateOptions}
 * @returns the int8 model; it holds no tensors
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-model or a bad option; {@link "@lab/tensor"!ShapeError | ShapeError} for mis-shaped data
 * @see arXiv 2307.07813; pbonazzi/tinytracker `convert_tflite.py`; TFLite 8-bit quantisation spec
 * @example
 * ```ts
 * const q = quantizeModel(net, calibrationImages, { method: 'minmax' });
 * const y = q.predict(x); // dequantised [n, 2]
 * ```
 * @category Quantisation
 */
export function quantizeModel(model: GazeModel, data: tf.Tensor, options: QuantizeModelOptions = {}): QuantizedModel {
  const fn = 'quantizeModel';
  if (!(model instanceof GazeModel)) throw new InvalidValueError(`${fn}: model must be a GazeModel (TinyTracker, TinyTrackerS)`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model must not be disposed`);
  checkOptions(fn, options, Object.keys(CALIBRATE_DEFAULTS));
  const graph = model.inferenceGraph();
  const ranges = calibrateActivations(graph, data, options);
  return new QuantizedModel(quantizeGraph(graph, ranges), model.outputScaleCm);
}
