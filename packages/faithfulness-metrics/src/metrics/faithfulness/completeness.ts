/**
 * Completeness (arXiv 2308.08949), exactly as sandylaker/soco `VisionCompleteness`.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkChoice, checkSchedule } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { scoreUnits } from '../../core/evaluate';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { checkModelMetricInputs, normalisedAuc, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { Imputer, ImputerState } from '../../imputation/imputer';
import { NoisyLinearImputer } from '../../imputation/noisy-linear-imputer';
import { type PerformanceMeasure, quantiseUint8, resolvePreset, type SocoPreset } from './soco-shared';

/** Options of {@link completeness}; defaults in {@link COMPLETENESS_DEFAULTS}. @category Faithfulness */
export interface CompletenessOptions extends ModelMetricOptions {
  /** Value-threshold ratios `t`, strictly increasing in [0, 1]. @defaultValue 0.1, 0.2, …, 0.9 */
  ratios?: readonly number[];
  /** Performance measure, see {@link PerformanceMeasure}. @defaultValue 'accuracy' */
  performance?: PerformanceMeasure;
  /** Fills the removed pixels. @defaultValue `new NoisyLinearImputer()` (ROAD, as the reference) */
  imputer?: Imputer;
  /** Reference compatibility (8-bit maps, accuracy `correct/(N + 1e−6)`), see {@link SocoPreset}. @defaultValue 'package' */
  preset?: SocoPreset;
  /** `uint8` quantises maps as the reference's PNGs. @defaultValue by preset */
  quantise?: 'none' | 'uint8';
}

/**
 * Defaults of {@link CompletenessOptions}: soco `configs/_base_/metrics/vision_completeness.yaml`
 * (`mask_ratios` start 0.1, end 1.0, step 0.1; ROAD, `smap_mask_mode: morf`, `by_area: false`;
 * Accuracy). Maps must be non-negative; max-normalised (the threshold is relative to the max, so
 * this only matters for reporting). `batchSize` 32, `seed` 0: package choices.
 * @category Faithfulness
 */
