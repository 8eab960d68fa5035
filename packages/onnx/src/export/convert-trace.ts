/**
 * Turns a kernel trace (NHWC tfjs kernels) into ONNX nodes in NCHW: every 4-D activation is held
 * channels-first inside the graph, constants are converted on the host (HWIO filters to OIHW,
 * `[C]` biases to `[C, 1, 1]`), and axes of concat, slice, split, reductions, pads and tiles are
 * mapped to NCHW.
 * @packageDocumentation
 */
import { NotAvailableError, invariant } from '@lab/tensor';
import { GraphBuilder, float, type AttrValue } from './graph-builder';
import type { ConstantData, KernelEvent, ModuleEvent, TracedTensor } from './trace-kernels';
import type { OnnxDataType } from '../proto/onnx-proto';

/** NHWC axis → NCHW axis. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];
/** Transpose perm that turns an NHWC tensor into NCHW. */
const TO_NCHW = [0, 3, 1, 2];
/** Transpose perm that turns an NCHW tensor into NHWC. */
const TO_NHWC = [0, 2, 3, 1];
const INT64_MAX = Number.MAX_SAFE_INTEGER;

/** Stride-`s` cell view of a 4-D activation (`[n, h/s, s, w/s, s, c]`), kept lazy until sliced. */
interface CellsView {
  readonly kind: 'cells';
  readonly src: string;
  readonly s: number;
}
/** One phase of a cells view (`[n, h/s, 1, w/s, 1, c]`), kept lazy until reshaped to 4-D. */
interface PickedView {
  readonly kind: 'picked';
  readonly src: string;
  readonly s: number;
  readonly offsets: [number, number];
}
/** How a traced tensor exists in the ONNX graph: a name (NCHW when 4-D), or a lazy view. */
type Emitted = { readonly kind: 'tensor'; readonly name: string } | CellsView | PickedView;

/** Host transpose of a dense row-major array. */
function transposeData<T extends ConstantData>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i] * inStrides[perm[i]];
    out[o] = data[src];
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

function pair(v: unknown, fallback: number): [number, number] {
  if (v === undefined || v === null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a[a.length === 1 ? 0 : 1]];
}

function onnxType(dtype: string): OnnxDataType {
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new NotAvailableError(`exportOnnx: dtype '${dtype}' cannot be exported`);
}

const UNARY: Readonly<Record<string, string>> = {
  Relu: 'Relu',
  Sigmoid: 'Sigmoid',
  Tanh: 'Tanh',
  Sqrt: 'Sqrt',
  Exp: 'Exp',
  Log: 'Log',
  Abs: 'Abs',
  Neg: 'Neg',
  Erf: 'Erf',
  Floor: 'Floor',
  Ceil: 'Ceil',
  Round: 'Round',
  Sign: 'Sign',
  Sin: 'Sin',
  Cos: 'Cos',
  Reciprocal: 'Reciprocal',
  Softplus: 'Softplus',
  Identity: 'Identity',
};

const BINARY: Readonly<Record<string, string>> = {
  Add: 'Add',
  Sub: 'Sub',
  Multiply: 'Mul',
  RealDiv: 'Div',
  Maximum: 'Max',
  Minimum: 'Min',
  Pow: 'Pow',
};

const REDUCE: Readonly<Record<string, string>> = {
  Mean: 'ReduceMean',
  Sum: 'ReduceSum',
  Max: 'ReduceMax',
  Min: 'ReduceMin',
  Prod: 'ReduceProd',
};

/** Converts traced events into one ONNX graph. @internal */
export class TraceConverter {
  readonly g = new GraphBuilder();
  private readonly emitted = new Map<number, Emitted>();
  private readonly constants = new Map<string, string>();
  private readonly nhwcCache = new Map<string, string>();
  /** Dynamic 4-D tensors in the order they were produced (reference sizes for resizes). */
  private readonly produced4d: { traced: TracedTensor; name: string }[] = [];
  /** Convolutions emitted without a bias, by output name: candidates for folding a following bias add. */
  private readonly biaslessConvs = new Map<string, { node: number; channels: number }>();
  /** How many events (and graph outputs) read each traced tensor. */
  private readonly uses = new Map<number, number>();

