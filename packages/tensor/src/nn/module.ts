import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, InvalidValueError, ShapeError, checkOptions } from '../errors';

/**
 * How a parameter is stored in PyTorch versus here. The layer that owns a weight declares it,
 * so a PyTorch `state_dict` loads without a separate converter.
 * @category Modules
 */
export interface TorchLayout {
  /** PyTorch shape for a native shape, e.g. HWIO `[kh,kw,i,o]` → OIHW `[o,i,kh,kw]`. */
  torchShape(nativeShape: number[]): number[];
  /** Native tensor → PyTorch layout (new tensor). */
  toTorch(x: tf.Tensor): tf.Tensor;
  /** PyTorch-layout tensor → native layout (new tensor). */
  fromTorch(x: tf.Tensor): tf.Tensor;
}

/** The identity layout: PyTorch and native shapes agree (biases, norms). @category Modules */
export const IDENTITY_LAYOUT: TorchLayout = Object.freeze({
  torchShape: (s: number[]) => s.slice(),
  toTorch: (x: tf.Tensor) => x.clone(),
  fromTorch: (x: tf.Tensor) => x.clone(),
});

/** One registered tensor of a module: a trainable parameter or a buffer (running statistics). */
interface Slot {
  variable: tf.Variable;
  layout: TorchLayout;
  trainable: boolean;
}

/**
 * A function called after a module's forward pass with `(module, inputs, output)`. Like PyTorch's
 * forward hooks, a hook that returns a value other than `undefined` replaces the output (used by
 * layer attribution and DeepLIFT-style gradient overrides); hooks run in registration order, each
 * seeing the previous one's result.
 * @category Modules
 */
export type ForwardHook = (module: Module<any, any>, inputs: readonly unknown[], output: unknown) => unknown;

/** Handle returned by {@link Module.registerForwardHook}; `remove()` detaches the hook. @category Modules */
export interface HookHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

/** Options of {@link Module.loadStateDict}. @category Modules */
export interface LoadStateDictOptions {
  /**
   * When true, missing and unexpected keys are errors; when false they are reported in the result
   * and ignored. Shape mismatches are always errors.
   * @defaultValue true
   */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} did. @category Modules */
export interface LoadStateDictResult {
  /** Keys of the model that the dict did not provide (non-strict mode only). */
  missing: string[];
  /** Keys of the dict that the model does not have (non-strict mode only). */
  unexpected: string[];
}

/**
 * A state dict: dotted PyTorch names to tensors in **PyTorch layout** (OIHW convolutions,
 * out×in linear weights), exactly like `model.state_dict()` in PyTorch.
 * @category Modules
 */
export type StateDict = Record<string, tf.Tensor>;

/**
 * Base class of every layer and model, in the spirit of `torch.nn.Module`.
 *
 * Subclasses register parameters, buffers and child modules by name in their constructor and
 * implement {@link "@lab/tensor"!Module#forward | Module.forward}. Callers run a module with {@link "@lab/tensor"!Module#call | Module.call}, which also fires
 * forward hooks (used by the profiler, layer attribution and pruning). Names are dotted paths
 * (`body.0.conv1.weight`) that match the official PyTorch `state_dict` keys of the equivalent model.
 *
 * Tensors are NHWC inside. A module owns its variables: {@link "@lab/tensor"!Module#dispose | Module.dispose} frees them.
 * @example
 * ```ts
 * class Net extends Module {
 *   conv = this.registerModule('conv', new Conv2d(3, 8, 3, { padding: 1 }));
 *   forward(x: tf.Tensor4D) { return this.conv.call(x); }
 * }
 * const net = new Net();
 * const y = tf.tidy(() => net.call(tf.zeros([1, 8, 8, 3])));
 * ```
 * @category Modules
 */
export abstract class Module<In extends unknown[] = [tf.Tensor], Out = tf.Tensor> {
  /** True in training mode (dropout active, batch norm uses batch statistics). */
  training = true;
  private readonly _modules = new Map<string, Module<any, any>>();
  private readonly _slots = new Map<string, Slot>();
  private readonly _hooks = new Set<ForwardHook>();
  private _disposed = false;

  /** The computation of this module. Call {@link "@lab/tensor"!Module#call | Module.call} instead, so that hooks run. */
  abstract forward(...inputs: In): Out;

  /** Runs {@link "@lab/tensor"!Module#forward | Module.forward} and then every forward hook of this module. */
  call(...inputs: In): Out {
    if (this._disposed) {
      throw new InvalidValueError(`${this.constructor.name}.call: the module has been disposed`);
    }
    let out = this.forward(...inputs);
    for (const hook of this._hooks) {
      const replaced = hook(this, inputs, out);
      if (replaced !== undefined) out = replaced as Out;
    }
    return out;
  }

