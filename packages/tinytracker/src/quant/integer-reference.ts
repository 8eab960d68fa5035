/**
 * An integer-arithmetic reference of the int8 graph, written after TFLite's reference kernels.
 * @packageDocumentation
 */
import { InvalidValueError, ShapeError, invariant } from '@lab/tensor';
import { multiplyByQuantizedMultiplier } from './fixed-point';
import { QMAX, QMIN } from './quant-params';
import type { QConv2d, QFullyConnected, QuantizedGraph, QuantizedOp } from './quantized-graph';
import { QuantizedModel } from './quantized-model';

const INT32_MAX = 2 ** 31 - 1;

/** int8 buffers of one run, by tensor id. */
type Buffers = Map<number, Int8Array>;

/**
 * Runs an int8 model with integer arithmetic only, as TFLite's reference kernels: int32
 * accumulation of `(x − zp)·w` plus the int32 bias, `MultiplyByQuantizedMultiplier` with
 * double rounding, the output zero point and the fused clamp (`reference_integer_ops::ConvPerChannel`,
 * `DepthwiseConvPerChannel`, `FullyConnected`); `AddElementwise` with the 20-bit left shift;
 * `Mean` (sum, rescale, rounded division by h·w); `MulElementwise`; lookup tables for `TANH` and
 * `LOGISTIC`. Plain loops on typed arrays, no tensors — the ground truth the fake-quantised tfjs
 * path ({@link QuantizedModel.run}) is tested against.
 * @param model - the int8 model (or its graph)
 * @param input - int8 input `[batch, ...inputShape]`, NHWC, row-major
 * @param batch - number of samples in `input`
 * @returns the int8 output `[batch, ...output shape]`
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when `input` has the wrong length; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad
 *   batch or an accumulator that leaves int32
 * @see tensorflow/lite/kernels/internal/reference/integer_ops/ (conv.h, depthwise_conv.h, fully_connected.h, add.h, mean.h, mul.h)
 * @example
 * ```ts
 * const xq = Int8Array.from(await q.quantizeInput(x).data());
 * const yq = runIntegerReference(q, xq, 1); // equals (await q.run(xqTensor).data())
 * ```
 * @category Quantisation
 */
export function runIntegerReference(model: QuantizedModel | QuantizedGraph, input: Int8Array, batch: number): Int8Array {
  const fn = 'runIntegerReference';
  const graph = model instanceof QuantizedModel ? model.graph : model;
  if (!Number.isInteger(batch) || batch < 1) throw new InvalidValueError(`${fn}: batch must be a positive integer, got ${batch}`);
  if (!(input instanceof Int8Array)) throw new ShapeError(`${fn}: input must be an Int8Array`);
  const expected = batch * size(graph.tensors[0]);
  if (input.length !== expected) {
    throw new ShapeError(`${fn}: input must have ${expected} values (batch ${batch} × [${graph.tensors[0]}]), got ${input.length}`);
  }
  const buffers: Buffers = new Map([[0, input]]);
  for (const op of graph.ops) buffers.set(op.output, runOp(graph, op, buffers, batch));
  return buffers.get(graph.output) as Int8Array;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function checkAcc(acc: number, op: QuantizedOp): void {
  if (acc > INT32_MAX || acc < -INT32_MAX - 1) throw new InvalidValueError(`runIntegerReference: accumulator of '${op.name}' leaves int32 (${acc})`);
}

function runOp(graph: QuantizedGraph, op: QuantizedOp, buffers: Buffers, batch: number): Int8Array {
  const p = graph.params;
  const get = (id: number): Int8Array => {
    const b = buffers.get(id);
    invariant(b !== undefined, `tensor ${id} is computed before op '${op.name}'`);
    return b;
  };
  const out = new Int8Array(batch * size(graph.tensors[op.output]));
  switch (op.kind) {
    case 'conv2d':
      (op.depthwise ? depthwiseConv : conv)(graph, op, get(op.input), out, batch);
      return out;
    case 'fullyConnected':
      fullyConnected(graph, op, get(op.input), out, batch);
      return out;
    case 'add': {
      const a = get(op.inputs[0]);
      const b = get(op.inputs[1]);
      const pa = p[op.inputs[0]];
      const pb = p[op.inputs[1]];
      const zo = p[op.output].zeroPoint;
      const shift = 2 ** op.leftShift;
      for (let i = 0; i < out.length; i++) {
        const s1 = multiplyByQuantizedMultiplier((a[i] - pa.zeroPoint) * shift, op.input1Multiplier, op.input1Shift);
        const s2 = multiplyByQuantizedMultiplier((b[i] - pb.zeroPoint) * shift, op.input2Multiplier, op.input2Shift);
        out[i] = clamp(multiplyByQuantizedMultiplier(s1 + s2, op.outputMultiplier, op.outputShift) + zo, QMIN, QMAX);
      }
      return out;
    }
    case 'mean': {
      const x = get(op.input);
      const [h, w, c] = graph.tensors[op.input];
      const count = h * w;
      const zi = p[op.input].zeroPoint;
      const zo = p[op.output].zeroPoint;
      for (let n = 0; n < batch; n++) {
        for (let d = 0; d < c; d++) {
          let acc = 0;
          for (let i = 0; i < count; i++) acc += x[(n * count + i) * c + d] - zi;
          acc = multiplyByQuantizedMultiplier(acc, op.multiplier, op.shift);
          const half = Math.trunc(count / 2);
          acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
          out[n * c + d] = clamp(acc + zo, QMIN, QMAX);
        }
      }
      return out;
    }
    case 'mul': {
      const x = get(op.inputs[0]);
      const s = get(op.inputs[1]);
      const [h, w, c] = graph.tensors[op.inputs[0]];
      const sBatch = s.length === c ? 1 : batch; // a [1, c] constant broadcasts over the batch
      const z1 = p[op.inputs[0]].zeroPoint;
      const z2 = p[op.inputs[1]].zeroPoint;
      const zo = p[op.output].zeroPoint;
      for (let n = 0; n < batch; n++) {
        const sRow = (sBatch === 1 ? 0 : n) * c;
        for (let i = 0; i < h * w; i++) {
          for (let d = 0; d < c; d++) {
            const k = (n * h * w + i) * c + d;
            const prod = (x[k] - z1) * (s[sRow + d] - z2);
            out[k] = clamp(multiplyByQuantizedMultiplier(prod, op.multiplier, op.shift) + zo, QMIN, QMAX);
          }
        }
      }
      return out;
    }
    case 'logistic':
    case 'tanh': {
      const x = get(op.input);
      for (let i = 0; i < out.length; i++) out[i] = op.table[x[i] - QMIN];
      return out;
    }
    case 'reshape':
      out.set(get(op.input));
      return out;
    case 'concatConstant': {
      const x = get(op.input);
      const [h, w, c] = graph.tensors[op.output];
      const ci = graph.tensors[op.input][2];
      const k = c - ci;
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < h * w; i++) {
          for (let d = 0; d < ci; d++) out[(n * h * w + i) * c + d] = x[(n * h * w + i) * ci + d];
          for (let d = 0; d < k; d++) out[(n * h * w + i) * c + ci + d] = op.constant[i * k + d];
        }
      }
      return out;
    }
    case 'constant':
      return Int8Array.from(op.value);
  }
}

