/**
 * What deletion, insertion and pixel flipping share: a class-score curve over a MoRF removal (or
 * insertion) of `pixelsPerStep` pixels at a time, and its normalised AUC.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkBool, checkInt } from '../../core/checks';
import { meanCurve, perSample, removalCurves } from '../../core/curve';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { checkModelMetricInputs, normalisedAuc, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { Imputer } from '../../imputation/imputer';

/** Options of the ordered perturbation curves ({@link deletion}, {@link insertion}, {@link pixelFlipping}). @category Faithfulness */
export interface PerturbationCurveOptions extends ModelMetricOptions {
  /** Pixels removed (inserted) per step; the last step may hold fewer. @defaultValue metric-specific */
  pixelsPerStep?: number;
  /** Read softmax probabilities instead of raw outputs. @defaultValue metric-specific */
  softmax?: boolean;
  /** What removed (not yet inserted) pixels become. @defaultValue metric-specific */
  imputer?: Imputer;
}

/** Result of a perturbation curve. Plain numbers only. @category Faithfulness */
export interface PerturbationCurveResult extends MetricResult {
  /** Mean over samples of the per-sample normalised AUC. */
  readonly score: number;
  /** Normalised AUC of each sample's curve, `[N]`. */
  readonly scores: readonly number[];
  /** Fraction of pixels removed (deletion, pixel flipping) or inserted (insertion) at each point. */
  readonly fractions: readonly number[];
  /** Mean class score at each point. */
  readonly curve: readonly number[];
  /** Class score per sample and point, `[N][steps + 1]`. */
  readonly sampleCurves: readonly (readonly number[])[];
  /** Name of the imputer (the substrate). */
  readonly imputer: string;
}

export interface OrderedCurveDefaults {
  pixelsPerStep: number | 'width';
  softmax: boolean;
  imputer: () => Imputer;
  sign: 'keep';
  normalise: 'none';
  batchSize: number;
  seed: number;
}

/** Runs a MoRF deletion (`insert` false) or insertion curve. */
export async function orderedCurve(
  fn: string,
  model: AttributionModel,
  inputs: tf.Tensor,
  attributions: tf.Tensor,
  options: PerturbationCurveOptions,
  d: OrderedCurveDefaults,
  insert: boolean,
): Promise<PerturbationCurveResult> {
  checkOptions(fn, options, ['pixelsPerStep', 'softmax', 'imputer', 'sign', 'normalise', 'target', 'batchSize', 'seed', 'workers']);
  const shared = resolveShared(fn, options, d);
  const softmax = checkBool(fn, 'softmax', options.softmax ?? d.softmax);
  const imputer = options.imputer ?? d.imputer();
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const P = dims.height * dims.width;
  const step = checkInt(fn, 'pixelsPerStep', options.pixelsPerStep ?? (d.pixelsPerStep === 'width' ? dims.width : d.pixelsPerStep), 1, P);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target, softmax });
  const nSteps = Math.ceil(P / step);
  const points = nSteps + 1;
  const done = (j: number): number => Math.min(j * step, P);
  const orders = Array.from({ length: prep.count }, (_, i) => {
    const o = rankPixels(mapOf(prep.maps, i), 'morf', rngFor(prep.seed, STREAM.ordering, i));
    return insert ? o.reverse() : o;
  });
  const out = await removalCurves(fn, model, prep, {
    steps: points,
    order: (i) => orders[i],
    removedCount: (_i, j) => (insert ? P - done(j) : done(j)),
    imputer,
    softmax,
  });
  const fractions = Array.from({ length: points }, (_, j) => done(j) / P);
  const sampleCurves = perSample(out.scores, prep.count, points);
  const scores = sampleCurves.map((c) => normalisedAuc(fractions, c));
  return {
    score: scores.reduce((s, v) => s + v, 0) / scores.length,
    scores,
    fractions,
    curve: meanCurve(sampleCurves),
    sampleCurves,
    imputer: imputer.name,
  };
}
