/**
 * IROF: Iterative Removal Of Features (arXiv 2003.08747).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { gridSegments, slic, type AttributionModel, type Segmentation } from '@lab/attribution';
import { checkBool, checkChoice, checkInt } from '../../core/checks';
import { perSample, removalCurves } from '../../core/curve';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { checkModelMetricInputs, normalisedAuc, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { Imputer } from '../../imputation/imputer';
import { MeanImputer } from '../../imputation/mean-imputer';

/** Options of {@link irof}; defaults in {@link IROF_DEFAULTS}. @category Faithfulness */
export interface IrofOptions extends ModelMetricOptions {
  /** `slic` superpixels of each image (`@lab/attribution` `slic`), or a regular `grid`. @defaultValue 'slic' */
  segmentation?: 'slic' | 'grid';
  /** Approximate number of segments. @defaultValue 100 (scikit-image `slic` default) */
  segments?: number;
  /** Read softmax probabilities (the curve is `p_k / p_0`; raw outputs need `p_0 > 0`). @defaultValue true */
  softmax?: boolean;
  /** What removed segments become. @defaultValue `new MeanImputer()` (Quantus `perturb_baseline="mean"`) */
  imputer?: Imputer;
}

/** Defaults of {@link IrofOptions} (Quantus `IROF`: SLIC segments, mean baseline, class probability). @category Faithfulness */
export const IROF_DEFAULTS = Object.freeze({
  /** Default of {@link IrofOptions.segmentation}. */
  segmentation: 'slic' as 'slic' | 'grid',
  /** Default of {@link IrofOptions.segments}. */
  segments: 100,
  /** Default of {@link IrofOptions.softmax}. */
  softmax: true,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link irof}. @category Faithfulness */
export interface IrofResult extends MetricResult {
  /** Mean IROF (area over the curve; higher is better). */
  readonly score: number;
  /** IROF per sample. */
  readonly scores: readonly number[];
  /** `p_k / p_0` per sample, k = 0…K_i (K_i segments). */
  readonly sampleCurves: readonly (readonly number[])[];
  /** Name of the imputer that filled the removed segments. */
  readonly imputer: string;
}

/**
 * IROF: the area over the class-probability curve when image segments are removed in order of
 * their mean attribution.
 *
 * Segment the image into K segments (SLIC), rank them by mean attribution (MoRF, ties seeded), and
 * replace the top k cumulatively by the imputer (the channel means): `c_k = p_c(x^{(k)}) / p_c(x)`,
 * `IROF = 1 − AUC(c)` over `k/K ∈ [0, 1]` (trapezoid).
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]` (values in [0, 1] for SLIC in Lab space when C = 3)
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link IrofOptions}
 * @returns IROF per sample and the curves (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options, or `p_0 ≤ 0` with raw outputs
 * @see arXiv 2003.08747 (Rieger and Hansen); Quantus `IROF` (which removes each segment on its own; removal here is cumulative, as in the paper)
 * @example
 * ```ts
 * const { score } = await irof(model, images, maps, { segments: 25 });
 * ```
 * @category Faithfulness
 */
export async function irof(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: IrofOptions = {}): Promise<IrofResult> {
  const fn = 'irof';
  checkOptions(fn, options, ['segmentation', 'segments', 'softmax', 'imputer', 'sign', 'normalise', 'target', 'batchSize', 'seed', 'workers']);
  const d = IROF_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const method = checkChoice(fn, 'segmentation', options.segmentation ?? d.segmentation, ['slic', 'grid'] as const);
  const softmax = checkBool(fn, 'softmax', options.softmax ?? d.softmax);
  const imputer = options.imputer ?? new MeanImputer();
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const K = checkInt(fn, 'segments', options.segments ?? d.segments, 1, dims.height * dims.width);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target, softmax });
  const P = prep.maps.pixels;
  const segs: Segmentation[] = [];
  for (let i = 0; i < prep.count; i++) {
    if (method === 'grid') {
      const cy = Math.max(1, Math.min(dims.height, Math.round(Math.sqrt((K * dims.height) / dims.width))));
      const cx = Math.max(1, Math.min(dims.width, Math.round(K / cy)));
      segs.push(gridSegments(dims.height, dims.width, cy, cx));
    } else {
      const img = tf.tensor3d(prep.images.subarray(i * prep.size, (i + 1) * prep.size), [dims.height, dims.width, dims.channels]);
      try {
        segs.push(slic(img, { segments: K, colorSpace: dims.channels === 3 ? 'lab' : 'rgb', compactness: dims.channels === 3 ? 10 : 0.1 }));
      } finally {
        img.dispose();
      }
    }
  }
  const orders: Int32Array[] = [];
  const cum: number[][] = [];
  for (let i = 0; i < prep.count; i++) {
    const a = mapOf(prep.maps, i);
    const s = segs[i];
    const members: number[][] = Array.from({ length: s.count }, () => []);
    for (let p = 0; p < P; p++) members[s.labels[p]].push(p);
    const means = members.map((m) => m.reduce((t, p) => t + a[p], 0) / m.length);
    const segOrder = rankPixels(means, 'morf', rngFor(prep.seed, STREAM.ordering, i));
    const order = new Int32Array(P);
    const c = [0];
    let t = 0;
    for (const q of segOrder) {
      for (const p of members[q]) order[t++] = p;
      c.push(t);
    }
    orders.push(order);
    cum.push(c);
  }
  const steps = Math.max(...cum.map((c) => c.length));
  const out = await removalCurves(fn, model, prep, { steps, order: (i) => orders[i], removedCount: (i, k) => cum[i][Math.min(k, cum[i].length - 1)], imputer, softmax });
  const raw = perSample(out.scores, prep.count, steps);
  const sampleCurves = raw.map((c, i) => {
    const p0 = prep.clean.scores[i];
    if (!(p0 > 0)) throw new InvalidValueError(`${fn}: the clean class score must be > 0 to normalise the curve (use softmax), got ${p0} in sample ${i}`);
    return c.slice(0, cum[i].length).map((v) => v / p0);
  });
  const scores = sampleCurves.map((c) => 1 - normalisedAuc(c.map((_, k) => k / (c.length - 1 || 1)), c));
  return { score: scores.reduce((s, v) => s + v, 0) / scores.length, scores, sampleCurves, imputer: imputer.name };
}

/** The {@link irof} metric for the registry. */
export const irofMetric = defineMetric<IrofResult, IrofOptions>({
  name: 'irof',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 2003.08747 (Rieger and Hansen); Quantus IROF',
  requires: ['model', 'inputs', 'attributions'],
  defaults: IROF_DEFAULTS,
  run: (i, o) => irof(i.model, i.inputs, i.attributions, o),
});
