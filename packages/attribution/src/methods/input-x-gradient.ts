/**
 * Input × Gradient (Shrikumar et al. 2016).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkModel, checkSeed, checkTarget, concatChunks, sliceRows, targetGradients } from '../core/gradients';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
  targetForSlice,
} from '../core/types';

/** Per-call options of {@link InputXGradient.attribute}: the shared ones only. @category Methods */
export type InputXGradientOptions = AttributionOptions;

/** Defaults of {@link InputXGradient}: `batchSize` (this package's). @category Methods */
export const INPUT_X_GRADIENT_DEFAULTS = Object.freeze({
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Input × Gradient: the input times the gradient of the explained output.
 *
 * `φ_i(x) = x_i · ∂f_c(x)/∂x_i`. It is a first-order Taylor term with a zero reference and breaks
 * completeness on nonlinear models (spec §6, vectors A and B). Samples are evaluated in chunks of
 * `batchSize`.
 * @see arXiv 1605.01713; Captum `InputXGradient`
 * @example
 * ```ts
 * const { attributions } = await new InputXGradient().attribute(model, images, { target: 3 });
 * // attributions: images' shape, signed; caller disposes
 * ```
 * @category Methods
 */
export class InputXGradient implements AttributionMethod<InputXGradientOptions> {
  readonly name = 'input-x-gradient';
  readonly signed = true;

  /**
   * Computes `x ⊙ ∂f_c/∂x`.
   * @param model - the model
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - target, batchSize, seed (unused: the method is deterministic)
   * @returns attributions of the input's shape; the caller disposes them
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad input, target or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: InputXGradientOptions = {}): Promise<AttributionResult> {
    const fn = 'InputXGradient.attribute';
    checkOptions(fn, options, ['target', 'batchSize', 'seed']);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    checkTarget(fn, options.target, input.shape[0]);
    const batchSize = checkBatchSize(fn, options.batchSize, INPUT_X_GRADIENT_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    const attributions = concatChunks(input.shape[0], batchSize, (start, end) => {
      const xs = sliceRows(input, start, end);
      try {
        const { grads, scores } = targetGradients(model, xs, targetForSlice(options.target, start, end), fn);
        scores.dispose();
        const out = tf.mul(xs, grads);
        grads.dispose();
        return out;
      } finally {
        xs.dispose();
      }
    });
    return { attributions };
  }
}
