/**
 * Records the tfjs kernels one forward pass executes: kernel name, attributes, and the identity of
 * every input and output tensor (backend `dataId` and shape), with the layer that ran each kernel.
 * Kernels whose inputs are all constants are folded: their outputs are recorded as constants.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Flatten, InvalidValueError, type Module, PixelShuffle, PixelUnshuffle } from '@lab/tensor';

/** Element data of a constant. @internal */
export type ConstantData = Float32Array | Int32Array | Uint8Array;

/** A tensor seen during the trace. @internal */
export interface TracedTensor {
  readonly id: number;
  /** Shape in tfjs layout (NHWC for 4-D activations). */
  readonly shape: readonly number[];
  readonly dtype: tf.DataType;
  /** True when the value depends on the model input. */
  readonly dynamic: boolean;
  /** The values of a constant (parameters, folded kernels, literals). */
  readonly data?: ConstantData;
  /** Parameter or buffer name, when the constant is one of the model's variables. */
  readonly paramName?: string;
}

/** One executed kernel. @internal */
export interface KernelEvent {
  readonly kind: 'kernel';
  readonly kernel: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly inputs: readonly TracedTensor[];
  /** The kernel's name for each input (`x`, `filter`, `bias`, …), aligned with `inputs`. */
  readonly inputNames: readonly string[];
  readonly outputs: readonly TracedTensor[];
  /** Where it ran: `'body.0.c1' (Conv2d)` or `top level`. */
  readonly layer: string;
}

/** One call of a layer converted as a whole (pixel shuffle, flatten). @internal */
export interface ModuleEvent {
  readonly kind: 'module';
  readonly module: Module<any, any>;
  readonly input: TracedTensor;
  readonly output: TracedTensor;
  readonly layer: string;
}

/** A traced event. @internal */
export type TraceEvent = KernelEvent | ModuleEvent;

/** A constant no traced kernel produced and no parameter holds: a tensor made from host data. @internal */
export interface HostConstant {
  readonly tensor: TracedTensor;
  /** The layer that first used it: `'body.0.c1' (Conv2d)` or `top level`. */
  readonly layer: string;
}

/** What {@link traceKernels} returns. @internal */
export interface KernelTrace {
  readonly input: TracedTensor;
  readonly events: readonly TraceEvent[];
  readonly outputs: readonly TracedTensor[];
  /** Host-created constants in the order they were first used (parameters and folded constants excluded). */
  readonly hostConstants: readonly HostConstant[];
}

/** Layers converted as a whole rather than kernel by kernel. */
function isWholeLayer(m: Module<any, any>): boolean {
  return m instanceof PixelShuffle || m instanceof PixelUnshuffle || m instanceof Flatten;
}

function readConstant(info: tf.TensorInfo): ConstantData {
  const values = tf.engine().backend.readSync(info.dataId);
  if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array) return values.slice();
  throw new InvalidValueError(`exportOnnx: constants of dtype '${info.dtype}' cannot be exported`);
}

function findTensors(value: unknown, out: tf.Tensor[] = [], seen = new Set<unknown>()): tf.Tensor[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof tf.Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) findTensors(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) findTensors(v, out, seen);
  return out;
}

/**
 * Runs `model.call(input)` once in evaluation mode with every kernel of the active backend and
 * every module's `call` wrapped, restoring kernels, `call` and the training flags afterwards (also
 * when the forward pass throws). The output is disposed.
 * @internal
 */
