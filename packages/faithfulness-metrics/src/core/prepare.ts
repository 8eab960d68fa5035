/**
 * The common first step of every model-based metric: validate, read the images and maps to the
 * host, evaluate the clean inputs, resolve the explained classes.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type AttributionModel, AttributionWorkers } from '@lab/attribution';
import { InvalidValueError } from '@lab/tensor';
import { checkImages, checkInt, checkMapShape, checkModel, checkSeed, resolveClasses, type ImageDims } from './checks';
import { readImages, scoreClean, type UnitScores } from './evaluate';
import { checkMapOptions, readPixelMaps, type PixelMaps } from './maps';
import type { ModelMetricOptions, Normalisation, SignConversion } from './metric';

/** What {@link prepareModelMetric} hands a metric. */
export interface Prepared {
  readonly images: Float32Array;
  readonly dims: ImageDims;
  readonly count: number;
  /** Values per image, `H·W·C`. */
  readonly size: number;
  readonly maps: PixelMaps;
  /** Explained class (label) of each sample. */
  readonly classes: Int32Array;
  /** Clean scores of `classes` and clean predictions. */
  readonly clean: UnitScores;
  readonly batchSize: number;
  readonly seed: number;
  /** Workers that run the model calls, when given. */
  readonly workers?: AttributionWorkers;
}

/** Validates the shared inputs and options (synchronously, before any tensor work). */
export function checkModelMetricInputs(fn: string, model: unknown, inputs: unknown, attributions: unknown): ImageDims & { count: number } {
  checkModel(fn, model);
  const d = checkImages(fn, inputs);
  checkMapShape(fn, attributions, d.count, d.height, d.width, d.channels);
  return d;
}

/** Resolves the shared options of {@link ModelMetricOptions} against a metric's defaults. */
export function resolveShared(fn: string, o: ModelMetricOptions, d: { sign: SignConversion; normalise: Normalisation; batchSize: number; seed: number }) {
  const { sign, normalise } = checkMapOptions(fn, o.sign ?? d.sign, o.normalise ?? d.normalise);
  const { workers } = o;
  if (workers !== undefined && (!(workers instanceof AttributionWorkers) || workers.pool.closed)) {
    throw new InvalidValueError(`${fn}: workers must be open AttributionWorkers from createAttributionWorkers, got ${workers === null ? 'null' : typeof workers}`);
  }
  return { sign, normalise, batchSize: checkInt(fn, 'batchSize', o.batchSize ?? d.batchSize, 1), seed: checkSeed(fn, o.seed ?? d.seed), workers };
}

export async function prepareModelMetric(
  fn: string,
  model: AttributionModel,
  inputs: tf.Tensor,
  attributions: tf.Tensor,
  o: {
    sign: SignConversion;
    normalise: Normalisation;
    requireNonNegative?: boolean;
    target: unknown;
    batchSize: number;
    seed: number;
    softmax?: boolean;
    workers?: AttributionWorkers;
  },
): Promise<Prepared> {
  const [count, height, width, channels] = inputs.shape as number[];
  const dims = { height, width, channels };
  const maps = await readPixelMaps(fn, attributions, { sign: o.sign, normalise: o.normalise, requireNonNegative: o.requireNonNegative });
  const images = await readImages(fn, inputs);
  const predicted = await scoreClean(fn, model, images, count, dims, o.batchSize, undefined, o.softmax, o.workers);
  const classes = resolveClasses(fn, o.target, count, predicted.outputs, predicted.predictions);
  const clean = o.target === undefined ? predicted : await scoreClean(fn, model, images, count, dims, o.batchSize, classes, o.softmax, o.workers);
  return { images, dims, count, size: height * width * channels, maps, classes, clean, batchSize: o.batchSize, seed: o.seed, workers: o.workers };
}

/** Normalised area under a curve: the trapezoid rule divided by the x-range (one point: its value). */
export function normalisedAuc(xs: readonly number[], ys: readonly number[]): number {
  if (ys.length === 1) return ys[0];
  let s = 0;
  for (let j = 1; j < ys.length; j++) s += ((xs[j] - xs[j - 1]) * (ys[j] + ys[j - 1])) / 2;
  return s / (xs[xs.length - 1] - xs[0]);
}

/** Mean of an array (0 for an empty one). */
export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length ? s / v.length : 0;
}
