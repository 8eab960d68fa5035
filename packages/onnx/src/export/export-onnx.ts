/**
 * Exports a `@lab/tensor` model to an ONNX model by tracing one forward pass.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, NotAvailableError, ShapeError, checkOptions } from '@lab/tensor';
import { encodeOnnxModel, type OnnxValueInfo } from '../proto/onnx-proto';
import { TraceConverter } from './convert-trace';
import { traceKernels, type HostConstant, type KernelTrace, type TracedTensor } from './trace-kernels';

/** The ONNX opset the exporter writes. @category Export */
export const ONNX_OPSET = 17;

/** Options of {@link exportOnnx}. @category Export */
export interface ExportOnnxOptions {
  /**
   * Name of the graph input.
   * @defaultValue `'input'`
   */
  inputName?: string;
  /**
   * Name of the graph output; with several outputs, `_1`, `_2`, … are appended from the second on.
   * @defaultValue `'output'`
   */
  outputName?: string;
  /**
   * Name of the graph (shown by ONNX viewers).
   * @defaultValue the model's class name
   */
  graphName?: string;
  /**
   * Height and width of a 4-D input: `'symbolic'` (any size), `'static'` (the traced size only), or
   * `'auto'`: trace a second time at a larger size (`h + 8·max(1, round(h/16))`, the same for `w`,
   * so sizes keep their remainder mod 8) and keep H and W symbolic only when both traces give the
   * same graph — a model whose kernels or constants depend on the size (window partitions, masks)
   * is exported for the traced size.
   * @defaultValue `'auto'`
   */
  spatialSize?: 'auto' | 'symbolic' | 'static';
  /**
   * Trace once more at the same shape with other input values (`0.5·x` plus seeded uniform noise in
   * `[0.25, 0.5)`) and compare the tensors the forward pass built from host data (`tf.tensor(…)`
   * of values read back with `dataSync`, literals; not parameters, not kernels folded from them):
   * when one of them changes with the input, the graph would bake it in and ignore the input, so
   * the export throws `NotAvailableError` naming the layer. Costs one extra forward pass; `false`
   * skips it (so does a model that throws on the other values). Host constants that depend only
   * on the shape (masks, a mean-shift vector) pass.
   * @defaultValue `true`
   */
  checkInputDependence?: boolean;
}

/** What {@link exportOnnx} returns. @category Export */
export interface ExportOnnxResult {
  /** The serialised ONNX `ModelProto`, ready for `InferenceSession.create` or a `.onnx` file. */
  readonly bytes: Uint8Array;
  /** The opset of the default domain ({@link ONNX_OPSET}). */
  readonly opset: number;
  /** Name of the graph input (NHWC, like the model's input; height and width symbolic for 4-D inputs). */
  readonly inputName: string;
  /** Names of the graph outputs, in the order the model returns them (4-D outputs are NHWC). */
  readonly outputNames: readonly string[];
  /** Shapes of the outputs at the traced input size. */
  readonly outputShapes: readonly (readonly number[])[];
  /** Number of ONNX nodes per operator type. */
  readonly opCounts: Readonly<Record<string, number>>;
  /** Number of scalar weights embedded as initializers. */
  readonly weightCount: number;
  /** Whether height and width of the input are symbolic (see {@link ExportOnnxOptions.spatialSize}). */
  readonly symbolicSize: boolean;
}

const EXPORT_ONNX_OPTION_KEYS = ['inputName', 'outputName', 'graphName', 'spatialSize', 'checkInputDependence'] as const;

/** The converted graph of one trace. */
interface ConvertedGraph {
  readonly conv: TraceConverter;
  readonly outputs: readonly TracedTensor[];
}

function convert(trace: KernelTrace, inputName: string, outputNames: (n: number) => string[]): ConvertedGraph & { names: string[] } {
  const conv = new TraceConverter();
  conv.countUses(trace.events, trace.outputs);
  conv.input(trace.input, inputName);
  for (const ev of trace.events) {
    if (ev.kind === 'kernel') conv.kernel(ev);
    else conv.module(ev);
  }
  const names = outputNames(trace.outputs.length);
  trace.outputs.forEach((t, i) => conv.output(t, names[i]));
  return { conv, outputs: trace.outputs, names };
}

