/**
 * DeepSHAP: DeepLIFT (Rescale) averaged over a baseline distribution (Lundberg & Lee 2017).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import {
  checkBoolOption,
  checkModel,
  checkNumberOption,
  checkSeed,
  checkTarget,
  gatherRows,
  sumPerRow,
  sumRowsPerSample,
  targetForRows,
} from '../core/gradients';
import { overrideGradients } from '../core/overrides';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
} from '../core/types';
import { DEEP_LIFT_DEFAULTS } from './deep-lift';

/** Settings of {@link DeepLiftShap}: those of {@link DeepLift}. @category Methods */
export interface DeepLiftShapConfig {
  /** Multiply the multipliers by `(x − b_j)`; when false no `delta` is computed. @defaultValue true (Captum) */
  multiplyByInputs?: boolean;
  /** Gradient-fallback threshold on `|z − z_b|`. @defaultValue 1e-10 (Captum, spec §2) */
  eps?: number;
}

/** Per-call options of {@link DeepLiftShap.attribute}. @category Methods */
export interface DeepLiftShapOptions extends AttributionOptions {
  /**
   * The baseline distribution: several baselines `[B, …]` (all are used), one sample `[…]` or a
   * number (then DeepSHAP is DeepLIFT).
   * @defaultValue 0
   */
  baselines?: number | tf.Tensor;
}

/**
 * Defaults of {@link DeepLiftShap}: those of DeepLIFT (Captum's `multiply_by_inputs=True`,
 * `eps=1e-10`); `batchSize` (input/baseline pairs per pass) is this package's.
 * @category Methods
 */
export const DEEP_LIFT_SHAP_DEFAULTS = Object.freeze({ ...DEEP_LIFT_DEFAULTS });

/**
 * DeepSHAP: the mean of DeepLIFT (Rescale) attributions over every baseline of a distribution.
 *
 * `φ(x) = (1/B) Σ_j DeepLIFT(x; b_j)`, hence `Σφ = f_c(x) − (1/B) Σ_j f_c(b_j)` exactly on networks
 * whose nonlinearities are all overridable modules; `delta` reports the gap. The `N × B`
 * input/baseline pairs are evaluated in chunks of `batchSize` (Captum stacks them all). Model
 * requirements and errors are those of {@link DeepLift}.
 * @see arXiv 1705.07874 (SHAP), arXiv 1704.02685 (DeepLIFT); Captum `DeepLiftShap`
 * @example
 * ```ts
 * const { attributions, delta } = await new DeepLiftShap().attribute(model, images, { target: 3, baselines: references });
 * // references: [B, H, W, C]; attributions: images' shape; caller disposes both
 * ```
 * @category Methods
 */
export class DeepLiftShap implements AttributionMethod<DeepLiftShapOptions> {
  readonly name = 'deep-lift-shap';
  readonly signed = true;
  /** Whether attributions are multiplied by `x − b_j`. */
  readonly multiplyByInputs: boolean;
  /** Gradient-fallback threshold on `|z − z_b|`. */
  readonly eps: number;

  /**
   * @param config - see {@link DeepLiftShapConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown key or a bad value.
   */
  constructor(config: DeepLiftShapConfig = {}) {
    checkOptions('DeepLiftShap', config, ['multiplyByInputs', 'eps']);
    this.multiplyByInputs = checkBoolOption('DeepLiftShap', 'multiplyByInputs', config.multiplyByInputs ?? DEEP_LIFT_SHAP_DEFAULTS.multiplyByInputs);
    this.eps = checkNumberOption('DeepLiftShap', 'eps', config.eps ?? DEEP_LIFT_SHAP_DEFAULTS.eps, 0);
  }

  /**
   * Averages DeepLIFT over the baseline distribution.
   * @param model - a Module in evaluation mode
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - see {@link DeepLiftShapOptions}
   * @returns attributions of the input's shape and `delta` `[N]` (when `multiplyByInputs`); the caller disposes them
   * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} as {@link DeepLift}; {@link "@lab/tensor"!ShapeError | ShapeError} for mis-shaped baselines;
   * {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad input, target or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: DeepLiftShapOptions = {}): Promise<AttributionResult> {
    const fn = 'DeepLiftShap.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'batchSize', 'seed']);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    const n = input.shape[0];
    checkTarget(fn, options.target, n);
    const batchSize = checkBatchSize(fn, options.batchSize, DEEP_LIFT_SHAP_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    const dist = resolveDistribution(fn, options.baselines, input);
    try {
      const count = dist.shape[0];
      const rows = n * count;
      const sampleOfRow = new Int32Array(rows);
      const baselineOfRow = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        sampleOfRow[r] = Math.floor(r / count);
        baselineOfRow[r] = r % count;
      }
      const [sum, gap] = sumRowsPerSample(rows, n, sampleOfRow, batchSize, (start, end) => {
        const idx = sampleOfRow.subarray(start, end);
        const xs = gatherRows(input, idx);
        const bs = gatherRows(dist, baselineOfRow.subarray(start, end));
        try {
          const g = overrideGradients(model, 'deeplift-rescale', xs, bs, targetForRows(options.target, idx), fn, this.eps);
          try {
            return tf.tidy(() => {
              const a = tf.div(this.multiplyByInputs ? tf.mul(tf.sub(xs, bs), g.grads) : g.grads, count);
              return [a, tf.div(tf.sub(g.scores, g.referenceScores as tf.Tensor), count)];
            });
          } finally {
            tf.dispose([g.grads, g.scores, g.referenceScores as tf.Tensor]);
          }
        } finally {
          tf.dispose([xs, bs]);
        }
      });
      if (!this.multiplyByInputs) {
        gap.dispose();
        return { attributions: sum };
      }
      const delta = tf.tidy(() => tf.sub(sumPerRow(sum), gap) as tf.Tensor1D);
      gap.dispose();
      return { attributions: sum, delta };
    } finally {
      dist.dispose();
    }
  }
}

/** Resolves the baselines to a `[B, …]` tensor owned by the caller. */
function resolveDistribution(fn: string, baselines: number | tf.Tensor | undefined, x: tf.Tensor): tf.Tensor {
  const sampleShape = x.shape.slice(1);
  if (baselines === undefined) return tf.zeros([1, ...sampleShape]);
  if (typeof baselines === 'number') {
    if (!Number.isFinite(baselines)) throw new InvalidValueError(`${fn}: baselines must be finite, got ${baselines}`);
    return tf.fill([1, ...sampleShape], baselines);
  }
  if (!(baselines instanceof tf.Tensor)) throw new InvalidValueError(`${fn}: baselines must be a number or a tensor, got ${typeof baselines}`);
  const same = (s: readonly number[]) => s.length === sampleShape.length && s.every((d, i) => d === sampleShape[i]);
  if (baselines.rank === x.rank - 1 && same(baselines.shape)) return tf.reshape(baselines, [1, ...sampleShape]);
  if (baselines.rank === x.rank && same(baselines.shape.slice(1))) return tf.clone(baselines);
  throw new ShapeError(`${fn}: baselines must have shape [B, ${sampleShape}] or [${sampleShape}], got [${baselines.shape}]`);
}
