/**
 * Region perturbation (Samek et al. 2016): AOPC over most-relevant-first patch removal.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkInt } from '../../core/checks';
import { meanCurve, perSample, removalCurves } from '../../core/curve';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { checkModelMetricInputs, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { Imputer } from '../../imputation/imputer';
import { UniformImputer } from '../../imputation/uniform-imputer';

/** Options of {@link regionPerturbation}; defaults in {@link REGION_PERTURBATION_DEFAULTS}. @category Faithfulness */
export interface RegionPerturbationOptions extends ModelMetricOptions {
  /** Side of the square patches of the non-overlapping grid (edge patches may be smaller). @defaultValue 8 */
  patchSize?: number;
  /** Patches removed, most relevant first (capped at the number of patches). @defaultValue 100 */
  regions?: number;
  /** What removed pixels become. @defaultValue `new UniformImputer()` (U(0, 1)) */
  imputer?: Imputer;
}

/** Defaults of {@link RegionPerturbationOptions}: Quantus `RegionPerturbation` (`patch_size=8`, `regions_evaluation=100`, uniform baseline). @category Faithfulness */
export const REGION_PERTURBATION_DEFAULTS = Object.freeze({
  /** Default of {@link RegionPerturbationOptions.patchSize}. */
  patchSize: 8,
  /** Default of {@link RegionPerturbationOptions.regions}. */
  regions: 100,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link regionPerturbation}. @category Faithfulness */
export interface RegionPerturbationResult extends MetricResult {
  /** Mean AOPC over samples (higher is better). */
  readonly score: number;
  /** AOPC per sample. */
  readonly scores: readonly number[];
  /** Mean `f(x) − f(x^{(k)})` for k = 0…L. */
  readonly curve: readonly number[];
  /** Patches removed per sample, `L`. */
  readonly regions: number;
  /** Name of the imputer that filled the removed patches. */
  readonly imputer: string;
}

/**
 * Region perturbation: the area over the perturbation curve (AOPC) when square patches are
 * replaced most-relevant-first.
 *
 * The image is cut into a non-overlapping grid of `patchSize` patches, ranked by their summed
 * attribution (ties seeded). `x^{(k)}` has the top k patches replaced by the imputer (uniform
 * noise, cumulatively); `AOPC = (1/(L+1)) Σ_{k=0}^{L} (f_c(x) − f_c(x^{(k)}))`.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link RegionPerturbationOptions}
 * @returns AOPC per sample and the mean curve (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 1509.06321 (Samek et al., "Evaluating the visualization of what a DNN has learned"); Quantus `RegionPerturbation`
 * @example
 * ```ts
 * const { score } = await regionPerturbation(model, images, maps, { patchSize: 4, regions: 20 });
 * ```
 * @category Faithfulness
 */
export async function regionPerturbation(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: RegionPerturbationOptions = {}): Promise<RegionPerturbationResult> {
  const fn = 'regionPerturbation';
  checkOptions(fn, options, ['patchSize', 'regions', 'imputer', 'sign', 'normalise', 'target', 'batchSize', 'seed', 'workers']);
  const d = REGION_PERTURBATION_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const imputer = options.imputer ?? new UniformImputer();
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const patch = checkInt(fn, 'patchSize', options.patchSize ?? d.patchSize, 1, Math.max(dims.height, dims.width));
  const py = Math.ceil(dims.height / patch);
  const px = Math.ceil(dims.width / patch);
  const L = Math.min(checkInt(fn, 'regions', options.regions ?? d.regions, 1), py * px);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target });
  const W = dims.width;
  const patchPixels: number[][] = Array.from({ length: py * px }, () => []);
  for (let p = 0; p < prep.maps.pixels; p++) patchPixels[Math.floor(Math.floor(p / W) / patch) * px + Math.floor((p % W) / patch)].push(p);
  const orders: Int32Array[] = [];
  const cum: number[][] = [];
  for (let i = 0; i < prep.count; i++) {
    const a = mapOf(prep.maps, i);
    const sums = patchPixels.map((ps) => ps.reduce((s, p) => s + a[p], 0));
    const patchOrder = rankPixels(sums, 'morf', rngFor(prep.seed, STREAM.ordering, i));
    const order = new Int32Array(prep.maps.pixels);
    const c = [0];
    let t = 0;
    for (const q of patchOrder) {
      for (const p of patchPixels[q]) order[t++] = p;
      c.push(t);
    }
    orders.push(order);
    cum.push(c);
  }
  const out = await removalCurves(fn, model, prep, { steps: L + 1, order: (i) => orders[i], removedCount: (i, k) => cum[i][k], imputer });
  const drops = perSample(out.scores, prep.count, L + 1).map((c, i) => c.map((v) => prep.clean.scores[i] - v));
  const scores = drops.map((c) => c.reduce((s, v) => s + v, 0) / (L + 1));
  return { score: scores.reduce((s, v) => s + v, 0) / scores.length, scores, curve: meanCurve(drops), regions: L, imputer: imputer.name };
}

/** The {@link regionPerturbation} metric for the registry. */
export const regionPerturbationMetric = defineMetric<RegionPerturbationResult, RegionPerturbationOptions>({
  name: 'region-perturbation',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 1509.06321 (Samek et al.); Quantus RegionPerturbation',
  requires: ['model', 'inputs', 'attributions'],
  defaults: REGION_PERTURBATION_DEFAULTS,
  run: (i, o) => regionPerturbation(i.model, i.inputs, i.attributions, o),
});
