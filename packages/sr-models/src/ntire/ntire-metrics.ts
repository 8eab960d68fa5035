/**
 * The NTIRE 2022 Efficient SR efficiency figures of a model, measured with `@lab/tensor`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, checkOptions, measureRuntime, profile, type RuntimeResult } from '@lab/tensor';

/** Options of {@link ntireMetrics}; defaults in {@link NTIRE_METRICS_DEFAULTS}. @category NTIRE */
export interface NtireMetricsOptions {
  /** Side of the square LR input the counts (and memory) are measured at. @defaultValue 256 (NTIRE's `input_dim`) */
  lrSize?: number;
  /** Side of the square LR input that is timed. @defaultValue `lrSize` */
  runtimeSize?: number;
  /** Timed forward passes (the median is reported). @defaultValue 5 */
  runs?: number;
  /** Untimed forward passes before the timed ones. @defaultValue 1 (NTIRE used none, but a cold wasm heap would dominate) */
  warmup?: number;
}

/** Defaults of {@link NtireMetricsOptions}. @category NTIRE */
export const NTIRE_METRICS_DEFAULTS = Object.freeze({
  /** Default of {@link NtireMetricsOptions.lrSize}. */
  lrSize: 256,
  /** Default of {@link NtireMetricsOptions.runs}. */
  runs: 5,
  /** Default of {@link NtireMetricsOptions.warmup}. */
  warmup: 1,
} as const);

/** What {@link ntireMetrics} measured. @category NTIRE */
export interface NtireMetricsResult {
  /** Backend that ran the passes (`'wasm'`, `'cpu'`). */
  backend: string;
  /** LR side of the counts. */
  lrSize: number;
  /** Trainable parameters (NTIRE's `#Params`). */
  params: number;
  /** NTIRE FLOPs at `lrSize`² (conv MACs without bias plus activation-module outputs). */
  flops: number;
  /** NTIRE activations at `lrSize`²: output elements of every executed Conv2d. */
  activations: number;
  /** Executed Conv2d calls (NTIRE's `#Conv2d`). */
  convLayers: number;
  /** True multiply-accumulates of one pass at `lrSize`², counted from the executed kernels. */
  macs: number;
  /** Bytes of all model variables. */
  weightsBytes: number;
  /** Peak tensor bytes of one pass at `lrSize`² above the level before the input existed (tfjs). */
  peakBytes: number;
  /** `(weightsBytes + peakBytes) / 2²⁰`: NTIRE's memory figure includes the weights. */
  memoryMiB: number;
  /** Input shape of the timed passes, `[1, runtimeSize, runtimeSize, 3]`. */
  runtimeInputShape: number[];
  /** Statistics of the timed passes. */
  runtime: RuntimeResult;
  /** Median wall-clock time of one pass at `runtimeSize`², ms. */
  runtimeMs: number;
  /** True MACs at `runtimeSize`² (equals `macs` when the sizes agree). */
  runtimeMacs: number;
  /** Achieved throughput, `2 · runtimeMacs / runtimeMs`, in GFLOP/s. */
  gflopsPerSecond: number;
}

/**
 * Measures a super-resolution model the way the NTIRE 2022 Efficient SR challenge reports it:
 * parameters, FLOPs, activations and convolution count of one pass on a `1×lrSize×lrSize×3` input
 * (NTIRE's `model_summary.py` rules, quirks included, via `profile`), peak memory with the
 * weights, and the median runtime of `runs` passes after `warmup`.
 *
 * Counts come from one profiled forward pass on zeros; the timed passes use a fixed
 * pseudo-random input in [0, 1). Achieved GFLOP/s counts two floating-point operations per true
 * multiply-accumulate. The model's training flags are left as they were.
 * @param model - an NHWC RGB network taking `[1, h, w, 3]`
 * @param options - see {@link NtireMetricsOptions}
 * @returns the figures; holds no tensors (tensor count unchanged)
 * @throws InvalidValueError for a non-module or disposed model, a bad or unknown option, or a size
 *   below the model's `minInputSize` (15 for the ESA networks); whatever the model's forward pass throws
 * @see arXiv 2205.05675; ofsoundof/NTIRE2022_ESR `test_demo.py`, `utils/model_summary.py`
 * @example
 * ```ts
 * const m = await ntireMetrics(createModel('rlfn'), { runtimeSize: 128, runs: 3 });
 * formatCount(m.flops); // '19.70 G'
 * ```
 * @category NTIRE
 */
export async function ntireMetrics(model: Module<[tf.Tensor], any>, options: NtireMetricsOptions = {}): Promise<NtireMetricsResult> {
  const fn = 'ntireMetrics';
  checkOptions(fn, options, ['lrSize', 'runtimeSize', 'runs', 'warmup']);
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${typeof model}`);
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model must not be disposed`);
  const lrSize = options.lrSize ?? NTIRE_METRICS_DEFAULTS.lrSize;
  const runtimeSize = options.runtimeSize ?? lrSize;
  const runs = options.runs ?? NTIRE_METRICS_DEFAULTS.runs;
  const warmup = options.warmup ?? NTIRE_METRICS_DEFAULTS.warmup;
  checkInt(fn, 'lrSize', lrSize, 1);
  checkInt(fn, 'runtimeSize', runtimeSize, 1);
  checkInt(fn, 'runs', runs, 1);
  checkInt(fn, 'warmup', warmup, 0);
  const minSize = (model as { minInputSize?: unknown }).minInputSize;
  if (typeof minSize === 'number' && Math.min(lrSize, runtimeSize) < minSize) {
    throw new InvalidValueError(
      `${fn}: lrSize and runtimeSize must be at least the model's minInputSize ${minSize}, got ${lrSize} and ${runtimeSize}`,
    );
  }

  const counts = await profile(model, [lrSize, lrSize, 3], { trueMacs: true, memory: true });
  const runtimeMacs =
    runtimeSize === lrSize ? counts.macs! : (await profile(model, [runtimeSize, runtimeSize, 3], { trueMacs: true, memory: false })).macs!;

  const modules = model.modules();
  const training = modules.map((m) => m.training);
  const runtimeInputShape = [1, runtimeSize, runtimeSize, 3];
  const x = tf.randomUniform(runtimeInputShape, 0, 1, 'float32', 2022);
  let runtime: RuntimeResult;
  try {
    model.eval();
    runtime = await measureRuntime(() => tf.tidy(() => model.call(x) as tf.Tensor), { warmup, runs });
  } finally {
    x.dispose();
    modules.forEach((m, i) => {
      m.training = training[i];
    });
  }
  const weightsBytes = counts.weightsBytes;
  const peakBytes = counts.peakBytes!;
  return {
    backend: counts.backend,
    lrSize,
    params: counts.params,
    flops: counts.ntire.flops,
    activations: counts.ntire.activations,
    convLayers: counts.ntire.convLayers,
    macs: counts.macs!,
    weightsBytes,
    peakBytes,
    memoryMiB: (weightsBytes + peakBytes) / 2 ** 20,
    runtimeInputShape,
    runtime,
    runtimeMs: runtime.medianMs,
    runtimeMacs,
    gflopsPerSecond: (2 * runtimeMacs) / (runtime.medianMs * 1e6),
  };
}

function checkInt(fn: string, arg: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidValueError(`${fn}: ${arg} must be an integer >= ${min}, got ${String(v)}`);
  }
}
