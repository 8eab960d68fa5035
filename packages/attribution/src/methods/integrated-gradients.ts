/**
 * Integrated Gradients (Sundararajan, Taly & Yan 2017).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import {
  checkBoolOption,
  checkIntOption,
  checkModel,
  checkSeed,
  checkTarget,
  gatherRows,
  rowColumn,
  sumPerRow,
  sumRowsPerSample,
  sumRowsPerSampleAsync,
  targetForRows,
  targetGradients,
  targetScores,
} from '../core/gradients';
import { type QuadratureRule, QUADRATURE_RULES, quadrature } from '../core/quadrature';
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
import { type AttributionWorkers, checkWorkers, prefetch } from '../parallel/attribution-workers';

/** Settings of {@link IntegratedGradients} (fixed per method object). @category Methods */
export interface IntegratedGradientsConfig {
  /** Number of quadrature nodes on the path. @defaultValue 50 (Captum `n_steps`) */
  steps?: number;
  /** Quadrature rule. @defaultValue `'gauss-legendre'` (Captum `method='gausslegendre'`) */
  rule?: QuadratureRule;
  /**
   * Multiply the path integral by `(x − b)` ("global" attribution, Captum's default). When false
   * the bare averaged gradient is returned and no `delta` is computed.
   * @defaultValue true
   */
  multiplyByInputs?: boolean;
}

/** Per-call options of {@link IntegratedGradients.attribute}. @category Methods */
export interface IntegratedGradientsOptions extends AttributionOptions {
  /** The path's start `b`, in the model's input space. @defaultValue 0 */
  baselines?: Baseline;
  /**
   * Evaluate the path's gradient chunks (`batchSize` rows each) on these workers, which hold a
   * copy of `model` ({@link createAttributionWorkers}). The chunks and their summation order are
   * those of the single-thread path, so the result is bit-identical. `target` must then be a
   * class index or a list of them (not a function).
   * @defaultValue undefined (this thread)
   */
  workers?: AttributionWorkers;
}

/**
 * Defaults of {@link IntegratedGradients}: `steps`, `rule` and `multiplyByInputs` are Captum's
 * (`n_steps=50`, `method='gausslegendre'`, `multiply_by_inputs=True`); `batchSize` (rows of
 * `steps × samples` per forward/backward pass, Captum's `internal_batch_size`) is this package's.
 * @category Methods
 */
