/**
 * What max-sensitivity, avg-sensitivity and the local Lipschitz estimate share: explain the clean
 * inputs and `samples` perturbed copies of each, and compare the maps.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { AttributionMethod, AttributionModel } from '@lab/attribution';
import { checkImages, checkInt, checkModel, checkSeed, resolveClasses } from '../../core/checks';
import { readImages, scoreClean } from '../../core/evaluate';
import { checkMethod, explainUnits } from '../../core/explain';
import { checkMapOptions } from '../../core/maps';
import type { ModelMetricOptions, Normalisation, SignConversion } from '../../core/metric';
import { rngFor, STREAM } from '../../core/seeds';

/** Options of every robustness metric. @category Robustness */
export interface RobustnessOptions extends ModelMetricOptions {
  /** Perturbed copies per sample. */
  samples?: number;
  /** Extra options of every `method.attribute` call (`target` is set by the metric; pass a fixed `seed` for a stochastic method). */
  methodOptions?: Readonly<Record<string, unknown>>;
}

/** Per (sample, draw): the distances `‖a(x') − a(x)‖₂` and `‖x' − x‖₂`, and `‖a(x)‖₂`. */
export interface SensitivityDraws {
  readonly count: number;
  readonly samples: number;
  readonly mapDistance: Float64Array;
  readonly inputDistance: Float64Array;
  readonly mapNorm: Float64Array;
}

export async function sensitivityDraws(
  fn: string,
  model: AttributionModel,
  inputs: tf.Tensor,
  method: AttributionMethod<any>,
  options: RobustnessOptions,
  d: { samples: number; sign: SignConversion; normalise: Normalisation; batchSize: number; seed: number },
  perturb: (rng: ReturnType<typeof rngFor>, n: number) => Float32Array,
): Promise<SensitivityDraws> {
  checkModel(fn, model);
  const dims = checkImages(fn, inputs);
  checkMethod(fn, method, options.methodOptions);
  const { sign, normalise } = checkMapOptions(fn, options.sign ?? d.sign, options.normalise ?? d.normalise);
  const S = checkInt(fn, 'samples', options.samples ?? d.samples, 1);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? d.batchSize, 1);
  const seed = checkSeed(fn, options.seed ?? d.seed);
  const N = dims.count;
  const size = dims.height * dims.width * dims.channels;
  const P = dims.height * dims.width;
  const images = await readImages(fn, inputs);
  const predicted = await scoreClean(fn, model, images, N, dims, batchSize);
  const classes = resolveClasses(fn, options.target, N, predicted.outputs, predicted.predictions);
  const common = { fn, method, model, dims, batchSize, methodOptions: options.methodOptions, sign, normalise };
  const clean = await explainUnits({ ...common, count: N, fill: (k, out) => out.set(images.subarray(k * size, (k + 1) * size)), classOf: (k) => classes[k] });
  const inputDistance = new Float64Array(N * S);
  const noise = (k: number) => perturb(rngFor(seed, STREAM.perturbation, Math.floor(k / S), k % S), size);
  const perturbed = await explainUnits({
    ...common,
    count: N * S,
    classOf: (k) => classes[Math.floor(k / S)],
    fill: (k, out) => {
      const i = Math.floor(k / S);
      const e = noise(k);
      let s = 0;
      for (let q = 0; q < size; q++) {
        out[q] = images[i * size + q] + e[q];
        s += (out[q] - images[i * size + q]) ** 2;
      }
      inputDistance[k] = Math.sqrt(s);
    },
  });
  const mapDistance = new Float64Array(N * S);
  const mapNorm = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let p = 0; p < P; p++) s += clean[i * P + p] ** 2;
    mapNorm[i] = Math.sqrt(s);
    for (let r = 0; r < S; r++) {
      let t = 0;
      for (let p = 0; p < P; p++) t += (perturbed[(i * S + r) * P + p] - clean[i * P + p]) ** 2;
      mapDistance[i * S + r] = Math.sqrt(t);
    }
  }
  return { count: N, samples: S, mapDistance, inputDistance, mapNorm };
}
