/**
 * Soundness (arXiv 2308.08949), exactly as sandylaker/soco `VisionSoundness`.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkChoice, checkNumber, checkSchedule } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { scoreUnits } from '../../core/evaluate';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { checkModelMetricInputs, mean, normalisedAuc, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { Imputer, ImputerState } from '../../imputation/imputer';
import { NoisyLinearImputer } from '../../imputation/noisy-linear-imputer';
import { type PerformanceMeasure, quantiseUint8, resolvePreset, type SocoPreset } from './soco-shared';

/** Options of {@link soundness}; defaults in {@link SOUNDNESS_DEFAULTS}. @category Faithfulness */
export interface SoundnessOptions extends ModelMetricOptions {
  /** Area mask ratios `m_j` (fraction of pixels removed, least relevant first), strictly decreasing in [0, 1]. @defaultValue 0.98, 0.97, …, 0.03 (96 steps) */
  maskRatios?: readonly number[];
  /** τ: a step adds its new mass to the false attribution when `P_j − P_{j−1} ≤ τ`. @defaultValue 0.01 */
  gainThreshold?: number;
  /** s₀: steps whose mean performance is `≤ s₀` update nothing; `null` never skips. @defaultValue 0.04 */
  startThreshold?: number | null;
  /** Performance measure, see {@link PerformanceMeasure}. @defaultValue 'accuracy' */
  performance?: PerformanceMeasure;
  /** Fills the removed pixels. @defaultValue `new NoisyLinearImputer()` (ROAD, as the reference) */
  imputer?: Imputer;
  /** Reference compatibility, see {@link SocoPreset}. @defaultValue 'package' */
  preset?: SocoPreset;
  /** `shared`: one seeded ordering per sample for masks and masses; `independent`: fresh permutations for each (reference). @defaultValue by preset */
  ordering?: 'shared' | 'independent';
  /** `uint8` quantises maps as the reference's PNGs. @defaultValue by preset */
  quantise?: 'none' | 'uint8';
}

/**
 * Defaults of {@link SoundnessOptions}: soco `configs/_base_/metrics/vision_soundness.yaml`
 * (`mask_ratios` start 0.98, end 0.02, step −0.01; `cls_threshold` 0.01; `cls_result_start` 0.04;
 * `cls_metric` Accuracy; ROAD imputation). Maps must be non-negative (`sign: 'keep'` rejects a
 * negative value; name a conversion) and are max-normalised (the reference's maps are 8-bit images
 * scaled to [0, 1]). `batchSize` 32 and `seed` 0 are package choices.
 * @category Faithfulness
 */
