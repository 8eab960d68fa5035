import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  type Baseline,
  checkAttributionInput,
  checkBatchSize,
  resolveBaseline,
} from '../core/types';
import { checkSeed, checkTarget, evaluateBlends, evaluateRows, sampleSize } from '../core/perturbation';
import { type AttributionWorkers, checkWorkers } from '../parallel/attribution-workers';

/**
 * Settings of {@link Occlusion} (fixed per method object).
 * @category Perturbation
 */
export interface OcclusionConfig {
  /**
   * Window size along the leading axes of one sample (`[h, w]` for an NHWC image `[H, W, C]`,
   * `[k]` for tabular `[F]`). Axes not given are covered entirely (a `[h, w]` window spans all channels).
   * Required, as in Captum (`sliding_window_shapes`).
   */
  window: readonly number[];
  /**
   * Step between windows: one number for every windowed axis, or one per axis of `window`.
   * @defaultValue 1 (Captum `strides=None`)
   */
  stride?: number | readonly number[];
}

/**
 * Per-call options of {@link Occlusion}.
 * @category Perturbation
 */
export interface OcclusionOptions extends AttributionOptions {
  /** What replaces an occluded window, see {@link Baseline}. @defaultValue 0 */
  baselines?: Baseline;
  /**
   * Evaluate the occluded batches (`batchSize` windows each) on these workers, which hold a copy
   * of `model` ({@link createAttributionWorkers}); the scores are selected and summed here as on
   * the single-thread path, so the result is bit-identical. `target` must not be a function.
   * @defaultValue undefined (this thread)
   */
  workers?: AttributionWorkers;
}

/**
 * Defaults of {@link Occlusion}: stride 1 (Captum `Occlusion.attribute`, `strides=None`); batchSize 32
 * (package default; Captum's `perturbations_per_eval=1` — results do not depend on it).
 * @category Perturbation
 */