export const COMPLETENESS_DEFAULTS = Object.freeze({
  /** Default of {@link CompletenessOptions.ratios}. */
  ratios: Object.freeze(Array.from({ length: 9 }, (_, j) => Math.round((0.1 + 0.1 * j) * 1e5) / 1e5)) as readonly number[],
  /** Default of {@link CompletenessOptions.performance}. */
  performance: 'accuracy' as PerformanceMeasure,
  /** Default of {@link CompletenessOptions.preset}. */
  preset: 'package' as SocoPreset,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'max' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link completeness}. Plain numbers only. @category Faithfulness */
export interface CompletenessResult extends MetricResult {
  /** Normalised area under the drop curve {@link CompletenessResult.drops} over `t`. */
  readonly score: number;
  /** Per-sample area under the per-sample drop (correct-before − correct-after, or score drop); mean = `score` up to the reference epsilon. */
  readonly scores: readonly number[];
  /** The removal ratios `t` the curve was evaluated at. */
  readonly ratios: readonly number[];
  /** `C(t) = P(f, X) − P(f, X̃_t)`. */
  readonly drops: readonly number[];
  /** `P(f, X)`: clean accuracy (or mean clean target score). */
  readonly cleanPerformance: number;
  /** `P(f, X̃_t)`: the accuracy curve (or mean target score). */
  readonly performance: readonly number[];
  /** Mean fraction of pixels removed at each `t`. */
  readonly removedFractions: readonly number[];
  /** The performance measure `P` used. */
  readonly performanceMeasure: PerformanceMeasure;
  /** Name of the imputer that filled the removed pixels. */
  readonly imputer: string;
  /** The preset used. */
  readonly preset: SocoPreset;
}

const KEYS = ['ratios', 'performance', 'imputer', 'preset', 'quantise', 'sign', 'normalise', 'target', 'batchSize', 'seed'];

/**
 * Completeness: how much performance is lost when every pixel whose attribution exceeds a
 * fraction of the maximum is removed (masking by value, most relevant first) and imputed.
 *
 * For each ratio `t` (0.1 … 0.9) remove the pixels with `a_i > (1 − t)·max a`, impute them, and
 * report `C(t) = P(f, X) − P(f, X̃_t)` with P the top-1 accuracy over the dataset (or the mean
 * target score). Masking by area instead would only reproduce ROAD or Deletion (the reference's
 * warning). A constant positive map removes every pixel at every `t`; an all-zero map removes none
 * (`C(t) = 0`).
 * @param model - the classifier, `[N, H, W, C] → [N, K]`
 * @param inputs - images `[N, H, W, C]`, NHWC, finite
 * @param attributions - maps `[N, H, W, C]` or `[N, H, W, 1]` (channels are summed), finite
 * @param options - see {@link CompletenessOptions}
 * @returns curves and scores (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf, a negative
 *   map value without a sign conversion, a bad schedule or an unknown option
 * @see arXiv 2308.08949; sandylaker/soco `soco/metrics/vision_completeness.py`, `imputations/road_utils.py`
 * @example
 * ```ts
 * const r = await completeness(model, images, maps, { target: labels, sign: 'positive' });
 * console.log(r.drops, r.performance);
 * ```
 * @category Faithfulness
 */
export async function completeness(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: CompletenessOptions = {}): Promise<CompletenessResult> {
  const fn = 'completeness';
  checkOptions(fn, options, KEYS);
  const d = COMPLETENESS_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const ratios = checkSchedule(fn, 'ratios', options.ratios ?? d.ratios, 'increasing', 0, 1);
  const measure = checkChoice(fn, 'performance', options.performance ?? d.performance, ['accuracy', 'pred-score'] as const);
  const imputer = options.imputer ?? new NoisyLinearImputer();
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const preset = resolvePreset(fn, options.preset, undefined, options.quantise);
  checkModelMetricInputs(fn, model, inputs, attributions);

  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, requireNonNegative: true, target: options.target });
  const { maps, count: N, dims, size, images, classes, seed, clean } = prep;
  if (preset.quantise === 'uint8') quantiseUint8(maps);
  const P = maps.pixels;
  const T = ratios.length;
  const maxOf = Array.from({ length: N }, (_, i) => mapOf(maps, i).reduce((m, v) => Math.max(m, v), 0));
  /** Removed iff a > (1 − t)·max a; the reference compares 8-bit values with a float32 threshold. */
  const isRemoved = (i: number, t: number, v: number): boolean => {
    if (preset.quantise === 'uint8' && preset.preset === 'reference') {
      const q = Math.round(v * 255);
      const qmax = Math.round(maxOf[i] * 255);
      return q > Math.fround(Math.fround(qmax) * Math.fround(1 - t));
    }
    return v > (1 - t) * maxOf[i];
  };
  const removedCount = new Float64Array(T);
  let state = new ImputerState();
  const removed = new Uint8Array(P);
  const perf = await scoreUnits({
    fn,
    model,
    dims,
    count: N * T,
    batchSize: prep.batchSize,
    classOf: (k) => classes[Math.floor(k / T)],
    fill: (k, out) => {
      const i = Math.floor(k / T);
      const j = k % T;
      if (j === 0) state = new ImputerState();
      out.set(images.subarray(i * size, (i + 1) * size));
      const a = mapOf(maps, i);
      let n = 0;
      for (let p = 0; p < P; p++) {
        removed[p] = isRemoved(i, ratios[j], a[p]) ? 1 : 0;
        n += removed[p];
      }
      removedCount[j] += n / P / N;
      imputer.fill(out, removed, dims, rngFor(seed, STREAM.noise, i, j), state);
    },
  });
  const correct = (pred: number, i: number): number => (pred === classes[i] ? 1 : 0);
  const cleanPerSample = Array.from({ length: N }, (_, i) => (measure === 'accuracy' ? correct(clean.predictions[i], i) : clean.scores[i]));
  const after = (i: number, j: number): number => (measure === 'accuracy' ? correct(perf.predictions[i * T + j], i) : perf.scores[i * T + j]);
  const denom = measure === 'accuracy' ? N + preset.accuracyEpsilon : N;
  const cleanPerformance = cleanPerSample.reduce((s, v) => s + v, 0) / denom;
  const performance = ratios.map((_, j) => Array.from({ length: N }, (_, i) => after(i, j)).reduce((s, v) => s + v, 0) / denom);
  const drops = performance.map((p) => cleanPerformance - p);
  const scores = Array.from({ length: N }, (_, i) => normalisedAuc(ratios, ratios.map((_, j) => cleanPerSample[i] - after(i, j))));
  return {
    score: normalisedAuc(ratios, drops),
    scores,
    ratios,
    drops,
    cleanPerformance,
    performance,
    removedFractions: Array.from(removedCount),
    performanceMeasure: measure,
    imputer: imputer.name,
    preset: preset.preset,
  };
}

/** The {@link completeness} metric for the registry. */
export const completenessMetric = defineMetric<CompletenessResult, CompletenessOptions>({
  name: 'completeness',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 2308.08949; sandylaker/soco vision_completeness.py',
  requires: ['model', 'inputs', 'attributions'],
  defaults: COMPLETENESS_DEFAULTS,
  run: (i, o) => completeness(i.model, i.inputs, i.attributions, o),
});
