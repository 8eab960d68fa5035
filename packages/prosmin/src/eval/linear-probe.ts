/**
 * Linear classification on frozen features (DINO's linear evaluation).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng } from '@lab/tensor';
import { checkBool, checkInt, checkNumber, checkOptions, checkSeed } from '../internal/validate';
import { type LabelledFeatures, checkLabelled } from './labelled-features';

/** Options of {@link linearProbe}; defaults in {@link LINEAR_PROBE_DEFAULTS}. @category Evaluation */
export interface LinearProbeOptions {
  /** Passes over the training features. @defaultValue 100 */
  epochs?: number;
  /** Features per SGD step. @defaultValue 128 */
  batchSize?: number;
  /** Learning rate per 256 features (scaled by batchSize/256), annealed by cosine per epoch. @defaultValue 0.001 */
  lr?: number;
  /** SGD momentum. @defaultValue 0.9 */
  momentum?: number;
  /** L2 weight decay (added to the gradient, as PyTorch SGD). @defaultValue 0 */
  weightDecay?: number;
  /** Standardise every feature with the training mean and standard deviation first. @defaultValue true */
  standardize?: boolean;
  /** Number of classes. @defaultValue 1 + the largest training label */
  numClasses?: number;
  /** Seed of the initial weights and the batch order. @defaultValue 0 */
  seed?: number;
}

/**
 * Defaults of {@link LinearProbeOptions}: DINO's `eval_linear.py` (100 epochs, SGD momentum 0.9,
 * lr 0.001·batch/256 with cosine annealing, no weight decay, batch 128 per GPU, weights N(0, 0.01)).
 * Standardisation is ours (DINO's ViT features come out of a LayerNorm).
 * @category Evaluation
 */
export const LINEAR_PROBE_DEFAULTS = Object.freeze({
  /** Default of {@link LinearProbeOptions.epochs}. */
  epochs: 100,
  /** Default of {@link LinearProbeOptions.batchSize}. */
  batchSize: 128,
  /** Default of {@link LinearProbeOptions.lr}. */
  lr: 0.001,
  /** Default of {@link LinearProbeOptions.momentum}. */
  momentum: 0.9,
  /** Default of {@link LinearProbeOptions.weightDecay}. */
  weightDecay: 0,
  /** Default of {@link LinearProbeOptions.standardize}. */
  standardize: true,
  /** Default of {@link LinearProbeOptions.seed}. */
  seed: 0,
});

/** What {@link linearProbe} returns. @category Evaluation */
export interface LinearProbeResult {
  /** Top-1 accuracy on the test features, in [0, 1]. */
  accuracy: number;
  /** Top-1 accuracy on the training features. */
  trainAccuracy: number;
  /** Predicted class of each test row. */
  predictions: Int32Array;
  /** Softmax probabilities `[nTest, numClasses]`; the caller disposes them. */
  probabilities: tf.Tensor2D;
}

/**
 * Trains a softmax linear classifier on frozen training features and evaluates it on test
 * features.
 *
 * Minimises the mean cross-entropy of `softmax(x·W + b)` by mini-batch SGD with momentum
 * (PyTorch semantics: `buf ← μ·buf + g`, `p ← p − lr·buf`), lr annealed per epoch as
 * `lr·(1 + cos(π·e/E))/2`, on features optionally standardised with the training statistics.
 * @param train - training features `[n, d]` and labels
 * @param test - test features `[m, d]` and labels (labels may exceed the training classes only below `numClasses`)
 * @param options - see {@link LinearProbeOptions}
 * @returns accuracies, predictions and test probabilities (the caller disposes `probabilities`)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad labels or options
 * @see Caron et al. 2021 (DINO) `eval_linear.py`
 * @example
 * ```ts
 * const r = await linearProbe({ features: ftr, labels: ytr }, { features: fte, labels: yte }, { epochs: 50, lr: 0.5 });
 * console.log(r.accuracy); r.probabilities.dispose();
 * ```
 * @category Evaluation
 */
