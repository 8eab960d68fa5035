/**
 * One traced forward pass: every known layer's call and every kernel executed between layers,
 * related through the identity of the tensors they exchange (backend `dataId` and shape).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, type Module } from '@lab/tensor';
import type { LayerCall, LayerPruner } from '../layers/layer-pruner';
import { applyKernelRule, type RuleContext, type TracedValue } from './kernel-rules';
import { UnionFind } from './union-find';

/** One call of a known layer. @internal */
export interface TracedCall {
  readonly call: LayerCall;
  readonly input: TracedValue;
  readonly output: TracedValue;
}

/** A known layer (a leaf of the traced graph) and its calls, in order of first call. @internal */
export interface TracedLayer {
  readonly module: Module<any, any>;
  readonly name: string;
  readonly pruner: LayerPruner<any>;
  readonly calls: TracedCall[];
}

/** What {@link traceModel} returns. @internal */
export interface Trace {
  readonly uf: UnionFind;
  /** First reason, per channel element, why it cannot be pruned. */
  readonly fixed: Map<number, string>;
  readonly layers: TracedLayer[];
  readonly outputShapes: number[][];
}

/** Inputs of {@link traceModel}. @internal */
export interface TraceSetup {
  readonly model: Module<any, any>;
  readonly input: tf.Tensor;
  /** Every module with its (first) dotted name. */
  readonly names: Map<Module<any, any>, string>;
  /** The pruner of each known layer. */
  readonly pruners: Map<Module<any, any>, LayerPruner<any>>;
  /** Layers whose output channels must not be pruned. */
  readonly ignored: Set<Module<any, any>>;
}

type DataKey = object;

/** Builds the union-find while the forward pass runs. */
class TraceBuilder {
  readonly uf = new UnionFind();
  readonly fixed = new Map<number, string>();
  readonly layers = new Map<Module<any, any>, TracedLayer>();
  private readonly byData = new Map<DataKey, Map<string, TracedValue>>();
  private nextId = 0;
  private readonly variables = new Map<DataKey, string>();

  constructor(model: Module<any, any>) {
    for (const [name, v] of [...model.namedParameters(), ...model.namedBuffers()]) this.variables.set(v.dataId, name);
  }

  /** A new value for a tensor produced now; later lookups of the same data and shape find it. */
  produce(info: tf.TensorInfo): TracedValue {
    const shape = info.shape.slice();
    const channels = shape.length === 0 ? 0 : shape[shape.length - 1];
    const v: TracedValue = { id: this.nextId++, shape, channels, base: this.uf.add(channels) };
    let m = this.byData.get(info.dataId);
    if (!m) this.byData.set(info.dataId, (m = new Map()));
    m.set(shape.join(','), v);
    return v;
  }

  /** The value of a tensor consumed now; a tensor from outside the trace is fixed. */
  consume(info: tf.TensorInfo, where: string): TracedValue {
    const found = this.byData.get(info.dataId)?.get(info.shape.join(','));
    if (found) return found;
    const v = this.produce(info);
    const param = this.variables.get(info.dataId);
    this.fix(v, param !== undefined ? `parameter '${param}' used outside a known layer ${where}` : `constant tensor [${info.shape}] ${where}`);
    return v;
  }

  link(a: TracedValue, i: number, b: TracedValue, j: number): void {
    this.uf.union(a.base + i, b.base + j);
  }

  fix(v: TracedValue, reason: string, from = 0, to = v.channels): void {
    for (let i = from; i < to; i++) if (!this.fixed.has(v.base + i)) this.fixed.set(v.base + i, reason);
  }

  context(where: string): RuleContext {
    return { link: (a, i, b, j) => this.link(a, i, b, j), fix: (v, r, f, t) => this.fix(v, r, f, t), where };
  }
}

function tensorInfos(out: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo[] {
  return Array.isArray(out) ? out : [out];
}

/** Every distinct tensor in a value, depth first through arrays and plain objects. @internal */
export function findTensors(value: unknown, out: tf.Tensor[] = [], seen = new Set<unknown>()): tf.Tensor[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof tf.Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) findTensors(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) findTensors(v, out, seen);
  return out;
}

/**
 * Runs `model.call(input)` once in evaluation mode with every kernel of the active backend and
 * every module's `call` wrapped, and records how channels flow. Kernels that run inside a known
 * layer are not looked at. Restores kernels, `call` and training flags, also when the forward pass
 * throws; the output is disposed.
 * @internal
 */
