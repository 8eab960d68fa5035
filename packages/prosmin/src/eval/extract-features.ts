/**
 * Frozen features of an image set, in batches.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeError } from '@lab/tensor';
import { checkImages, checkInt, checkOptions, show } from '../internal/validate';

/** Options of {@link extractFeatures}. @category Evaluation */
export interface ExtractFeaturesOptions {
  /** Images per forward pass; results do not depend on it. @defaultValue 256 */
  batchSize?: number;
}

/**
 * Runs a feature extractor over images in eval mode and stacks the results.
 *
 * For {@link Prosmin} and {@link Byol} the extractor is the method itself (its `forward` gives the
 * evaluation backbone's features); any module `[n, h, w, c] → [n, d]` works. Every module is put in
 * eval mode for the call and restored afterwards.
 * @param model - the extractor
 * @param images - `[n, h, w, c]`, float32
 * @param options - see {@link ExtractFeaturesOptions}
 * @returns `[n, d]`; the caller disposes it
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-module or bad options; {@link "@lab/tensor"!ShapeError | ShapeError} when the output is not `[batch, d]`
 * @example
 * ```ts
 * const train = extractFeatures(method, trainImages, { batchSize: 128 });
 * ```
 * @category Evaluation
 */
export function extractFeatures(model: Module<[tf.Tensor], tf.Tensor>, images: tf.Tensor4D, options: ExtractFeaturesOptions = {}): tf.Tensor2D {
  const fn = 'extractFeatures';
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${show(model)}`);
  checkOptions(fn, options, ['batchSize']);
  const x = checkImages(fn, 'images', images);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? 256);
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    return tf.tidy(() => {
      const parts: tf.Tensor[] = [];
      const n = x.shape[0];
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const out = model.call(tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]));
        if (!(out instanceof tf.Tensor) || out.rank !== 2 || out.shape[0] !== size) {
          throw new ShapeError(`${fn}: model must map [b, h, w, c] to [b, d], got ${show(out)}`);
        }
        parts.push(out);
      }
      return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D;
    });
  } finally {
    for (const [m, mode] of modes) m.training = mode;
  }
}