export const SOUNDNESS_DEFAULTS = Object.freeze({
  /** Default of {@link SoundnessOptions.maskRatios}. */
  maskRatios: Object.freeze(Array.from({ length: 96 }, (_, j) => Math.round((0.98 - 0.01 * j) * 1e5) / 1e5)) as readonly number[],
  /** Default of {@link SoundnessOptions.gainThreshold}. */
  gainThreshold: 0.01,
  /** Default of {@link SoundnessOptions.startThreshold}. */
  startThreshold: 0.04 as number | null,
  /** Default of {@link SoundnessOptions.performance}. */
  performance: 'accuracy' as PerformanceMeasure,
  /** Default of {@link SoundnessOptions.preset}. */
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

/** Result of {@link soundness}. Plain numbers only. @category Faithfulness */
export interface SoundnessResult extends MetricResult {
  /** Normalised area under {@link SoundnessResult.soundness} over the kept fraction `1 − m_j`. */
  readonly score: number;
  /** Per-sample area under `S_ij`, `[N]` (their mean is `score`). */
  readonly scores: readonly number[];
  /** The mask ratios `m_j`. */
  readonly maskRatios: readonly number[];
  /** The soundness curve `S_j`, the mean over samples of `S_ij`. */
  readonly soundness: readonly number[];
  /** The performance curve `P_j` (accuracy, or mean target score with `pred-score`). */
  readonly performance: readonly number[];
  /** `S_ij` per sample and step, `[N][steps]`. */
  readonly sampleCurves: readonly (readonly number[])[];
  /** Final false attribution mass `F_i` per sample. */
  readonly falseMass: readonly number[];
  /** Steps skipped because mean performance was `≤ s₀`. */
  readonly skippedSteps: number;
  /** The performance measure `P` used. */
  readonly performanceMeasure: PerformanceMeasure;
  /** Name of the imputer that filled the removed pixels. */
  readonly imputer: string;
  /** The preset used. */
  readonly preset: SocoPreset;
}

const KEYS = ['maskRatios', 'gainThreshold', 'startThreshold', 'performance', 'imputer', 'preset', 'ordering', 'quantise', 'sign', 'normalise', 'target', 'batchSize', 'seed'];

/**
 * Soundness: the fraction of kept attribution mass that came with a gain in predictive power,
 * inserting pixels least-relevant-first (LeRF) and imputing the rest.
 *
 * For mask ratios `m_j` (0.98 → 0.03), keep the top `1 − m_j` of pixels by attribution and impute
 * the others; `N_j` are the pixels newly kept at step j, `A(N_j) = Σ_{i∈N_j} a_i`, `P_j` the
 * performance (`P_{−1} = 0`). The false mass `F` grows by `A(N_j)` when `P_j − P_{j−1} ≤ τ` and
 * `mean P_j > s₀` (skipped otherwise) — once per step for the dataset with accuracy, per sample
 * with pred-score. Reported: `S_j = (Σ_{kept} a − F_{j−1}) / (Σ_{kept} a + 1e−6)` (note
 * `F_{j−1}`, as the reference), with `P_j`. A map that is all zeros scores 0 at every step.
 * @param model - the classifier, `[N, H, W, C] → [N, K]`
 * @param inputs - images `[N, H, W, C]`, NHWC, finite
 * @param attributions - maps `[N, H, W, C]` or `[N, H, W, 1]` (channels are summed), finite
 * @param options - see {@link SoundnessOptions}
 * @returns curves and scores (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf, a negative
 *   map value without a sign conversion, a bad schedule or an unknown option
 * @see arXiv 2308.08949 (Li, Zhang et al., TMLR 2024); sandylaker/soco `soco/metrics/vision_soundness.py`
 * @example
 * ```ts
 * const r = await soundness(model, images, maps, { target: labels, sign: 'abs' });
 * console.log(r.score, r.soundness, r.performance);
 * ```
 * @category Faithfulness
 */
export async function soundness(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: SoundnessOptions = {}): Promise<SoundnessResult> {
  const fn = 'soundness';
  checkOptions(fn, options, KEYS);
  const d = SOUNDNESS_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const ratios = checkSchedule(fn, 'maskRatios', options.maskRatios ?? d.maskRatios, 'decreasing', 0, 1);
  const tau = checkNumber(fn, 'gainThreshold', options.gainThreshold ?? d.gainThreshold);
  const s0 = options.startThreshold === null ? null : checkNumber(fn, 'startThreshold', options.startThreshold ?? d.startThreshold);
  const measure = checkChoice(fn, 'performance', options.performance ?? d.performance, ['accuracy', 'pred-score'] as const);
  const imputer = options.imputer ?? new NoisyLinearImputer();
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const preset = resolvePreset(fn, options.preset, options.ordering, options.quantise);
  checkModelMetricInputs(fn, model, inputs, attributions);

  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, requireNonNegative: true, target: options.target });
  const { maps, count: N, dims, size, images, classes, seed } = prep;
  if (preset.quantise === 'uint8') quantiseUint8(maps);
  const P = maps.pixels;
  const steps = ratios.length;
  const counts = ratios.map((m) => Math.trunc(P * m)); // int(H·W·m), as the reference
  const shared0 = preset.ordering === 'shared' ? Array.from({ length: N }, (_, i) => rankPixels(mapOf(maps, i), 'lerf', rngFor(seed, STREAM.ordering, i))) : undefined;
  const maskOrder = (i: number, j: number): Int32Array => shared0?.[i] ?? rankPixels(mapOf(maps, i), 'lerf', rngFor(seed, STREAM.ordering, i, j));
  const massOrder = (i: number, j: number): Int32Array => shared0?.[i] ?? rankPixels(mapOf(maps, i), 'lerf', rngFor(seed, STREAM.mass, i, j));

  // Kept mass R_ij and new mass A(N_ij), from the mass ordering.
  const kept = new Float64Array(N * steps);
  const added = new Float64Array(N * steps);
  for (let i = 0; i < N; i++) {
    const a = mapOf(maps, i);
    for (let j = 0; j < steps; j++) {
      const order = massOrder(i, j);
      const prev = j === 0 ? P : counts[j - 1];
      let r = 0;
      let n = 0;
      for (let t = counts[j]; t < P; t++) {
        r += a[order[t]];
        if (t < prev) n += a[order[t]];
      }
      kept[i * steps + j] = r;
      added[i * steps + j] = n;
    }
  }

  let state = new ImputerState();
  const removed = new Uint8Array(P);
  const perf = await scoreUnits({
    fn,
    model,
    dims,
    count: N * steps,
    batchSize: prep.batchSize,
    classOf: (k) => classes[Math.floor(k / steps)],
    fill: (k, out) => {
      const i = Math.floor(k / steps);
      const j = k % steps;
      if (j === 0) state = new ImputerState();
      out.set(images.subarray(i * size, (i + 1) * size));
      const order = maskOrder(i, j);
      removed.fill(0);
      for (let t = 0; t < counts[j]; t++) removed[order[t]] = 1;
      imputer.fill(out, removed, dims, rngFor(seed, STREAM.noise, i, j), state);
    },
  });

  const F = new Float64Array(N);
  const sampleCurves = Array.from({ length: N }, () => new Array<number>(steps));
  const curveS: number[] = [];
  const curveP: number[] = [];
  let prevAcc = 0;
  const prevScore = new Float64Array(N);
  let skipped = 0;
  for (let j = 0; j < steps; j++) {
    for (let i = 0; i < N; i++) {
      const r = kept[i * steps + j];
      sampleCurves[i][j] = (r - F[i]) / (r + 1e-6);
    }
    curveS.push(mean(sampleCurves.map((c) => c[j])));
    if (measure === 'accuracy') {
      let correct = 0;
      for (let i = 0; i < N; i++) if (perf.predictions[i * steps + j] === classes[i]) correct++;
      const acc = correct / (N + preset.accuracyEpsilon);
      curveP.push(acc);
      if (s0 !== null && acc <= s0) skipped++;
      else if (acc - prevAcc <= tau) for (let i = 0; i < N; i++) F[i] += added[i * steps + j];
      prevAcc = acc;
    } else {
      const s = Float64Array.from({ length: N }, (_, i) => perf.scores[i * steps + j]);
      const m = mean(s);
      curveP.push(m);
      if (s0 !== null && m <= s0) skipped++;
      else for (let i = 0; i < N; i++) if (s[i] - prevScore[i] <= tau) F[i] += added[i * steps + j];
      prevScore.set(s);
    }
  }
  const xs = ratios.map((m) => 1 - m);
  const scores = sampleCurves.map((c) => normalisedAuc(xs, c));
  return {
    score: normalisedAuc(xs, curveS),
    scores,
    maskRatios: ratios,
    soundness: curveS,
    performance: curveP,
    sampleCurves,
    falseMass: Array.from(F),
    skippedSteps: skipped,
    performanceMeasure: measure,
    imputer: imputer.name,
    preset: preset.preset,
  };
}

/** The {@link soundness} metric for the registry. */
export const soundnessMetric = defineMetric<SoundnessResult, SoundnessOptions>({
  name: 'soundness',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 2308.08949; sandylaker/soco vision_soundness.py',
  requires: ['model', 'inputs', 'attributions'],
  defaults: SOUNDNESS_DEFAULTS,
  run: (i, o) => soundness(i.model, i.inputs, i.attributions, o),
});