  /** Counts the readers of every tensor, so that a bias add folds only into a conv no one else reads. */
  countUses(events: readonly (KernelEvent | ModuleEvent)[], outputs: readonly TracedTensor[]): void {
    const add = (t: TracedTensor): void => void this.uses.set(t.id, (this.uses.get(t.id) ?? 0) + 1);
    for (const ev of events) {
      if (ev.kind === 'kernel') ev.inputs.forEach(add);
      else add(ev.input);
    }
    outputs.forEach(add);
  }

  /** Registers the graph input (NHWC) and emits its transpose to NCHW when 4-D. */
  input(t: TracedTensor, name: string): void {
    if (t.shape.length === 4) this.set(t, this.g.op('Transpose', [name], { perm: TO_NCHW }));
    else this.set(t, name);
  }

  /** Emits the graph output named `name` (NHWC again when 4-D). */
  output(t: TracedTensor, name: string): void {
    const src = t.dynamic ? this.tensor(t, 'output') : this.constant(t);
    if (t.dynamic && t.shape.length === 4) this.g.node('Transpose', [src], { perm: TO_NHWC }, [name]);
    else this.g.node('Identity', [src], {}, [name]);
  }

  private set(t: TracedTensor, name: string): void {
    this.emitted.set(t.id, { kind: 'tensor', name });
    if (t.shape.length === 4) this.produced4d.push({ traced: t, name });
  }

  /** The ONNX name of a dynamic tensor (NCHW when 4-D). */
  private tensor(t: TracedTensor, where: string): string {
    const e = this.emitted.get(t.id);
    invariant(e, `tensor ${t.id} used before it was produced (${where})`);
    if (e.kind !== 'tensor') {
      throw new NotAvailableError(`exportOnnx: a strided cell view [${t.shape}] is used by ${where}; only slicing and reshaping it back are supported`);
    }
    return e.name;
  }

  /** The ONNX name of a 4-D dynamic tensor in NHWC (one cached transpose). */
  private nhwc(name: string): string {
    let n = this.nhwcCache.get(name);
    if (!n) this.nhwcCache.set(name, (n = this.g.op('Transpose', [name], { perm: TO_NHWC })));
    return n;
  }

  /** A constant as an initializer, optionally transformed (`nchw`: 4-D transposed; `broadcast`: aligned to an NCHW partner). */
  private constant(t: TracedTensor, mode: 'plain' | 'nchw' | 'broadcast' = 'plain'): string {
    invariant(t.data, `constant ${t.id} has no data`);
    const key = `${t.id}:${mode}`;
    const hit = this.constants.get(key);
    if (hit) return hit;
    let data: ConstantData = t.data;
    let dims = [...t.shape];
    if (mode === 'nchw' && dims.length === 4) {
      data = transposeData(data, dims, TO_NCHW);
      dims = TO_NCHW.map((p) => t.shape[p]);
    } else if (mode === 'broadcast' && dims.length > 0) {
      const padded = [...new Array<number>(4 - Math.min(4, dims.length)).fill(1), ...dims];
      invariant(padded.length === 4, 'broadcast constants have rank ≤ 4');
      data = transposeData(data, padded, TO_NCHW);
      dims = TO_NCHW.map((p) => padded[p]);
      while (dims.length > Math.max(t.shape.length, 1) && dims[0] === 1) dims.shift();
      // A rank-1 bias [C] becomes [C, 1, 1] (3-D) so it broadcasts over H and W.
      if (t.shape.length < 4) while (dims.length > 3 && dims[0] === 1) dims.shift();
    }
    const name = this.g.initializer(t.paramName ?? 'const', onnxType(t.dtype), dims, data);
    this.constants.set(key, name);
    return name;
  }

  /** An operand of an op whose output is 4-D NCHW: dynamic 4-D as is, lower-rank values aligned. */
  private operand4d(t: TracedTensor, where: string): string {
    if (!t.dynamic) return this.constant(t, t.shape.length === 4 ? 'nchw' : 'broadcast');
    const name = this.tensor(t, where);
    const r = t.shape.length;
    if (r === 4 || r === 0) return name;
    const lifted = this.g.op('Unsqueeze', [name, this.g.ints(Array.from({ length: 4 - r }, (_, i) => i))]);
    return this.g.op('Transpose', [lifted], { perm: TO_NCHW });
  }

  /** An operand in tfjs layout (NHWC when 4-D). */
  private plain(t: TracedTensor, where: string): string {
    if (!t.dynamic) return this.constant(t);
    const name = this.tensor(t, where);
    return t.shape.length === 4 ? this.nhwc(name) : name;
  }

