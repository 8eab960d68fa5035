/**
 * Per-sample re-sampling weights from class frequencies (with the reference's clipping), expanded
 * correctly to samples.
 * @packageDocumentation
 */
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { checkChoice, checkNumber, checkObject } from '../internal/checks';
import { type MatrixInput, readLabels } from '../internal/matrix';
import { quantile } from '../internal/stats';

/** How a multi-label sample's weight is formed from the weights of its positive classes. @category Sampling */
export type SampleWeightAggregate = 'max' | 'mean' | 'sum';

/** Options of {@link classSamplingWeights}. @category Sampling */
export interface ClassSamplingWeightsOptions {
  /**
   * Clip the class weights from above at this quantile of the class weights (linear
   * interpolation, as `np.quantile`), in [0, 1]; `null` turns clipping off.
   * @defaultValue 0.75
   */
  clipQuantile?: number | null;
  /** How a sample's weight combines its positive classes' weights. @defaultValue `'max'` */
  aggregate?: SampleWeightAggregate;
}

/** What {@link classSamplingWeights} returns. @category Sampling */
export interface ClassSamplingWeightsResult {
  /** Weight per class, ∝ 1/n⁺_c, clipped, normalised to sum 1; 0 for a class without positives. */
  classWeights: number[];
  /** Weight per sample (the aggregate of its positive classes' weights), normalised to sum 1. */
  sampleWeights: Float64Array;
}

/**
 * Defaults of {@link classSamplingWeights}: clip at the 0.75 quantile (imba-explain
 * `ClassificationDataset.imba_sampling_weights`, `clip_ratio=0.75`) and `'max'` aggregation (this
 * package's choice; the reference has no per-sample rule, see below).
 * @category Sampling
 */
export const CLASS_SAMPLING_WEIGHTS_DEFAULTS = Object.freeze({
  /** Default of {@link ClassSamplingWeightsOptions.clipQuantile}. */
  clipQuantile: 0.75 as number | null,
  /** Default of {@link ClassSamplingWeightsOptions.aggregate}. */
  aggregate: 'max' as SampleWeightAggregate,
});

/**
 * Re-sampling weights of every sample of a multi-label training set, from inverse class frequencies.
 *
 * Class weights are `w_c = 1/n⁺_c`, clipped from above at their `clipQuantile` quantile and
 * normalised to sum 1; classes without positives get 0 and are left out of the quantile. A
 * sample's weight is the `aggregate` (max, mean or sum) of the weights of its positive classes; a
 * sample without positives gets the smallest class weight. The sample weights are normalised to
 * sum 1 and are what a weighted sampler ({@link weightedSample}) needs.
 *
 * The reference passes the C *class* weights to PyTorch's `WeightedRandomSampler` with
 * `num_samples = len(dataset)`, which then draws only indices 0…C−1; expanding to one weight per
 * sample is the fix (specs/imbalance.md §4).
 * @param labels - `[N, C]` 0/1 labels (a tensor is read, not disposed)
 * @param options - clipping and aggregation
 * @returns class and sample weights; no tensor is allocated
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a non-matrix; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for non-0/1 labels, a
 * label matrix without positives or a bad option.
 * @see arXiv 2204.01729; imba-explain `imba_sampling_weights`
 * @example
 * ```ts
 * const { sampleWeights } = classSamplingWeights(trainLabels);
 * const order = weightedSample(sampleWeights, trainLabels.length, { seed: 1 });
 * ```
 * @category Sampling
 */
export function classSamplingWeights(labels: MatrixInput, options: ClassSamplingWeightsOptions = {}): ClassSamplingWeightsResult {
  const fn = 'classSamplingWeights';
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['clipQuantile', 'aggregate']);
  const d = CLASS_SAMPLING_WEIGHTS_DEFAULTS;
  const clipQuantile = options.clipQuantile === undefined ? d.clipQuantile : options.clipQuantile === null ? null : checkNumber(fn, 'clipQuantile', options.clipQuantile, 0, 1);
  const aggregate = checkChoice(fn, 'aggregate', options.aggregate ?? d.aggregate, ['max', 'mean', 'sum'] as const);
  const { data, rows, cols } = readLabels(fn, 'labels', labels);
  const positives = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) positives[c] += data[i * cols + c];
  const present = positives.map((p) => p > 0);
  if (!present.some((p) => p)) throw new InvalidValueError(`${fn}: labels must hold at least one positive, got none in [${rows}, ${cols}]`);
  let w = positives.map((p) => (p > 0 ? 1 / p : 0));
  if (clipQuantile !== null) {
    const cap = quantile(w.filter((_, c) => present[c]), clipQuantile);
    w = w.map((v) => Math.min(v, cap));
  }
  const total = w.reduce((a, b) => a + b, 0);
  const classWeights = w.map((v) => v / total);
  const smallest = Math.min(...classWeights.filter((_, c) => present[c]));
  const sampleWeights = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let acc = 0;
    let k = 0;
    for (let c = 0; c < cols; c++) {
      if (data[i * cols + c] !== 1) continue;
      acc = aggregate === 'max' ? Math.max(acc, classWeights[c]) : acc + classWeights[c];
      k++;
    }
    sampleWeights[i] = k === 0 ? smallest : aggregate === 'mean' ? acc / k : acc;
  }
  const sum = sampleWeights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < rows; i++) sampleWeights[i] /= sum;
  return { classWeights, sampleWeights };
}
