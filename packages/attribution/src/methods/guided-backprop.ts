/**
 * Guided Backpropagation (Springenberg et al. 2015).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { reluRuleAttributions } from '../core/relu-rule-attribution';
import type { AttributionMethod, AttributionModel, AttributionOptions, AttributionResult } from '../core/types';

/** Per-call options of {@link GuidedBackprop.attribute}: the shared ones only. @category Methods */
export type GuidedBackpropOptions = AttributionOptions;

/** Defaults of {@link GuidedBackprop}: `batchSize` (this package's). @category Methods */
export const GUIDED_BACKPROP_DEFAULTS = Object.freeze({
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Guided Backpropagation: the input gradient with every ReLU's backward pass also rectifying the
 * incoming gradient.
 *
 * At each `ReLU` module use, `∂/∂z = relu(dy) · 1[z > 0]` replaces `dy · 1[z > 0]`; every other
 * layer keeps its gradient (as Captum, which overrides `nn.ReLU` only). The result is signed.
 * Needs a `Module` whose ReLUs are module instances; a functional `tf.relu` on the gradient path
 * raises `NotAvailableError`.
 * @see arXiv 1412.6806; Captum `GuidedBackprop`
 * @example
 * ```ts
 * const { attributions } = await new GuidedBackprop().attribute(model, images, { target: 3 });
 * // attributions: images' shape; caller disposes
 * ```
 * @category Methods
 */
export class GuidedBackprop implements AttributionMethod<GuidedBackpropOptions> {
  readonly name = 'guided-backprop';
  readonly signed = true;

  /**
   * Computes the guided gradient of the explained output.
   * @param model - a Module in evaluation mode
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - target, batchSize, seed (unused: the method is deterministic)
   * @returns attributions of the input's shape; the caller disposes them
   * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} for a plain-function model or a functional ReLU;
   * {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad input, target or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: GuidedBackpropOptions = {}): Promise<AttributionResult> {
    const attributions = reluRuleAttributions('guided-backprop', 'GuidedBackprop.attribute', model, input, options, GUIDED_BACKPROP_DEFAULTS.batchSize);
    return { attributions };
  }
}