export const INTEGRATED_GRADIENTS_DEFAULTS = Object.freeze({
  /** Default of {@link IntegratedGradientsConfig.steps}. */
  steps: 50,
  /** Default of {@link IntegratedGradientsConfig.rule}. */
  rule: 'gauss-legendre' as QuadratureRule,
  /** Default of {@link IntegratedGradientsConfig.multiplyByInputs}. */
  multiplyByInputs: true,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Integrated Gradients: the path integral of the gradient from a baseline to the input.
 *
 * `IG_i(x) = (x_i − b_i) ∫₀¹ ∂f_c(b + α(x − b))/∂x_i dα ≈ (x_i − b_i) Σ_k w_k ∂f_c(b + α_k(x − b))/∂x_i`
 * with the nodes and weights of {@link quadrature} (`Σ w_k = 1`). Satisfies completeness:
 * `Σ_i IG_i = f_c(x) − f_c(b)` up to the quadrature error, reported per sample as
 * `delta = Σ_i IG_i − (f_c(x) − f_c(b))`. The `steps × N` path points are evaluated in chunks of
 * `batchSize` rows and accumulated, so memory does not grow with `steps`.
 * @see arXiv 1703.01365; Captum `IntegratedGradients`
 * @example
 * ```ts
 * const ig = new IntegratedGradients({ steps: 64 });
 * const { attributions, delta } = await ig.attribute(model, images, { target: 3, baselines: 0 });
 * // attributions: images' shape; delta: [N]; caller disposes both
 * ```
 * @category Methods
 */
export class IntegratedGradients implements AttributionMethod<IntegratedGradientsOptions> {
  readonly name = 'integrated-gradients';
  readonly signed = true;
  /** Number of quadrature nodes. */
  readonly steps: number;
  /** Quadrature rule. */
  readonly rule: QuadratureRule;
  /** Whether attributions are multiplied by `x − b`. */
  readonly multiplyByInputs: boolean;

  /**
   * @param config - see {@link IntegratedGradientsConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown key, a bad `steps` or an unknown `rule`.
   */
  constructor(config: IntegratedGradientsConfig = {}) {
    const fn = 'IntegratedGradients';
    checkOptions(fn, config, ['steps', 'rule', 'multiplyByInputs']);
    this.steps = checkIntOption(fn, 'steps', config.steps ?? INTEGRATED_GRADIENTS_DEFAULTS.steps, 1);
    const rule = config.rule ?? INTEGRATED_GRADIENTS_DEFAULTS.rule;
    if (!QUADRATURE_RULES.includes(rule)) {
      throw new InvalidValueError(`${fn}: rule must be one of ${QUADRATURE_RULES.join(', ')}, got ${String(rule)}`);
    }
    if (rule === 'riemann-trapezoid' && this.steps < 2) {
      throw new InvalidValueError(`${fn}: steps must be >= 2 for riemann-trapezoid, got ${this.steps}`);
    }
    this.rule = rule;
    this.multiplyByInputs = checkBoolOption(fn, 'multiplyByInputs', config.multiplyByInputs ?? INTEGRATED_GRADIENTS_DEFAULTS.multiplyByInputs);
  }

  /**
   * Attributes `f_c` to the input features along the straight path from the baseline.
   * @param model - the model
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - see {@link IntegratedGradientsOptions}
   * @returns attributions of the input's shape and `delta` `[N]` (when `multiplyByInputs`); the caller disposes them
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad input, target, baseline or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: IntegratedGradientsOptions = {}): Promise<AttributionResult> {
    const fn = 'IntegratedGradients.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'batchSize', 'seed', 'workers']);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    const n = input.shape[0];
    checkTarget(fn, options.target, n);
    const workers = checkWorkers(fn, options.workers, options.target);
    const batchSize = checkBatchSize(fn, options.batchSize, INTEGRATED_GRADIENTS_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    const { alphas, weights } = quadrature(this.rule, this.steps);
    const steps = this.steps;
    const rows = n * steps;
    const sampleOfRow = new Int32Array(rows);
    for (let r = 0; r < rows; r++) sampleOfRow[r] = Math.floor(r / steps);
    const baseline = resolveBaseline(options.baselines, input, fn);
    const owned: tf.Tensor[] = [baseline];
    try {
      const points = (start: number, end: number) =>
        tf.tidy(() => {
          const idx = sampleOfRow.subarray(start, end);
          const a = Array.from({ length: end - start }, (_, j) => alphas[(start + j) % steps]);
          const xs = gatherRows(input, idx);
          const bs = gatherRows(baseline, idx);
          return tf.add(bs, tf.mul(rowColumn(a, input.rank), tf.sub(xs, bs)));
        });
      const weigh = (start: number, end: number, grads: tf.Tensor) => {
        const w = Array.from({ length: end - start }, (_, j) => weights[(start + j) % steps]);
        const weighted = tf.tidy(() => tf.mul(grads, rowColumn(w, input.rank)));
        grads.dispose();
        return [weighted];
      };
      let integral: tf.Tensor;
      if (workers === undefined) {
        [integral] = sumRowsPerSample(rows, n, sampleOfRow, batchSize, (start, end) => {
          const x = points(start, end);
          try {
            const { grads, scores } = targetGradients(model, x, targetForRows(options.target, sampleOfRow.subarray(start, end)), fn);
            scores.dispose();
            return weigh(start, end, grads);
          } finally {
            x.dispose();
          }
        });
      } else {
        // Same chunks, gradients computed by the workers, summed here in the same order.
        const chunk = (k: number) => [k * batchSize, Math.min(rows, (k + 1) * batchSize)] as const;
        const ahead = prefetch(Math.ceil(rows / batchSize), 2 * workers.size, async (k) => {
          const [start, end] = chunk(k);
          const x = points(start, end);
          try {
            const [r] = await workers.gradients([x], [targetForRows(options.target, sampleOfRow.subarray(start, end))], fn);
            return r;
          } finally {
            x.dispose();
          }
        });
        try {
          [integral] = await sumRowsPerSampleAsync(rows, n, sampleOfRow, batchSize, async (start, end) => {
            const { grads, scores } = await ahead.take(Math.floor(start / batchSize));
            scores.dispose();
            return weigh(start, end, grads);
          });
        } finally {
          await ahead.discard((r) => tf.dispose([r.grads, r.scores]));
        }
      }
      owned.push(integral);
      if (!this.multiplyByInputs) {
        owned.pop();
        return { attributions: integral };
      }
      const attributions = tf.tidy(() => tf.mul(tf.sub(input, baseline), integral));
      owned.push(attributions);
      const fx = targetScores(model, input, options.target, batchSize, fn);
      owned.push(fx);
      const fb = targetScores(model, baseline, options.target, batchSize, fn);
      owned.push(fb);
      const delta = tf.tidy(() => tf.sub(sumPerRow(attributions), tf.sub(fx, fb)) as tf.Tensor1D);
      owned.splice(owned.indexOf(attributions), 1);
      return { attributions, delta };
    } finally {
      tf.dispose(owned);
    }
  }
}
