/**
 * The shared body of the methods that only change the backward pass of ReLU modules
 * (Guided Backprop, Deconvolution): validate, then batch the overridden input gradients.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkModel, checkSeed, checkTarget, concatChunks, sliceRows } from './gradients';
import { overrideGradients } from './overrides';
import { type AttributionModel, type AttributionOptions, checkAttributionInput, checkBatchSize, targetForSlice } from './types';

/**
 * Input gradients of the explained output with the ReLU backward rule `rule`, in chunks of
 * `batchSize` (default `defaultBatchSize`). The caller owns the returned tensor.
 * @param fn - the public method name, used in error messages
 * @internal
 */
export function reluRuleAttributions(
  rule: 'guided-backprop' | 'deconvolution',
  fn: string,
  model: AttributionModel,
  input: tf.Tensor,
  options: AttributionOptions,
  defaultBatchSize: number,
): tf.Tensor {
  checkOptions(fn, options, ['target', 'batchSize', 'seed']);
  checkModel(fn, model);
  checkAttributionInput(fn, input);
  checkTarget(fn, options.target, input.shape[0]);
  const batchSize = checkBatchSize(fn, options.batchSize, defaultBatchSize);
  checkSeed(fn, options.seed);
  return concatChunks(input.shape[0], batchSize, (start, end) => {
    const xs = sliceRows(input, start, end);
    try {
      const g = overrideGradients(model, rule, xs, undefined, targetForSlice(options.target, start, end), fn);
      g.scores.dispose();
      return g.grads;
    } finally {
      xs.dispose();
    }
  });
}
