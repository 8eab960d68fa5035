import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions, invariant } from '../errors';
import { Module } from '../nn/module';
import { KernelMacCounter } from './kernel-macs';
import { type NtireCounts, isNtireCounted, ntireHook } from './ntire-counts';

/** Options of {@link profile}. @category Profiler */
export interface ProfileOptions {
  /**
   * Batch size of the zero input `[batch, ...inputShape]`. Every count scales with it.
   * @defaultValue 1 (NTIRE 2022 and the CIFAR tables profile one image)
   */
  batch?: number;
  /**
   * Count true multiply-accumulates from the executed kernels (`macs`, `macsByKernel`).
   * @defaultValue true
   */
  trueMacs?: boolean;
  /**
   * Measure the peak tensor memory of the forward pass (`peakBytes`, via `tf.profile`).
   * @defaultValue true
   */
  memory?: boolean;
  /**
   * Report one row per executed module (`perLayer`).
   * @defaultValue false
   */
  perLayer?: boolean;
}

/** Defaults of {@link profile}. @category Profiler */
export const PROFILE_DEFAULTS: Readonly<Required<ProfileOptions>> = Object.freeze({
  /** Default of {@link ProfileOptions.batch}. */
  batch: 1,
  /** Default of {@link ProfileOptions.trueMacs}. */
  trueMacs: true,
  /** Default of {@link ProfileOptions.memory}. */
  memory: true,
  /** Default of {@link ProfileOptions.perLayer}. */
  perLayer: false,
});

/**
 * One module's row in {@link ProfileResult.perLayer}. Counts are **inclusive**: a container's row
 * includes everything run inside its forward pass (its children and its functional ops), as in
 * ptflops' per-layer print; sum the rows with `isLeaf` to avoid double counting.
 * @category Profiler
 */
export interface LayerProfile {
  /** Dotted module name (`layer1.0.conv1`); `''` for the model itself. */
  name: string;
  /** Class name of the module (`Conv2d`). */
  type: string;
  /** True when the module has no child modules. */
  isLeaf: boolean;
  /** How many times the module was called during the forward pass. */
  calls: number;
  /** Shape of the (first tensor of the) output of its last call. */
  outputShape: number[];
  /** Trainable parameters of the module and its descendants. */
  params: number;
  /** True multiply-accumulates executed inside its calls; undefined when `trueMacs` is false. */
  macs: number | undefined;
  /** NTIRE FLOPs of its calls (see {@link NtireCounts.flops}). */
  ntireFlops: number;
  /** NTIRE activations of its calls (see {@link NtireCounts.activations}). */
  activations: number;
}

