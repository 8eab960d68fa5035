/**
 * Binary cross-entropy with logits, the multi-label baseline.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkLogitsTargets, checkNumberList, checkObject } from '../../internal/checks';
import { asFloat, bceElements, classRow } from '../internal';

/** Options of {@link binaryCrossEntropy}. @category Losses */
export interface BinaryCrossEntropyOptions {
  /**
   * Per-class weight w⁺_c of the positive term (PyTorch's `pos_weight`), `[C]`, each ≥ 0.
   * @defaultValue all ones (plain BCE)
   */
  posWeight?: readonly number[];
}

/**
 * Binary cross-entropy of sigmoid outputs, averaged over every sample and class.
 *
 * With `x` the logit, `p = σ(x)` and `y ∈ {0, 1}` per sample and class:
 * `ℓ = −[w⁺_c·y·log p + (1 − y)·log(1 − p)]`, and the loss is the mean of `ℓ` over the `N·C`
 * elements (the reference's `reduction='mean'`). Computed from the logits without overflow.
 * @param logits - `[N, C]` logits
 * @param targets - `[N, C]` labels in {0, 1} (soft labels follow the same formula)
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 2204.01729 (baseline); PyTorch `binary_cross_entropy_with_logits`
 * @example
 * ```ts
 * const loss = binaryCrossEntropy(tf.tensor2d([[0]]), tf.tensor2d([[1]])); // log 2 ≈ 0.6931
 * ```
 * @category Losses
 */
export function binaryCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, options: BinaryCrossEntropyOptions = {}): tf.Scalar {
  const fn = 'binaryCrossEntropy';
  const [, c] = checkLogitsTargets(fn, logits, targets);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['posWeight']);
  const posWeight = options.posWeight === undefined ? undefined : checkNumberList(fn, 'posWeight', options.posWeight, c, 0);
  return tf.tidy(() => tf.mean(bceElements(logits, asFloat(targets), posWeight && classRow(posWeight))) as tf.Scalar);
}
