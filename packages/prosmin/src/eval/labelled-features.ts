/**
 * Shared input type of the feature-based evaluations.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { checkLabels, checkTensor } from '../internal/validate';

/** Frozen features and their class labels. @category Evaluation */
export interface LabelledFeatures {
  /** `[n, d]` float32 features. */
  features: tf.Tensor2D;
  /** n integer class labels ≥ 0. */
  labels: ArrayLike<number>;
}

/** Validates a {@link LabelledFeatures} and returns its labels as an Int32Array. */
export function checkLabelled(fn: string, arg: string, v: unknown, dim?: number): { features: tf.Tensor2D; labels: Int32Array } {
  if (v === null || typeof v !== 'object') throw new ShapeError(`${fn}: ${arg} must be {features, labels}, got ${String(v)}`);
  const o = v as LabelledFeatures;
  const features = checkTensor(fn, `${arg}.features`, o.features, 2) as tf.Tensor2D;
  if (features.shape[0] === 0) throw new ShapeError(`${fn}: ${arg}.features must hold at least one row`);
  if (dim !== undefined && features.shape[1] !== dim) {
    throw new ShapeError(`${fn}: ${arg}.features must have ${dim} columns, got shape [${features.shape}]`);
  }
  const labels = checkLabels(fn, `${arg}.labels`, o.labels, features.shape[0]);
  return { features, labels };
}