  /** The ONNX name of an input in the layout the graph holds it in. */
  private native(t: TracedTensor, where: string): string {
    return t.dynamic ? this.tensor(t, where) : this.constant(t, t.shape.length === 4 ? 'nchw' : 'plain');
  }

  /** Stores an op result: `nchwName` holds a 4-D result in NCHW; lower ranks are plain. */
  private result(t: TracedTensor, name: string): void {
    this.set(t, name);
  }

  private unsupported(ev: KernelEvent, why: string): never {
    throw new NotAvailableError(`exportOnnx: kernel '${ev.kernel}' in layer ${ev.layer} ${why}`);
  }

  /** Converts one whole-layer event. */
  module(ev: ModuleEvent): void {
    const m = ev.module as unknown as { upscaleFactor?: number; downscaleFactor?: number; torchOrder?: boolean };
    const where = `layer ${ev.layer}`;
    const x = this.native(ev.input, where);
    const cls = ev.module.constructor.name;
    if (m.upscaleFactor !== undefined && ev.input.shape.length === 4) {
      this.result(ev.output, this.g.op('DepthToSpace', [x], { blocksize: m.upscaleFactor, mode: 'CRD' }));
    } else if (m.downscaleFactor !== undefined && ev.input.shape.length === 4) {
      // SpaceToDepth is DCR-only: reorder its channels to PyTorch's c·r² + k.
      const r = m.downscaleFactor;
      const c = ev.input.shape[3];
      const s2d = this.g.op('SpaceToDepth', [x], { blocksize: r });
      const idx: number[] = [];
      for (let ci = 0; ci < c; ci++) for (let k = 0; k < r * r; k++) idx.push(k * c + ci);
      this.result(ev.output, this.g.op('Gather', [s2d, this.g.ints(idx)], { axis: 1 }));
    } else if (m.torchOrder !== undefined) {
      const src = ev.input.shape.length === 4 && !m.torchOrder ? this.nhwc(x) : x;
      this.result(ev.output, this.g.op('Flatten', [src], { axis: 1 }));
    } else {
      throw new NotAvailableError(`exportOnnx: layer ${ev.layer} (${cls}) has no ONNX conversion`);
    }
  }

