/**
 * Model size in bytes as stored for deployment: float32 weights, or an int8 TFLite model's
 * tensors and quantisation parameters.
 * @packageDocumentation
 */
import { InvalidValueError, Module } from '@lab/tensor';
import { GazeModel } from '../models/common/gaze-model';
import { QuantizedModel } from './quantized-model';

/** What {@link modelSize} counted. @category Quantisation */
export interface ModelSizeResult {
  /** `'fp32'` for float models, `'int8'` for quantised ones. */
  readonly format: 'fp32' | 'int8';
  /** Sum of the parts below. */
  readonly totalBytes: number;
  /** Weights and constant tensors: 4 bytes per value in fp32, 1 in int8. */
  readonly weightBytes: number;
  /** Biases: 4 bytes per value (float32, or int32 when quantised). */
  readonly biasBytes: number;
  /**
   * Quantisation parameters as the TFLite schema stores them: a float32 scale and an int64 zero
   * point (12 bytes) per channel of every per-channel weight and bias tensor, and per quantised
   * tensor otherwise (activations, per-tensor weights). 0 for fp32.
   */
  readonly quantParamBytes: number;
  /** Number of stored values (weights, biases, constants). */
  readonly values: number;
}

/** Bytes of one TFLite quantisation entry: float32 scale + int64 zero point. @internal */
export const QUANT_ENTRY_BYTES = 12;

/**
 * Counts the bytes a model needs as deployed, without the container's own metadata (the
 * flatbuffer's tables, tensor names and op list, a few kB).
 *
 * - {@link GazeModel}: float32 values of the inference graph (batch norms folded, as a float
 *   TFLite model stores them).
 * - {@link QuantizedModel}: int8 weights and constants, int32 biases, and 12 bytes per
 *   quantisation entry (see {@link ModelSizeResult.quantParamBytes}).
 * - any other Module (iTracker): float32 parameters and floating-point buffers, as its state dict.
 * @param model - the model to count
 * @returns the byte counts; no tensors
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for anything else
 * @example
 * ```ts
 * modelSize(new ITracker()).totalBytes; // 25,145,096 (6,286,274 × 4)
 * modelSize(quantizeModel(net, images)).totalBytes; // ≈593 kB for TinyTracker
 * ```
 * @category Quantisation
 */
export function modelSize(model: GazeModel | QuantizedModel | Module<any, any>): ModelSizeResult {
  if (model instanceof QuantizedModel) return int8Size(model);
  if (model instanceof GazeModel) {
    let weights = 0;
    let biases = 0;
    for (const op of model.inferenceGraph().ops) {
      if (op.kind === 'conv2d' || op.kind === 'fullyConnected') {
        weights += op.weight.length;
        biases += op.bias.length;
      } else if (op.kind === 'concatConstant') weights += op.constant.length;
      else if (op.kind === 'constant') weights += op.value.length;
    }
    return { format: 'fp32', totalBytes: 4 * (weights + biases), weightBytes: 4 * weights, biasBytes: 4 * biases, quantParamBytes: 0, values: weights + biases };
  }
  if (model instanceof Module) {
    let weights = 0;
    let biases = 0;
    for (const [name, v] of [...model.namedParameters(), ...model.namedBuffers()]) {
      if (v.dtype !== 'float32') continue;
      if (name.endsWith('bias')) biases += v.size;
      else weights += v.size;
    }
    return { format: 'fp32', totalBytes: 4 * (weights + biases), weightBytes: 4 * weights, biasBytes: 4 * biases, quantParamBytes: 0, values: weights + biases };
  }
  throw new InvalidValueError('modelSize: model must be a Module or a QuantizedModel');
}

function int8Size(model: QuantizedModel): ModelSizeResult {
  const g = model.graph;
  let weights = 0;
  let biases = 0;
  let entries = g.tensors.length; // one per activation tensor
  for (const op of g.ops) {
    if (op.kind === 'conv2d' || op.kind === 'fullyConnected') {
      weights += op.weight.length;
      biases += op.bias.length;
      // weights and bias: one entry per channel when per-channel, else one
      entries += 2 * op.weightScales.length;
    } else if (op.kind === 'concatConstant') {
      weights += op.constant.length;
      entries += 1;
    } else if (op.kind === 'constant') {
      weights += op.value.length;
    }
  }
  const quantParamBytes = QUANT_ENTRY_BYTES * entries;
  return {
    format: 'int8',
    totalBytes: weights + 4 * biases + quantParamBytes,
    weightBytes: weights,
    biasBytes: 4 * biases,
    quantParamBytes,
    values: weights + biases,
  };
}
