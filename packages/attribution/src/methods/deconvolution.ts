/**
 * Deconvolution (Zeiler & Fergus 2014).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { reluRuleAttributions } from '../core/relu-rule-attribution';
import type { AttributionMethod, AttributionModel, AttributionOptions, AttributionResult } from '../core/types';

/** Per-call options of {@link Deconvolution.attribute}: the shared ones only. @category Methods */
export type DeconvolutionOptions = AttributionOptions;

/** Defaults of {@link Deconvolution}: `batchSize` (this package's). @category Methods */
export const DECONVOLUTION_DEFAULTS = Object.freeze({
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Deconvolution (DeconvNet): the input gradient with every ReLU's backward pass replaced by a ReLU
 * of the incoming gradient.
 *
 * At each `ReLU` module use, `∂/∂z = relu(dy)`, ignoring the forward mask `1[z > 0]`; every other
 * layer keeps its gradient (as Captum, which overrides `nn.ReLU` only). The result is signed.
 * Needs a `Module` whose ReLUs are module instances; a functional `tf.relu` on the gradient path
 * raises `NotAvailableError`.
 * @see arXiv 1311.2901; Captum `Deconvolution`
 * @example
 * ```ts
 * const { attributions } = await new Deconvolution().attribute(model, images, { target: 3 });
 * // attributions: images' shape; caller disposes
 * ```
 * @category Methods
 */
export class Deconvolution implements AttributionMethod<DeconvolutionOptions> {
  readonly name = 'deconvolution';
  readonly signed = true;

  /**
   * Computes the deconvolution signal of the explained output.
   * @param model - a Module in evaluation mode
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - target, batchSize, seed (unused: the method is deterministic)
   * @returns attributions of the input's shape; the caller disposes them
   * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} for a plain-function model or a functional ReLU;
   * {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad input, target or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: DeconvolutionOptions = {}): Promise<AttributionResult> {
    const attributions = reluRuleAttributions('deconvolution', 'Deconvolution.attribute', model, input, options, DECONVOLUTION_DEFAULTS.batchSize);
    return { attributions };
  }
}
