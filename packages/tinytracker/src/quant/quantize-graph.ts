/**
 * Conversion of a calibrated float inference graph to int8, as TFLite's full-integer
 * post-training quantisation.
 * @packageDocumentation
 */
import { InvalidValueError, invariant } from '@lab/tensor';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAway } from './fixed-point';
import type { ActivationRanges } from './calibrate';
import type { GraphConv2d, GraphFullyConnected, InferenceGraph } from './inference-graph';
import { QMAX, QMIN, type QuantParams, activationQuantParams, quantizeBias, quantizeValue, quantizeWeights } from './quant-params';
import type { ChannelRequant, QAdd, QConv2d, QFullyConnected, QLookup, QuantizedGraph, QuantizedOp } from './quantized-graph';

/** Fixed output quantisation of int8 `TANH` (TFLite requires scale 1/128, zero point 0). @internal */
export const TANH_OUTPUT: QuantParams = Object.freeze({ scale: 1 / 128, zeroPoint: 0 });
/** Fixed output quantisation of int8 `LOGISTIC` (scale 1/256, zero point −128). @internal */
export const LOGISTIC_OUTPUT: QuantParams = Object.freeze({ scale: 1 / 256, zeroPoint: -128 });
/** Left shift of TFLite's int8 `ADD`. @internal */
export const ADD_LEFT_SHIFT = 20;

/**
 * Quantises a float inference graph to int8 with calibrated activation ranges.
 *
 * Activations: per-tensor asymmetric ({@link activationQuantParams}); `RESHAPE` keeps its input's
 * parameters, a constant concatenation shares one set for input and output (the union of both
 * ranges), `TANH` and `LOGISTIC` outputs use TFLite's fixed 1/128 and 1/256. Convolution and
 * depthwise weights: per-channel symmetric; fully connected: per-tensor symmetric; biases int32
 * at `s_in·s_w`. Requantisation multipliers from {@link quantizeMultiplier}; fused ReLU/ReLU6
 * become the clamp `[max(zp, −128), min(zp + round(6/s), 127)]`.
 * @internal
 */
export function quantizeGraph(graph: InferenceGraph, ranges: ActivationRanges): QuantizedGraph {
  const params: (QuantParams | undefined)[] = new Array(graph.tensors.length).fill(undefined);
  const rangeOf = (id: number): readonly [number, number] => {
    const r = ranges[id];
    if (r === undefined) throw new InvalidValueError(`quantizeModel: tensor ${id} has no calibrated range`);
    return r;
  };
  const concat = graph.ops.find((op) => op.kind === 'concatConstant' && op.input === 0);
  if (concat && concat.kind === 'concatConstant') {
    const [a, b] = rangeOf(concat.output);
    const [c, d] = rangeOf(0);
    const shared = activationQuantParams(Math.min(a, c), Math.max(b, d));
    params[0] = shared;
    params[concat.output] = shared;
  } else {
    params[0] = activationQuantParams(...rangeOf(0));
  }
  const get = (id: number): QuantParams => {
    const p = params[id];
    invariant(p !== undefined, `tensor ${id} is quantised before it is read`);
    return p;
  };

  const ops: QuantizedOp[] = graph.ops.map((op): QuantizedOp => {
    switch (op.kind) {
      case 'conv2d':
      case 'fullyConnected': {
        params[op.output] ??= activationQuantParams(...rangeOf(op.output));
        return quantizeLinearOp(op, get(op.input), get(op.output));
      }
      case 'add': {
        params[op.output] = activationQuantParams(...rangeOf(op.output));
        return quantizeAdd(op.name, op.inputs, op.output, get(op.inputs[0]), get(op.inputs[1]), get(op.output));
      }
      case 'mean': {
        params[op.output] = activationQuantParams(...rangeOf(op.output));
        const m = quantizeMultiplier(get(op.input).scale / get(op.output).scale);
        return { kind: 'mean', name: op.name, input: op.input, output: op.output, multiplier: m.multiplier, shift: m.shift };
      }
      case 'mul': {
        params[op.output] = activationQuantParams(...rangeOf(op.output));
        const m = quantizeMultiplier((get(op.inputs[0]).scale * get(op.inputs[1]).scale) / get(op.output).scale);
        return { kind: 'mul', name: op.name, inputs: op.inputs, output: op.output, multiplier: m.multiplier, shift: m.shift };
      }
      case 'logistic':
      case 'tanh': {
        params[op.output] = op.kind === 'tanh' ? TANH_OUTPUT : LOGISTIC_OUTPUT;
        const f = op.kind === 'tanh' ? Math.tanh : (v: number) => 1 / (1 + Math.exp(-v));
        return { kind: op.kind, name: op.name, input: op.input, output: op.output, table: lookupTable(f, get(op.input), get(op.output)) };
      }
      case 'reshape':
        params[op.output] = get(op.input);
        return { kind: 'reshape', name: op.name, input: op.input, output: op.output };
      case 'concatConstant': {
        const p = get(op.output);
        return { kind: 'concatConstant', name: op.name, input: op.input, output: op.output, constant: Int8Array.from(op.constant, (v) => quantizeValue(v, p)) };
      }
      case 'constant': {
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of op.value) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        const p = activationQuantParams(lo, hi);
        params[op.output] = p;
        return { kind: 'constant', name: op.name, output: op.output, value: Int8Array.from(op.value, (v) => quantizeValue(v, p)) };
      }
    }
  });
  return { tensors: graph.tensors, params: params.map((p, id) => p ?? activationQuantParams(...rangeOf(id))), ops, output: graph.output };
}