  /** Registers a child module under `name` and returns it (so it can be assigned to a field). */
  registerModule<M extends Module<any, any>>(name: string, module: M): M {
    checkName(this, name);
    if (!(module instanceof Module)) {
      throw new InvalidValueError(`${this.constructor.name}.registerModule: '${name}' must be a Module`);
    }
    this._modules.set(name, module);
    return module;
  }

  /**
   * Registers a trainable parameter. The tensor is copied into a new `tf.Variable` owned by this
   * module; the passed tensor is disposed.
   * @param layout - how the value maps to PyTorch layout; identity by default
   */
  registerParameter(name: string, value: tf.Tensor, layout: TorchLayout = IDENTITY_LAYOUT): tf.Variable {
    return this.addSlot(name, value, layout, true);
  }

  /** Registers a non-trainable buffer (e.g. running statistics), saved in the state dict. */
  registerBuffer(name: string, value: tf.Tensor, layout: TorchLayout = IDENTITY_LAYOUT): tf.Variable {
    return this.addSlot(name, value, layout, false);
  }

  private addSlot(name: string, value: tf.Tensor, layout: TorchLayout, trainable: boolean): tf.Variable {
    checkName(this, name);
    const variable = tf.variable(value, trainable);
    value.dispose();
    this._slots.set(name, { variable, layout, trainable });
    return variable;
  }

  /** Direct children, in registration order. */
  namedChildren(): [string, Module<any, any>][] {
    return [...this._modules.entries()];
  }

  /** Direct children, in registration order. */
  children(): Module<any, any>[] {
    return [...this._modules.values()];
  }