/** What {@link profile} measured. @category Profiler */
export interface ProfileResult {
  /** Backend the forward pass ran on (`'cpu'`, `'wasm'`). */
  backend: string;
  /** Shape of the input that was profiled, batch included (NHWC for images). */
  inputShape: number[];
  /** Shape of the model output (its first tensor when it returns several). */
  outputShape: number[];
  /** Shapes of every output tensor, in the order found (depth first through arrays and objects). */
  outputShapes: number[][];
  /** Trainable scalar parameters; a variable shared by several modules counts once (PyTorch's `parameters()`). */
  params: number;
  /** Bytes of the trainable parameters. */
  paramsBytes: number;
  /** Bytes of all model variables: parameters and buffers (e.g. running statistics). */
  weightsBytes: number;
  /**
   * True multiply-accumulates of one forward pass at this batch size, counted from the kernels
   * that actually ran: convolutions (plain, fused, depthwise, per group), transposed
   * convolutions and every matmul, including functional ones such as attention's q·kᵀ and
   * attn·v. Bias additions, normalisation, activations and element-wise ops are not MACs.
   * Undefined when `trueMacs` is false.
   */
  macs: number | undefined;
  /** {@link ProfileResult.macs} per kernel name (`Conv2D`, `BatchMatMul`, …). */
  macsByKernel: Record<string, number> | undefined;
  /** NTIRE 2022-compatible counts (always computed). */
  ntire: NtireCounts;
  /**
   * Peak tensor memory during the forward pass above the level before the input was created:
   * input, intermediates and output, sampled after every kernel. NTIRE's memory figure
   * corresponds to `weightsBytes + peakBytes` (it includes the weights). Note that tfjs frees
   * intermediates only when a `tf.tidy` scope ends, so this is the tfjs peak, usually above
   * PyTorch's. Undefined when `memory` is false.
   */
  peakBytes: number | undefined;
  /** Per-module rows in `namedModules()` order, executed modules only; undefined unless `perLayer`. */
  perLayer: LayerProfile[] | undefined;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Profiles one forward pass of a model: parameters, true MACs, NTIRE 2022 counts and peak memory.
 *
 * Runs `model.call(x)` once on zeros `x` of shape `[batch, ...inputShape]` in evaluation mode,
 * inside `tf.tidy`. True MACs are counted from the executed kernels (see
 * {@link ProfileResult.macs}); the NTIRE numbers come from forward hooks on the module classes
 * NTIRE's `model_summary.py` hooks (see {@link NtireCounts}); memory from `tf.profile`. The
 * training flags of all modules are restored afterwards, the output and the input are disposed,
 * and hooks and kernel wrappers are removed, also when the forward pass throws. Calls are
 * serialised: concurrent calls run one after the other.
 * @param model - a module taking one tensor; its output may be a tensor or a container of tensors
 * @param inputShape - shape of one sample without the batch axis, e.g. `[32, 32, 3]` (NHWC)
 * @param options - see {@link ProfileOptions}
 * @returns the measurements; holds no tensors
 * @throws InvalidValueError for a non-module or disposed model, a bad `inputShape`, or a bad or
 *   unknown option; whatever the model's forward pass throws, after cleaning up
 * @see NTIRE 2022 ESR report, arXiv 2205.05675; ofsoundof/NTIRE2022_ESR `utils/model_summary.py`
 * @example
 * ```ts
 * const r = await profile(resnetCifar(56), [32, 32, 3]);
 * formatCount(r.macs!);   // '125.49 M'
 * formatCount(r.params);  // '853.02 K'
 * ```
 * @category Profiler
 */
export function profile(
  model: Module<[tf.Tensor], any>,
  inputShape: number[],
  options?: ProfileOptions,
): Promise<ProfileResult> {
  const run = queue.then(() => profileNow(model, inputShape, options));
  queue = run.catch(() => undefined);
  return run;
}

async function profileNow(
  model: Module<[tf.Tensor], any>,
  inputShape: number[],
  options: ProfileOptions | undefined,
): Promise<ProfileResult> {
  const fn = 'profile';
  checkOptions(fn, options, Object.keys(PROFILE_DEFAULTS));
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${describe(model)}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model must not be disposed`);
  if (
    !Array.isArray(inputShape) ||
    inputShape.length === 0 ||
    !inputShape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new InvalidValueError(
      `${fn}: inputShape must be a non-empty array of positive integers (without the batch axis), got ${describe(inputShape)}`,
    );
  }
  const opts = { ...PROFILE_DEFAULTS, ...options };
  if (!Number.isInteger(opts.batch) || opts.batch < 1) {
    throw new InvalidValueError(`${fn}: batch must be a positive integer, got ${String(opts.batch)}`);
  }
  for (const key of ['trueMacs', 'memory', 'perLayer'] as const) {
    if (typeof opts[key] !== 'boolean') {
      throw new InvalidValueError(`${fn}: ${key} must be a boolean, got ${String(opts[key])}`);
    }
  }

  // Unique modules with their first name (a module registered twice runs its hooks once).
  const named = new Map<Module<any, any>, string>();
  for (const [name, m] of model.namedModules()) if (!named.has(m)) named.set(m, name);
  const modules = [...named.keys()];

  const { params, paramsBytes, weightsBytes } = countVariables(model);
  const ntire: NtireCounts = { flops: 0, activations: 0, convLayers: 0 };
  const counter = opts.trueMacs ? new KernelMacCounter() : undefined;
  const rows = opts.perLayer ? new Map<Module<any, any>, LayerProfile>() : undefined;
  const backend = tf.getBackend();
  const fullShape = [opts.batch, ...inputShape];

  const training = modules.map((m) => m.training);
  const cleanups: (() => void)[] = [];
  let input: tf.Tensor | undefined;
  let output: unknown;
  try {
    const hook = ntireHook(ntire);
    for (const m of modules) {
      if (isNtireCounted(m)) {
        const handle = m.registerForwardHook(hook);
        cleanups.push(() => handle.remove());
      }
    }
    if (rows) {
      for (const m of modules) cleanups.push(wrapCall(m, named.get(m) ?? '', rows, ntire, counter));
    }
    model.eval();

    const bytesBefore = tf.memory().numBytes;
    input = tf.zeros(fullShape, 'float32');
    const x = input;
    const forward = (): tf.TensorContainer => {
      counter?.install(backend);
      try {
        return tf.tidy(() => model.call(x) as tf.TensorContainer);
      } finally {
        counter?.uninstall();
      }
    };

    let peakBytes: number | undefined;
    if (opts.memory) {
      const measured = await forwardWithPeak(forward);
      output = measured.output;
      peakBytes = Math.max(measured.peakBytes, tf.memory().numBytes) - bytesBefore;
    } else {
      output = forward();
    }

    const outputShapes = findTensors(output).map((t) => t.shape.slice());
    const perLayer = rows
      ? modules.filter((m) => rows.has(m)).map((m) => rows.get(m) as LayerProfile)
      : undefined;
    return {
      backend,
      inputShape: fullShape,
      outputShape: outputShapes[0] ?? [],
      outputShapes,
      params,
      paramsBytes,
      weightsBytes,
      macs: counter?.total,
      macsByKernel: counter ? { ...counter.byKernel } : undefined,
      ntire: { ...ntire },
      peakBytes,
      perLayer,
    };
  } finally {
    for (const t of findTensors(output)) t.dispose();
    input?.dispose();
    for (const cleanup of cleanups.reverse()) cleanup();
    modules.forEach((m, i) => {
      m.training = training[i];
    });
  }
}

/**
 * Runs `forward` under `tf.profile` and returns its output and the peak of `tf.memory().numBytes`
 * after any kernel. A throwing forward pass is caught inside the profiled function (a throwing
 * query would leave tfjs in profiling mode) and re-thrown afterwards.
 */
async function forwardWithPeak(forward: () => tf.TensorContainer): Promise<{ output: unknown; peakBytes: number }> {
  let failure: { error: unknown } | undefined;
  const query = (): tf.TensorContainer => {
    try {
      return forward();
    } catch (error) {
      failure = { error };
      return [];
    }
  };
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(query);
  } catch (error) {
    // tf.profile takes Math.max(...snapshots), which overflows the stack past ~10⁵ kernels. The
    // forward pass has finished by then; read the result and the snapshots from the engine.
    const state = tf.engine().state;
    if (failure || state.profiling) throw error;
    let peak = -Infinity;
    for (const k of state.activeProfile.kernels) peak = Math.max(peak, k.totalBytesSnapshot);
    return { output: state.activeProfile.result, peakBytes: peak };
  }
  if (failure) throw failure.error;
  return { output: info.result, peakBytes: info.peakBytes };
}

/** Replaces `m.call` by a wrapper that adds each call's inclusive counts to `m`'s row; returns the undo. */
function wrapCall(
  m: Module<any, any>,
  name: string,
  rows: Map<Module<any, any>, LayerProfile>,
  ntire: NtireCounts,
  counter: KernelMacCounter | undefined,
): () => void {
  const target = m as unknown as { call: (...args: unknown[]) => unknown };
  const own = Object.getOwnPropertyDescriptor(target, 'call');
  const original = target.call;
  target.call = (...args: unknown[]): unknown => {
    const macs0 = counter?.total ?? 0;
    const flops0 = ntire.flops;
    const acts0 = ntire.activations;
    const out = original.apply(m, args);
    let row = rows.get(m);
    if (!row) {
      row = {
        name,
        type: m.constructor.name,
        isLeaf: m.children().length === 0,
        calls: 0,
        outputShape: [],
        params: countVariables(m).params,
        macs: counter ? 0 : undefined,
        ntireFlops: 0,
        activations: 0,
      };
      rows.set(m, row);
    }
    row.calls++;
    if (counter) row.macs = (row.macs ?? 0) + counter.total - macs0;
    row.ntireFlops += ntire.flops - flops0;
    row.activations += ntire.activations - acts0;
    row.outputShape = findTensors(out)[0]?.shape.slice() ?? [];
    return out;
  };
  return () => {
    if (own) Object.defineProperty(target, 'call', own);
    else delete (target as { call?: unknown }).call;
  };
}

function countVariables(m: Module<any, any>): { params: number; paramsBytes: number; weightsBytes: number } {
  const seen = new Set<tf.Variable>();
  let params = 0;
  let paramsBytes = 0;
  for (const v of m.parameters()) {
    if (seen.has(v)) continue;
    seen.add(v);
    params += v.size;
    paramsBytes += v.size * bytesPerElement(v.dtype);
  }
  let weightsBytes = paramsBytes;
  for (const [, v] of m.namedBuffers()) {
    if (seen.has(v)) continue;
    seen.add(v);
    weightsBytes += v.size * bytesPerElement(v.dtype);
  }
  return { params, paramsBytes, weightsBytes };
}

function bytesPerElement(dtype: tf.DataType): number {
  invariant(dtype !== 'string', 'model variables are numeric');
  return dtype === 'complex64' ? 8 : dtype === 'bool' ? 1 : 4;
}

/** Every distinct tensor in a value, depth first through arrays and plain objects. */
function findTensors(value: unknown, out: tf.Tensor[] = [], seen = new Set<unknown>()): tf.Tensor[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) findTensors(v, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) findTensors(v, out, seen);
  }
  return out;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(String).join(', ')}]`;
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}