/** `reference_integer_ops::ConvPerChannel` (NHWC input, HWIO int8 filter). */
function conv(graph: QuantizedGraph, op: QConv2d, x: Int8Array, out: Int8Array, batch: number): void {
  const [ih, iw, ci] = graph.tensors[op.input];
  const [oh, ow, co] = graph.tensors[op.output];
  const [kh, kw] = op.kernel;
  const [sh, sw] = op.stride;
  const top = op.pads[0][0];
  const left = op.pads[1][0];
  const zi = graph.params[op.input].zeroPoint;
  const zo = graph.params[op.output].zeroPoint;
  const acc = new Float64Array(co);
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < kh; ky++) {
          const y = oy * sh - top + ky;
          if (y < 0 || y >= ih) continue;
          for (let kx = 0; kx < kw; kx++) {
            const xx = ox * sw - left + kx;
            if (xx < 0 || xx >= iw) continue;
            const xBase = ((n * ih + y) * iw + xx) * ci;
            const wBase = (ky * kw + kx) * ci * co;
            for (let i = 0; i < ci; i++) {
              const v = x[xBase + i] - zi;
              if (v === 0) continue;
              const wRow = wBase + i * co;
              for (let o = 0; o < co; o++) acc[o] += v * op.weight[wRow + o];
            }
          }
        }
        const oBase = ((n * oh + oy) * ow + ox) * co;
        for (let o = 0; o < co; o++) {
          const a = acc[o] + op.bias[o];
          checkAcc(a, op);
          const r = multiplyByQuantizedMultiplier(a, op.multiplier[o], op.shift[o]) + zo;
          out[oBase + o] = clamp(r, op.activationMin, op.activationMax);
        }
      }
    }
  }
}

/** `reference_integer_ops::DepthwiseConvPerChannel` with depth multiplier 1. */
function depthwiseConv(graph: QuantizedGraph, op: QConv2d, x: Int8Array, out: Int8Array, batch: number): void {
  const [ih, iw, c] = graph.tensors[op.input];
  const [oh, ow] = graph.tensors[op.output];
  const [kh, kw] = op.kernel;
  const [sh, sw] = op.stride;
  const top = op.pads[0][0];
  const left = op.pads[1][0];
  const zi = graph.params[op.input].zeroPoint;
  const zo = graph.params[op.output].zeroPoint;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const oBase = ((n * oh + oy) * ow + ox) * c;
        for (let d = 0; d < c; d++) {
          let acc = 0;
          for (let ky = 0; ky < kh; ky++) {
            const y = oy * sh - top + ky;
            if (y < 0 || y >= ih) continue;
            for (let kx = 0; kx < kw; kx++) {
              const xx = ox * sw - left + kx;
              if (xx < 0 || xx >= iw) continue;
              acc += (x[((n * ih + y) * iw + xx) * c + d] - zi) * op.weight[(ky * kw + kx) * c + d];
            }
          }
          acc += op.bias[d];
          checkAcc(acc, op);
          const r = multiplyByQuantizedMultiplier(acc, op.multiplier[d], op.shift[d]) + zo;
          out[oBase + d] = clamp(r, op.activationMin, op.activationMax);
        }
      }
    }
  }
}

/** `reference_integer_ops::FullyConnected` (weights `[in, out]`, per-tensor multiplier). */
function fullyConnected(graph: QuantizedGraph, op: QFullyConnected, x: Int8Array, out: Int8Array, batch: number): void {
  const zi = graph.params[op.input].zeroPoint;
  const zo = graph.params[op.output].zeroPoint;
  const { inFeatures: k, outFeatures: m } = op;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < m; o++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc += (x[n * k + i] - zi) * op.weight[i * m + o];
      acc += op.bias[o];
      checkAcc(acc, op);
      const r = multiplyByQuantizedMultiplier(acc, op.multiplier[o], op.shift[o]) + zo;
      out[n * m + o] = clamp(r, op.activationMin, op.activationMax);
    }
  }
}
