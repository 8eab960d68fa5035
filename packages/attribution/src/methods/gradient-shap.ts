/**
 * GradientSHAP (Lundberg & Lee 2017; Captum's expected-gradients estimator).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, ShapeError, checkOptions } from '@lab/tensor';
import {
  checkBoolOption,
  checkIntOption,
  checkModel,
  checkNumberOption,
  checkSeed,
  checkTarget,
  gatherRows,
  rowColumn,
  sumPerRow,
  sumRowsPerSample,
  targetForRows,
  targetGradients,
} from '../core/gradients';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
  runModel,
  selectTarget,
} from '../core/types';

/**
 * Draws `count` baselines `[count, …sample shape]` with the given generator (the caller of the
 * sampler disposes the result). Called once per chunk, in row order, so a sampler that draws
 * row by row gives results independent of `batchSize`.
 * @category Methods
 */
export type BaselineSampler = (count: number, rng: Rng) => tf.Tensor;

/**
 * A baseline distribution: a number (one constant baseline), one sample `[…]`, several baselines
 * `[B, …]` drawn uniformly, or a {@link BaselineSampler}.
 * @category Methods
 */
export type BaselineDistribution = number | tf.Tensor | BaselineSampler;

/** Settings of {@link GradientShap}. @category Methods */
export interface GradientShapConfig {
  /** Random draws `(b, α, ε)` per input. @defaultValue 5 (Captum `n_samples`) */
  samples?: number;
  /** Standard deviation of Gaussian noise added to the input, absolute. @defaultValue 0 (Captum `stdevs`) */
  stdev?: number;
  /** Multiply by `(x̃ − b)` (Captum's `multiply_by_inputs`); when false no `delta` is computed. @defaultValue true */
  multiplyByInputs?: boolean;
}

/** Per-call options of {@link GradientShap.attribute}. @category Methods */
export interface GradientShapOptions extends AttributionOptions {
  /** The baseline distribution. @defaultValue 0 (a single zero baseline) */
  baselines?: BaselineDistribution;
}

/**
 * Defaults of {@link GradientShap}: Captum's `n_samples=5`, `stdevs=0.0`, `multiply_by_inputs=True`;
 * `batchSize` (draws per forward/backward pass; Captum has none, captum#1350) is this package's.
 * @category Methods
 */