  /** Converts one kernel event. */
  kernel(ev: KernelEvent): void {
    const where = `kernel '${ev.kernel}' in layer ${ev.layer}`;
    const [x] = ev.inputs;
    const out = ev.outputs[0];
    const a = ev.attrs as Record<string, any>;
    const rank = x?.shape.length ?? 0;
    const unary = UNARY[ev.kernel];
    if (unary) return this.result(out, this.g.op(unary, [this.native(x, where)]));
    const binary = BINARY[ev.kernel];
    if (binary) return this.binary(ev, binary, where);
    const reduce = REDUCE[ev.kernel];
    if (reduce) return this.reduce(ev, reduce, where);
    switch (ev.kernel) {
      case 'Relu6':
        return this.result(out, this.g.op('Clip', [this.native(x, where), this.g.scalar(0), this.g.scalar(6)]));
      case 'ClipByValue':
        return this.result(out, this.g.op('Clip', [this.native(x, where), this.g.scalar(a.clipValueMin), this.g.scalar(a.clipValueMax)]));
      case 'LeakyRelu':
        return this.result(out, this.g.op('LeakyRelu', [this.native(x, where)], { alpha: float(a.alpha) }));
      case 'Elu':
        return this.result(out, this.g.op('Elu', [this.native(x, where)], { alpha: float(1) }));
      case 'Selu':
        return this.result(out, this.g.op('Selu', [this.native(x, where)]));
      case 'Prelu':
        return this.result(out, this.g.op('PRelu', [this.native(x, where), rank === 4 ? this.operand4d(ev.inputs[1], where) : this.plain(ev.inputs[1], where)]));
      case 'Square': {
        const n = this.native(x, where);
        return this.result(out, this.g.op('Mul', [n, n]));
      }
      case 'Rsqrt':
        return this.result(out, this.g.op('Reciprocal', [this.g.op('Sqrt', [this.native(x, where)])]));
      case 'SquaredDifference': {
        const d = this.binaryNode(ev, 'Sub', where);
        return this.result(out, this.g.op('Mul', [d, d]));
      }
      case 'AddN': {
        const ins = ev.inputs.map((t) => (out.shape.length === 4 ? this.operand4d(t, where) : this.plain(t, where)));
        return this.result(out, this.g.op('Sum', ins));
      }
      case 'Cast':
        if (a.dtype === x.dtype) return this.result(out, this.g.op('Identity', [this.native(x, where)]));
        return this.result(out, this.g.op('Cast', [this.native(x, where)], { to: { float32: 1, int32: 6, bool: 9 }[a.dtype as 'float32'] ?? this.unsupported(ev, `casts to '${a.dtype}'`) }));
      case 'Conv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedConv2D':
      case 'FusedDepthwiseConv2D':
        return this.conv(ev, where);
      case 'BatchMatMul':
      case '_FusedMatMul':
        return this.matMul(ev, where);
      case 'MaxPool':
      case 'AvgPool':
        return this.pool(ev, where);
      case 'ResizeBilinear':
      case 'ResizeNearestNeighbor':
        return this.resize(ev, where);
      case 'Concat': {
        const axis = this.axis(a.axis as number, out.shape.length);
        const ins = ev.inputs.map((t) => (out.shape.length === 4 ? this.operand4d(t, where) : this.plain(t, where)));
        return this.result(out, this.g.op('Concat', ins, { axis }));
      }
      case 'Pack': {
        // Stack in tfjs layout, then move a 4-D result to NCHW.
        const ax = ((a.axis as number) + out.shape.length) % out.shape.length;
        const ins = ev.inputs.map((t) => this.g.op('Unsqueeze', [this.plain(t, where), this.g.ints([ax])]));
        const y = this.g.op('Concat', ins, { axis: ax });
        return this.result(out, out.shape.length === 4 ? this.g.op('Transpose', [y], { perm: TO_NCHW }) : y);
      }
      case 'Unpack': {
        const ax = ((a.axis as number) + rank) % rank;
        const parts = this.g.node('Split', [this.plain(x, where), this.g.ints(ev.outputs.map(() => 1))], { axis: ax }, ev.outputs.length);
        ev.outputs.forEach((o, i) => {
          const y = this.g.op('Squeeze', [parts[i], this.g.ints([ax])]);
          this.result(o, o.shape.length === 4 ? this.g.op('Transpose', [y], { perm: TO_NCHW }) : y);
        });
        return;
      }
      case 'SplitV': {
        const ax = ((a.axis as number) + rank) % rank;
        const sizes = ev.outputs.map((o) => o.shape[ax]);
        const outs = this.g.node('Split', [this.native(x, where), this.g.ints(sizes)], { axis: this.axis(ax, rank) }, ev.outputs.length);
        ev.outputs.forEach((o, i) => this.result(o, outs[i]));
        return;
      }
      case 'Slice':
        return this.slice(ev, where);
      case 'PadV2': {
        const pads = a.paddings as [number, number][];
        const order = rank === 4 ? TO_NCHW : pads.map((_, i) => i);
        const p = [...order.map((i) => pads[i][0]), ...order.map((i) => pads[i][1])];
        return this.result(out, this.g.op('Pad', [this.native(x, where), this.g.ints(p), this.g.scalar(a.constantValue ?? 0)], { mode: 'constant' }));
      }
      case 'Transpose': {
        const perm = a.perm as number[];
        if (rank !== 4) return this.result(out, this.g.op('Transpose', [this.plain(x, where)], { perm }));
        const p = [0, 1, 2, 3].map((j) => TO_NHWC[perm[TO_NCHW[j]]]);
        return this.result(out, p.every((v, i) => v === i) ? this.g.op('Identity', [this.native(x, where)]) : this.g.op('Transpose', [this.native(x, where)], { perm: p }));
      }
      case 'Reshape':
        return this.reshape(ev, where);
      case 'Tile': {
        const reps = a.reps as number[];
        return this.result(out, this.g.op('Tile', [this.native(x, where), this.g.ints(rank === 4 ? TO_NCHW.map((i) => reps[i]) : reps)]));
      }
      case 'BroadcastTo': {
        const shape = out.shape;
        return this.result(out, this.g.op('Expand', [shape.length === 4 ? this.operand4d(x, where) : this.plain(x, where), this.g.ints(shape.length === 4 ? TO_NCHW.map((i) => shape[i]) : [...shape])]));
      }
      case 'ZerosLike':
      case 'OnesLike': {
        const shape = this.g.op('Shape', [this.native(x, where)]);
        return this.result(out, this.g.op('Expand', [this.g.scalar(ev.kernel === 'ZerosLike' ? 0 : 1), shape]));
      }
      case 'Softmax': {
        const dim = a.dim as number;
        const ax = ((dim ?? -1) + rank) % rank;
        return this.result(out, this.g.op('Softmax', [this.native(x, where)], { axis: rank === 4 ? NHWC_TO_NCHW_AXIS[ax] : ax }));
      }
      case 'DepthToSpace':
        if (a.dataFormat !== 'NHWC') this.unsupported(ev, `with dataFormat '${a.dataFormat}' is not supported`);
        return this.result(out, this.g.op('DepthToSpace', [this.native(x, where)], { blocksize: a.blockSize, mode: 'DCR' }));
      default:
        return this.unsupported(ev, 'has no ONNX conversion');
    }
  }

