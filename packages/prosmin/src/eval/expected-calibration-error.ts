/**
 * Expected calibration error with reliability bins.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { checkInt, checkLabels, checkOptions, checkTensor } from '../internal/validate';

/** Options of {@link expectedCalibrationError}. @category Evaluation */
export interface ExpectedCalibrationErrorOptions {
  /** Number of equal-width confidence bins on [0, 1]. @defaultValue 15 (Guo et al. 2017) */
  bins?: number;
}

/** One bin of the reliability diagram. @category Evaluation */
export interface ReliabilityBin {
  /** Lower edge (exclusive, except 0 for the first bin). */
  lower: number;
  /** Upper edge (inclusive). */
  upper: number;
  /** Predictions whose confidence falls in the bin. */
  count: number;
  /** Mean confidence in the bin (NaN when empty). */
  confidence: number;
  /** Accuracy in the bin (NaN when empty). */
  accuracy: number;
}

/** What {@link expectedCalibrationError} returns. @category Evaluation */
export interface ExpectedCalibrationErrorResult {
  /** `Σ_b (n_b/n)·|acc_b − conf_b|`. */
  ece: number;
  /** Largest `|acc_b − conf_b|` over non-empty bins. */
  maxCalibrationError: number;
  /** The reliability diagram. */
  bins: ReliabilityBin[];
}

/**
 * Computes the expected calibration error of top-1 predictions: confidence = max probability,
 * grouped into equal-width bins `(b/B, (b+1)/B]`, `ECE = Σ_b (n_b/n)·|accuracy_b − confidence_b|`.
 * @param probabilities - `[n, C]` class probabilities (rows need not sum exactly to 1)
 * @param labels - n true classes in [0, C)
 * @param options - see {@link ExpectedCalibrationErrorOptions}
 * @returns the ECE, the maximum calibration error and the bins
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad probability tensor; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad labels, values outside [0, 1] or options
 * @see Guo et al. 2017, arXiv:1706.04599, Eq. 3; Naeini et al. 2015
 * @example
 * ```ts
 * const { ece, bins } = expectedCalibrationError(probe.probabilities, testLabels);
 * ```
 * @category Evaluation
 */
export function expectedCalibrationError(
  probabilities: tf.Tensor2D,
  labels: ArrayLike<number>,
  options: ExpectedCalibrationErrorOptions = {},
): ExpectedCalibrationErrorResult {
  const fn = 'expectedCalibrationError';
  checkOptions(fn, options, ['bins']);
  const p = checkTensor(fn, 'probabilities', probabilities, 2);
  const [n, c] = p.shape;
  if (n === 0 || c === 0) throw new InvalidValueError(`${fn}: probabilities must not be empty, got shape [${p.shape}]`);
  const y = checkLabels(fn, 'labels', labels, n, c);
  const nb = checkInt(fn, 'bins', options.bins ?? 15);
  const values = p.dataSync();
  const count = new Float64Array(nb);
  const confSum = new Float64Array(nb);
  const hits = new Float64Array(nb);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (values[i * c + j] > values[i * c + best]) best = j;
    const conf = values[i * c + best];
    if (!(conf >= 0 && conf <= 1)) throw new InvalidValueError(`${fn}: probabilities must lie in [0, 1], got ${conf} in row ${i}`);
    const b = Math.min(nb - 1, Math.max(0, Math.ceil(conf * nb) - 1)); // (b/B, (b+1)/B]
    count[b]++;
    confSum[b] += conf;
    if (best === y[i]) hits[b]++;
  }
  let ece = 0;
  let mce = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < nb; b++) {
    const confidence = count[b] > 0 ? confSum[b] / count[b] : NaN;
    const accuracy = count[b] > 0 ? hits[b] / count[b] : NaN;
    if (count[b] > 0) {
      const gap = Math.abs(accuracy - confidence);
      ece += (count[b] / n) * gap;
      mce = Math.max(mce, gap);
    }
    bins.push({ lower: b / nb, upper: (b + 1) / nb, count: count[b], confidence, accuracy });
  }
  return { ece, maxCalibrationError: mce, bins };
}
