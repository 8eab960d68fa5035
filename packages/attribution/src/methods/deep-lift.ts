/**
 * DeepLIFT with the Rescale rule (Shrikumar, Greenside & Kundaje 2017).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkBoolOption, checkModel, checkNumberOption, checkSeed, checkTarget, sliceRows, sumPerRow } from '../core/gradients';
import { overrideGradients } from '../core/overrides';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  type Baseline,
  checkAttributionInput,
  checkBatchSize,
  resolveBaseline,
  targetForSlice,
} from '../core/types';

/** Settings of {@link DeepLift}. @category Methods */
export interface DeepLiftConfig {
  /**
   * Multiply the multipliers by `(x − b)` (Captum's `multiply_by_inputs`). When false the bare
   * multipliers are returned and no `delta` is computed.
   * @defaultValue true
   */
  multiplyByInputs?: boolean;
  /** Below this `|z − z_b|` a nonlinearity's multiplier falls back to its gradient. @defaultValue 1e-10 (Captum, spec §2) */
  eps?: number;
}

/** Per-call options of {@link DeepLift.attribute}. @category Methods */
export interface DeepLiftOptions extends AttributionOptions {
  /** The reference input `b`, in the model's input space. @defaultValue 0 */
  baselines?: Baseline;
}

/**
 * Defaults of {@link DeepLift}: `multiplyByInputs` and `eps` are Captum's (`multiply_by_inputs=True`,
 * `eps=1e-10`); `batchSize` (input/reference pairs per pass) is this package's.
 * @category Methods
 */
export const DEEP_LIFT_DEFAULTS = Object.freeze({
  /** Default of {@link DeepLiftConfig.multiplyByInputs}. */
  multiplyByInputs: true,
  /** Default of {@link DeepLiftConfig.eps}. */
  eps: 1e-10,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * DeepLIFT (Rescale): attributions from difference-from-reference multipliers.
 *
 * Every element-wise nonlinearity `y = g(z)` back-propagates the multiplier
 * `m = (g(z) − g(z_b)) / (z − z_b)` instead of `g′(z)` (the gradient where `|z − z_b| < eps`); linear
 * layers keep their gradient; max pooling uses Captum's rule. The attribution is
 * `φ = (x − b) ⊙ m_{x→f}`, which sums to `f_c(x) − f_c(b)` exactly (summation-to-delta) when every
 * nonlinearity is an overridable module; `delta = Σφ − (f_c(x) − f_c(b))` reports the gap.
 *
 * Needs a `Module` whose nonlinearities are module instances (`ReLU`, `LeakyReLU`, `Sigmoid`,
 * `Tanh`, `GELU`, `SiLU`, `MaxPool2d`, …); each *use* gets its own state, so a reused module is
 * handled. Functional nonlinearities, activations created inside `forward` and products of two
 * input-dependent tensors are detected on the gradient tape and raise `NotAvailableError`.
 * @see arXiv 1704.02685; Captum `DeepLift`
 * @example
 * ```ts
 * const { attributions, delta } = await new DeepLift().attribute(model, images, { target: 3, baselines: 0 });
 * // attributions: images' shape; delta: [N] ≈ 0; caller disposes both
 * ```
 * @category Methods
 */
export class DeepLift implements AttributionMethod<DeepLiftOptions> {
  readonly name = 'deep-lift';
  readonly signed = true;
  /** Whether attributions are multiplied by `x − b`. */
  readonly multiplyByInputs: boolean;
  /** Gradient-fallback threshold on `|z − z_b|`. */
  readonly eps: number;

  /**
   * @param config - see {@link DeepLiftConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown key, a non-boolean `multiplyByInputs` or a negative `eps`.
   */
  constructor(config: DeepLiftConfig = {}) {
    checkOptions('DeepLift', config, ['multiplyByInputs', 'eps']);
    this.multiplyByInputs = checkBoolOption('DeepLift', 'multiplyByInputs', config.multiplyByInputs ?? DEEP_LIFT_DEFAULTS.multiplyByInputs);
    this.eps = checkNumberOption('DeepLift', 'eps', config.eps ?? DEEP_LIFT_DEFAULTS.eps, 0);
  }

  /**
   * Attributes `f_c(x) − f_c(b)` to the input features.
   * @param model - a Module in evaluation mode
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - see {@link DeepLiftOptions}
   * @returns attributions of the input's shape and `delta` `[N]` (when `multiplyByInputs`); the caller disposes them
   * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} for a plain-function model or a nonlinearity it cannot override;
   * {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad input, target, baseline or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: DeepLiftOptions = {}): Promise<AttributionResult> {
    const fn = 'DeepLift.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'batchSize', 'seed']);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    checkTarget(fn, options.target, input.shape[0]);
    const batchSize = checkBatchSize(fn, options.batchSize, DEEP_LIFT_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    const baseline = resolveBaseline(options.baselines, input, fn);
    const parts: tf.Tensor[] = [];
    const deltas: tf.Tensor[] = [];
    try {
      const n = input.shape[0];
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const xs = sliceRows(input, start, end);
        const bs = sliceRows(baseline, start, end);
        try {
          const g = overrideGradients(model, 'deeplift-rescale', xs, bs, targetForSlice(options.target, start, end), fn, this.eps);
          try {
            const a = this.multiplyByInputs ? tf.tidy(() => tf.mul(tf.sub(xs, bs), g.grads)) : tf.clone(g.grads);
            parts.push(a);
            if (this.multiplyByInputs) {
              deltas.push(tf.tidy(() => tf.sub(sumPerRow(a), tf.sub(g.scores, g.referenceScores as tf.Tensor))));
            }
          } finally {
            tf.dispose([g.grads, g.scores, g.referenceScores as tf.Tensor]);
          }
        } finally {
          tf.dispose([xs, bs]);
        }
      }
      const attributions = parts.length === 1 ? tf.clone(parts[0]) : tf.concat(parts, 0);
      if (!this.multiplyByInputs) return { attributions };
      const delta = (deltas.length === 1 ? tf.clone(deltas[0]) : tf.concat(deltas, 0)) as tf.Tensor1D;
      return { attributions, delta };
    } finally {
      tf.dispose([baseline, ...parts, ...deltas]);
    }
  }
}