/** Whether two constants hold the same values (NaN equals NaN). */
function sameData(a: TracedTensor, b: TracedTensor): boolean {
  const x = a.data;
  const y = b.data;
  if (!x || !y) return x === y;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  return true;
}

/**
 * The first host constant of `a` whose counterpart in `b` holds other values, or undefined. Host
 * constants are matched by layer, dtype and shape, in order; a group whose size differs between
 * the traces (a tensor cached on the first call) is not compared.
 */
function changedHostConstant(a: readonly HostConstant[], b: readonly HostConstant[]): HostConstant | undefined {
  const group = (list: readonly HostConstant[]): Map<string, HostConstant[]> => {
    const m = new Map<string, HostConstant[]>();
    for (const h of list) {
      const key = `${h.layer}|${h.tensor.dtype}|${h.tensor.shape.join(',')}`;
      let g = m.get(key);
      if (!g) m.set(key, (g = []));
      g.push(h);
    }
    return m;
  };
  const gb = group(b);
  for (const [key, ga] of group(a)) {
    const other = gb.get(key);
    if (!other || other.length !== ga.length) continue;
    const i = ga.findIndex((h, k) => !sameData(h.tensor, other[k].tensor));
    if (i >= 0) return ga[i];
  }
  return undefined;
}

/** Whether two converted graphs have the same nodes and initializers. */
function sameGraph(a: TraceConverter, b: TraceConverter): boolean {
  const encode = (c: TraceConverter): Uint8Array =>
    encodeOnnxModel({ irVersion: 8, opset: ONNX_OPSET, producerName: '', producerVersion: '', graphName: '', nodes: c.g.nodes, initializers: c.g.initializers, inputs: [], outputs: [] });
  const x = encode(a);
  const y = encode(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Exports a model to ONNX (opset 17) by tracing a forward pass on `input` with every tfjs kernel
 * recorded (plus one check trace on other values, see {@link ExportOnnxOptions.checkInputDependence}). The model's parameters become initializers; kernels whose inputs are all constants
 * are folded. The graph computes in NCHW: a 4-D input `[n, h, w, c]` is transposed once to
 * `[n, c, h, w]`, every 4-D activation stays channels-first (convolution filters become OIHW,
 * biases `[C, 1, 1]`, axes of concat, split, slice, pad and reductions are mapped), and 4-D outputs
 * are transposed back to NHWC. Height and width of a 4-D input are symbolic (`height`, `width`) when
 * a second trace at another size yields the same graph (see {@link ExportOnnxOptions.spatialSize}),
 * so the exported model runs at other spatial sizes; the batch size is the traced one.
 *
 * The model runs in evaluation mode during the trace (its training flags are restored afterwards).
 * @param model - the model; any `Module` whose forward pass uses supported kernels
 * @param input - an example input, NHWC for images (`[n, h, w, c]`); it is not disposed
 * @param options - see {@link ExportOnnxOptions}
 * @returns the serialised model and a summary; no tensors are left allocated
 * @throws NotAvailableError naming the kernel and the layer when a kernel has no ONNX conversion, or
 *   naming the layer when a tensor built from host data depends on the input values (see
 *   {@link ExportOnnxOptions.checkInputDependence})
 * @throws InvalidValueError for a bad model, option or dtype; ShapeError for an empty input
 * @example
 * ```ts
 * const net = createModel('imdn-ntire2022');
 * const { bytes } = exportOnnx(net, tf.zeros([1, 32, 32, 3]));
 * const session = await OnnxSession.create(bytes);
 * const sr = await session.run(lr);      // [1, 4h, 4w, 3], the caller disposes it
 * ```
 * @category Export
 */
export function exportOnnx(model: Module<any, any>, input: tf.Tensor, options: ExportOnnxOptions = {}): ExportOnnxResult {
  const fn = 'exportOnnx';
  checkOptions(fn, options, EXPORT_ONNX_OPTION_KEYS);
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${typeof model}`);
  if (!(input instanceof tf.Tensor) || input.isDisposed) throw new InvalidValueError(`${fn}: input must be a live tf.Tensor`);
  if (input.dtype !== 'float32') throw new InvalidValueError(`${fn}: input must be float32, got ${input.dtype}`);
  if (input.size === 0) throw new ShapeError(`${fn}: input must not be empty, got shape [${input.shape}]`);
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  for (const [k, v] of [
    ['inputName', inputName],
    ['outputName', outputName],
  ] as const) {
    if (typeof v !== 'string' || v.length === 0) throw new InvalidValueError(`${fn}: ${k} must be a non-empty string, got ${String(v)}`);
  }
  if (inputName === outputName) throw new InvalidValueError(`${fn}: inputName and outputName must differ, got '${inputName}' for both`);
  const mode = options.spatialSize ?? 'auto';
  if (mode !== 'auto' && mode !== 'symbolic' && mode !== 'static') {
    throw new InvalidValueError(`${fn}: spatialSize must be 'auto', 'symbolic' or 'static', got ${String(mode)}`);
  }

  const checkInput = options.checkInputDependence ?? true;
  if (typeof checkInput !== 'boolean') throw new InvalidValueError(`${fn}: checkInputDependence must be a boolean, got ${String(checkInput)}`);

  const namesOf = (n: number): string[] => Array.from({ length: n }, (_, i) => (i === 0 ? outputName : `${outputName}_${i}`));
  const trace = traceKernels(model, input);
  if (checkInput && trace.hostConstants.length > 0) {
    // Same shape, other values: a host constant that follows the input values changes.
    const other = tf.tidy(() => tf.add(tf.mul(input, 0.5), tf.randomUniform(input.shape, 0.25, 0.5, 'float32', 20240613)));
    let changed: HostConstant | undefined;
    try {
      changed = changedHostConstant(trace.hostConstants, traceKernels(model, other).hostConstants);
    } catch {
      // The model rejects the other values: the check cannot run, the export goes on.
    } finally {
      other.dispose();
    }
    if (changed) {
      const layer = changed.layer === 'top level' ? 'at the top level' : `in layer ${changed.layer}`;
      throw new NotAvailableError(
        `${fn}: a tensor created from host data ${layer} (shape [${changed.tensor.shape}]) depends on the input values; ` +
          'the trace cannot follow it (compute it with tfjs ops instead of dataSync/array and tf.tensor, or pass checkInputDependence: false)',
      );
    }
  }
  const { conv, outputs: traced, names: outputNames } = convert(trace, inputName, namesOf);
  let symbolicSize = input.rank === 4 && mode !== 'static';
  if (symbolicSize && mode === 'auto') {
    const [n, h, w, c] = input.shape;
    const grow = (d: number): number => d + 8 * Math.max(1, Math.round(d / 16));
    const probe = tf.fill([n, grow(h), grow(w), c], 0.5);
    try {
      symbolicSize = sameGraph(conv, convert(traceKernels(model, probe), inputName, namesOf).conv);
    } catch {
      // The model rejects the larger size, or converts it differently: keep the traced size.
      symbolicSize = false;
    } finally {
      probe.dispose();
    }
  }

  const spatial = (shape: readonly number[], h: string, w: string): (number | string)[] =>
    shape.length === 4 && symbolicSize ? [shape[0], h, w, shape[3]] : [...shape];
  const inputs: OnnxValueInfo[] = [{ name: inputName, dataType: 'float32', dims: spatial(input.shape, 'height', 'width') }];
  const outputs: OnnxValueInfo[] = traced.map((t, i) => ({
    name: outputNames[i],
    dataType: t.dtype === 'int32' ? 'int32' : 'float32',
    dims: spatial(t.shape, `${outputNames[i]}_height`, `${outputNames[i]}_width`),
  }));
  const bytes = encodeOnnxModel({
    irVersion: 8,
    opset: ONNX_OPSET,
    producerName: '@lab/onnx',
    producerVersion: '0.0.0',
    graphName: options.graphName ?? model.constructor.name,
    nodes: conv.g.nodes,
    initializers: conv.g.initializers,
    inputs,
    outputs,
  });
  const opCounts: Record<string, number> = {};
  for (const n of conv.g.nodes) opCounts[n.opType] = (opCounts[n.opType] ?? 0) + 1;
  const weightCount = conv.g.initializers.reduce((s, t) => s + (t.dataType === 'float32' ? t.data.length : 0), 0);
  return { bytes, opset: ONNX_OPSET, inputName, outputNames, outputShapes: traced.map((t) => [...t.shape]), opCounts, weightCount, symbolicSize };
}
