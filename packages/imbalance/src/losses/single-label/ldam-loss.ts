/**
 * LDAM loss with deferred re-weighting (Cao et al. 2019).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { checkInt, checkLogitsLabels, checkNumber, checkNumberList, checkObject } from '../../internal/checks';
import { classRow, effectiveNumberWeights, oneHotRows } from '../internal';
import { weightedMean } from './weighted-cross-entropy';

/** Options of {@link ldamLoss}. @category Losses */
export interface LdamLossOptions {
  /** Training samples n_k ≥ 1 of each class, `[K]`. */
  samplesPerClass: readonly number[];
  /** Largest margin (that of the rarest class). @defaultValue 0.5 */
  maxMargin?: number;
  /** Scale s of the margin-shifted logits. @defaultValue 30 */
  scale?: number;
  /** Class weights of the cross-entropy, e.g. from {@link deferredReweightingWeights}. @defaultValue all ones */
  classWeights?: readonly number[];
}

/** Options of {@link deferredReweightingWeights}. @category Losses */
export interface DeferredReweightingOptions {
  /** First epoch (0-based) with class-balanced weights; before it the weights are all 1. @defaultValue 160 */
  drwEpoch?: number;
  /** β of the class-balanced weights after `drwEpoch`. @defaultValue 0.9999 */
  beta?: number;
}

/**
 * Defaults of {@link ldamLoss} and {@link deferredReweightingWeights}: max margin 0.5, scale
 * s = 30, re-weighting from epoch 160 (of 200) with β = 0.9999 (Cao et al. 2019, kaidic/LDAM-DRW
 * `cifar_train.py`).
 * @category Losses
 */
export const LDAM_LOSS_DEFAULTS = Object.freeze({
  /** Default of {@link LdamLossOptions.maxMargin}. */
  maxMargin: 0.5,
  /** Default of {@link LdamLossOptions.scale}. */
  scale: 30,
  /** Default of {@link DeferredReweightingOptions.drwEpoch}. */
  drwEpoch: 160,
  /** Default of {@link DeferredReweightingOptions.beta}. */
  beta: 0.9999,
});

/**
 * The LDAM margins `Δ_k = C / n_k^{1/4}`, with C chosen so the largest margin is `maxMargin`.
 * @param samplesPerClass - n_k ≥ 1 per class
 * @param maxMargin - the largest margin, > 0
 * @returns one margin per class
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for counts below 1 or a bad margin.
 * @see arXiv 1906.07413
 * @example
 * ```ts
 * ldamMargins([16, 1]); // [0.25, 0.5]
 * ```
 * @category Losses
 */
export function ldamMargins(samplesPerClass: readonly number[], maxMargin: number = LDAM_LOSS_DEFAULTS.maxMargin): number[] {
  const fn = 'ldamMargins';
  const n = checkNumberList(fn, 'samplesPerClass', samplesPerClass, undefined, 1, true);
  checkNumber(fn, 'maxMargin', maxMargin, 0, Infinity, { lo: true });
  return margins(n, maxMargin);
}

function margins(n: number[], maxMargin: number): number[] {
  const raw = n.map((v) => 1 / Math.sqrt(Math.sqrt(v)));
  const top = Math.max(...raw);
  return raw.map((m) => (m * maxMargin) / top);
}

/**
 * The class weights of deferred re-weighting (DRW): all ones before `drwEpoch`, then the
 * class-balanced weights `(1 − β)/(1 − β^{n_k})` normalised to sum K.
 * @param samplesPerClass - n_k ≥ 1 per class
 * @param epoch - the current epoch, 0-based
 * @param options - `drwEpoch` and β
 * @returns one weight per class
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad counts, epoch or option.
 * @see arXiv 1906.07413 (Algorithm 1)
 * @example
 * ```ts
 * deferredReweightingWeights([100, 1], 0);   // [1, 1]
 * deferredReweightingWeights([100, 1], 160); // rare class weighted up
 * ```
 * @category Losses
 */
export function deferredReweightingWeights(samplesPerClass: readonly number[], epoch: number, options: DeferredReweightingOptions = {}): number[] {
  const fn = 'deferredReweightingWeights';
  const n = checkNumberList(fn, 'samplesPerClass', samplesPerClass, undefined, 1, true);
  checkInt(fn, 'epoch', epoch, 0);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['drwEpoch', 'beta']);
  const drwEpoch = checkInt(fn, 'drwEpoch', options.drwEpoch ?? LDAM_LOSS_DEFAULTS.drwEpoch, 0);
  const beta = checkNumber(fn, 'beta', options.beta ?? LDAM_LOSS_DEFAULTS.beta, 0, 1, { hi: true });
  return epoch < drwEpoch ? n.map(() => 1) : effectiveNumberWeights(n, beta);
}

/**
 * Label-distribution-aware margin (LDAM) loss: cross-entropy on logits whose true-class entry is
 * lowered by a margin that grows for rarer classes.
 *
 * `z_i = s·(x_i − Δ_{y_i}·e_{y_i})` with `Δ` from {@link ldamMargins}, and
 * `L = Σ_i w_{y_i}·CE(z_i, y_i) / Σ_i w_{y_i}` (PyTorch's weighted mean). With deferred
 * re-weighting, pass `classWeights: deferredReweightingWeights(n, epoch)` each epoch.
 * @param logits - `[N, K]` logits (the reference normalises features and weights, so |x| ≤ 1)
 * @param labels - `[N]` class indices in [0, K)
 * @param options - `samplesPerClass` (required), max margin, scale and class weights
 * @returns a scalar the caller disposes
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 1906.07413; kaidic/LDAM-DRW `losses.py`
 * @example
 * ```ts
 * const classWeights = deferredReweightingWeights(n, epoch);
 * const loss = ldamLoss(logits, labels, { samplesPerClass: n, classWeights });
 * ```
 * @category Losses
 */
export function ldamLoss(logits: tf.Tensor, labels: tf.Tensor, options: LdamLossOptions): tf.Scalar {
  const fn = 'ldamLoss';
  const [, k] = checkLogitsLabels(fn, logits, labels);
  checkObject(fn, 'options', options);
  if (options === undefined) throw new InvalidValueError(`${fn}: options must hold samplesPerClass, got undefined`);
  checkOptions(fn, options, ['samplesPerClass', 'maxMargin', 'scale', 'classWeights']);
  const n = checkNumberList(fn, 'samplesPerClass', options.samplesPerClass, k, 1, true);
  const maxMargin = checkNumber(fn, 'maxMargin', options.maxMargin ?? LDAM_LOSS_DEFAULTS.maxMargin, 0, Infinity, { lo: true });
  const scale = checkNumber(fn, 'scale', options.scale ?? LDAM_LOSS_DEFAULTS.scale, 0, Infinity, { lo: true });
  const w = options.classWeights === undefined ? undefined : checkNumberList(fn, 'classWeights', options.classWeights, k, 0);
  const m = margins(n, maxMargin);
  return tf.tidy(() => {
    const oneHot = oneHotRows(labels, k);
    const shifted = tf.mul(scale, tf.sub(logits, tf.mul(oneHot, classRow(m))));
    return weightedMean(shifted, oneHot, w);
  });
}