  /** Maps an axis of a tensor of `rank` to the ONNX layout. */
  private axis(axis: number, rank: number): number {
    const ax = (axis + rank) % rank;
    return rank === 4 ? NHWC_TO_NCHW_AXIS[ax] : ax;
  }

  private binaryNode(ev: KernelEvent, op: string, where: string): string {
    const out = ev.outputs[0];
    const [l, r] = ev.inputs;
    const ins = out.shape.length === 4 ? [this.operand4d(l, where), this.operand4d(r, where)] : [this.plain(l, where), this.plain(r, where)];
    return this.g.op(op, ins);
  }

  private binary(ev: KernelEvent, op: string, where: string): void {
    if (op === 'Add' && this.foldBias(ev)) return;
    this.result(ev.outputs[0], this.binaryNode(ev, op, where));
  }

  /** `conv(x) + b` with a constant `b` of shape `[C]` becomes the convolution's own bias input. */
  private foldBias(ev: KernelEvent): boolean {
    const [l, r] = ev.inputs;
    const [act, b] = l.dynamic ? [l, r] : [r, l];
    if (!act.dynamic || b.dynamic || b.shape.length !== 1 || (this.uses.get(act.id) ?? 0) !== 1) return false;
    const e = this.emitted.get(act.id);
    const conv = e?.kind === 'tensor' ? this.biaslessConvs.get(e.name) : undefined;
    if (!e || e.kind !== 'tensor' || !conv || conv.channels !== b.shape[0] || ev.outputs[0].shape.join() !== act.shape.join()) return false;
    const node = this.g.nodes[conv.node];
    this.g.nodes[conv.node] = { ...node, inputs: [...node.inputs, this.constant(b)] };
    this.biaslessConvs.delete(e.name);
    this.result(ev.outputs[0], e.name);
    return true;
  }

  private reduce(ev: KernelEvent, op: string, where: string): void {
    const [x] = ev.inputs;
    const out = ev.outputs[0];
    const a = ev.attrs as Record<string, any>;
    const rank = x.shape.length;
    const raw = (a.axis ?? a.reductionIndices) as number | number[];
    const axes = [...new Set((Array.isArray(raw) ? raw : [raw]).map((v) => (v + rank) % rank))].sort();
    const keep = !!a.keepDims;
    const name = this.native(x, where);
    if (rank !== 4) {
      const r =
        op === 'ReduceSum' ? this.g.op(op, [name, this.g.ints(axes)], { keepdims: keep ? 1 : 0 }) : this.g.op(op, [name], { axes, keepdims: keep ? 1 : 0 });
      return this.result(out, r);
    }
    const mapped = axes.map((v) => NHWC_TO_NCHW_AXIS[v]).sort();
    if (op === 'ReduceMean' && mapped.join() === '2,3') {
      const pooled = this.g.op('GlobalAveragePool', [name]);
      return this.result(out, keep ? pooled : this.g.op('Flatten', [pooled], { axis: 1 }));
    }
    const r = op === 'ReduceSum' ? this.g.op(op, [name, this.g.ints(mapped)], { keepdims: keep ? 1 : 0 }) : this.g.op(op, [name], { axes: mapped, keepdims: keep ? 1 : 0 });
    if (keep) return this.result(out, r);
    // Remaining axes come out in NCHW order; tfjs keeps NHWC order.
    const remaining = [0, 1, 2, 3].filter((v) => !axes.includes(v));
    const onnxOrder = remaining.map((v) => NHWC_TO_NCHW_AXIS[v]);
    const sorted = [...onnxOrder].sort();
    const perm = onnxOrder.map((v) => sorted.indexOf(v));
    this.result(out, perm.every((v, i) => v === i) ? r : this.g.op('Transpose', [r], { perm }));
  }