export const GRADIENT_SHAP_DEFAULTS = Object.freeze({
  /** Default of {@link GradientShapConfig.samples}. */
  samples: 5,
  /** Default of {@link GradientShapConfig.stdev}. */
  stdev: 0,
  /** Default of {@link GradientShapConfig.multiplyByInputs}. */
  multiplyByInputs: true,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/** Resolved baseline distribution: a `[B, …]` tensor or a sampler. */
type Resolved = { kind: 'tensor'; baselines: tf.Tensor } | { kind: 'sampler'; sampler: BaselineSampler };

/**
 * GradientSHAP: the expected gradient times the input–baseline difference over random baselines
 * and path points.
 *
 * For each input `x` and `k = 1…S`: draw `b_k` from the baseline distribution, `α_k ~ U(0, 1)` and
 * `ε_k ~ N(0, σ²)`; with `x̃_k = x + ε_k`, `φ = (1/S) Σ_k (x̃_k − b_k) ⊙ ∂f_c(b_k + α_k(x̃_k − b_k))/∂x`.
 * Its expectation satisfies completeness against `E[f(b)]`; the Monte-Carlo gap is reported as
 * `delta = Σφ − (1/S) Σ_k (f_c(x̃_k) − f_c(b_k))`. The `S × N` draws are evaluated in chunks of
 * `batchSize` rows (Captum stacks all of them at once and runs out of memory, captum#1350); every
 * draw comes from `Rng(seed)` in a fixed order, so results do not depend on `batchSize`.
 * @see arXiv 1705.07874 (SHAP); Captum `GradientShap`
 * @example
 * ```ts
 * const gs = new GradientShap({ samples: 20 });
 * const { attributions, delta } = await gs.attribute(model, images, { target: 3, baselines: references, seed: 1 });
 * // references: [B, H, W, C]; attributions: images' shape; caller disposes both
 * ```
 * @category Methods
 */
export class GradientShap implements AttributionMethod<GradientShapOptions> {
  readonly name = 'gradient-shap';
  readonly signed = true;
  /** Draws per input. */
  readonly samples: number;
  /** Input noise standard deviation. */
  readonly stdev: number;
  /** Whether attributions are multiplied by `x̃ − b`. */
  readonly multiplyByInputs: boolean;

  /**
   * @param config - see {@link GradientShapConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown key, `samples < 1` or `stdev < 0`.
   */
  constructor(config: GradientShapConfig = {}) {
    const fn = 'GradientShap';
    checkOptions(fn, config, ['samples', 'stdev', 'multiplyByInputs']);
    this.samples = checkIntOption(fn, 'samples', config.samples ?? GRADIENT_SHAP_DEFAULTS.samples, 1);
    this.stdev = checkNumberOption(fn, 'stdev', config.stdev ?? GRADIENT_SHAP_DEFAULTS.stdev, 0);
    this.multiplyByInputs = checkBoolOption(fn, 'multiplyByInputs', config.multiplyByInputs ?? GRADIENT_SHAP_DEFAULTS.multiplyByInputs);
  }

  /**
   * Estimates GradientSHAP attributions.
   * @param model - the model
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - see {@link GradientShapOptions}
   * @returns attributions of the input's shape and `delta` `[N]` (when `multiplyByInputs`); the caller disposes them
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for baselines of the wrong shape; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad
   * input, target or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: GradientShapOptions = {}): Promise<AttributionResult> {
    const fn = 'GradientShap.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'batchSize', 'seed']);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    const n = input.shape[0];
    checkTarget(fn, options.target, n);
    const batchSize = checkBatchSize(fn, options.batchSize, GRADIENT_SHAP_DEFAULTS.batchSize);
    const rng = new Rng(checkSeed(fn, options.seed));
    const pickRng = rng.fork();
    const alphaRng = rng.fork();
    const noiseRng = rng.fork();
    const samplerRng = rng.fork();
    const resolved = resolveDistribution(fn, options.baselines, input);
    const samples = this.samples;
    const rows = n * samples;
    const sampleOfRow = new Int32Array(rows);
    for (let r = 0; r < rows; r++) sampleOfRow[r] = Math.floor(r / samples);
    const alphas = alphaRng.uniform(rows);
    const picks = resolved.kind === 'tensor' ? pickIndices(pickRng, rows, resolved.baselines.shape[0]) : undefined;
    const sampleShape = input.shape.slice(1);
    try {
      const [sum, gap] = sumRowsPerSample(rows, n, sampleOfRow, batchSize, (start, end) => {
        const m = end - start;
        const idx = sampleOfRow.subarray(start, end);
        const target = targetForRows(options.target, idx);
        const xs = tf.tidy(() => {
          const x = gatherRows(input, idx);
          return this.stdev > 0 ? tf.add(x, noiseRng.normalTensor([m, ...sampleShape], 0, this.stdev)) : x;
        });
        let bs: tf.Tensor | undefined;
        try {
          bs =
            resolved.kind === 'tensor'
              ? gatherRows(resolved.baselines, (picks as Int32Array).subarray(start, end))
              : drawFromSampler(fn, resolved.sampler, m, samplerRng, sampleShape);
          const b = bs;
          const points = tf.tidy(() => tf.add(b, tf.mul(rowColumn(alphas.subarray(start, end), input.rank), tf.sub(xs, b))));
          let g;
          try {
            g = targetGradients(model, points, target, fn);
          } finally {
            points.dispose();
          }
          g.scores.dispose();
          const terms = tf.tidy(() => {
            const a = tf.div(this.multiplyByInputs ? tf.mul(tf.sub(xs, b), g.grads) : g.grads, samples);
            if (!this.multiplyByInputs) return [a];
            const fx = selectTarget(runModel(model, xs), target, fn);
            const fb = selectTarget(runModel(model, b), target, fn);
            return [a, tf.div(tf.sub(fx, fb), samples)];
          });
          g.grads.dispose();
          return terms;
        } finally {
          tf.dispose([xs, bs as tf.Tensor]);
        }
      });
      if (!this.multiplyByInputs) return { attributions: sum };
      const delta = tf.tidy(() => tf.sub(sumPerRow(sum), gap) as tf.Tensor1D);
      gap.dispose();
      return { attributions: sum, delta };
    } finally {
      if (resolved.kind === 'tensor') resolved.baselines.dispose();
    }
  }
}

function pickIndices(rng: Rng, rows: number, count: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = count === 1 ? 0 : rng.int(0, count);
  return out;
}

/** Resolves the baseline distribution to a `[B, …]` tensor (owned here) or a sampler. */
function resolveDistribution(fn: string, baselines: BaselineDistribution | undefined, x: tf.Tensor): Resolved {
  const sampleShape = x.shape.slice(1);
  if (baselines === undefined) return { kind: 'tensor', baselines: tf.zeros([1, ...sampleShape]) };
  if (typeof baselines === 'number') {
    if (!Number.isFinite(baselines)) throw new InvalidValueError(`${fn}: baselines must be finite, got ${baselines}`);
    return { kind: 'tensor', baselines: tf.fill([1, ...sampleShape], baselines) };
  }
  if (typeof baselines === 'function') return { kind: 'sampler', sampler: baselines };
  if (!(baselines instanceof tf.Tensor)) {
    throw new InvalidValueError(`${fn}: baselines must be a number, a tensor or a sampler function, got ${typeof baselines}`);
  }
  const same = (s: readonly number[]) => s.length === sampleShape.length && s.every((d, i) => d === sampleShape[i]);
  if (baselines.rank === x.rank - 1 && same(baselines.shape)) {
    return { kind: 'tensor', baselines: tf.reshape(baselines, [1, ...sampleShape]) };
  }
  if (baselines.rank === x.rank && baselines.shape[0] >= 1 && same(baselines.shape.slice(1))) {
    return { kind: 'tensor', baselines: tf.clone(baselines) };
  }
  throw new ShapeError(`${fn}: baselines must have shape [B, ${sampleShape}] or [${sampleShape}], got [${baselines.shape}]`);
}

function drawFromSampler(fn: string, sampler: BaselineSampler, m: number, rng: Rng, sampleShape: number[]): tf.Tensor {
  const b = sampler(m, rng);
  if (!(b instanceof tf.Tensor) || b.rank !== sampleShape.length + 1 || b.shape[0] !== m || b.shape.slice(1).some((d, i) => d !== sampleShape[i])) {
    if (b instanceof tf.Tensor) b.dispose();
    throw new ShapeError(`${fn}: the baseline sampler must return a tensor of shape [${m}, ${sampleShape}]`);
  }
  return b;
}
