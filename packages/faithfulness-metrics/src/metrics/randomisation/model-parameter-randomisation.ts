/**
 * Model parameter randomisation test (Adebayo et al. 2018).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, checkOptions } from '@lab/tensor';
import type { AttributionMethod } from '@lab/attribution';
import { checkChoice, checkImages, checkInt, checkSeed, resolveClasses } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { readImages, scoreClean } from '../../core/evaluate';
import { checkMethod, explainUnits } from '../../core/explain';
import { checkMapOptions } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { mean } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { pearson, spearman } from '../../core/stats';

/** Similarity of two maps. @category Randomisation */
export type MapSimilarity = 'spearman' | 'pearson';

/** Options of {@link modelParameterRandomisation}; defaults in {@link MODEL_PARAMETER_RANDOMISATION_DEFAULTS}. @category Randomisation */
export interface ModelParameterRandomisationOptions extends ModelMetricOptions {
  /** Builds a fresh model of the same architecture; the original's state dict is loaded into it and its layers are randomised there (the original is never touched). Required. */
  createModel?: () => Module;
  /** `cascading`: randomise layer after layer cumulatively; `independent`: one layer at a time. @defaultValue 'cascading' */
  mode?: 'cascading' | 'independent';
  /** `top-down` starts from the output layer (the last registered), `bottom-up` from the input. @defaultValue 'top-down' */
  order?: 'top-down' | 'bottom-up';
  /** Similarity of the original and the randomised map. @defaultValue 'spearman' */
  similarity?: MapSimilarity;
  /** Extra options of every `method.attribute` call (`target` is set by the metric). */
  methodOptions?: Readonly<Record<string, unknown>>;
}

/**
 * Defaults of {@link ModelParameterRandomisationOptions}: Quantus `MPRT` (`layer_order="top_down"`,
 * cascading, Spearman rank correlation). Re-initialisation draws `N(0, s²)` with `s` the
 * parameter's own standard deviation (0.01 for a constant parameter): package choice that keeps
 * activations at their scale.
 * @category Randomisation
 */