export const OCCLUSION_DEFAULTS = Object.freeze({
  /** Default of {@link OcclusionConfig.stride}. */
  stride: 1,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Occlusion: the output drop when a sliding window is replaced by the baseline, averaged over the
 * windows that contain each feature.
 *
 * For windows `W_1..W_K` (every position of the window at the given stride),
 * `φ_i = (1/|{k : i ∈ W_k}|) · Σ_{k : i ∈ W_k} [f(x) − f(x with W_k ← b)]`; features no window
 * covers (a stride that leaves a remainder) get 0. With a window of one feature this is 1-feature
 * occlusion, `φ_i = f(x) − f(x_{i←b_i})`. The averaging follows Captum (pytorch/captum PR #187).
 * The method object holds `window` and `stride`; `target`, `baselines` and `batchSize` are per call.
 * @see arXiv:1311.2901 (Zeiler & Fergus, occlusion); reference implementation: Captum `Occlusion`.
 * @example
 * ```ts
 * const occ = new Occlusion({ window: [4, 4], stride: [2, 2] });
 * const { attributions } = await occ.attribute(model, images, { target: 3, baselines: 0 });
 * attributions.dispose();
 * ```
 * @category Perturbation
 */
export class Occlusion implements AttributionMethod<OcclusionOptions> {
  readonly name = 'occlusion';
  readonly signed = true;
  /** Window size (leading sample axes). */
  readonly window: readonly number[];
  /** Stride per windowed axis. */
  readonly stride: readonly number[];

  /**
   * @param config - window and stride, see {@link OcclusionConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for unknown keys, non-positive sizes or a stride list of the wrong length.
   */
  constructor(config: OcclusionConfig) {
    const fn = 'Occlusion';
    checkOptions(fn, config, ['window', 'stride']);
    if (config === undefined || !Array.isArray(config.window) || config.window.length === 0) {
      throw new InvalidValueError(`${fn}: window must be a non-empty array of positive integers, got ${String(config?.window)}`);
    }
    for (const v of config.window) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidValueError(`${fn}: window must hold positive integers, got [${config.window}]`);
    }
    const s = config.stride ?? OCCLUSION_DEFAULTS.stride;
    const stride = typeof s === 'number' ? new Array<number>(config.window.length).fill(s) : [...s];
    if (stride.length !== config.window.length) {
      throw new InvalidValueError(`${fn}: stride must have ${config.window.length} entries (one per window axis), got [${stride}]`);
    }
    for (const v of stride) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidValueError(`${fn}: stride must hold positive integers, got [${stride}]`);
    }
    this.window = Object.freeze([...config.window]);
    this.stride = Object.freeze(stride);
  }

  /**
   * Attributes the target score of each sample by occluding windows.
   * @param model - the model to explain
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - target, baselines, batchSize (seed is accepted and unused: the method is deterministic)
   * @returns attributions `[N, …]` (caller disposes)
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when the window is larger than the input or has more axes than a sample;
   *   {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: OcclusionOptions = {}): Promise<AttributionResult> {
    const fn = 'Occlusion.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'batchSize', 'seed', 'workers']);
    checkAttributionInput(fn, input);
    const batchSize = checkBatchSize(fn, options.batchSize, OCCLUSION_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    const n = input.shape[0];
    checkTarget(fn, options.target, n);
    const workers = checkWorkers(fn, options.workers, options.target);
    const sampleShape = input.shape.slice(1);
    if (this.window.length > sampleShape.length) {
      throw new ShapeError(`${fn}: window has ${this.window.length} axes but one sample has shape [${sampleShape}]`);
    }
    const win = sampleShape.map((s, a) => (a < this.window.length ? this.window[a] : s));
    const str = sampleShape.map((_, a) => (a < this.stride.length ? this.stride[a] : 1));
    win.forEach((w, a) => {
      if (w > sampleShape[a]) throw new ShapeError(`${fn}: window [${this.window}] must fit one sample [${sampleShape}]`);
    });
    const positions = sampleShape.map((s, a) => Math.floor((s - win[a]) / str[a]) + 1);
    const numWindows = positions.reduce((p, c) => p * c, 1);
    const d = sampleSize(input.shape);
    const strides = new Array<number>(sampleShape.length).fill(1);
    for (let a = sampleShape.length - 2; a >= 0; a--) strides[a] = strides[a + 1] * sampleShape[a + 1];
    // Element lists of every window (windows are small; enumerated once per call).
    const windowElements = (k: number): number[] => {
      const start: number[] = [];
      let rem = k;
      for (let a = sampleShape.length - 1; a >= 0; a--) {
        start[a] = (rem % positions[a]) * str[a];
        rem = Math.floor(rem / positions[a]);
      }
      let elems = [0];
      for (let a = 0; a < sampleShape.length; a++) {
        const next: number[] = [];
        for (const e of elems) for (let o = 0; o < win[a]; o++) next.push(e + (start[a] + o) * strides[a]);
        elems = next;
      }
      return elems;
    };
    const coverage = new Float64Array(d);
    for (let k = 0; k < numWindows; k++) for (const e of windowElements(k)) coverage[e] += 1;

    const baseline = resolveBaseline(options.baselines, input, fn);
    const out = new Float32Array(n * d);
    try {
      const full = await evaluateRows(model, input, batchSize, options.target, fn, workers);
      for (let i = 0; i < n; i++) {
        const xi = tf.slice(input, i, 1);
        const bi = tf.slice(baseline, i, 1);
        try {
          const scores = await evaluateBlends(model, xi, bi, numWindows, batchSize, options.target, i, (k, keep) => {
            keep.fill(1);
            for (const e of windowElements(k)) keep[e] = 0;
          }, fn, workers);
          const total = new Float64Array(d);
          for (let k = 0; k < numWindows; k++) {
            const drop = full[i] - scores[k];
            for (const e of windowElements(k)) total[e] += drop;
          }
          for (let e = 0; e < d; e++) out[i * d + e] = coverage[e] > 0 ? total[e] / coverage[e] : 0;
        } finally {
          xi.dispose();
          bi.dispose();
        }
      }
    } finally {
      baseline.dispose();
    }
    return { attributions: tf.tensor(out, input.shape, 'float32') };
  }
}