  private conv(ev: KernelEvent, where: string): void {
    const a = ev.attrs as Record<string, any>;
    const get = (n: string): TracedTensor | undefined => ev.inputs[ev.inputNames.indexOf(n)];
    const x = get('x');
    const filter = get('filter');
    const out = ev.outputs[0];
    if (!x || !filter) return this.unsupported(ev, 'lacks its x or filter input');
    if (filter.dynamic || !filter.data) return this.unsupported(ev, 'has a filter computed from the input; only constant filters are supported');
    if (a.dataFormat && a.dataFormat !== 'NHWC') return this.unsupported(ev, `with dataFormat '${a.dataFormat}' is not supported`);
    const [kh, kw, ci, co] = filter.shape;
    const depthwise = ev.kernel.includes('Depthwise');
    let weight: string;
    let group = 1;
    if (depthwise) {
      // [kh, kw, C, m] → [C·m, 1, kh, kw]; output channel c·m + j, as tfjs orders them.
      const data = transposeData(filter.data, [kh, kw, ci * co], [2, 0, 1]);
      weight = this.g.initializer(filter.paramName ?? 'filter', 'float32', [ci * co, 1, kh, kw], data);
      group = ci;
    } else {
      weight = this.g.initializer(filter.paramName ?? 'filter', 'float32', [co, ci, kh, kw], transposeData(filter.data, filter.shape, [3, 2, 0, 1]));
      const inC = x.shape[3];
      if (inC !== ci) group = inC / ci;
    }
    const attrs: Record<string, AttrValue> = {
      kernel_shape: [kh, kw],
      strides: pair(a.strides, 1),
      dilations: pair(a.dilations, 1),
      group,
    };
    const pad = a.pad;
    const [sh, sw] = attrs.strides as [number, number];
    const [dh, dw] = attrs.dilations as [number, number];
    if (pad === 'same' && sh === 1 && sw === 1) {
      // Stride 1: TF's 'same' pads d·(k−1) in total, the extra pixel at the end, at any input size.
      const [th, tw] = [dh * (kh - 1), dw * (kw - 1)];
      attrs.pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
    } else if (pad === 'same') {
      if (dh !== 1 || dw !== 1) return this.unsupported(ev, "with pad 'same', a stride above 1 and dilation is not supported");
      attrs.auto_pad = 'SAME_UPPER';
    } else if (pad === 'valid') attrs.pads = [0, 0, 0, 0];
    else if (typeof pad === 'number') attrs.pads = [pad, pad, pad, pad];
    else if (Array.isArray(pad)) {
      const p = pad as [number, number][];
      attrs.pads = [p[1][0], p[2][0], p[1][1], p[2][1]];
    } else return this.unsupported(ev, `with pad ${JSON.stringify(pad)} is not supported`);
    const inputs = [this.native(x, where), weight];
    const bias = get('bias');
    let addBias: TracedTensor | undefined;
    if (bias) {
      if (!bias.dynamic && bias.shape.length === 1) inputs.push(this.constant(bias));
      else addBias = bias;
    }
    let y = this.g.op('Conv', inputs, attrs);
    if (inputs.length === 2 && !addBias) this.biaslessConvs.set(y, { node: this.g.nodes.length - 1, channels: out.shape[3] });
    if (addBias) y = this.g.op('Add', [y, this.operand4d(addBias, where)]);
    this.result(out, this.activation(ev, y, get('preluActivationWeights'), where, true));
  }

