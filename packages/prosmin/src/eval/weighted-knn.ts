/**
 * DINO's weighted k-nearest-neighbour classifier on frozen features.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { checkInt, checkNumber, checkOptions } from '../internal/validate';
import { type LabelledFeatures, checkLabelled } from './labelled-features';
import { accuracyOf } from './linear-probe';

/** Options of {@link weightedKnn}; defaults in {@link WEIGHTED_KNN_DEFAULTS}. @category Evaluation */
export interface WeightedKnnOptions {
  /** Neighbours k. @defaultValue 20 */
  k?: number;
  /** Temperature T of the vote weights `exp(sim/T)`. @defaultValue 0.07 */
  temperature?: number;
  /** Number of classes. @defaultValue 1 + the largest training label */
  numClasses?: number;
  /** Test rows per similarity block; results do not depend on it. @defaultValue 256 */
  batchSize?: number;
}

/** Defaults of {@link WeightedKnnOptions}: DINO's `eval_knn.py` (k = 20 of {10, 20, 100, 200}, T = 0.07). @category Evaluation */
export const WEIGHTED_KNN_DEFAULTS = Object.freeze({
  /** Default of {@link WeightedKnnOptions.k}. */
  k: 20,
  /** Default of {@link WeightedKnnOptions.temperature}. */
  temperature: 0.07,
  /** Default of {@link WeightedKnnOptions.batchSize}. */
  batchSize: 256,
});

/** What {@link weightedKnn} returns. @category Evaluation */
export interface WeightedKnnResult {
  /** Top-1 accuracy on the test rows, in [0, 1]. */
  accuracy: number;
  /** Predicted class of each test row (the first class of largest vote). */
  predictions: Int32Array;
  /** Votes normalised to sum 1 per row, `[nTest, numClasses]`; the caller disposes them. */
  probabilities: tf.Tensor2D;
}

/**
 * Classifies test features by a weighted vote of their k most cosine-similar training features.
 *
 * Features are L2-normalised; for a test row with neighbours j (similarity s_j, label y_j), class c
 * gets the vote `Σ_j 1{y_j = c}·exp(s_j / T)`, as DINO's `knn_classifier`. The normalised votes are
 * returned as probabilities (our addition, for calibration).
 * @param train - training features `[n, d]` and labels
 * @param test - test features `[m, d]` and labels
 * @param options - see {@link WeightedKnnOptions}
 * @returns accuracy, predictions and normalised votes (the caller disposes `probabilities`)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for k > n, bad labels or options
 * @see Wu et al. 2018, arXiv:1805.01978; facebookresearch/dino `eval_knn.py`
 * @example
 * ```ts
 * const r = weightedKnn({ features: ftr, labels: ytr }, { features: fte, labels: yte }, { k: 20 });
 * r.probabilities.dispose();
 * ```
 * @category Evaluation
 */
export function weightedKnn(train: LabelledFeatures, test: LabelledFeatures, options: WeightedKnnOptions = {}): WeightedKnnResult {
  const fn = 'weightedKnn';
  checkOptions(fn, options, ['k', 'temperature', 'numClasses', 'batchSize']);
  const tr = checkLabelled(fn, 'train', train);
  const te = checkLabelled(fn, 'test', test, tr.features.shape[1]);
  const n = tr.features.shape[0];
  const k = checkInt(fn, 'k', options.k ?? WEIGHTED_KNN_DEFAULTS.k);
  if (k > n) throw new InvalidValueError(`${fn}: k must be <= the number of training rows (${n}), got ${k}`);
  const temperature = checkNumber(fn, 'temperature', options.temperature ?? WEIGHTED_KNN_DEFAULTS.temperature, 0, Infinity, { lo: true });
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? WEIGHTED_KNN_DEFAULTS.batchSize);
  let maxLabel = 0;
  for (const l of tr.labels) maxLabel = Math.max(maxLabel, l);
  const numClasses = checkInt(fn, 'numClasses', options.numClasses ?? maxLabel + 1, 1);
  const bad = tr.labels.findIndex((l) => l >= numClasses);
  if (bad >= 0) throw new InvalidValueError(`${fn}: train.labels[${bad}] must be below numClasses = ${numClasses}, got ${tr.labels[bad]}`);

  const m = te.features.shape[0];
  const probabilities = tf.tidy(() => {
    const normalize = (f: tf.Tensor): tf.Tensor => tf.div(f, tf.maximum(tf.norm(f, 'euclidean', 1, true), 1e-12));
    const trainT = tf.transpose(normalize(tr.features));
    const trainOneHot = tf.cast(tf.oneHot(tf.tensor1d(tr.labels, 'int32'), numClasses), 'float32');
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < m; start += batchSize) {
      const size = Math.min(batchSize, m - start);
      const q = normalize(tf.slice(te.features, [start, 0], [size, -1]));
      const { values, indices } = tf.topk(tf.matMul(q, trainT), k, true);
      const weights = tf.exp(tf.div(values, temperature)); // [size, k]
      const hot = tf.reshape(tf.gather(trainOneHot, tf.reshape(indices, [-1])), [size, k, numClasses]);
      const votes = tf.sum(tf.mul(hot, tf.expandDims(weights, 2)), 1);
      parts.push(tf.div(votes, tf.sum(votes, 1, true)));
    }
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D;
  });
  const predictions = Int32Array.from(tf.tidy(() => tf.argMax(probabilities, 1).dataSync()));
  return { accuracy: accuracyOf(predictions, te.labels), predictions, probabilities };
}