function requantFor(
  outChannels: number,
  inParams: QuantParams,
  outParams: QuantParams,
  weightScales: Float32Array,
  activation: 'none' | 'relu' | 'relu6',
  l1: Float64Array,
  bias: Int32Array,
): ChannelRequant {
  const multiplier = new Int32Array(outChannels);
  const shift = new Int32Array(outChannels);
  const maxIn = Math.max(QMAX - inParams.zeroPoint, inParams.zeroPoint - QMIN);
  let bound = 0;
  for (let c = 0; c < outChannels; c++) {
    const s = weightScales[weightScales.length === 1 ? 0 : c];
    const m = quantizeMultiplier((inParams.scale * s) / outParams.scale);
    multiplier[c] = m.multiplier;
    shift[c] = m.shift;
    bound = Math.max(bound, (l1[c] * maxIn + Math.abs(bias[c])) * 2 ** Math.max(m.shift, 0));
  }
  const zp = outParams.zeroPoint;
  const activationMin = activation === 'none' ? QMIN : Math.max(QMIN, zp);
  const activationMax = activation === 'relu6' ? Math.min(QMAX, zp + roundHalfAway(6 / outParams.scale)) : QMAX;
  return { multiplier, shift, activationMin, activationMax, accumulatorBound: bound };
}

function quantizeLinearOp(op: GraphConv2d | GraphFullyConnected, inParams: QuantParams, outParams: QuantParams): QConv2d | QFullyConnected {
  const outChannels = op.kind === 'conv2d' ? op.outChannels : op.outFeatures;
  const w = quantizeWeights(op.weight, op.kind === 'conv2d' ? outChannels : 1);
  const bias = quantizeBias(op.bias, inParams.scale, w.scales);
  const l1 = new Float64Array(outChannels);
  for (let i = 0; i < w.values.length; i++) l1[i % outChannels] += Math.abs(w.values[i]);
  const requant = requantFor(outChannels, inParams, outParams, w.scales, op.activation, l1, bias);
  const { weight: _w, bias: _b, ...rest } = op;
  return { ...rest, ...requant, weight: w.values, weightScales: w.scales, bias } as QConv2d | QFullyConnected;
}

/** TFLite's `PopulateLookupTable` for an int8 element-wise function (float32 arithmetic). */
function lookupTable(f: (v: number) => number, input: QuantParams, output: QuantParams): Int8Array {
  const table = new Int8Array(256);
  const inverse = Math.fround(1 / output.scale);
  for (let q = QMIN; q <= QMAX; q++) {
    const dequantized = Math.fround(input.scale * (q - input.zeroPoint));
    const transformed = Math.fround(f(dequantized));
    const rescaled = roundHalfAway(Math.fround(transformed * inverse));
    table[q - QMIN] = Math.max(QMIN, Math.min(QMAX, rescaled + output.zeroPoint));
  }
  return table;
}

/** TFLite's int8 `ADD` parameters (`add.cc`, `PrepareGeneralSubOp`) and its table over all input pairs. */
function quantizeAdd(name: string, inputs: [number, number], output: number, a: QuantParams, b: QuantParams, out: QuantParams): QAdd {
  const twiceMax = 2 * Math.max(a.scale, b.scale);
  const m1 = quantizeMultiplier(a.scale / twiceMax);
  const m2 = quantizeMultiplier(b.scale / twiceMax);
  const mo = quantizeMultiplier(twiceMax / (2 ** ADD_LEFT_SHIFT * out.scale));
  const scaled = (q: number, p: QuantParams, m: { multiplier: number; shift: number }): number =>
    multiplyByQuantizedMultiplier((q - p.zeroPoint) * 2 ** ADD_LEFT_SHIFT, m.multiplier, m.shift);
  const s1 = Int32Array.from({ length: 256 }, (_, i) => scaled(i + QMIN, a, m1));
  const s2 = Int32Array.from({ length: 256 }, (_, i) => scaled(i + QMIN, b, m2));
  const table = new Int8Array(256 * 256);
  for (let i = 0; i < 256; i++) {
    for (let j = 0; j < 256; j++) {
      const raw = multiplyByQuantizedMultiplier(s1[i] + s2[j], mo.multiplier, mo.shift) + out.zeroPoint;
      table[i * 256 + j] = Math.max(QMIN, Math.min(QMAX, raw));
    }
  }
  return {
    kind: 'add',
    name,
    inputs,
    output,
    leftShift: ADD_LEFT_SHIFT,
    input1Multiplier: m1.multiplier,
    input1Shift: m1.shift,
    input2Multiplier: m2.multiplier,
    input2Shift: m2.shift,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
    table,
  };
}