  private activation(ev: KernelEvent, y: string, prelu: TracedTensor | undefined, where: string, is4d: boolean): string {
    const act = ((ev.attrs as Record<string, any>).activation ?? 'linear') as string;
    switch (act) {
      case 'linear':
        return y;
      case 'relu':
        return this.g.op('Relu', [y]);
      case 'relu6':
        return this.g.op('Clip', [y, this.g.scalar(0), this.g.scalar(6)]);
      case 'sigmoid':
        return this.g.op('Sigmoid', [y]);
      case 'elu':
        return this.g.op('Elu', [y], { alpha: float(1) });
      case 'leakyrelu':
        return this.g.op('LeakyRelu', [y], { alpha: float((ev.attrs as Record<string, number>).leakyreluAlpha ?? 0.2) });
      case 'prelu':
        if (!prelu) return this.unsupported(ev, 'has a prelu activation without weights');
        return this.g.op('PRelu', [y, is4d ? this.operand4d(prelu, where) : this.plain(prelu, where)]);
      default:
        return this.unsupported(ev, `with fused activation '${act}' is not supported`);
    }
  }

  private matMul(ev: KernelEvent, where: string): void {
    const a = ev.attrs as Record<string, any>;
    const get = (n: string): TracedTensor | undefined => ev.inputs[ev.inputNames.indexOf(n)];
    const l = get('a');
    const r = get('b');
    if (!l || !r) return this.unsupported(ev, 'lacks an operand');
    const operand = (t: TracedTensor, transpose: boolean): string => {
      if (!transpose) return this.plain(t, where);
      const rk = t.shape.length;
      const perm = [...Array.from({ length: rk - 2 }, (_, i) => i), rk - 1, rk - 2];
      if (!t.dynamic && t.data) {
        const data = transposeData(t.data, t.shape, perm);
        return this.g.initializer(t.paramName ?? 'const', onnxType(t.dtype), perm.map((p) => t.shape[p]), data);
      }
      return this.g.op('Transpose', [this.plain(t, where)], { perm });
    };
    let y = this.g.op('MatMul', [operand(l, !!a.transposeA), operand(r, !!a.transposeB)]);
    const bias = get('bias');
    if (bias) y = this.g.op('Add', [y, this.plain(bias, where)]);
    this.result(ev.outputs[0], this.activation(ev, y, get('preluActivationWeights'), where, false));
  }

  private pool(ev: KernelEvent, where: string): void {
    const a = ev.attrs as Record<string, any>;
    const [x] = ev.inputs;
    const out = ev.outputs[0];
    const kernel = pair(a.filterSize, 1);
    const strides = pair(a.strides, 1);
    const max = ev.kernel === 'MaxPool';
    const name = this.native(x, where);
    if (a.pad === 'valid' && kernel[0] === x.shape[1] && kernel[1] === x.shape[2] && out.shape[1] === 1 && out.shape[2] === 1) {
      // A window covering the whole map is a global pool, whatever the input size.
      return this.result(out, this.g.op(max ? 'GlobalMaxPool' : 'GlobalAveragePool', [name]));
    }
    const attrs: Record<string, AttrValue> = { kernel_shape: kernel, strides };
    if (a.pad === 'same') attrs.auto_pad = 'SAME_UPPER';
    else if (a.pad === 'valid') attrs.pads = [0, 0, 0, 0];
    else if (typeof a.pad === 'number') attrs.pads = [a.pad, a.pad, a.pad, a.pad];
    else return this.unsupported(ev, `with pad ${JSON.stringify(a.pad)} is not supported`);
    if (a.dimRoundingMode !== undefined && a.dimRoundingMode !== 'floor') this.unsupported(ev, `with dimRoundingMode '${a.dimRoundingMode}' is not supported`);
    this.result(out, this.g.op(max ? 'MaxPool' : 'AveragePool', [name], attrs));
  }