export function traceModel(setup: TraceSetup): Trace {
  const { model, input, names, pruners, ignored } = setup;
  const b = new TraceBuilder(model);
  const stack: Module<any, any>[] = [];
  let leafDepth = 0;
  let kernelDepth = 0;
  const where = (): string => {
    const m = stack[stack.length - 1];
    return m ? `in '${names.get(m) || '(model)'}' (${m.constructor.name})` : 'at top level';
  };

  const inputValue = b.produce(input);
  b.fix(inputValue, 'model input');

  const backend = tf.getBackend();
  const originals = tf.getKernelsForBackend(backend);
  const restores: (() => void)[] = [];
  const modules = [...names.keys()];
  const training = modules.map((m) => m.training);
  let output: unknown;
  try {
    for (const original of originals) {
      const name = original.kernelName;
      const wrapped: tf.KernelConfig = {
        ...original,
        kernelFunc: (args) => {
          if (leafDepth > 0 || kernelDepth > 0) return original.kernelFunc(args);
          kernelDepth++;
          let out: tf.TensorInfo | tf.TensorInfo[];
          try {
            out = original.kernelFunc(args);
          } finally {
            kernelDepth--;
          }
          const w = where();
          const ins = Object.values(args.inputs).filter((t): t is tf.TensorInfo => !!t).map((t) => b.consume(t, w));
          const outs = tensorInfos(out).map((t) => b.produce(t));
          applyKernelRule(name, ins, outs, (args.attrs ?? {}) as Record<string, unknown>, b.context(w));
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
    for (const m of modules) restores.push(wrapCall(m, names.get(m) ?? '', pruners.get(m), ignored.has(m)));
    model.eval();
    output = tf.tidy(() => model.call(input) as tf.TensorContainer);
    for (const t of findTensors(output)) {
      const v = b.consume(t, 'at the output');
      b.fix(v, 'model output');
    }
    return { uf: b.uf, fixed: b.fixed, layers: [...b.layers.values()], outputShapes: findTensors(output).map((t) => t.shape.slice()) };
  } finally {
    for (const t of findTensors(output)) t.dispose();
    for (const restore of restores.reverse()) restore();
    modules.forEach((m, i) => {
      m.training = training[i];
    });
  }

  function wrapCall(m: Module<any, any>, name: string, pruner: LayerPruner<any> | undefined, isIgnored: boolean): () => void {
    const target = m as unknown as { call: (...args: unknown[]) => unknown };
    const own = Object.getOwnPropertyDescriptor(target, 'call');
    const original = target.call;
    target.call = (...args: unknown[]): unknown => {
      const leaf = pruner !== undefined && leafDepth === 0;
      let inValue: TracedValue | undefined;
      if (leaf) {
        const x = args[0];
        if (!(x instanceof tf.Tensor)) {
          throw new InvalidValueError(`buildDependencyGraph: layer '${name}' (${m.constructor.name}) must take a tensor as its first input`);
        }
        inValue = b.consume(x, `at the input of '${name}'`);
        for (const extra of args.slice(1)) {
          for (const t of findTensors(extra)) b.fix(b.consume(t, `at '${name}'`), `extra input of layer '${name}'`);
        }
        leafDepth++;
      }
      stack.push(m);
      let out: unknown;
      try {
        out = original.apply(m, args);
      } finally {
        stack.pop();
        if (leaf) leafDepth--;
      }
      if (leaf && inValue && pruner) {
        if (!(out instanceof tf.Tensor)) {
          throw new InvalidValueError(`buildDependencyGraph: layer '${name}' (${m.constructor.name}) must return one tensor`);
        }
        recordCall(m, name, pruner, inValue, b.produce(out), isIgnored);
      }
      return out;
    };
    return () => {
      if (own) Object.defineProperty(target, 'call', own);
      else delete (target as { call?: unknown }).call;
    };
  }

  function recordCall(m: Module<any, any>, name: string, pruner: LayerPruner<any>, input: TracedValue, output: TracedValue, isIgnored: boolean): void {
    const call: LayerCall = { inputShape: input.shape.slice(), outputShape: output.shape.slice() };
    pruner.couple(m, call, (i, o) => {
      if (!(Number.isInteger(i) && i >= 0 && i < input.channels && Number.isInteger(o) && o >= 0 && o < output.channels)) {
        throw new InvalidValueError(
          `buildDependencyGraph: layer pruner '${pruner.name}' linked channels (${i}, ${o}) of '${name}', outside [0, ${input.channels}) × [0, ${output.channels})`,
        );
      }
      b.link(input, i, output, o);
    });
    if (isIgnored) b.fix(output, `ignored layer '${name}'`);
    let layer = b.layers.get(m);
    if (!layer) {
      layer = { module: m, name, pruner, calls: [] };
      b.layers.set(m, layer);
    } else {
      // A shared layer: every call prunes the same channels.
      const first = layer.calls[0];
      for (const [a, c] of [
        [first.input, input],
        [first.output, output],
      ] as const) {
        if (a.channels !== c.channels) {
          const reason = `layer '${name}' is called with different channel counts`;
          b.fix(a, reason);
          b.fix(c, reason);
        } else for (let i = 0; i < a.channels; i++) b.link(a, i, c, i);
      }
    }
    layer.calls.push({ call, input, output });
  }
}