export function traceKernels(model: Module<any, any>, input: tf.Tensor): KernelTrace {
  const byData = new Map<object, Map<string, TracedTensor>>();
  const variables = new Map<object, string>();
  for (const [name, v] of [...model.namedParameters(), ...model.namedBuffers()]) variables.set(v.dataId, name);
  let nextId = 0;
  const events: TraceEvent[] = [];
  const hostConstants: HostConstant[] = [];
  const stack: [string, Module<any, any>][] = [];
  let wholeDepth = 0;
  let kernelDepth = 0;

  const record = (info: tf.TensorInfo, t: TracedTensor): TracedTensor => {
    let m = byData.get(info.dataId);
    if (!m) byData.set(info.dataId, (m = new Map()));
    m.set(info.shape.join(','), t);
    return t;
  };
  const produce = (info: tf.TensorInfo, dynamic: boolean): TracedTensor =>
    record(info, {
      id: nextId++,
      shape: info.shape.slice(),
      dtype: info.dtype,
      dynamic,
      ...(dynamic ? {} : { data: readConstant(info) }),
    });
  const consume = (info: tf.TensorInfo): TracedTensor => {
    const found = byData.get(info.dataId)?.get(info.shape.join(','));
    if (found) return found;
    const paramName = variables.get(info.dataId);
    const t = record(info, {
      id: nextId++,
      shape: info.shape.slice(),
      dtype: info.dtype,
      dynamic: false,
      data: readConstant(info),
      ...(paramName !== undefined ? { paramName } : {}),
    });
    if (paramName === undefined) hostConstants.push({ tensor: t, layer: where() });
    return t;
  };
  const where = (): string => {
    const top = stack[stack.length - 1];
    return top ? `'${top[0] || '(model)'}' (${top[1].constructor.name})` : 'top level';
  };

  const inputTraced = produce(input, true);
  const backend = tf.getBackend();
  const originals = tf.getKernelsForBackend(backend);
  const restores: (() => void)[] = [];
  const modules = model.namedModules();
  const training = modules.map(([, m]) => m.training);
  let output: unknown;
  try {
    for (const original of originals) {
      const name = original.kernelName;
      const wrapped: tf.KernelConfig = {
        ...original,
        kernelFunc: (args) => {
          if (wholeDepth > 0 || kernelDepth > 0) return original.kernelFunc(args);
          kernelDepth++;
          let out: tf.TensorInfo | tf.TensorInfo[];
          try {
            out = original.kernelFunc(args);
          } finally {
            kernelDepth--;
          }
          const named = Object.entries(args.inputs as Record<string, tf.TensorInfo | undefined>).filter(
            (e): e is [string, tf.TensorInfo] => !!e[1],
          );
          const ins = named.map(([, t]) => consume(t));
          const dynamic = ins.some((t) => t.dynamic);
          const outs = (Array.isArray(out) ? out : [out]).map((t) => produce(t, dynamic));
          if (dynamic) events.push({ kind: 'kernel', kernel: name, attrs: { ...(args.attrs ?? {}) }, inputs: ins, inputNames: named.map(([k]) => k), outputs: outs, layer: where() });
          return out;
        },
      };
      tf.unregisterKernel(name, backend);
      tf.registerKernel(wrapped);
      restores.push(() => {
        tf.unregisterKernel(name, backend);
        tf.registerKernel(original);
      });
    }
    for (const [name, m] of modules) restores.push(wrapCall(name, m));
    model.eval();
    output = tf.tidy(() => model.call(input) as tf.TensorContainer);
    const outputs = findTensors(output).map((t) => consume(t));
    return { input: inputTraced, events, outputs, hostConstants };
  } finally {
    for (const t of findTensors(output)) t.dispose();
    for (const restore of restores.reverse()) restore();
    modules.forEach(([, m], i) => {
      m.training = training[i];
    });
  }

  function wrapCall(name: string, m: Module<any, any>): () => void {
    const target = m as unknown as { call: (...args: unknown[]) => unknown };
    const own = Object.getOwnPropertyDescriptor(target, 'call');
    const original = target.call;
    const whole = isWholeLayer(m);
    target.call = (...args: unknown[]): unknown => {
      const x = args[0];
      const asWhole = whole && wholeDepth === 0 && kernelDepth === 0 && x instanceof tf.Tensor;
      const inTraced = asWhole ? consume(x as tf.Tensor) : undefined;
      stack.push([name, m]);
      if (asWhole) wholeDepth++;
      let out: unknown;
      try {
        out = original.apply(m, args);
      } finally {
        stack.pop();
        if (asWhole) wholeDepth--;
      }
      if (asWhole && inTraced && out instanceof tf.Tensor) {
        const outTraced = produce(out, inTraced.dynamic);
        if (inTraced.dynamic) events.push({ kind: 'module', module: m, input: inTraced, output: outTraced, layer: `'${name}' (${m.constructor.name})` });
      }
      return out;
    };
    return () => {
      if (own) Object.defineProperty(target, 'call', own);
      else delete (target as { call?: unknown }).call;
    };
  }
}