  private resize(ev: KernelEvent, where: string): void {
    const a = ev.attrs as Record<string, any>;
    const [x] = ev.inputs;
    const out = ev.outputs[0];
    const [oh, ow] = [out.shape[1], out.shape[2]];
    const name = this.native(x, where);
    const bilinear = ev.kernel === 'ResizeBilinear';
    const attrs: Record<string, AttrValue> = bilinear
      ? { mode: 'linear', coordinate_transformation_mode: a.alignCorners ? 'align_corners' : a.halfPixelCenters ? 'half_pixel' : 'asymmetric' }
      : a.alignCorners
        ? { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' }
        : a.halfPixelCenters
          ? { mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn', nearest_mode: 'floor' }
          : { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
    // The target size follows the most recent activation of that spatial size (an ESA block
    // resizes back to its input's size), so it tracks the input size at run time.
    let ref: string | undefined;
    for (let i = this.produced4d.length - 1; i >= 0; i--) {
      const p = this.produced4d[i];
      if (p.traced.id !== x.id && p.traced.shape[1] === oh && p.traced.shape[2] === ow) {
        ref = p.name;
        break;
      }
    }
    let sizes: string;
    if (ref) {
      sizes = this.g.op('Concat', [this.g.op('Shape', [name], { start: 0, end: 2 }), this.g.op('Shape', [ref], { start: 2, end: 4 })], { axis: 0 });
    } else if (oh % x.shape[1] === 0 && ow % x.shape[2] === 0) {
      const scales = this.g.initializer('scales', 'float32', [4], Float32Array.of(1, 1, oh / x.shape[1], ow / x.shape[2]));
      return this.result(out, this.g.op('Resize', [name, '', scales], attrs));
    } else {
      sizes = this.g.ints([x.shape[0], x.shape[3], oh, ow]);
    }
    this.result(out, this.g.op('Resize', [name, '', '', sizes], attrs));
  }

  private slice(ev: KernelEvent, where: string): void {
    const a = ev.attrs as Record<string, any>;
    const [x] = ev.inputs;
    const out = ev.outputs[0];
    const rank = x.shape.length;
    const beginRaw = a.begin as number | number[];
    const begin = Array.isArray(beginRaw) ? beginRaw : [beginRaw];
    const lazy = x.dynamic ? this.emitted.get(x.id) : undefined;
    if (lazy?.kind === 'cells') {
      const [n, ho, , wo, , c] = x.shape;
      const ok = out.shape.join() === [n, ho, 1, wo, 1, c].join() && begin[0] === 0 && begin[1] === 0 && begin[3] === 0 && begin[5] === 0;
      if (!ok) return this.unsupported(ev, `on a strided cell view [${x.shape}] must pick one phase`);
      this.emitted.set(out.id, { kind: 'picked', src: lazy.src, s: lazy.s, offsets: [begin[2], begin[4]] });
      return;
    }
    const starts: number[] = [];
    const ends: number[] = [];
    const axes: number[] = [];
    for (let i = 0; i < rank; i++) {
      const b = begin[i] ?? 0;
      const size = out.shape[i];
      if (b === 0 && size === x.shape[i]) continue;
      starts.push(b);
      ends.push(b + size);
      axes.push(rank === 4 ? NHWC_TO_NCHW_AXIS[i] : i);
    }
    const name = this.native(x, where);
    if (axes.length === 0) return this.result(out, this.g.op('Identity', [name]));
    this.result(out, this.g.op('Slice', [name, this.g.ints(starts), this.g.ints(ends), this.g.ints(axes)]));
  }

  private reshape(ev: KernelEvent, where: string): void {
    const [x] = ev.inputs;
    const out = ev.outputs[0];
    const sin = x.shape;
    const sout = out.shape;
    const lazy = x.dynamic ? this.emitted.get(x.id) : undefined;
    if (lazy?.kind === 'picked') {
      const ok = sout.length === 4 && sout.join() === [sin[0], sin[1], sin[3], sin[5]].join();
      if (!ok) return this.unsupported(ev, `of a strided cell view [${sin}] to [${sout}] is not supported`);
      const [oh, ow] = lazy.offsets;
      return this.result(out, this.g.op('Slice', [lazy.src, this.g.ints([oh, ow]), this.g.ints([INT64_MAX, INT64_MAX]), this.g.ints([2, 3]), this.g.ints([lazy.s, lazy.s])]));
    }
    if (sin.join() === sout.join()) return this.result(out, this.g.op('Identity', [this.native(x, where)]));
    if (sin.length === 4 && sout.length === 6) {
      const [n, h, w, c] = sin;
      const s = sout[2];
      if (sout.join() === [n, h / s, s, w / s, s, c].join()) {
        this.emitted.set(out.id, { kind: 'cells', src: this.native(x, where), s });
        return;
      }
    }
    // Batch is fixed; H and W are copied from the input where a target dimension keeps them.
    const target = sout.map((d, i) => (sin.length === 4 && (i === 1 || i === 2) && i < sin.length && d === sin[i] ? 0 : d));
    const src = this.plain(x, where);
    const y = this.g.op('Reshape', [src, this.g.ints(target)]);
    this.result(out, sout.length === 4 ? this.g.op('Transpose', [y], { perm: TO_NCHW }) : y);
  }
}