export const MODEL_PARAMETER_RANDOMISATION_DEFAULTS = Object.freeze({
  /** Default of {@link ModelParameterRandomisationOptions.mode}. */
  mode: 'cascading' as 'cascading' | 'independent',
  /** Default of {@link ModelParameterRandomisationOptions.order}. */
  order: 'top-down' as 'top-down' | 'bottom-up',
  /** Default of {@link ModelParameterRandomisationOptions.similarity}. */
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

/** Result of {@link modelParameterRandomisation}. @category Randomisation */
export interface ModelParameterRandomisationResult extends MetricResult {
  /** Mean similarity over layers and samples (lower is better: maps should change with the model). */
  readonly score: number;
  /** Per sample: the mean similarity over layers. */
  readonly scores: readonly number[];
  /** The layers (module paths owning parameters), in randomisation order. */
  readonly layers: readonly string[];
  /** Mean similarity over samples after each layer's randomisation. */
  readonly similarity: readonly number[];
  /** `[layer][sample]` similarities. */
  readonly layerScores: readonly (readonly number[])[];
}

/** Module paths that own parameters directly, in registration order. */
export function parameterLayers(model: Module): string[] {
  const out: string[] = [];
  for (const [name] of model.namedParameters()) {
    const parent = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
    if (!out.includes(parent)) out.push(parent);
  }
  return out;
}

function randomiseLayer(model: Module, layer: string, seed: number, index: number): void {
  const params = model.namedParameters().filter(([n]) => (n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : '') === layer);
  params.forEach(([, v], j) => {
    const vals = v.dataSync();
    let m = 0;
    for (const t of vals) m += t;
    m /= vals.length;
    let s = 0;
    for (const t of vals) s += (t - m) ** 2;
    const std = Math.sqrt(s / vals.length) || 0.01;
    const fresh = tf.tensor(rngFor(seed, STREAM.random, index, j).normal(v.size, 0, std), v.shape, v.dtype);
    v.assign(fresh);
    fresh.dispose();
  });
}

/**
 * Model parameter randomisation test: how similar the maps stay when the model's weights are
 * progressively (or individually) replaced by random ones. A method whose maps do not change is
 * not explaining the model.
 *
 * For layers `l_1…l_L` (top-down), `M_t` is the model with layers `l_1…l_t` randomised (cascading)
 * or only `l_t` (independent); the score of layer t is `ρ(a(x; M), a(x; M_t))` per sample
 * (Spearman by default), and the metric is its mean over layers and samples.
 * @param model - the trained model, a {@link Module}; not modified
 * @param inputs - images `[N, H, W, C]`
 * @param method - the attribution method
 * @param options - see {@link ModelParameterRandomisationOptions}; `createModel` is required
 * @returns similarity per layer and sample (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} without `createModel`, for a non-Module model, a model without parameters, or bad options; {@link "@lab/tensor"!CheckpointError | CheckpointError} when the fresh model's architecture differs
 * @see arXiv 1810.03292 (Adebayo et al., "Sanity checks for saliency maps"); Quantus `MPRT`
 * @example
 * ```ts
 * const r = await modelParameterRandomisation(net, images, new Saliency(), { createModel: () => new Net() });
 * ```
 * @category Randomisation
 */
export async function modelParameterRandomisation(model: Module, inputs: tf.Tensor, method: AttributionMethod<any>, options: ModelParameterRandomisationOptions = {}): Promise<ModelParameterRandomisationResult> {
  const fn = 'modelParameterRandomisation';
  checkOptions(fn, options, ['createModel', 'mode', 'order', 'similarity', 'methodOptions', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const d = MODEL_PARAMETER_RANDOMISATION_DEFAULTS;
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module (its layers are randomised), got ${typeof model}`);
  if (typeof options.createModel !== 'function') throw new InvalidValueError(`${fn}: createModel must be a function returning a fresh model of the same architecture`);
  const mode = checkChoice(fn, 'mode', options.mode ?? d.mode, ['cascading', 'independent'] as const);
  const order = checkChoice(fn, 'order', options.order ?? d.order, ['top-down', 'bottom-up'] as const);
  const sim = checkChoice(fn, 'similarity', options.similarity ?? d.similarity, ['spearman', 'pearson'] as const);
  const { sign, normalise } = checkMapOptions(fn, options.sign ?? d.sign, options.normalise ?? d.normalise);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? d.batchSize, 1);
  const seed = checkSeed(fn, options.seed ?? d.seed);
  const dims = checkImages(fn, inputs);
  checkMethod(fn, method, options.methodOptions);
  let layers = parameterLayers(model);
  if (layers.length === 0) throw new InvalidValueError(`${fn}: model has no parameters to randomise`);
  if (order === 'top-down') layers = layers.reverse();
  const N = dims.count;
  const P = dims.height * dims.width;
  const size = P * dims.channels;
  const images = await readImages(fn, inputs);
  const predicted = await scoreClean(fn, model, images, N, dims, batchSize);
  const classes = resolveClasses(fn, options.target, N, predicted.outputs, predicted.predictions);
  const explain = (m: Module) =>
    explainUnits({ fn, method, model: m, dims, count: N, batchSize, methodOptions: options.methodOptions, sign, normalise, fill: (k, out) => out.set(images.subarray(k * size, (k + 1) * size)), classOf: (k) => classes[k] });
  const original = await explain(model);
  const similarity = sim === 'spearman' ? spearman : pearson;
  const clone = options.createModel();
  if (!(clone instanceof Module)) throw new InvalidValueError(`${fn}: createModel must return a Module, got ${typeof clone}`);
  const layerScores: number[][] = [];
  try {
    const load = () => {
      const state = model.stateDict();
      try {
        clone.loadStateDict(state);
      } finally {
        tf.dispose(Object.values(state));
      }
      clone.train(model.training);
    };
    load();
    for (let t = 0; t < layers.length; t++) {
      if (mode === 'independent' && t > 0) load();
      randomiseLayer(clone, layers[t], seed, t);
      const maps = await explain(clone);
      layerScores.push(Array.from({ length: N }, (_, i) => similarity(original.subarray(i * P, (i + 1) * P), maps.subarray(i * P, (i + 1) * P))));
    }
  } finally {
    clone.dispose();
  }
  const scores = Array.from({ length: N }, (_, i) => mean(layerScores.map((l) => l[i])));
  return { score: mean(scores), scores, layers, similarity: layerScores.map((l) => mean(l)), layerScores };
}

/** The {@link modelParameterRandomisation} metric for the registry (`createModel` from the input or the options). */
export const modelParameterRandomisationMetric = defineMetric<ModelParameterRandomisationResult, ModelParameterRandomisationOptions>({
  name: 'model-parameter-randomisation',
  category: 'randomisation',
  higherIsBetter: false,
  reference: 'arXiv 1810.03292 (Adebayo et al.); Quantus MPRT',
  requires: ['model', 'inputs', 'method', 'createModel'],
  defaults: MODEL_PARAMETER_RANDOMISATION_DEFAULTS,
  run: (i, o) => {
    if (!(i.model instanceof Module)) throw new InvalidValueError('model-parameter-randomisation.evaluate: input.model must be a Module');
    return modelParameterRandomisation(i.model, i.inputs, i.method, { ...o, createModel: o?.createModel ?? i.createModel, methodOptions: o?.methodOptions ?? i.methodOptions });
  },
});
