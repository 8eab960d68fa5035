/**
 * An int8 gaze model and its fake-quantised inference path on tfjs.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { invariant } from '@lab/tensor';
import { checkTensor } from '../internal/checks';
import { inputsOf, lastUses } from './inference-graph';
import { QMAX, QMIN, type QuantParams } from './quant-params';
import type { QConv2d, QFullyConnected, QuantizedGraph, QuantizedOp } from './quantized-graph';
import { type RequantConstants, requantConstants, requantizeTensor } from './requantize-tensor';

/** Largest accumulator magnitude that float32 holds exactly. @internal */
export const EXACT_FLOAT32_INTEGER = 2 ** 24;

/**
 * A gaze network quantised to int8 as TFLite's full-integer post-training quantisation (int8
 * input, float output), with a fake-quantised inference path on tfjs. Build one with
 * `quantizeModel`; it holds no tensors.
 *
 * The fake-quantised path carries int8 values in float32 tensors and runs each op so that it
 * equals TFLite's integer kernel: convolutions, depthwise convolutions and fully connected layers
 * run float32 `conv2d`/`depthwiseConv2d`/`matMul` on `q − zp` with int8 weights, which yields the
 * exact int32 accumulator while `|acc| < 2²⁴` ({@link QuantizedModel.bitExact}), then apply
 * `MultiplyByQuantizedMultiplier` exactly (byte-wise float32 arithmetic) and the fused clamp;
 * `MEAN` and `MUL` likewise; `ADD`, `TANH` and `LOGISTIC` look up tables built with TFLite's
 * formulas. Its outputs equal `runIntegerReference` bit for bit (tested).
 * @example
 * ```ts
 * const q = quantizeModel(net, calibrationImages);
 * const gaze = tf.tidy(() => tf.mul(q.predict(x), q.outputScaleCm)); // cm
 * ```
 * @category Quantisation
 */
export class QuantizedModel {
  /** The int8 graph. */
  readonly graph: QuantizedGraph;
  /** Shape of one input sample `[h, w, c]`. */
  readonly inputShape: readonly number[];
  /** Factor from the dequantised output to centimetres (as the float model). */
  readonly outputScaleCm: number;
  /** Quantisation of the int8 input. */
  readonly inputParams: QuantParams;
  /** Quantisation of the int8 output before the final dequantisation. */
  readonly outputParams: QuantParams;
  /**
   * True when every convolution and fully connected layer has an accumulator bound below 2²⁴,
   * so the float32 path is bit-exact with the integer reference for every possible input.
   */
  readonly bitExact: boolean;
  private readonly constants = new Map<QuantizedOp, RequantConstants>();
  private readonly floats = new Map<Int8Array | Int32Array, Float32Array>();

  /**
   * @param graph - the int8 graph (see `quantizeModel`)
   * @param outputScaleCm - factor from the output to centimetres
   */
  constructor(graph: QuantizedGraph, outputScaleCm: number) {
    this.graph = graph;
    this.inputShape = graph.tensors[0];
    this.outputScaleCm = outputScaleCm;
    this.inputParams = graph.params[0];
    this.outputParams = graph.params[graph.output];
    this.bitExact = graph.ops.every(
      (op) => (op.kind !== 'conv2d' && op.kind !== 'fullyConnected') || op.accumulatorBound < EXACT_FLOAT32_INTEGER,
    );
  }

  /**
   * Quantises float inputs as TFLite's `QUANTIZE`: `clamp(round(x/scale) + zp, −128, 127)`,
   * rounding half away from zero.
   * @param x - `[n, ...inputShape]` float32
   * @returns `[n, ...inputShape]` int32 holding int8 values; the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a mis-shaped input
   */
  quantizeInput(x: tf.Tensor): tf.Tensor {
    checkTensor('QuantizedModel.quantizeInput', 'x', x, [-1, ...this.inputShape]);
    const { scale, zeroPoint } = this.inputParams;
    return tf.tidy(() => tf.cast(tf.clipByValue(tf.add(roundHalfAway(tf.div(x, scale)), zeroPoint), QMIN, QMAX), 'int32'));
  }

  /**
   * Runs the int8 network on int8 inputs (fake-quantised path).
   * @param xq - `[n, ...inputShape]` int32 holding int8 values (from {@link QuantizedModel.quantizeInput})
   * @returns `[n, ...output shape]` int32 holding the int8 outputs; the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a mis-shaped or non-int32 input
   */
  run(xq: tf.Tensor): tf.Tensor {
    checkTensor('QuantizedModel.run', 'xq', xq, [-1, ...this.inputShape], 'int32');
    return tf.tidy(() => tf.cast(this.runFloat(tf.cast(xq, 'float32')), 'int32'));
  }

  /**
   * Quantises `x`, runs the int8 network and dequantises the output (`DEQUANTIZE`:
   * `scale·(q − zp)` in float32), as the released TFLite models with float output.
   * @param x - `[n, ...inputShape]` float32 (face crops in [−1, 1])
   * @returns `[n, 2]` float32 in [−1, 1]; × `outputScaleCm` gives cm. The caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a mis-shaped input
   */
  predict(x: tf.Tensor): tf.Tensor {
    checkTensor('QuantizedModel.predict', 'x', x, [-1, ...this.inputShape]);
    const { scale, zeroPoint } = this.outputParams;
    return tf.tidy(() => {
      const q = this.runFloat(tf.cast(this.quantizeInput(x), 'float32'));
      return tf.mul(tf.sub(q, zeroPoint), scale);
    });
  }