export async function linearProbe(train: LabelledFeatures, test: LabelledFeatures, options: LinearProbeOptions = {}): Promise<LinearProbeResult> {
  const fn = 'linearProbe';
  checkOptions(fn, options, [...Object.keys(LINEAR_PROBE_DEFAULTS), 'numClasses']);
  const tr = checkLabelled(fn, 'train', train);
  const d = tr.features.shape[1];
  const te = checkLabelled(fn, 'test', test, d);
  const D = LINEAR_PROBE_DEFAULTS;
  const epochs = checkInt(fn, 'epochs', options.epochs ?? D.epochs);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? D.batchSize);
  const lr = (checkNumber(fn, 'lr', options.lr ?? D.lr, 0) * batchSize) / 256;
  const mu = checkNumber(fn, 'momentum', options.momentum ?? D.momentum, 0, 1);
  const wd = checkNumber(fn, 'weightDecay', options.weightDecay ?? D.weightDecay, 0);
  const standardize = checkBool(fn, 'standardize', options.standardize ?? D.standardize);
  const seed = checkSeed(fn, options.seed ?? D.seed);
  let maxLabel = 0;
  for (const l of tr.labels) maxLabel = Math.max(maxLabel, l);
  const numClasses = checkInt(fn, 'numClasses', options.numClasses ?? maxLabel + 1, 2);
  for (const [name, labels] of [['train', tr.labels], ['test', te.labels]] as const) {
    const bad = labels.findIndex((l) => l >= numClasses);
    if (bad >= 0) throw new InvalidValueError(`${fn}: ${name}.labels[${bad}] must be below numClasses = ${numClasses}, got ${labels[bad]}`);
  }

  const rng = new Rng(seed);
  const n = tr.features.shape[0];
  const variable = (init: tf.Tensor, trainable = true): tf.Variable => {
    const v = tf.variable(init, trainable);
    init.dispose();
    return v;
  };
  const W = variable(rng.normalTensor([d, numClasses], 0, 0.01));
  const b = variable(tf.zeros([numClasses]));
  const bufW = variable(tf.zeros([d, numClasses]), false);
  const bufB = variable(tf.zeros([numClasses]), false);
  const [shift, scale] = tf.tidy(() => {
    if (!standardize) return [tf.zeros([1, d]), tf.ones([1, d])];
    const { mean, variance } = tf.moments(tr.features, 0, true);
    return [mean, tf.div(1, tf.maximum(tf.sqrt(variance), 1e-6))];
  });
  const prep = (f: tf.Tensor): tf.Tensor => tf.mul(tf.sub(f, shift), scale);
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(tr.labels, 'int32'), numClasses));
  try {
    for (let e = 0; e < epochs; e++) {
      const lrE = (lr * (1 + Math.cos((Math.PI * e) / epochs))) / 2;
      const order = rng.permutation(n);
      for (let start = 0; start < n; start += batchSize) {
        const idx = tf.tensor1d(order.slice(start, Math.min(n, start + batchSize)), 'int32');
        tf.tidy(() => {
          const xb = prep(tf.gather(tr.features, idx));
          const yb = tf.gather(oneHot, idx);
          const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yb, tf.add(tf.matMul(xb, W), b)) as tf.Scalar, [W, b]);
          const gW = wd > 0 ? tf.add(grads[W.name], tf.mul(W, wd)) : grads[W.name];
          bufW.assign(tf.add(tf.mul(bufW, mu), gW));
          bufB.assign(tf.add(tf.mul(bufB, mu), grads[b.name]));
          W.assign(tf.sub(W, tf.mul(bufW, lrE)));
          b.assign(tf.sub(b, tf.mul(bufB, lrE)));
        });
        idx.dispose();
        await Promise.resolve();
      }
    }
    const predict = (f: tf.Tensor): tf.Tensor2D => tf.tidy(() => tf.softmax(tf.add(tf.matMul(prep(f), W), b)) as tf.Tensor2D);
    const trainPred = tf.tidy(() => tf.argMax(predict(tr.features), 1).dataSync() as Int32Array);
    const probabilities = predict(te.features);
    const predictions = Int32Array.from(tf.tidy(() => tf.argMax(probabilities, 1).dataSync()));
    return {
      accuracy: accuracyOf(predictions, te.labels),
      trainAccuracy: accuracyOf(trainPred, tr.labels),
      predictions,
      probabilities,
    };
  } finally {
    tf.dispose([W, b, bufW, bufB, shift, scale, oneHot]);
  }
}

/** Fraction of equal entries. */
export function accuracyOf(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / labels.length;
}