  /** This module (name `''`) and every descendant, depth first, with dotted names. */
  namedModules(prefix = ''): [string, Module<any, any>][] {
    const out: [string, Module<any, any>][] = [[prefix, this]];
    for (const [name, child] of this._modules) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  /** This module and every descendant, depth first. */
  modules(): Module<any, any>[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Child module at a dotted path (`'body.0.conv'`); throws naming the missing part. */
  getSubmodule(path: string): Module<any, any> {
    if (path === '') return this;
    let m: Module<any, any> = this;
    for (const part of path.split('.')) {
      const next = m._modules.get(part);
      if (!next) {
        throw new InvalidValueError(`${this.constructor.name}.getSubmodule: no module '${part}' in path '${path}'`);
      }
      m = next;
    }
    return m;
  }

  private namedSlots(prefix = ''): [string, Slot][] {
    const out: [string, Slot][] = [];
    for (const [name, slot] of this._slots) out.push([prefix ? `${prefix}.${name}` : name, slot]);
    for (const [name, child] of this._modules) {
      out.push(...child.namedSlots(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  /** Trainable parameters with dotted names, in registration order (depth first). */
  namedParameters(): [string, tf.Variable][] {
    return this.namedSlots()
      .filter(([, s]) => s.trainable)
      .map(([n, s]) => [n, s.variable]);
  }

  /** Trainable parameters, for an optimizer's `varList`. */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Buffers (non-trainable state) with dotted names. */
  namedBuffers(): [string, tf.Variable][] {
    return this.namedSlots()
      .filter(([, s]) => !s.trainable)
      .map(([n, s]) => [n, s.variable]);
  }

  /** Number of scalar parameters (trainable only, like NTIRE's and torchinfo's counts). */
  numParameters(): number {
    let n = 0;
    for (const v of this.parameters()) n += v.size;
    return n;
  }

  /** Parameter or buffer by its dotted name, in native layout; throws naming the key if absent. */
  getTensor(name: string): tf.Variable {
    const slot = this.namedSlots().find(([n]) => n === name);
    if (!slot) throw new InvalidValueError(`${this.constructor.name}.getTensor: no parameter or buffer '${name}'`);
    return slot[1].variable;
  }

  /**
   * Parameters and buffers as new tensors in **PyTorch layout**, keyed by dotted PyTorch names.
   * The caller owns (and disposes) every returned tensor.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, slot] of this.namedSlots()) {
      out[name] = tf.tidy(() => slot.layout.toTorch(slot.variable));
    }
    return out;
  }

  /**
   * Copies a PyTorch-layout state dict into this module's variables, converting layouts in the
   * layer that owns each weight. Every missing, unexpected and mis-shaped key is reported in one
   * {@link "@lab/tensor"!CheckpointError | CheckpointError}; nothing is assigned unless the whole dict fits. Input tensors are not
   * disposed. Integer tensors (e.g. `num_batches_tracked`) are cast to the buffer's dtype.
   * @throws {@link "@lab/tensor"!CheckpointError | CheckpointError} on missing/unexpected keys (strict) or any shape mismatch.
   */
  loadStateDict(dict: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    checkOptions('loadStateDict', options, ['strict']);
    const strict = options.strict ?? true;
    const slots = this.namedSlots();
    const known = new Set(slots.map(([n]) => n));
    const missing = slots.map(([n]) => n).filter((n) => !(n in dict));
    const unexpected = Object.keys(dict).filter((k) => !known.has(k));
    const mismatched: { key: string; expected: number[]; actual: number[] }[] = [];
    for (const [name, slot] of slots) {
      const t = dict[name];
      if (t === undefined) continue;
      if (!(t instanceof tf.Tensor)) {
        throw new CheckpointError(`loadStateDict: value of '${name}' must be a tf.Tensor`, {});
      }
      const expected = slot.layout.torchShape(slot.variable.shape);
      if (!sameShape(expected, t.shape)) mismatched.push({ key: name, expected, actual: t.shape.slice() });
    }
    if (mismatched.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
      const lines: string[] = [];
      if (strict && missing.length) lines.push(`missing keys (${missing.length}): ${missing.join(', ')}`);
      if (strict && unexpected.length) lines.push(`unexpected keys (${unexpected.length}): ${unexpected.join(', ')}`);
      for (const m of mismatched) {
        lines.push(`shape mismatch for '${m.key}': model expects [${m.expected}], checkpoint has [${m.actual}]`);
      }
      throw new CheckpointError(`loadStateDict (${this.constructor.name}): ${lines.join('; ')}`, {
        missing: strict ? missing : [],
        unexpected: strict ? unexpected : [],
        mismatched,
      });
    }
    // Convert everything first, so a failure part-way leaves the model unchanged.
    const converted = new Map<Slot, tf.Tensor>();
    try {
      for (const [name, slot] of slots) {
        const t = dict[name];
        if (t === undefined) continue;
        converted.set(
          slot,
          tf.tidy(() => {
            const native = slot.layout.fromTorch(t);
            return native.dtype === slot.variable.dtype ? native : tf.cast(native, slot.variable.dtype);
          }),
        );
      }
      for (const [slot, value] of converted) slot.variable.assign(value);
    } finally {
      for (const value of converted.values()) value.dispose();
    }
    return { missing: strict ? [] : missing, unexpected: strict ? [] : unexpected };
  }

  /** Sets training mode on this module and all descendants; returns `this`. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (same as `train(false)`); returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Adds a hook called after every {@link "@lab/tensor"!Module#call | Module.call} of this module with `(module, inputs, output)`.
   * A hook that returns a value replaces the output. Hooks must not dispose the output.
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    this._hooks.add(hook);
    return { remove: () => void this._hooks.delete(hook) };
  }

  /** Frees every variable of this module and its descendants. The module cannot be used after. */
  dispose(): void {
    if (this._disposed) return;
    for (const slot of this._slots.values()) slot.variable.dispose();
    for (const child of this._modules.values()) child.dispose();
    this._disposed = true;
  }

  /** True once {@link "@lab/tensor"!Module#dispose | Module.dispose} has run. */
  get isDisposed(): boolean {
    return this._disposed;
  }
}

function checkName(owner: Module<any, any>, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new InvalidValueError(`${owner.constructor.name}: name must be a non-empty string without '.', got '${name}'`);
  }
  const m = owner as unknown as { _modules: Map<string, unknown>; _slots: Map<string, unknown> };
  if (m._modules.has(name) || m._slots.has(name)) {
    throw new InvalidValueError(`${owner.constructor.name}: name '${name}' is already registered`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks that `x` is a tensor of the given rank (and, where given, the size of its last axis),
 * throwing a {@link "@lab/tensor"!ShapeError | ShapeError} that names the layer and the argument.
 * @category Modules
 */
export function checkInput(layer: string, x: unknown, rank: number, channels?: number, arg = 'x'): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new ShapeError(`${layer}: ${arg} must be a tf.Tensor, got ${typeof x}`);
  if (x.rank !== rank) throw new ShapeError(`${layer}: ${arg} must have rank ${rank}, got shape [${x.shape}]`);
  if (channels !== undefined && x.shape[rank - 1] !== channels) {
    throw new ShapeError(`${layer}: ${arg} must have ${channels} channels (last axis, NHWC), got shape [${x.shape}]`);
  }
}