  private runFloat(x: tf.Tensor): tf.Tensor {
    const graph = this.graph;
    const n = x.shape[0];
    const values = new Map<number, tf.Tensor>([[0, x]]);
    const remaining = lastUses(graph);
    graph.ops.forEach((op, index) => {
      values.set(op.output, tf.tidy(() => this.runOp(op, values, n)));
      for (const id of inputsOf(op)) {
        if (remaining.get(id) === index && id !== graph.output) {
          values.get(id)?.dispose();
          values.delete(id);
        }
      }
    });
    return values.get(graph.output) as tf.Tensor;
  }

  /** The float32 copy of an int8/int32 constant, made once. */
  private float(values: Int8Array | Int32Array): Float32Array {
    let f = this.floats.get(values);
    if (!f) {
      f = Float32Array.from(values);
      this.floats.set(values, f);
    }
    return f;
  }

  private requant(op: QuantizedOp, multiplier: Int32Array, shift: Int32Array): RequantConstants {
    let k = this.constants.get(op);
    if (!k) {
      k = requantConstants(multiplier, shift);
      this.constants.set(op, k);
    }
    return k;
  }

  private runOp(op: QuantizedOp, values: Map<number, tf.Tensor>, n: number): tf.Tensor {
    const p = this.graph.params;
    const get = (id: number): tf.Tensor => {
      const t = values.get(id);
      invariant(t !== undefined, `tensor ${id} is computed before op '${op.name}'`);
      return t;
    };
    switch (op.kind) {
      case 'conv2d':
      case 'fullyConnected': {
        const xc = tf.sub(get(op.input), p[op.input].zeroPoint);
        const acc = tf.add(op.kind === 'conv2d' ? convolve(op, xc, this.float(op.weight)) : matmul(op, xc, this.float(op.weight)), tf.tensor1d(this.float(op.bias)));
        const y = tf.add(requantizeTensor(acc, this.requant(op, op.multiplier, op.shift)), p[op.output].zeroPoint);
        return tf.clipByValue(y, op.activationMin, op.activationMax);
      }
      case 'mean': {
        const [, h, w] = get(op.input).shape;
        const count = h * w;
        const acc = tf.sum(tf.sub(get(op.input), p[op.input].zeroPoint), [1, 2]);
        const a = requantizeTensor(acc, this.requant(op, Int32Array.of(op.multiplier), Int32Array.of(op.shift)));
        // reference_integer_ops::Mean: (a ± ⌊N/2⌋) / N with C++ truncation, i.e. sign(a)·⌊(|a| + ⌊N/2⌋)/N⌋.
        const u = tf.add(tf.abs(a), Math.floor(count / 2));
        let q = tf.floor(tf.div(u, count));
        const rem = tf.sub(u, tf.mul(q, count));
        q = tf.add(q, tf.sub(tf.cast(tf.greaterEqual(rem, count), 'float32'), tf.cast(tf.less(rem, 0), 'float32')));
        const y = tf.add(tf.mul(q, tf.sign(a)), p[op.output].zeroPoint);
        return tf.clipByValue(y, QMIN, QMAX);
      }
      case 'mul': {
        const s = get(op.inputs[1]);
        const a = tf.sub(get(op.inputs[0]), p[op.inputs[0]].zeroPoint);
        const b = tf.reshape(tf.sub(s, p[op.inputs[1]].zeroPoint), [s.shape[0], 1, 1, s.shape[1] as number]);
        const prod = tf.mul(a, b);
        const y = tf.add(requantizeTensor(prod, this.requant(op, Int32Array.of(op.multiplier), Int32Array.of(op.shift))), p[op.output].zeroPoint);
        return tf.clipByValue(y, QMIN, QMAX);
      }
      case 'add': {
        const index = tf.add(tf.mul(tf.add(get(op.inputs[0]), 128), 256), tf.add(get(op.inputs[1]), 128));
        return tf.gather(tf.tensor1d(this.float(op.table)), tf.cast(index, 'int32'));
      }
      case 'logistic':
      case 'tanh':
        return tf.gather(tf.tensor1d(this.float(op.table)), tf.cast(tf.add(get(op.input), 128), 'int32'));
      case 'reshape':
        return tf.reshape(get(op.input), [n, ...this.graph.tensors[op.output]]);
      case 'concatConstant': {
        const x = get(op.input);
        const [h, w, c] = this.graph.tensors[op.output];
        const k = c - (x.shape[3] as number);
        return tf.concat([x, tf.broadcastTo(tf.tensor4d(this.float(op.constant), [1, h, w, k]), [n, h, w, k])], 3);
      }
      case 'constant':
        return tf.tensor2d(this.float(op.value), [1, op.value.length]);
    }
  }
}

/** Integer convolution accumulators (without bias) in float32: `Σ (x − zp)·w`. */
function convolve(op: QConv2d, xc: tf.Tensor, weight: Float32Array): tf.Tensor {
  const pad = [[0, 0], op.pads[0], op.pads[1], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
  const [kh, kw] = op.kernel;
  const w = tf.tensor4d(weight, op.depthwise ? [kh, kw, op.inChannels, 1] : [kh, kw, op.inChannels, op.outChannels]);
  return op.depthwise ? tf.depthwiseConv2d(xc as tf.Tensor4D, w, op.stride, pad) : tf.conv2d(xc as tf.Tensor4D, w, op.stride, pad);
}

function matmul(op: QFullyConnected, xc: tf.Tensor, weight: Float32Array): tf.Tensor {
  return tf.matMul(xc as tf.Tensor2D, tf.tensor2d(weight, [op.inFeatures, op.outFeatures]));
}

/** Rounds half away from zero exactly: `sign(v)·(⌊|v|⌋ + [frac ≥ 0.5])`. @internal */
export function roundHalfAway(v: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.abs(v);
    const f = tf.floor(a);
    return tf.mul(tf.sign(v), tf.add(f, tf.cast(tf.greaterEqual(tf.sub(a, f), 0.5), 'float32')));
  });
}
