/**
 * Random logit test (Sixt et al. 2020).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionMethod, AttributionModel } from '@lab/attribution';
import { checkChoice, checkImages, checkInt, checkModel, checkSeed, resolveClasses } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { readImages, scoreClean } from '../../core/evaluate';
import { checkMethod, explainUnits } from '../../core/explain';
import { checkMapOptions } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { mean } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { pearson, spearman } from '../../core/stats';
import type { MapSimilarity } from './model-parameter-randomisation';

/** Options of {@link randomLogit}; defaults in {@link RANDOM_LOGIT_DEFAULTS}. @category Randomisation */
export interface RandomLogitOptions extends ModelMetricOptions {
  /** Similarity of the two maps. @defaultValue 'spearman' */
  similarity?: MapSimilarity;
  /** Extra options of every `method.attribute` call. */
  methodOptions?: Readonly<Record<string, unknown>>;
}

/**
 * Defaults of {@link RandomLogitOptions}: Spearman similarity (Quantus `RandomLogit` uses SSIM;
 * rank correlation is used here so the score does not depend on the map's scale).
 * @category Randomisation
 */
export const RANDOM_LOGIT_DEFAULTS = Object.freeze({
  /** Default of {@link RandomLogitOptions.similarity}. */
  similarity: 'spearman' as MapSimilarity,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link randomLogit}. @category Randomisation */
export interface RandomLogitResult extends MetricResult {
  /** Mean similarity (lower is better: maps of different classes should differ). */
  readonly score: number;
  readonly scores: readonly number[];
  /** The random other class drawn for each sample. */
  readonly otherClasses: readonly number[];
}

/**
 * Random logit: the similarity between the map of the explained class and the map of a random
 * other class, `ρ(a(x, c), a(x, c'))` with `c' ≠ c` drawn uniformly (seeded). A class-insensitive
 * method scores high.
 * @param model - the classifier (K ≥ 2 outputs)
 * @param inputs - images `[N, H, W, C]`
 * @param method - the attribution method
 * @param options - see {@link RandomLogitOptions}
 * @returns similarity per sample (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a model with one output or bad options; {@link "@lab/tensor"!ShapeError | ShapeError} for bad inputs
 * @see arXiv 1912.09818 (Sixt, Granz and Landgraf, "When explanations lie: why many modified BP attributions fail"); Quantus `RandomLogit`
 * @example
 * ```ts
 * const { score } = await randomLogit(model, images, new Saliency());
 * ```
 * @category Randomisation
 */
export async function randomLogit(model: AttributionModel, inputs: tf.Tensor, method: AttributionMethod<any>, options: RandomLogitOptions = {}): Promise<RandomLogitResult> {
  const fn = 'randomLogit';
  checkOptions(fn, options, ['similarity', 'methodOptions', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const d = RANDOM_LOGIT_DEFAULTS;
  checkModel(fn, model);
  const dims = checkImages(fn, inputs);
  checkMethod(fn, method, options.methodOptions);
  const sim = checkChoice(fn, 'similarity', options.similarity ?? d.similarity, ['spearman', 'pearson'] as const);
  const { sign, normalise } = checkMapOptions(fn, options.sign ?? d.sign, options.normalise ?? d.normalise);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? d.batchSize, 1);
  const seed = checkSeed(fn, options.seed ?? d.seed);
  const N = dims.count;
  const P = dims.height * dims.width;
  const size = P * dims.channels;
  const images = await readImages(fn, inputs);
  const predicted = await scoreClean(fn, model, images, N, dims, batchSize);
  const K = predicted.outputs;
  if (K < 2) throw new InvalidValueError(`${fn}: model must have at least 2 outputs, got ${K}`);
  const classes = resolveClasses(fn, options.target, N, K, predicted.predictions);
  const others = Array.from(classes, (c, i) => {
    const r = rngFor(seed, STREAM.random, i).int(0, K - 1);
    return r >= c ? r + 1 : r;
  });
  const common = { fn, method, model, dims, batchSize, methodOptions: options.methodOptions, sign, normalise, count: 2 * N };
  const maps = await explainUnits({ ...common, fill: (k, out) => out.set(images.subarray((k % N) * size, ((k % N) + 1) * size)), classOf: (k) => (k < N ? classes[k] : others[k - N]) });
  const similarity = sim === 'spearman' ? spearman : pearson;
  const scores = Array.from({ length: N }, (_, i) => similarity(maps.subarray(i * P, (i + 1) * P), maps.subarray((N + i) * P, (N + i + 1) * P)));
  return { score: mean(scores), scores, otherClasses: others };
}

/** The {@link randomLogit} metric for the registry. */
export const randomLogitMetric = defineMetric<RandomLogitResult, RandomLogitOptions>({
  name: 'random-logit',
  category: 'randomisation',
  higherIsBetter: false,
  reference: 'arXiv 1912.09818 (Sixt et al.); Quantus RandomLogit',
  requires: ['model', 'inputs', 'method'],
  defaults: RANDOM_LOGIT_DEFAULTS,
  run: (i, o) => randomLogit(i.model, i.inputs, i.method, { ...o, methodOptions: o?.methodOptions ?? i.methodOptions }),
});
